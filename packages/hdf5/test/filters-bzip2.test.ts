/**
 * The bzip2 filter (307) against files the real plugin wrote
 * (tools/fixtures/hdf5/make_bzip2_fixtures.py), the libhdf5 example file in
 * the corpus, hand-made corrupt chunks, and fuzzing.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { corpusPath, fuzzDecoder, hasCorpus, repoPath, errorOf } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { Hdf5Dataset, openHdf5FileSync } from "../src/index.js";
import { bzip2FilterDecode } from "../src/read/filters/bzip2.js";
import type { FilterContext } from "../src/read/filters/registry.js";

const dir = repoPath("packages/hdf5/test/fixtures/bzip2");
type Expected = Record<string, { dtype: string; shape: number[]; sha256: string; filters: [number, number[]][] }>;
type Chunks = Record<string, { clientData: number[]; elementSize: number; chunkBytes: number; sha256: string }>;
const expected = JSON.parse(readFileSync(`${dir}/expected.json`, "utf8")) as Expected;
const chunks = JSON.parse(readFileSync(`${dir}/chunks.json`, "utf8")) as Chunks;
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const load = (name: string) => new Uint8Array(readFileSync(`${dir}/${name}`));

function datasetBytes(d: Hdf5Dataset): Uint8Array {
  return d.type.class === "compound" ? d.readRaw() : d.read().bytes();
}


const ctxOf = (name: string): FilterContext => {
  const c = chunks[name];
  return { clientData: c.clientData, elementSize: c.elementSize, chunkBytes: c.chunkBytes, dataset: "/t" };
};

describe("bzip2 filter fixtures from the real plugin", () => {
  it("bzip2.h5: every dataset matches h5py's values", () => {
    const f = openHdf5FileSync(load("bzip2.h5"));
    let checked = 0;
    for (const [name, e] of Object.entries(expected)) {
      const d = f.get(name);
      expect(d, name).toBeInstanceOf(Hdf5Dataset);
      const ds = d as Hdf5Dataset;
      expect(ds.shape, name).toEqual(e.shape);
      expect(e.filters.some(([id]) => id === 307), name).toBe(true);
      expect(sha256(datasetBytes(ds)), name).toBe(e.sha256);
      checked++;
    }
    expect(checked).toBe(28);
  });

  it("stored chunks decode through the filter to the chunk's bytes", () => {
    for (const name of Object.keys(chunks)) {
      const out = bzip2FilterDecode(load(name), ctxOf(name));
      expect(out.length, name).toBe(chunks[name].chunkBytes);
      expect(sha256(out), name).toBe(chunks[name].sha256);
    }
  });
});

describe.runIf(hasCorpus("hdf5"))("libhdf5 example file", () => {
  it("h5ex_d_bzip2.h5 holds i * j - j in DS1 (the example's data)", () => {
    const f = openHdf5FileSync(new Uint8Array(readFileSync(corpusPath("hdf5", "hdf5/h5ex_d_bzip2.h5"))));
    const d = f.get("DS1") as Hdf5Dataset;
    expect(d.shape).toEqual([32, 64]);
    const v = d.values().map(Number);
    const want: number[] = [];
    for (let i = 0; i < 32; i++) for (let j = 0; j < 64; j++) want.push(i * j - j);
    expect(v).toEqual(want);
  });
});

describe("bzip2 filter bad input", () => {
  const name = "chunk-int32_l9.bin";
  const good = () => load(name);

  it("a truncated chunk is TRUNCATED and names the dataset", () => {
    const e = errorOf(() => bzip2FilterDecode(good().subarray(0, 100), ctxOf(name)));
    expect(e.code).toBe("TRUNCATED");
    expect(e.message).toMatch(/^hdf5: bzip2 chunk in dataset \/t: .* at offset 0x/);
  });

  it("a chunk that decodes to more than the chunk size is LIMIT", () => {
    const ctx = { ...ctxOf("chunk-runs_float64.bin"), chunkBytes: 1000 };
    expect(errorOf(() => bzip2FilterDecode(load("chunk-runs_float64.bin"), ctx)).code).toBe("LIMIT");
  });

  it("a damaged chunk is CORRUPT; a non-bzip2 chunk BAD_MAGIC", () => {
    const bad = good();
    bad[bad.length >> 1] ^= 0x04;
    expect(errorOf(() => bzip2FilterDecode(bad, ctxOf(name))).code).toBe("CORRUPT");
    expect(errorOf(() => bzip2FilterDecode(new Uint8Array(40), ctxOf(name))).code).toBe("BAD_MAGIC");
  });

  it("mutated chunks give a value or a CodecError, in bounded time", async () => {
    const seeds = Object.keys(chunks).map(load);
    const report = await fuzzDecoder(
      seeds,
      (bytes) => {
        for (const n of Object.keys(chunks)) bzip2FilterDecode(bytes, ctxOf(n));
      },
      { seed: 307, iterations: 80, maxMsPerCase: 2000 },
    );
    expect(report.cases).toBe(400);
    expect(report.codecErrors).toBeGreaterThan(200);
  });

  it("mutated files read as values or CodecErrors", async () => {
    const file = load("bzip2.h5");
    const report = await fuzzDecoder(
      [file],
      (bytes) => {
        const f = openHdf5FileSync(bytes);
        for (const p of f.datasetPaths()) (f.get(p) as Hdf5Dataset).values();
      },
      { seed: 11, iterations: 40, maxMsPerCase: 4000 },
    );
    expect(report.cases).toBe(40);
  });
});
