import { fail } from "@codec/core";
import type { FloatingPointType } from "../model.js";
import { FORMAT } from "./context.js";

/** True when the type is exactly IEEE 754 binary16/32/64 (so bytes can be used as they are). */
export function isIeee(t: FloatingPointType): boolean {
  if (t.bitOffset !== 0 || t.precision !== t.size * 8 || t.mantissaNormalization !== "implied") return false;
  if (t.size === 2) return t.signLocation === 15 && t.exponentLocation === 10 && t.exponentSize === 5 && t.mantissaLocation === 0 && t.mantissaSize === 10 && t.exponentBias === 15;
  if (t.size === 4) return t.signLocation === 31 && t.exponentLocation === 23 && t.exponentSize === 8 && t.mantissaLocation === 0 && t.mantissaSize === 23 && t.exponentBias === 127;
  if (t.size === 8) return t.signLocation === 63 && t.exponentLocation === 52 && t.exponentSize === 11 && t.mantissaLocation === 0 && t.mantissaSize === 52 && t.exponentBias === 1023;
  return false;
}

/**
 * The core minifloat dtype whose exact bit layout this type has, as our writer
 * emits them (write/standard-types.ts): sign in the top bit, mantissa at bit 0,
 * implied leading one, no padding. bfloat16 = 2 bytes, exponent 7..14 bias 127,
 * mantissa 7 bits; float8_e4m3fn = exponent 3..6 bias 7, mantissa 3 bits;
 * float8_e5m2 = exponent 2..6 bias 15, mantissa 2 bits. Any other layout
 * (including IEEE binary16) gives undefined.
 */
export function minifloatDType(t: FloatingPointType): "bfloat16" | "float8_e4m3fn" | "float8_e5m2" | undefined {
  if (t.byteOrder === "VAX" || t.bitOffset !== 0 || t.precision !== t.size * 8 || t.mantissaNormalization !== "implied") return undefined;
  if (t.signLocation !== t.size * 8 - 1 || t.mantissaLocation !== 0 || t.exponentLocation !== t.mantissaSize) return undefined;
  if (t.size === 2 && t.exponentSize === 8 && t.mantissaSize === 7 && t.exponentBias === 127) return "bfloat16";
  if (t.size === 1 && t.exponentSize === 4 && t.mantissaSize === 3 && t.exponentBias === 7) return "float8_e4m3fn";
  if (t.size === 1 && t.exponentSize === 5 && t.mantissaSize === 2 && t.exponentBias === 15) return "float8_e5m2";
  return undefined;
}

/** Bits [pos, pos+len) of a little-endian element as a number (len <= 53). */
function bitsAt(le: Uint8Array, pos: number, len: number): number {
  let v = 0;
  let mul = 1;
  for (let i = 0; i < len; ) {
    const bit = pos + i;
    const byte = le[bit >> 3];
    const shift = bit & 7;
    const take = Math.min(8 - shift, len - i);
    v += ((byte >> shift) & ((1 << take) - 1)) * mul;
    mul *= 2 ** take;
    i += take;
  }
  return v;
}

/** True when any of bits [pos, pos+len) is set. */
function anyBitSet(le: Uint8Array, pos: number, len: number): boolean {
  for (let i = 0; i < len; i++) {
    const bit = pos + i;
    if ((le[bit >> 3] >> (bit & 7)) & 1) return true;
  }
  return false;
}

/**
 * Decode one floating-point element from its bit fields (spec IV.A.2.d
 * class 1 properties): any size, byte order, exponent/mantissa layout and
 * bias, as libhdf5's soft conversion H5T__conv_f_f does. Mantissas wider
 * than float64's are rounded to nearest (ties to even).
 */
export function decodeFloatBits(t: FloatingPointType, bytes: Uint8Array, at: number, scratch: Uint8Array): number {
  const n = t.size;
  if (t.byteOrder === "VAX") {
    // VAX order (spec IV.A.2.d, byte order bits 0 and 6): 16-bit words are
    // little-endian but stored most significant word first. Reversing the
    // word order gives a little-endian element, as libhdf5 H5T__conv_f_f does.
    if (n % 2 !== 0) fail("CORRUPT", FORMAT, `VAX floating-point type of odd size ${n}`);
    for (let w = 0; w < n; w += 2) {
      scratch[w] = bytes[at + n - 2 - w];
      scratch[w + 1] = bytes[at + n - 1 - w];
    }
  } else {
    for (let i = 0; i < n; i++) scratch[i] = bytes[at + (t.byteOrder === "BE" ? n - 1 - i : i)];
  }
  const sign = bitsAt(scratch, t.signLocation, 1);
  const exp = bitsAt(scratch, t.exponentLocation, t.exponentSize);
  const mBits = t.mantissaSize;
  // float64 holds 53 significant bits: 52 stored fraction bits after an
  // implied leading one, 53 when the leading one is stored (x87 extended).
  const keep = Math.min(mBits, t.mantissaNormalization === "implied" ? 52 : 53);
  let mant = keep > 0 ? bitsAt(scratch, t.mantissaLocation + (mBits - keep), keep) : 0;
  if (mBits > keep) {
    // Round to nearest, ties to even, like a C (long double -> double) cast.
    const dropped = mBits - keep;
    const half = bitsAt(scratch, t.mantissaLocation + dropped - 1, 1);
    if (half && (mant % 2 === 1 || anyBitSet(scratch, t.mantissaLocation, dropped - 1))) mant++;
  }
  const implied = t.mantissaNormalization === "implied";
  // Implied: value 1.f; otherwise the stored mantissa's top bit is the units
  // bit (libhdf5 H5T__conv_f_f normalises "none" the same way as "msb set").
  const frac = keep === 0 ? 0 : implied ? mant / 2 ** keep : mant / 2 ** (keep - 1);
  const expMax = 2 ** t.exponentSize - 1;
  let v: number;
  if (exp === expMax && t.byteOrder !== "VAX") {
    // All-ones exponent: infinity when the fraction (without a stored units bit) is zero, else NaN. VAX has no such values.
    const fracZero = implied ? mant === 0 : mant === 2 ** (keep - 1) || mant === 0;
    v = fracZero ? Number.POSITIVE_INFINITY : Number.NaN;
  } else if (exp === 0) v = frac * 2 ** (1 - t.exponentBias);
  else if (implied) v = (1 + frac) * 2 ** (exp - t.exponentBias);
  else v = frac * 2 ** (exp - t.exponentBias);
  return sign ? -v : v;
}
