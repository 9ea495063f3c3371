import { describe, expect, it } from "vitest";
import { bzip2Crc, combineBzip2Crc } from "./bzip2-crc.js";

describe("bzip2 CRC-32 (MSB-first, poly 0x04C11DB7)", () => {
  it("matches the CRC-32/BZIP2 check value", () => {
    const bytes = new TextEncoder().encode("123456789");
    expect(bzip2Crc(bytes, 0, bytes.length)).toBe(0xfc891918);
    expect(bzip2Crc(bytes, 0, 0)).toBe(0);
  });

  it("agrees with a bit-at-a-time CRC on every length and offset around the 8-byte steps", () => {
    const bitwise = (b: Uint8Array, from: number, to: number): number => {
      let c = 0xffffffff;
      for (let i = from; i < to; i++) {
        c ^= b[i] << 24;
        for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
      }
      return ~c >>> 0;
    };
    const data = new Uint8Array(64);
    for (let i = 0; i < data.length; i++) data[i] = (i * 167 + 13) & 255;
    for (let from = 0; from < 9; from++) {
      for (let to = from; to <= data.length; to++) expect(bzip2Crc(data, from, to)).toBe(bitwise(data, from, to));
    }
  });

  it("combines block CRCs by rotate-left-1 then XOR", () => {
    expect(combineBzip2Crc(0, 0x12345678)).toBe(0x12345678);
    expect(combineBzip2Crc(0x80000001, 0)).toBe(0x00000003);
  });
});
