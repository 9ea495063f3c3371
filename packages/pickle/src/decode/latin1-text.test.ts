import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { latin1FromUtf8, latin1String } from "./latin1-text.js";

/** Reference: strict UTF-8 decode, then every code point must be <= 0xFF. */
function reference(u: Uint8Array): string | null {
  let s: string;
  try {
    s = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(u);
  } catch {
    return null;
  }
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return null;
  return s;
}

describe("latin1FromUtf8", () => {
  it("round-trips latin-1 text through UTF-8", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (raw) => {
        const u = new TextEncoder().encode(String.fromCharCode(...raw));
        expect(latin1FromUtf8(u, 0, u.length)).toEqual(raw);
      }),
      { numRuns: 2000 },
    );
  });

  it("agrees with a strict decoder on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 10 }), fc.integer({ min: 0, max: 3 }), (u, pad) => {
        const buf = new Uint8Array(u.length + 2 * pad).fill(0xc3);
        buf.set(u, pad);
        const got = latin1FromUtf8(buf, pad, pad + u.length);
        const want = reference(u);
        expect(got === null ? null : String.fromCharCode(...got)).toBe(want);
      }),
      { numRuns: 20000 },
    );
  });

  it("rejects truncated, stray and out-of-range sequences", () => {
    for (const bad of [[0xc2], [0x80], [0xc3, 0x80, 0x80], [0xc4, 0x80], [0xc1, 0x80], [0x41, 0xc2], [0xe2, 0x82, 0xac]]) {
      expect(latin1FromUtf8(new Uint8Array(bad), 0, bad.length)).toBeNull();
    }
    expect(latin1FromUtf8(new Uint8Array([0x41, 0xc3, 0xa9]), 0, 3)).toEqual(new Uint8Array([0x41, 0xe9]));
  });

  it("builds strings from latin-1 bytes", () => {
    expect(latin1String(new Uint8Array([0xfe, 0xff, 0x41, 0]))).toBe("\u00fe\u00ffA\u0000");
  });
});
