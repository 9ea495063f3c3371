/**
 * The lz4 (32004) and bitshuffle (32008) filters against files the real
 * plugins wrote (tools/fixtures/hdf5/make_lz4_bitshuffle.py), the jhdf
 * corpus files, hand-made corrupt chunks, and fuzzing.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { corpusPath, fuzzDecoder, hasCorpus, repoPath, codeOf } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { Hdf5Dataset, openHdf5FileSync } from "../src/index.js";
import { bitUnshuffleBlock, bitshuffleDecode } from "../src/read/filters/bitshuffle.js";
import { lz4FilterDecode } from "../src/read/filters/lz4.js";
import type { FilterContext } from "../src/read/filters/registry.js";

const dir = repoPath("packages/hdf5/test/fixtures/lz4-bitshuffle");
type Expected = Record<string, { dtype: string; shape: number[]; sha256: string; filters: [number, number[]][] }>;
const expected = JSON.parse(readFileSync(`${dir}/expected.json`, "utf8")) as Record<string, Expected>;
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const load = (name: string) => new Uint8Array(readFileSync(`${dir}/${name}`));

function datasetBytes(d: Hdf5Dataset): Uint8Array {
  return d.type.class === "compound" ? d.readRaw() : d.read().bytes();
}


const ctx = (clientData: number[], chunkBytes: number, elementSize = 4): FilterContext => ({ clientData, elementSize, chunkBytes, dataset: "/t" });

function be(values: [number, number][]): Uint8Array {
  const out: number[] = [];
  for (const [v, width] of values) for (let k = width - 1; k >= 0; k--) out.push(Math.floor(v / 2 ** (8 * k)) & 0xff);
  return new Uint8Array(out);
}

describe("lz4 and bitshuffle fixtures from the real plugins", () => {
  for (const file of ["lz4.h5", "bitshuffle.h5"]) {
    it(`${file}: every dataset matches h5py's values`, () => {
      const f = openHdf5FileSync(load(file));
      let checked = 0;
      for (const [name, e] of Object.entries(expected[file])) {
        const d = f.get(name);
        expect(d, name).toBeInstanceOf(Hdf5Dataset);
        const ds = d as Hdf5Dataset;
        expect(ds.shape, name).toEqual(e.shape);
        expect(sha256(datasetBytes(ds)), name).toBe(e.sha256);
        checked++;
      }
      expect(checked).toBe(file === "lz4.h5" ? 22 : 46);
    });
  }
});

describe.runIf(hasCorpus("hdf5"))("jhdf corpus files", () => {
  it("lz4_datasets.hdf5 and bitshuffle_datasets.hdf5 hold 0..19 in every dataset", () => {
    for (const file of ["jhdf/lz4_datasets.hdf5", "jhdf/bitshuffle_datasets.hdf5"]) {
      const f = openHdf5FileSync(new Uint8Array(readFileSync(corpusPath("hdf5", file))));
      const names = f.datasetPaths();
      expect(names.length).toBe(file.includes("lz4") ? 20 : 40);
      for (const name of names) {
        const d = f.get(name) as Hdf5Dataset;
        expect(d.values().map(Number), `${file} ${name}`).toEqual(Array.from({ length: 20 }, (_, i) => i));
      }
    }
  });
});

describe("lz4 filter chunks", () => {
  it("decodes raw and compressed blocks with a short last block", () => {
    // 10 bytes, block size 4: raw "abcd", an LZ4 block for "efgh", raw "ij".
    const chunk = new Uint8Array([...be([[10, 8], [4, 4], [4, 4]]), 97, 98, 99, 100, ...be([[5, 4]]), 0x40, 101, 102, 103, 104, ...be([[2, 4]]), 105, 106]);
    expect(new TextDecoder().decode(lz4FilterDecode(chunk, ctx([0], 10)))).toBe("abcdefghij");
    expect(lz4FilterDecode(be([[0, 8], [0, 4]]), ctx([0], 10)).length).toBe(0);
  });

  it("rejects lying sizes before allocating, and truncation", () => {
    expect(codeOf(() => lz4FilterDecode(be([[2 ** 40, 8], [4, 4]]), ctx([0], 1000)))).toBe("CORRUPT");
    expect(codeOf(() => lz4FilterDecode(be([[100, 8], [0, 4]]), ctx([0], 1000)))).toBe("CORRUPT");
    expect(codeOf(() => lz4FilterDecode(be([[100, 8], [10, 4], [10, 4]]), ctx([0], 1000)))).toBe("TRUNCATED");
    expect(codeOf(() => lz4FilterDecode(be([[100, 8], [10, 4], [2 ** 31, 4]]), ctx([0], 1000)))).toBe("TRUNCATED");
    expect(codeOf(() => lz4FilterDecode(new Uint8Array(11), ctx([0], 1000)))).toBe("TRUNCATED");
    // A compressed block that decodes to the wrong size.
    const short = new Uint8Array([...be([[4, 8], [4, 4], [3, 4]]), 0x20, 1, 2]);
    expect(codeOf(() => lz4FilterDecode(short, ctx([0], 100)))).toBe("CORRUPT");
  });
});

describe("bitshuffle filter chunks", () => {
  it("bit-transposes blocks the way bitshuffle.bitshuffle lays them out", () => {
    // bitshuffle.bitshuffle(np.arange(16, dtype=np.uint8)) from the python module.
    const shuffled = new Uint8Array([170, 170, 204, 204, 240, 240, 0, 255, 0, 0, 0, 0, 0, 0, 0, 0]);
    const out = new Uint8Array(16);
    bitUnshuffleBlock(shuffled, 0, out, 0, 16, 1);
    expect([...out]).toEqual(Array.from({ length: 16 }, (_, i) => i));
    // bitshuffle.bitshuffle(np.arange(20, dtype=np.int16), 8): two 8-element blocks, 4 elements verbatim.
    const s16 = [170, 204, 240, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 170, 204, 240, 255, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 17, 0, 18, 0, 19, 0];
    const r = bitshuffleDecode(new Uint8Array(s16), ctx([0, 3, 2, 8, 0], 40, 2));
    expect([...new Int16Array(r.buffer, r.byteOffset, 20)]).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it("rejects bad parameters and lying headers", () => {
    expect(codeOf(() => bitshuffleDecode(new Uint8Array(16), ctx([0, 3, 4, 12, 0], 16)))).toBe("CORRUPT");
    expect(codeOf(() => bitshuffleDecode(new Uint8Array(15), ctx([0, 3, 4, 0, 0], 16)))).toBe("CORRUPT");
    expect(codeOf(() => bitshuffleDecode(new Uint8Array(16), ctx([0, 3, 0, 0, 0], 16)))).toBe("CORRUPT");
    // Compression values other than 2 and 3 mean none, as in bshuf_h5filter.c.
    expect(bitshuffleDecode(new Uint8Array(16), ctx([0, 3, 4, 0, 7], 16)).length).toBe(16);
    expect(codeOf(() => bitshuffleDecode(be([[2 ** 40, 8], [32, 4]]), ctx([0, 3, 4, 0, 2], 4096)))).toBe("CORRUPT");
    expect(codeOf(() => bitshuffleDecode(be([[64, 8], [32, 4]]), ctx([0, 3, 4, 0, 2], 4096)))).toBe("TRUNCATED");
    expect(codeOf(() => bitshuffleDecode(be([[64, 8], [32, 4], [99, 4]]), ctx([0, 3, 4, 0, 2], 4096)))).toBe("TRUNCATED");
    expect(codeOf(() => bitshuffleDecode(new Uint8Array(11), ctx([0, 3, 4, 0, 2], 4096)))).toBe("TRUNCATED");
  });
});

describe("lz4 and bitshuffle fuzz (DESIGN.md section 7)", () => {
  it("mutated fixture files give values or CodecErrors", async () => {
    const decodeAll = (bytes: Uint8Array) => {
      const f = openHdf5FileSync(bytes, { maxReadBytes: 16 << 20 });
      for (const name of f.datasetPaths()) {
        const d = f.get(name);
        if (d instanceof Hdf5Dataset) d.readRaw();
      }
    };
    const report = await fuzzDecoder([load("lz4.h5"), load("bitshuffle.h5")], decodeAll, { seed: 3, iterations: 40, maxMsPerCase: 2000 });
    expect(report.cases).toBe(80);
  }, 60_000);

  it("mutated stored chunks give values or CodecErrors, bounded by the chunk size", async () => {
    const chunks = JSON.parse(readFileSync(`${dir}/chunks.json`, "utf8")) as Record<string, { filter: number; clientData: number[]; elementSize: number; chunkBytes: number }>;
    for (const [file, c] of Object.entries(chunks)) {
      const decode = c.filter === 32004 ? lz4FilterDecode : bitshuffleDecode;
      const context = ctx(c.clientData, c.chunkBytes, c.elementSize);
      expect(decode(load(file), context).length, file).toBe(c.chunkBytes);
      const report = await fuzzDecoder(
        [load(file)],
        (b) => {
          const out = decode(b, context);
          if (out.length > c.chunkBytes + 4096) throw new Error(`${file}: ${out.length} bytes out`);
        },
        { seed: 4, iterations: 300, maxMsPerCase: 500 },
      );
      expect(report.cases).toBe(300);
    }
  }, 60_000);
});
