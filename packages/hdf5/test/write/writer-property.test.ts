import { DTYPES, type DType, Tensor } from "@codec/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Hdf5Dataset, openHdf5File } from "../../src/read/file.js";
import { Hdf5Writer } from "../../src/write/index.js";

/**
 * Property: any tensor (dtype, shape with empty and edge-chunk cases) written
 * with any chunk shape and filter combination reads back bit-exactly with
 * the chunk shape and filters we asked for.
 */

const dtypes: DType[] = ["bool", "int8", "uint8", "int16", "uint32", "int64", "float16", "float32", "float64", "complex64", "string"];

const arbCase = fc
  .record({
    dtype: fc.constantFrom(...dtypes),
    shape: fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 1, maxLength: 3 }),
    chunkSeed: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 3, maxLength: 3 }),
    chunked: fc.boolean(),
    gzip: fc.option(fc.integer({ min: 0, max: 9 }), { nil: undefined }),
    shuffle: fc.boolean(),
    fletcher32: fc.boolean(),
    seed: fc.integer({ min: 1, max: 1 << 30 }),
    latest: fc.boolean(),
    // Per dimension: fixed maximum, unlimited, or a larger fixed maximum (resizable).
    maxKinds: fc.array(fc.constantFrom("fixed", "unlimited", "bigger"), { minLength: 3, maxLength: 3 }),
  })
  .map((c) => ({ ...c, chunks: c.shape.map((d, i) => Math.max(1, Math.min(Math.max(d, 1), c.chunkSeed[i]))) }));

function tensorFor(dtype: DType, shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  if (dtype === "string") return new Tensor({ dtype, shape, data: Array.from({ length: n }, (_, i) => `v${(seed + i) % 97}`) });
  const data = new Uint8Array(n * DTYPES[dtype].size);
  let x = seed;
  for (let i = 0; i < data.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    data[i] = dtype === "bool" ? (x >>> 16) & 1 : x >>> 24;
  }
  return new Tensor({ dtype, shape, data });
}

describe("Hdf5Writer property", () => {
  it("round-trips through the reader with the requested layout and filters", async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, async (c) => {
        const t = tensorFor(c.dtype, c.shape, c.seed);
        const filtered = c.gzip !== undefined || c.shuffle || c.fletcher32;
        const w = new Hdf5Writer({ profile: c.latest ? "latest" : "default" });
        const maxShape = c.shape.map((d, i) => (c.maxKinds[i] === "unlimited" ? null : c.maxKinds[i] === "bigger" ? d + 3 : d));
        const resizable = maxShape.some((m, i) => m !== c.shape[i]);
        const unlimited = maxShape.filter((m) => m === null).length;
        w.createDataset("g/x", t, {
          maxShape: resizable ? maxShape : undefined,
          chunks: c.chunked || filtered || resizable ? c.chunks : undefined,
          compression: c.gzip,
          shuffle: c.shuffle,
          fletcher32: c.fletcher32,
        });
        const bytes = w.finish();
        expect(bytes[8]).toBe(c.latest ? 2 : 0); // superblock version
        const f = await openHdf5File(bytes);
        const ds = f.get("g/x");
        expect(ds).toBeInstanceOf(Hdf5Dataset);
        const d = ds as Hdf5Dataset;
        const back = d.read();
        expect(back.dtype).toBe(t.dtype);
        expect(back.shape).toEqual(t.shape);
        if (t.dtype === "string") expect(back.strings()).toEqual(t.strings());
        else expect(Buffer.from(back.bytes()).equals(Buffer.from(t.bytes()))).toBe(true);
        const layout = d.layout;
        if (c.chunked || filtered || resizable) {
          expect(layout.kind).toBe("chunked");
          if (layout.kind === "chunked") expect(layout.chunkDims).toEqual(c.chunks);
          // libhdf5's index choice under libver="latest" (the default profile always uses a v1 B-tree).
          const single = !resizable && c.chunks.every((k, i) => k === c.shape[i]);
          const want = !c.latest ? "btree-v1" : unlimited === 1 ? "extensible-array" : unlimited > 1 ? "btree-v2" : single ? "single-chunk" : "fixed-array";
          if (layout.kind === "chunked") expect(layout.index).toBe(want);
        } else expect(layout.kind).toBe("contiguous");
        const ids = d.filters.map((x) => x.id);
        expect(ids).toEqual([...(c.shuffle ? [2] : []), ...(c.gzip !== undefined ? [1] : []), ...(c.fletcher32 ? [3] : [])]);
      }),
      { numRuns: 200, seed: 42 },
    );
  });
});
