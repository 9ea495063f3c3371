import { type ByteSource, DTYPES, type DType, MemorySource, Tensor, isCodecError } from "@codec/core";
import { decodeSafetensors, encodeSafetensors, openSafetensors } from "@codec/safetensors";
import { fuzzDecoder, mutate, rng } from "@codec/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";

/** DESIGN.md section 7 over mutated valid files: a value or a CodecError, fast, bounded reads. */

const DT: DType[] = ["bool", "uint8", "int8", "int16", "uint16", "float16", "bfloat16", "int32", "uint32", "float32", "float64", "int64", "uint64", "float8_e4m3fn", "float8_e5m2", "complex64"];

function tensor(dtype: DType, shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Uint8Array(n * DTYPES[dtype].size);
  const r = rng(seed);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(r() * 256);
  return new Tensor({ dtype, shape, data });
}

const seeds: Uint8Array[] = [
  encodeSafetensors({ a: tensor("float32", [2, 3], 1), b: tensor("bfloat16", [4], 2), c: tensor("uint8", [], 3) }, { format: "pt" }),
  encodeSafetensors(Object.fromEntries(DT.map((d, i) => [`t${i}`, tensor(d, [2], i)]))),
  encodeSafetensors({ empty: tensor("int64", [0, 3], 4), x: tensor("complex64", [1, 1], 5) }, {}),
  encodeSafetensors({}),
];

/** Everything a reader would do with a file. */
function useAll(bytes: Uint8Array): number {
  const f = decodeSafetensors(bytes);
  let total = 0;
  for (const name of f.names()) {
    const t = f.getSync(name);
    total += t.byteLength + t.typed().length;
  }
  return total;
}

/** A source that records the largest single read and the total requested. */
class CountingSource implements ByteSource {
  maxRead = 0;
  total = 0;
  constructor(private readonly inner: MemorySource) {}
  get byteLength(): number {
    return this.inner.byteLength;
  }
  read(offset: number, length: number): Promise<Uint8Array> {
    this.maxRead = Math.max(this.maxRead, length);
    this.total += length;
    return this.inner.read(offset, length);
  }
}

describe("fuzz", () => {
  it("sync decode of mutated files: only CodecErrors, no hangs", async () => {
    const report = await fuzzDecoder(seeds, useAll, { seed: 11, iterations: 1500, maxMsPerCase: 500 });
    console.log(`safetensors fuzz: ${JSON.stringify(report)}`);
    expect(report.cases).toBe(seeds.length * 1500);
    expect(report.codecErrors).toBeGreaterThan(0);
    expect(report.ok).toBeGreaterThan(0);
  });

  it("async open over a ByteSource never reads more than the file holds", async () => {
    const random = rng(99);
    for (let i = 0; i < 600; i++) {
      const bytes = mutate(seeds[i % seeds.length], random);
      const src = new CountingSource(new MemorySource(bytes));
      try {
        const f = await openSafetensors(src);
        expect(src.total).toBeLessThanOrEqual(bytes.length);
        for (const n of f.names()) {
          const shape = f.info(n).shape;
          // First row when there is one; reads must stay inside the file too.
          if (shape.length > 0 && shape[0] > 0) await f.getSlice(n, 0, 1);
          else await f.get(n);
          expect(src.maxRead).toBeLessThanOrEqual(bytes.length);
        }
      } catch (e) {
        if (!isCodecError(e)) throw e;
        expect(src.maxRead).toBeLessThanOrEqual(bytes.length);
      }
    }
  });

  it("hostile prefixes: huge lengths never allocate", () => {
    const bytes = new Uint8Array(16);
    const view = new DataView(bytes.buffer);
    for (const n of [0xffffffffffffffffn, 1n << 40n, 100_000_000n, 99_999_999n, 9n, 8n]) {
      view.setBigUint64(0, n, true);
      let err: unknown;
      try {
        decodeSafetensors(bytes);
      } catch (e) {
        err = e;
      }
      expect(isCodecError(err)).toBe(true);
    }
  });

  it("property: any tensors round-trip exactly", () => {
    const arbTensor = fc.record({
      dtype: fc.constantFrom(...DT),
      shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
      seed: fc.integer(),
    });
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 6 }).filter((s) => s !== "__metadata__"), arbTensor, { maxKeys: 6 }), fc.option(fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 })), (spec, metadata) => {
        const tensors = Object.fromEntries(Object.entries(spec).map(([k, v]) => [k, tensor(v.dtype, v.shape, v.seed)]));
        const bytes = encodeSafetensors(tensors, metadata);
        const f = decodeSafetensors(bytes);
        expect(f.metadata).toEqual(metadata ?? {});
        expect(new Set(f.names())).toEqual(new Set(Object.keys(tensors)));
        for (const [k, t] of Object.entries(tensors)) {
          const got = f.getSync(k);
          expect(got.dtype).toBe(t.dtype);
          expect(got.shape).toEqual(t.shape);
          expect(got.bytes()).toEqual(t.bytes());
          expect(got.copied).toBe(false);
        }
      }),
      { numRuns: 150 },
    );
  });
});
