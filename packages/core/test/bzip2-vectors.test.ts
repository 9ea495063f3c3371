import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { bzip2Decompress } from "../src/compress/bzip2.js";
import { bzip2Vectors, compressedBytes, linesInput } from "./bzip2-vectors.js";

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

describe("bzip2 golden vectors (Python bz2, bzip2 CLI, streams bzip2 -d accepts)", () => {
  const vectors = bzip2Vectors();

  it("has the vector kinds the format needs", () => {
    const names = vectors.map((v) => v.name);
    for (const n of ["empty-l1", "empty-l9", "one-byte-l9", "run-4", "run-5", "run-259", "run-260", "random-l9", "text-250k-l1", "lines-l9", "concatenated", "randomised", "two-tables-20-bit"]) {
      expect(names).toContain(n);
    }
    expect(vectors.length).toBeGreaterThanOrEqual(40);
  });

  for (const v of vectors) {
    it(`${v.name} (${v.source}, ${v.size} bytes)`, () => {
      const out = bzip2Decompress(compressedBytes(v), v.size);
      expect(out.length).toBe(v.size);
      expect(sha256(out)).toBe(v.sha256);
    });
  }

  it("the multi-block level-9 stream decodes to the input the script generated", () => {
    const v = vectors.find((x) => x.name === "lines-l9");
    if (!v?.lines) throw new Error("lines-l9 vector missing");
    const input = linesInput(v.lines);
    expect(input.length).toBeGreaterThan(3 * 900_000);
    expect(Buffer.from(bzip2Decompress(compressedBytes(v), 1 << 26)).equals(Buffer.from(input))).toBe(true);
  });

  it("a generous limit does not change the result, nor keeps much more memory than it needs", () => {
    const v = vectors.find((x) => x.name === "text-l9");
    if (!v) throw new Error("text-l9 vector missing");
    const out = bzip2Decompress(compressedBytes(v), 1 << 30);
    expect(out.length).toBe(v.size);
    expect(out.byteOffset).toBe(0);
    expect(out.buffer.byteLength).toBeLessThanOrEqual(Math.ceil((v.size * 8) / 7));
    expect(sha256(out)).toBe(v.sha256);
  });
});
