import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isCodecError } from "../errors.js";
import { blosclzDecodeBlock } from "./blosclz.js";

const hex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (b) => Number.parseInt(b, 16));
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/**
 * The only stream of a Blosc chunk that python-blosc 1.11 (c-blosc 1.21.3)
 * made with `blosc.compress(("abcabcabcabc hello hello hello " * 6) +
 * bytes(300) + bytes(range(40)), typesize=1, clevel=9, cname="blosclz",
 * shuffle=NOSHUFFLE)`: literals, short and long matches and a long run.
 */
const STREAM = hex(
  "256162636162638005052068656c6c6fe0040580188005e00418802a80188005e0671e0000e0ff24001f0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f200621222324252627",
);
const EXPECTED = new Uint8Array([
  ...new TextEncoder().encode("abcabcabcabc hello hello hello ".repeat(6)),
  ...new Uint8Array(300),
  ...Array.from({ length: 40 }, (_, i) => i),
]);

describe("blosclzDecodeBlock", () => {
  it("decodes a c-blosc stream", () => {
    const out = new Uint8Array(526);
    expect(blosclzDecodeBlock(STREAM, out)).toBe(526);
    expect(out).toEqual(EXPECTED);
    expect(sha(out)).toBe("f763a0cb71d95bb6efe8b1cba62f3a28d3aa51e46b39397e94c80918c284c74b");
  });

  it("masks the format marker in the first control byte", () => {
    // 0x20 | 2: a 3-byte literal with blosclz's marker bits set.
    const out = new Uint8Array(3);
    expect(blosclzDecodeBlock(Uint8Array.of(0x22, 7, 8, 9), out)).toBe(3);
    expect([...out]).toEqual([7, 8, 9]);
  });

  it("decodes the 16-bit far distance form", () => {
    // 8200 literal bytes, then a match of 3 bytes at distance 8191 + 8 + 1 back.
    const n = 8200;
    const lit: number[] = [];
    for (let i = 0; i < n; i += 32) {
      const k = Math.min(32, n - i);
      lit.push(k - 1);
      for (let j = 0; j < k; j++) lit.push((i + j) * 7 & 255);
    }
    // ctrl: len bits 1 (3 bytes), distance high bits 31; code 255; then 16-bit 8.
    const stream = Uint8Array.from([...lit, (1 << 5) | 31, 255, 0, 8]);
    const out = new Uint8Array(n + 3);
    expect(blosclzDecodeBlock(stream, out)).toBe(n + 3);
    const from = n - (8191 + 8 + 1);
    expect([...out.subarray(n)]).toEqual([...out.subarray(from, from + 3)]);
  });

  it("rejects references before the start, overruns and truncation with CodecErrors", () => {
    const codes: string[] = [];
    const cases = [
      Uint8Array.of(), // empty
      Uint8Array.of(0, 1, 0x40, 5), // match 6 back with 1 byte written
      Uint8Array.of(5, 1, 2), // literal past the input
      Uint8Array.of(0, 1, 0xe0), // long match length truncated
      Uint8Array.of(0, 1, 0x20), // match distance truncated
    ];
    for (const c of cases) {
      try {
        blosclzDecodeBlock(c, new Uint8Array(64));
        codes.push("ok");
      } catch (e) {
        expect(isCodecError(e)).toBe(true);
        codes.push((e as { code: string }).code);
      }
    }
    expect(codes).toEqual(["TRUNCATED", "CORRUPT", "TRUNCATED", "TRUNCATED", "TRUNCATED"]);
    // Output larger than the caller's buffer.
    expect(() => blosclzDecodeBlock(STREAM, new Uint8Array(100))).toThrow(/larger than expected/);
  });
});
