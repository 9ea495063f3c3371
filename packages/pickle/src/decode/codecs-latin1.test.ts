import { describe, expect, it } from "vitest";
import type { PyValue } from "../model.js";
import { canonicalRepr } from "../repr/canonical.js";
import { unpickle } from "./api.js";

/** Little-endian u32. */
const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

/** Python 3's protocol 2 spelling of bytes: _codecs.encode(<latin-1 str>, 'latin1'), then uses of the memo. */
function bytesTrick(data: Uint8Array, tail: number[], encOp: number[] = [0x8c, 6, ...ascii("latin1"), 0x94]): Uint8Array {
  const utf8 = new TextEncoder().encode(String.fromCharCode(...data));
  return Uint8Array.from([
    0x80, 2, 0x28, // PROTO 2, MARK
    0x63, ...ascii("_codecs\nencode\n"), 0x71, 0, // GLOBAL, BINPUT 0
    0x58, ...u32(utf8.length), ...utf8, 0x71, 1, // BINUNICODE, BINPUT 1
    ...encOp, // 'latin1' (MEMOIZE -> 2)
    0x86, 0x72, ...u32(3), 0x52, // TUPLE2, LONG_BINPUT 3, REDUCE
    ...tail,
    0x6c, 0x2e, // LIST, STOP
  ]);
}

const big = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 2654435761) >>> 24);
/** Hooks turn the fast path off, so the same bytes run through the plain opcode loop. */
const slow = (b: Uint8Array) => unpickle(b, { hooks: {} });

describe("_codecs.encode(str, 'latin1') fast path", () => {
  it("gives the bytes the opcode loop gives", () => {
    const b = bytesTrick(big, []);
    const v = unpickle(b) as PyValue[];
    expect(v[0]).toEqual(big);
    expect(canonicalRepr(v)).toBe(canonicalRepr(slow(b)));
  });

  it("builds the memoized str and args tuple when a later GET asks for them", () => {
    const b = bytesTrick(big, [0x68, 1, 0x6a, ...u32(3), 0x68, 2]);
    const v = unpickle(b) as PyValue[];
    expect(typeof v[1]).toBe("string");
    expect((v[1] as string).length).toBe(big.length);
    expect(canonicalRepr(v)).toBe(canonicalRepr(slow(b)));
  });

  it("accepts the encoding name from the memo", () => {
    // 'latin1' memoized first as index 9, then fetched by BINGET.
    const pre = [0x8c, 6, ...ascii("latin1"), 0x71, 9, 0x30];
    const b0 = bytesTrick(big, [], [0x68, 9]);
    const b = Uint8Array.from([...b0.subarray(0, 3), ...pre, ...b0.subarray(3)]);
    expect((unpickle(b) as PyValue[])[0]).toEqual(big);
  });

  it("leaves text that is not latin-1 to the general path", () => {
    const s = "\u20ac".repeat(30_000);
    const utf8 = new TextEncoder().encode(s);
    const b = bytesTrick(new Uint8Array(0), []);
    // Replace the (empty) payload by the euro text: the result stays an inert call, as in the loop.
    const at = b.indexOf(0x58);
    const withText = Uint8Array.from([...b.subarray(0, at + 1), ...u32(utf8.length), ...utf8, ...b.subarray(at + 5)]);
    expect(canonicalRepr(unpickle(withText))).toBe(canonicalRepr(slow(withText)));
  });
});
