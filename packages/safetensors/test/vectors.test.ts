import { readFileSync } from "node:fs";
import { isCodecError } from "@codec/core";
import {
  type SafetensorsDType,
  type SafetensorsTensorData,
  type SliceIndex,
  decodeSafetensors,
  encodeSafetensors,
  planSlice,
} from "@codec/safetensors";
import { corpusPath, hasCorpus } from "@codec/testing";
import { afterAll, describe, expect, it } from "vitest";

/**
 * Conformance against the reference implementation's own vectors
 * (../shared/corpus/safetensors/vectors.json, read in place).
 */

interface VecTensor {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  data_hex: string;
}
interface SerializeVector {
  id: string;
  input: { tensors: VecTensor[]; metadata: Record<string, string> | null };
  expected_hex: string;
}
interface ValidVector {
  id: string;
  bytes_hex: string;
  expected: { metadata: Record<string, string> | null; tensors: Array<VecTensor & { data_offsets: [number, number] }> };
}
interface InvalidVector {
  id: string;
  bytes_hex: string;
  expected_error: string;
}
interface TensorViewVector {
  id: string;
  dtype: SafetensorsDType;
  shape: number[];
  data_len: number;
  expected_error: string | null;
}
type Indexer = { select: number } | { narrow: [number | null, number | null] };
interface SliceVector {
  id: string;
  dtype: SafetensorsDType;
  shape: number[];
  data_hex: string;
  indexers: Indexer[];
  expected_byte_ranges?: Array<[number, number]>;
  expected_newshape?: number[];
  expected_error?: string | Record<string, { dim_index: number; asked: number; dim_size: number }>;
}
interface Vectors {
  serialize: SerializeVector[];
  derived_serialize: SerializeVector[];
  deserialize_valid: ValidVector[];
  deserialize_invalid: InvalidVector[];
  tensor_view: TensorViewVector[];
  slice: SliceVector[];
}

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, "hex"));
const toHex = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");

const present = hasCorpus("safetensors/vectors.json");
const vectors: Vectors = present ? JSON.parse(readFileSync(corpusPath("safetensors", "vectors.json"), "utf8")) : ({} as Vectors);
const passed: Record<string, [number, number]> = {};
function count(group: string, ok: boolean): void {
  const c = (passed[group] ??= [0, 0]);
  c[1]++;
  if (ok) c[0]++;
}

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

describe.runIf(present)("reference vectors", () => {
  afterAll(() => {
    const lines = Object.entries(passed).map(([g, [ok, n]]) => `${g}: ${ok}/${n}`);
    console.log(`safetensors reference vectors passed: ${lines.join(", ")}`);
  });

  for (const group of ["serialize", "derived_serialize"] as const) {
    for (const v of vectors[group] ?? []) {
      it(`${group} ${v.id}`, () => {
        const input: Array<[string, SafetensorsTensorData]> = v.input.tensors.map((t) => [t.name, { dtype: t.dtype, shape: t.shape, data: hex(t.data_hex) }]);
        const out = toHex(encodeSafetensors(input, v.input.metadata));
        count(group, out === v.expected_hex);
        expect(out).toBe(v.expected_hex);
      });
    }
  }

  for (const v of vectors.deserialize_valid ?? []) {
    it(`deserialize_valid ${v.id}`, () => {
      const f = decodeSafetensors(hex(v.bytes_hex));
      const got = {
        metadata: f.header.metadata === null ? null : { ...f.header.metadata },
        tensors: f.header.tensors.map((t) => ({
          name: t.name,
          dtype: t.dtype,
          shape: [...t.shape],
          data_offsets: [...t.dataOffsets],
          data_hex: toHex(f.getSync(t.name).bytes()),
        })),
      };
      const ok = JSON.stringify(got) === JSON.stringify(v.expected);
      count("deserialize_valid", ok);
      expect(got).toEqual(v.expected);
      expect(f.metadata).toEqual(v.expected.metadata ?? {});
    });
  }

  for (const v of vectors.deserialize_invalid ?? []) {
    it(`deserialize_invalid ${v.id} -> ${v.expected_error}`, () => {
      const e = errorOf(() => decodeSafetensors(hex(v.bytes_hex)));
      const ok = isCodecError(e) && e.detail === v.expected_error;
      count("deserialize_invalid", ok);
      expect(isCodecError(e)).toBe(true);
      expect(isCodecError(e) ? e.detail : e).toBe(v.expected_error);
    });
  }

  for (const v of vectors.tensor_view ?? []) {
    it(`tensor_view ${v.id}`, () => {
      const e = errorOf(() => encodeSafetensors([["t", { dtype: v.dtype, shape: v.shape, data: new Uint8Array(v.data_len) }]]));
      const ok = v.expected_error === null ? e === undefined : isCodecError(e) && e.detail === v.expected_error;
      count("tensor_view", ok);
      expect(isCodecError(e) ? e.detail : (e ?? null)).toBe(v.expected_error);
    });
  }

  for (const v of vectors.slice ?? []) {
    it(`slice ${v.id}`, () => {
      const indexers: SliceIndex[] = v.indexers.map((ix) => ("select" in ix ? ix.select : [ix.narrow[0], ix.narrow[1]]));
      if (v.expected_error !== undefined) {
        const e = errorOf(() => planSlice(v.dtype, v.shape, indexers));
        const name = typeof v.expected_error === "string" ? v.expected_error : Object.keys(v.expected_error)[0];
        let ok = isCodecError(e) && e.detail === name;
        if (ok && typeof v.expected_error !== "string" && isCodecError(e)) {
          const f = Object.values(v.expected_error)[0];
          ok = e.message.includes(`dim_index ${f.dim_index}, asked ${f.asked}, dim_size ${f.dim_size}`);
        }
        count("slice", ok);
        expect(ok).toBe(true);
        return;
      }
      const plan = planSlice(v.dtype, v.shape, indexers);
      let ok = JSON.stringify(plan.ranges) === JSON.stringify(v.expected_byte_ranges);
      if (v.expected_newshape) ok &&= JSON.stringify(plan.shape) === JSON.stringify(v.expected_newshape);
      count("slice", ok);
      expect(plan.ranges).toEqual(v.expected_byte_ranges);
      if (v.expected_newshape) expect(plan.shape).toEqual(v.expected_newshape);
    });
  }
});
