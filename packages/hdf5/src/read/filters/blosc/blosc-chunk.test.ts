import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { isCodecError } from "@codec/core";
import { fuzzDecoder, repoPath } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { decodeBloscChunk } from "./blosc-chunk.js";

/** Raw Blosc 1 chunks from python-blosc (tools/fixtures/hdf5/make_blosc_fixtures.py). */
interface ChunkCase {
  name: string;
  flags: number;
  chunk: string;
  nbytes: number;
  sha256: string;
}
const fixture = JSON.parse(readFileSync(repoPath("packages", "hdf5", "test", "fixtures", "blosc", "chunks.json"), "utf8")) as { cases: ChunkCase[] };
const bytesOf = (c: ChunkCase) => new Uint8Array(Buffer.from(c.chunk, "base64"));
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("decodeBloscChunk on c-blosc 1.21 chunks", () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const out = decodeBloscChunk(bytesOf(c), c.nbytes, "hdf5");
      expect(out.length).toBe(c.nbytes);
      expect(sha(out)).toBe(c.sha256);
    });
  }

  it("covers every compressor, shuffle mode, split and memcpy form", () => {
    const flags = new Set(fixture.cases.map((c) => c.flags));
    // compressor formats 0 (blosclz), 1 (lz4), 3 (zlib), 4 (zstd)
    for (const f of [0, 1, 3, 4]) expect([...flags].some((x) => x >> 5 === f)).toBe(true);
    expect([...flags].some((x) => x & 0x02)).toBe(true); // memcpy'd
    expect([...flags].some((x) => x & 0x04)).toBe(true); // bit shuffle
    expect([...flags].some((x) => !(x & 0x10))).toBe(true); // split streams
  });

  it("bounds the output by the caller's limit", () => {
    const c = fixture.cases[0];
    expect(() => decodeBloscChunk(bytesOf(c), c.nbytes - 1, "hdf5")).toThrow(expect.objectContaining({ code: "LIMIT" }));
  });

  it("rejects truncated and lying chunks with CodecErrors", () => {
    const c = bytesOf(fixture.cases.find((x) => x.name === "blosclz-shuffle-t4-split-blocks") as ChunkCase);
    const codes = new Set<string>();
    for (let cut = 0; cut < c.length; cut += 7) {
      try {
        decodeBloscChunk(c.subarray(0, cut), 1 << 20, "hdf5");
      } catch (e) {
        expect(isCodecError(e)).toBe(true);
        codes.add((e as { code: string }).code);
      }
    }
    expect(codes.has("TRUNCATED")).toBe(true);
    // A block offset pointing outside the chunk.
    const bad = c.slice();
    new DataView(bad.buffer).setInt32(16, 1 << 30, true);
    expect(() => decodeBloscChunk(bad, 1 << 20, "hdf5")).toThrow(expect.objectContaining({ code: "CORRUPT" }));
    // A huge nbytes with a tiny block size: the block table check fires before any allocation.
    const huge = c.slice();
    new DataView(huge.buffer).setInt32(4, 0x7fffffff, true);
    new DataView(huge.buffer).setInt32(8, 1, true);
    expect(() => decodeBloscChunk(huge, 0x7fffffff, "hdf5")).toThrow(expect.objectContaining({ code: "CORRUPT" }));
  });

  it("fuzz: mutated chunks give values or CodecErrors", async () => {
    const seeds = fixture.cases.filter((_, i) => i % 6 === 0).map(bytesOf);
    const report = await fuzzDecoder(seeds, (b) => decodeBloscChunk(b, 1 << 16, "hdf5"), { iterations: 60 });
    expect(report.cases).toBe(seeds.length * 60);
  });
});
