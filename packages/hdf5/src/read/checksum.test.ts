import { describe, expect, it } from "vitest";
import { lookup3 } from "./checksum.js";
import { fletcher32 } from "./filters/fletcher32.js";

describe("checksums", () => {
  it("lookup3 matches Bob Jenkins' published hashlittle vectors", () => {
    // lookup3.c driver5: hashlittle("", 0, 0) = 0xdeadbeef; "Four score and seven years ago" = 0x17770551.
    expect(lookup3(new Uint8Array(0))).toBe(0xdeadbeef);
    expect(lookup3(new TextEncoder().encode("Four score and seven years ago"))).toBe(0x17770551);
  });

  it("fletcher32 over 16-bit big-endian words", () => {
    // "abcde": words 0x6162, 0x6364 and a trailing 0x65 byte.
    const s1a = 0x6162;
    const s2a = s1a;
    const s1b = s1a + 0x6364;
    const s2b = s2a + s1b;
    const s1c = s1b + 0x6500;
    const s2c = s2b + s1c;
    const fold = (x: number) => (x & 0xffff) + (x >>> 16);
    expect(fletcher32(new TextEncoder().encode("abcde"), 5)).toBe(((fold(fold(s2c)) << 16) | fold(fold(s1c))) >>> 0);
  });
});
