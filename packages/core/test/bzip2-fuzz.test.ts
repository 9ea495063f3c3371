import { fuzzDecoder } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { bzip2Decompress } from "../src/compress/bzip2.js";
import { bzip2Vectors, compressedBytes } from "./bzip2-vectors.js";

describe("bzip2 fuzz (DESIGN.md section 7)", () => {
  it("mutated vectors give a value or a CodecError, in bounded time", async () => {
    const seeds = bzip2Vectors()
      .filter((v) => v.b64 !== undefined || v.name === "random-l1" || v.name === "text-l1" || v.name === "two-tables-20-bit")
      .map(compressedBytes);
    const report = await fuzzDecoder(seeds, (bytes) => bzip2Decompress(bytes, 1 << 22), {
      seed: Number(process.env.BZ_SEED ?? 307),
      iterations: Number(process.env.BZ_ITER ?? 60),
      maxMsPerCase: 2000,
    });
    if (process.env.BZ_ITER) console.log(report);
    expect(report.cases).toBeGreaterThan(2000);
    expect(report.codecErrors).toBeGreaterThan(report.cases / 2);
    expect(report.ok).toBeGreaterThan(0);
  }, 60_000);
});
