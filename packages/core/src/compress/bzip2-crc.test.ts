import { describe, expect, it } from "vitest";
import { bzip2Crc, combineBzip2Crc } from "./bzip2-crc.js";

describe("bzip2 CRC-32 (MSB-first, poly 0x04C11DB7)", () => {
  it("matches the CRC-32/BZIP2 check value", () => {
    const bytes = new TextEncoder().encode("123456789");
    expect(bzip2Crc(bytes, 0, bytes.length)).toBe(0xfc891918);
    expect(bzip2Crc(bytes, 0, 0)).toBe(0);
  });

  it("combines block CRCs by rotate-left-1 then XOR", () => {
    expect(combineBzip2Crc(0, 0x12345678)).toBe(0x12345678);
    expect(combineBzip2Crc(0x80000001, 0)).toBe(0x00000003);
  });
});
