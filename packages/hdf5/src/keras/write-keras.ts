import { type ByteInput, fail, guardDecodeAsync, type JsonValue, openZip, Tensor, toByteSource, utf8Encode, ZipWriter } from "@codec/core";
import { reencodeHdf5 } from "../write/reencode.js";
import { Hdf5Writer } from "../write/writer.js";
import { ContainerNames } from "./naming.js";

/**
 * Writing Keras 3 weights (`.weights.h5`) and `.keras` archives in the
 * layout keras/src/saving/saving_lib.py reads:
 *  - H5IOStore/H5Entry: the variables of the saveable at path P are datasets
 *    `P/vars/0`, `P/vars/1`, ... (the model's own at `vars`); on load Keras
 *    opens `P/vars` only if `P` exists and has a `vars` child, and each
 *    layer's load_own_variables fails unless the count of datasets equals
 *    its variable count; values are assigned by index string.
 *  - a bfloat16 variable is a dataset with attribute dtype="bfloat16"; we
 *    store its values as float32 (exact), which Keras casts back on load.
 *  - the archive (zipfile, stored entries) holds metadata.json
 *    ({"keras_version", "date_saved"}), config.json (the serialized model)
 *    and model.weights.h5; `assets/...` entries are optional (Keras only
 *    looks for assets when the archive has more than three entries).
 */

export interface KerasVariables {
  /** Saving path: "" for the model's own variables, `layers/dense`, `optimizer`, ... */
  readonly path: string;
  readonly vars: readonly Tensor[];
}

function bf16AsFloat32(t: Tensor): Tensor {
  const f = t.toFloat32();
  return new Tensor({ dtype: "float32", shape: t.shape, data: new Uint8Array(f.buffer), copied: true });
}

/** The HDF5 bytes of a Keras 3 weights file. */
export function writeKerasWeights(entries: readonly KerasVariables[]): Uint8Array {
  const w = new Hdf5Writer();
  const seen = new Set<string>();
  for (const e of entries) {
    const path = e.path.replace(/^\/+|\/+$/g, "");
    if (seen.has(path)) fail("USAGE", "keras", `duplicate saving path '${path}'`);
    seen.add(path);
    const vars = path ? `${path}/vars` : "vars";
    // saving_lib creates the vars group even for saveables without variables.
    w.createGroup(vars);
    e.vars.forEach((t, i) => {
      if (t.dtype === "bfloat16") {
        w.createDataset(`${vars}/${i}`, bf16AsFloat32(t));
        w.setAttribute(`${vars}/${i}`, "dtype", "bfloat16");
      } else {
        w.createDataset(`${vars}/${i}`, t);
      }
    });
  }
  if (!seen.has("")) w.createGroup("vars");
  return w.finish();
}

/**
 * Saving paths for the layers of a Sequential or Functional config, in the
 * config's order: `layers/<snake_case(class_name)>[_<n>]`. For a Sequential
 * model Keras skips the leading InputLayer (it is not in `model.layers`);
 * for a Functional model it is listed (and has no variables).
 */
export function kerasLayerPaths(config: JsonValue): Array<{ name: string; className: string; path: string }> {
  if (config === null || typeof config !== "object" || Array.isArray(config)) return [];
  const inner = config.config;
  const list = inner !== null && typeof inner === "object" && !Array.isArray(inner) ? inner.layers : undefined;
  if (!Array.isArray(list)) return [];
  const sequential = config.class_name === "Sequential";
  const names = new ContainerNames();
  const out: Array<{ name: string; className: string; path: string }> = [];
  list.forEach((l, i) => {
    if (l === null || typeof l !== "object" || Array.isArray(l)) return;
    const className = typeof l.class_name === "string" ? l.class_name : "Layer";
    if (sequential && i === 0 && className === "InputLayer") return;
    const cfg = l.config;
    const name = cfg !== null && typeof cfg === "object" && !Array.isArray(cfg) && typeof cfg.name === "string" ? cfg.name : className;
    out.push({ name, className, path: `layers/${names.next(className)}` });
  });
  return out;
}

export interface KerasArchiveInit {
  /** The serialized model (what `serialize_keras_object(model)` gives): written as config.json. */
  readonly config: JsonValue;
  /** Variables per saving path, or the bytes of an existing model.weights.h5. */
  readonly weights: readonly KerasVariables[] | Uint8Array;
  /** metadata.json; keras_version defaults to "3.0.0" and date_saved to now. */
  readonly metadata?: { readonly [k: string]: JsonValue };
  /** Extra files under assets/ (name relative to assets/). */
  readonly assets?: Readonly<Record<string, Uint8Array>>;
}

function kerasDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}@${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** A `.keras` archive: metadata.json, config.json, model.weights.h5 (stored, as Python's zipfile writes them). */
export function writeKerasArchive(init: KerasArchiveInit): Uint8Array {
  const meta = { keras_version: "3.0.0", date_saved: kerasDate(new Date()), ...(init.metadata ?? {}) };
  const weights = init.weights instanceof Uint8Array ? init.weights : writeKerasWeights(init.weights);
  const zip = new ZipWriter();
  zip.add("metadata.json", utf8Encode(JSON.stringify(meta)));
  zip.add("config.json", utf8Encode(JSON.stringify(init.config)));
  zip.add("model.weights.h5", weights);
  for (const [name, data] of Object.entries(init.assets ?? {})) zip.add(`assets/${name}`, data);
  return zip.finish();
}

/**
 * Lossless re-encode of a `.keras` archive (`codec convert a.keras b.keras`):
 * every entry is kept in order and byte for byte, except model.weights.h5,
 * which goes through reencodeHdf5. Entries are stored (as Keras writes them).
 */
export async function reencodeKerasArchive(source: ByteInput): Promise<Uint8Array> {
  return guardDecodeAsync("keras", async () => {
    const zip = await openZip(toByteSource(source));
    if (!zip.entry("config.json") || !zip.entry("model.weights.h5")) fail("CORRUPT", "keras", "not a .keras archive (config.json and model.weights.h5 needed)");
    const out = new ZipWriter();
    for (const e of zip.entries) {
      const data = await zip.read(e);
      out.add(e.name, e.name === "model.weights.h5" ? await reencodeHdf5(data) : data);
    }
    return out.finish();
  });
}
