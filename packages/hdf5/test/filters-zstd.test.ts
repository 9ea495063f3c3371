/**
 * The zstd filter (32015) against the libhdf5 example file in the corpus
 * (h5ex_d_zstd.h5, written by the HDF Group plugin), the core zstd vectors
 * as chunks, hand-corrupted chunks, and fuzzing.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { corpusPath, fuzzDecoder, hasCorpus, repoPath, errorOf } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { Hdf5Dataset, openHdf5FileSync } from "../src/index.js";
import type { FilterContext } from "../src/read/filters/registry.js";
import { zstdFilterDecode } from "../src/read/filters/zstd.js";

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const vectors = repoPath("packages/core/test/fixtures/compress/zstd");
const expected: Record<string, { length: number; sha256: string }> = JSON.parse(
  readFileSync(`${vectors}/expected.json`, "utf8"),
);
const vector = (name: string) => new Uint8Array(readFileSync(`${vectors}/${name}.zst`));


const ctx = (chunkBytes: number): FilterContext => ({ clientData: [3], elementSize: 1, chunkBytes, dataset: "/z" });

describe.runIf(hasCorpus("hdf5/hdf5/h5ex_d_zstd.h5"))("zstd filter on the libhdf5 example", () => {
  it("DS1 equals python3-zstandard's decoding of the raw chunks", () => {
    const f = openHdf5FileSync(new Uint8Array(readFileSync(corpusPath("hdf5/hdf5/h5ex_d_zstd.h5"))));
    const d = f.get("DS1");
    expect(d).toBeInstanceOf(Hdf5Dataset);
    const ds = d as Hdf5Dataset;
    expect(ds.shape).toEqual([2, 512, 1024]);
    expect(ds.filters.map((x) => x.id)).toEqual([32015]);
    const bytes = ds.read().bytes();
    // sha256 of the array python3-zstandard rebuilds from dset.id.read_direct_chunk
    // (the method of tools/fixtures/hdf5/dump_corpus.py read_zstd_chunks).
    expect(sha256(bytes)).toBe("fbbab289f7f94b25736c58be46a994c441fd02552cc6022352e3d86d2fab7c83");
  });
});

describe("zstd filter on chunks", () => {
  it("decodes every core vector when the chunk is large enough", () => {
    for (const name of ["text-l3", "text-stream-py", "floats-l19", "runs-fast3", "concat-skippable", "one-byte"]) {
      const out = zstdFilterDecode(vector(name), ctx(expected[name].length));
      expect(sha256(out), name).toBe(expected[name].sha256);
    }
  });

  it("bounds the output by the chunk size and names the dataset in errors", () => {
    const n = expected["text-stream-py"].length;
    const e = errorOf(() => zstdFilterDecode(vector("text-stream-py"), ctx(n - 5000)));
    expect(e.code).toBe("LIMIT");
    expect(e.message).toMatch(/^hdf5: zstd chunk in dataset \/z: /);
    const bad = vector("text-l3");
    bad[bad.length - 2] ^= 0x40;
    const c = errorOf(() => zstdFilterDecode(bad, ctx(1 << 20)));
    expect(c.code).toBe("CORRUPT");
    expect(c.message).toMatch(/dataset \/z.*checksum/);
    expect(errorOf(() => zstdFilterDecode(Uint8Array.of(1, 2, 3, 4, 5, 6), ctx(100))).code).toBe("BAD_MAGIC");
    expect(errorOf(() => zstdFilterDecode(vector("small-text-l19").subarray(0, 50), ctx(1000))).code).toMatch(
      /TRUNCATED|CORRUPT/,
    );
  });

  it("mutated chunks give a value or a CodecError", async () => {
    const report = await fuzzDecoder(
      [vector("small-text-l19"), vector("floats-l3"), vector("runs-l3")],
      (b) => zstdFilterDecode(b, ctx(1 << 18)),
      { seed: 5, iterations: 100 },
    );
    expect(report.cases).toBe(300);
    expect(report.codecErrors).toBeGreaterThan(0);
  });
});

describe.runIf(hasCorpus("hdf5/hdf5/h5ex_d_zstd.h5"))("zstd filter fuzz through the file reader", () => {
  it("mutated copies of h5ex_d_zstd.h5 read to a value or a CodecError", async () => {
    const file = new Uint8Array(readFileSync(corpusPath("hdf5/hdf5/h5ex_d_zstd.h5")));
    const report = await fuzzDecoder(
      [file],
      (b) => {
        const f = openHdf5FileSync(b);
        const d = f.get("DS1");
        if (d instanceof Hdf5Dataset) d.read();
      },
      { seed: 9, iterations: 120 },
    );
    expect(report.cases).toBe(120);
  });
});
