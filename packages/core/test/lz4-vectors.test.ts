import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { lz4DecodeBlock, lz4DecompressFrame } from "@codec/core";
import { fuzzDecoder, repoPath } from "@codec/testing";
import { describe, expect, it } from "vitest";

/** Blocks and frames written by liblz4 (tools/fixtures/core/make_lz4_vectors.py). */
const dir = repoPath("packages/core/test/fixtures/compress/lz4");
const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as Record<string, { kind: "block" | "frame"; size: number; sha256: string }>;
const load = (name: string) => new Uint8Array(readFileSync(join(dir, `${name}.lz4`)));
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("lz4 vectors from liblz4", () => {
  it("decodes every block and frame to the original bytes", () => {
    const names = Object.keys(expected);
    expect(names.length).toBeGreaterThanOrEqual(45);
    for (const name of names) {
      const e = expected[name];
      const input = load(name);
      let got: Uint8Array;
      if (e.kind === "block") {
        got = new Uint8Array(e.size);
        expect(lz4DecodeBlock(input, got), name).toBe(e.size);
      } else {
        got = lz4DecompressFrame(input, e.size);
      }
      expect(got.length, name).toBe(e.size);
      expect(sha256(got), name).toBe(e.sha256);
    }
  });

  it("frames one byte over the limit give LIMIT", () => {
    for (const name of ["frame-text", "frame-mixed", "cli-legacy-mixed", "frame-linked-checksums-arange"]) {
      const size = expected[name].size;
      expect(() => lz4DecompressFrame(load(name), size - 1), name).toThrow(expect.objectContaining({ code: "LIMIT" }));
    }
  });

  it("a block into a buffer one byte short is CORRUPT", () => {
    const size = expected["block-text"].size;
    expect(() => lz4DecodeBlock(load("block-text"), new Uint8Array(size - 1))).toThrow(expect.objectContaining({ code: "CORRUPT" }));
  });
});

describe("lz4 fuzz (DESIGN.md section 7)", () => {
  it("mutated blocks give a value or a CodecError", async () => {
    const seeds = ["block-text", "block-hc-mixed", "block-zeros", "block-period3", "block-short"].map(load);
    const out = new Uint8Array(400_000);
    const report = await fuzzDecoder(seeds, (b) => lz4DecodeBlock(b, out), { seed: 11, iterations: 300, maxMsPerCase: 1000 });
    expect(report.cases).toBe(seeds.length * 300);
  }, 60_000);

  it("mutated frames give a value or a CodecError", async () => {
    const seeds = ["frame-linked-checksums-mixed", "frame-raw-blocks", "frame-concatenated", "cli-legacy-mixed", "frame-independent-text", "frame-short"].map(load);
    const report = await fuzzDecoder(seeds, (b) => lz4DecompressFrame(b, 1 << 20), { seed: 12, iterations: 300, maxMsPerCase: 1000 });
    expect(report.cases).toBe(seeds.length * 300);
  }, 60_000);
});
