import { crc32 as zlibCrc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { crc32, crc32Js } from "./crc32.js";

describe("crc32", () => {
  it("matches the APPNOTE check value and zlib on every length and alignment", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    const big = new Uint8Array(4096);
    for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
    for (let start = 0; start < 9; start++) {
      for (const len of [0, 1, 3, 7, 8, 9, 63, 64, 65, 100, 1000, 4000]) {
        const s = big.subarray(start, start + len);
        expect(crc32(s)).toBe(zlibCrc32(s));
        expect(crc32Js(s)).toBe(zlibCrc32(s));
        expect(crc32Js(s, 0x12345678)).toBe(zlibCrc32(s, 0x12345678));
      }
    }
  });

  it("continues a running checksum through the seed", () => {
    const a = new TextEncoder().encode("hello, ");
    const b = new Uint8Array(500).fill(0xab);
    const all = new Uint8Array(a.length + b.length);
    all.set(a);
    all.set(b, a.length);
    expect(crc32(b, crc32(a))).toBe(crc32(all));
    expect(crc32Js(b, crc32Js(a))).toBe(crc32Js(all));
    expect(crc32(b, crc32Js(a))).toBe(crc32Js(all));
  });
});
