import { describe, expect, it } from "vitest";
import type { FloatingPointType } from "../model.js";
import { decodeFloatBits } from "./float-bits.js";

const base = { class: "floating-point", bitOffset: 0, loPad: false, hiPad: false, internalPad: false } as const;
/** VAX F-floating: 32 bits, bias 129, 23 fraction bits after an implied one, words swapped. */
const vaxF: FloatingPointType = { ...base, size: 4, byteOrder: "VAX", precision: 32, signLocation: 31, exponentLocation: 23, exponentSize: 8, mantissaLocation: 0, mantissaSize: 23, exponentBias: 129, mantissaNormalization: "implied" };
/** x87 80-bit extended in a 16-byte little-endian long double: explicit units bit. */
const x87: FloatingPointType = { ...base, size: 16, byteOrder: "LE", precision: 80, signLocation: 79, exponentLocation: 64, exponentSize: 15, mantissaLocation: 0, mantissaSize: 64, exponentBias: 16383, mantissaNormalization: "none" };

function x87Bytes(mantHex: string, exp: number): Uint8Array {
  const b = new Uint8Array(16);
  const m = BigInt(`0x${mantHex}`);
  for (let i = 0; i < 8; i++) b[i] = Number((m >> BigInt(8 * i)) & 0xffn);
  b[8] = exp & 0xff;
  b[9] = exp >> 8;
  return b;
}

describe("floating-point bit fields", () => {
  it("decodes VAX F-floating (most significant 16-bit word first)", () => {
    const s = new Uint8Array(16);
    expect(decodeFloatBits(vaxF, new Uint8Array([0x80, 0x40, 0, 0]), 0, s)).toBe(1);
    expect(decodeFloatBits(vaxF, new Uint8Array([0x40, 0xc1, 0, 0]), 0, s)).toBe(-3);
    // exponent 255 is an ordinary VAX number, not infinity
    expect(decodeFloatBits(vaxF, new Uint8Array([0x80, 0x7f, 0, 0]), 0, s)).toBe(2 ** 126);
  });

  it("decodes x87 extended precision, rounding the 64-bit mantissa to nearest even", () => {
    const s = new Uint8Array(16);
    expect(decodeFloatBits(x87, x87Bytes("8000000000000000", 0x3fff), 0, s)).toBe(1);
    expect(decodeFloatBits(x87, x87Bytes("c000000000000000", 0x4000), 0, s)).toBe(3);
    expect(decodeFloatBits(x87, x87Bytes("8000000000000400", 0x3fff), 0, s)).toBe(1); // tie, even stays
    expect(decodeFloatBits(x87, x87Bytes("8000000000000c00", 0x3fff), 0, s)).toBe(1 + 2 ** -51); // tie, odd rounds up
    expect(decodeFloatBits(x87, x87Bytes("8000000000000401", 0x3fff), 0, s)).toBe(1 + 2 ** -52); // above half
    expect(decodeFloatBits(x87, x87Bytes("8000000000000000", 0x7fff), 0, s)).toBe(Number.POSITIVE_INFINITY);
    expect(decodeFloatBits(x87, x87Bytes("c000000000000000", 0x7fff), 0, s)).toBeNaN();
  });
});
