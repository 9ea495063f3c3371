import { describe, expect, it } from "vitest";
import { unshuffle } from "./shuffle.js";

/** Reference: byte b of element i comes from plane b at position i. */
function naive(src: Uint8Array, n: number, es: number): Uint8Array {
  const out = new Uint8Array(n * es);
  for (let i = 0; i < n; i++) for (let b = 0; b < es; b++) out[i * es + b] = src[b * n + i];
  return out;
}

describe("unshuffle", () => {
  it("matches the byte-plane definition for every element size, count and alignment", () => {
    for (const es of [2, 3, 4, 5, 8, 16]) {
      for (const n of [0, 1, 3, 4, 5, 8, 17, 64, 1001]) {
        for (const offset of [0, 1, 4]) {
          const buf = new Uint8Array(n * es + offset);
          for (let i = 0; i < buf.length; i++) buf[i] = (i * 151 + 7) & 0xff;
          const src = buf.subarray(offset);
          const dst = new Uint8Array(n * es + 4).subarray(offset === 1 ? 1 : 0, (offset === 1 ? 1 : 0) + n * es);
          unshuffle(src, dst, n, es);
          expect(Array.from(dst), `es ${es} n ${n} offset ${offset}`).toEqual(Array.from(naive(src, n, es)));
        }
      }
    }
  });
});
