import { isCodecError } from "@codec/core";
import { describe, expect, it } from "vitest";
import { bzip2Decompress } from "../src/compress/bzip2.js";
import { bzip2Invalid, bzip2Vectors, compressedBytes } from "./bzip2-vectors.js";
import { codecErrorOf } from "@codec/testing";

const vectors = new Map(bzip2Vectors().map((v) => [v.name, v]));

function bytesOf(name: string): Uint8Array {
  const v = vectors.get(name);
  if (!v) throw new Error(`no vector ${name}`);
  return compressedBytes(v);
}


const MAX = 1 << 24;

describe("bzip2 bad input (DESIGN.md section 7)", () => {
  it("every proper prefix of a stream is TRUNCATED", () => {
    for (const name of ["empty-l9", "one-byte-l1", "run-260", "randomised", "six-tables-long-codes", "text-l1"]) {
      const full = bytesOf(name);
      const step = full.length > 4000 ? 37 : 1;
      for (let n = 0; n < full.length; n += step) {
        const e = codecErrorOf(() => bzip2Decompress(full.subarray(0, n), MAX));
        expect(e.code, `${name} cut at ${n}`).toBe("TRUNCATED");
        expect(e.format).toBe("bzip2");
        expect(e.offset).toBeDefined();
      }
    }
  });

  it("a prefix of concatenated streams decodes only when it ends at a stream boundary", () => {
    const full = bytesOf("concatenated");
    const whole = bzip2Decompress(full, MAX);
    const boundaries: number[] = [];
    for (let n = 1; n < full.length; n++) {
      try {
        const part = bzip2Decompress(full.subarray(0, n), MAX);
        expect(Buffer.from(whole.subarray(0, part.length)).equals(Buffer.from(part))).toBe(true);
        boundaries.push(n);
      } catch (e) {
        expect(isCodecError(e) && e.code === "TRUNCATED", `cut at ${n}`).toBe(true);
      }
    }
    // Four streams: complete after the first, second and third (the empty one).
    expect(boundaries.length).toBe(3);
  });

  it("output past maxOutputBytes is LIMIT, exactly at it is fine", () => {
    for (const name of ["one-byte-l9", "run-1000", "run-100000", "text-250k-l1", "concatenated", "randomised"]) {
      const v = vectors.get(name);
      if (!v) throw new Error(name);
      const bytes = compressedBytes(v);
      expect(bzip2Decompress(bytes, v.size).length).toBe(v.size);
      expect(codecErrorOf(() => bzip2Decompress(bytes, v.size - 1)).code).toBe("LIMIT");
    }
    // A long run cannot sneak past the limit through the first stage's counts.
    expect(codecErrorOf(() => bzip2Decompress(bytesOf("run-100000"), 0)).code).toBe("LIMIT");
    expect(bzip2Decompress(bytesOf("empty-l9"), 0).length).toBe(0);
  });

  it("a wrong header is BAD_MAGIC; a bad level digit CORRUPT", () => {
    const good = bytesOf("one-byte-l9");
    const e1 = codecErrorOf(() => bzip2Decompress(Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0), MAX));
    expect(e1.code).toBe("BAD_MAGIC");
    expect(e1.offset).toBe(0);
    for (const digit of [0x30, 0x3a, 0x41]) {
      const bad = good.slice();
      bad[3] = digit;
      const e = codecErrorOf(() => bzip2Decompress(bad, MAX));
      expect(e.code).toBe("CORRUPT");
      expect(e.offset).toBe(3);
    }
  });

  it("a block larger than its stream's level allows is CORRUPT", () => {
    const big = bytesOf("lines-l9");
    for (const digit of ["1", "8"]) {
      const bad = big.slice();
      bad[3] = digit.charCodeAt(0);
      const e = codecErrorOf(() => bzip2Decompress(bad, 1 << 26));
      expect(e.code).toBe("CORRUPT");
      expect(e.message).toMatch(/larger than/);
    }
  });

  it("a flipped bit is caught (block CRC, stream CRC or structure) as CORRUPT", () => {
    const good = bytesOf("text-l9");
    const v = vectors.get("text-l9");
    let caught = 0;
    for (let at = 10; at < good.length; at += 53) {
      const bad = good.slice();
      bad[at] ^= 0x10;
      const e = codecErrorOf(() => bzip2Decompress(bad, (v?.size ?? 0) * 2));
      expect(["CORRUPT", "LIMIT"]).toContain(e.code);
      expect(e.offset).toBeGreaterThanOrEqual(0);
      expect(e.offset).toBeLessThanOrEqual(good.length);
      caught++;
    }
    expect(caught).toBeGreaterThan(100);
  });

  it("the block CRC and the stream CRC are both checked", () => {
    const good = bytesOf("one-byte-l9");
    // Block CRC: the 32 bits after the 4-byte header and the 6-byte block magic.
    const badBlock = good.slice();
    badBlock[10] ^= 1;
    expect(codecErrorOf(() => bzip2Decompress(badBlock, MAX)).message).toMatch(/block CRC/);
    // Stream CRC: the last 32 bits before the padding (the stream ends mid-byte).
    const badStream = good.slice();
    badStream[good.length - 2] ^= 0x80;
    expect(codecErrorOf(() => bzip2Decompress(badStream, MAX)).message).toMatch(/stream CRC/);
  });

  it("bytes after the last stream that are not a stream are CORRUPT at their offset", () => {
    const good = bytesOf("one-byte-l9");
    for (const tail of [[0], [0x42], [0x42, 0x5a, 0x00], [0xff, 0xff, 0xff, 0xff, 0xff]]) {
      const bad = new Uint8Array([...good, ...tail]);
      const e = codecErrorOf(() => bzip2Decompress(bad, MAX));
      if (tail[0] === 0x42 && tail.length < 3) expect(e.code).toBe("TRUNCATED");
      else {
        expect(e.code).toBe("CORRUPT");
        expect(e.offset).toBe(good.length);
      }
    }
  });

  it("streams bzip2 -d rejects are rejected with the specific error", () => {
    const invalid = bzip2Invalid();
    expect(invalid.length).toBeGreaterThanOrEqual(9);
    for (const v of invalid) {
      const e = codecErrorOf(() => bzip2Decompress(new Uint8Array(Buffer.from(v.b64, "base64")), MAX));
      expect(e.code, v.name).toBe(v.code);
      expect(e.message, v.name).toContain(v.message);
      expect(e.offset, v.name).toBeGreaterThan(0);
    }
  });

  it("an invalid limit is a USAGE error", () => {
    for (const max of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(codecErrorOf(() => bzip2Decompress(bytesOf("one-byte-l9"), max)).code).toBe("USAGE");
    }
  });

  it("errors carry the caller's format name", () => {
    const e = codecErrorOf(() => bzip2Decompress(bytesOf("run-5").subarray(0, 20), MAX, "hdf5"));
    expect(e.format).toBe("hdf5");
    expect(e.message).toMatch(/^hdf5: bzip2/);
  });
});
