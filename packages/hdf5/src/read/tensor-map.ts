import { type ByteInput, type JsonValue, type Tensor, type TensorInfo, type TensorMap, fail, guardDecodeAsync } from "@codec/core";
import type { AttributeValue } from "../model.js";
import { FORMAT } from "./context.js";
import { Hdf5Dataset, type Hdf5File, type OpenOptions, openHdf5File } from "./file.js";

/** Attribute values as JSON: typed arrays become arrays, bigints numbers (or strings past 2^53), bytes hex. */
export function attributeToJson(v: AttributeValue): JsonValue {
  if (v === null || typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "number") return Number.isFinite(v) ? v : String(v);
  if (typeof v === "bigint") return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (v instanceof Uint8Array && !Array.isArray(v)) return Array.from(v);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number | bigint>, (x) => attributeToJson(x as AttributeValue));
  if (Array.isArray(v)) return v.map((x) => attributeToJson(x));
  const out: { [k: string]: JsonValue } = {};
  for (const [k, x] of Object.entries(v)) out[k] = attributeToJson(x);
  return out;
}

export interface Hdf5TensorMap extends TensorMap {
  /** The underlying file, for walking groups, links, attributes and datatypes. */
  readonly file: Hdf5File;
}

/**
 * The HDF5 TensorMap (DESIGN.md sections 4-5): every dataset whose values
 * are numeric, bool (h5py's enum), complex (h5py's {r,i}) or strings, named
 * by its path without the leading '/'. `metadata` holds the root group's
 * attributes as JSON. Compound records, vlen sequences, references and
 * opaque datasets are reachable through `file` only.
 */
export async function openHdf5(input: ByteInput, options: OpenOptions = {}): Promise<Hdf5TensorMap> {
  return guardDecodeAsync(FORMAT, async () => {
    const file = await openHdf5File(input, options);
    const infos = new Map<string, { ds: Hdf5Dataset; info: TensorInfo }>();
    for (const o of file.walk()) {
      if (!(o instanceof Hdf5Dataset)) continue;
      const ti = o.tensorInfo();
      if (!ti) continue;
      const name = o.path.slice(1);
      infos.set(name, { ds: o, info: { name, dtype: ti.dtype, shape: ti.shape } });
    }
    const metadata: { [k: string]: JsonValue } = {};
    for (const a of file.root.attributes()) metadata[a.name] = attributeToJson(a.value);
    const names = [...infos.keys()];
    const entry = (name: string) => {
      const e = infos.get(name);
      if (!e) fail("USAGE", FORMAT, `no tensor named '${name}'`);
      return e;
    };
    return {
      format: "hdf5",
      file,
      metadata,
      names: () => names.slice(),
      info: (name: string) => entry(name).info,
      get: async (name: string): Promise<Tensor> => entry(name).ds.read(),
      close: () => file.close(),
    };
  });
}
