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

/**
 * Decode one floating-point element from its bit fields (spec IV.A.2.d
 * class 1 properties): any size, byte order, exponent/mantissa layout and
 * bias, as libhdf5's soft conversion H5T__conv_f_f does. Mantissas wider
 * than 53 bits keep their top 53 bits.
 */
export function decodeFloatBits(t: FloatingPointType, bytes: Uint8Array, at: number, scratch: Uint8Array): number {
  if (t.byteOrder === "VAX") fail("UNSUPPORTED", FORMAT, "VAX floating-point byte order");
  const n = t.size;
  for (let i = 0; i < n; i++) scratch[i] = bytes[at + (t.byteOrder === "BE" ? n - 1 - i : i)];
  const sign = bitsAt(scratch, t.signLocation, 1);
  const exp = bitsAt(scratch, t.exponentLocation, t.exponentSize);
  const mBits = t.mantissaSize;
  const keep = Math.min(mBits, 53);
  const mant = keep > 0 ? bitsAt(scratch, t.mantissaLocation + (mBits - keep), keep) : 0;
  const frac = keep > 0 ? mant / 2 ** keep : 0;
  const expMax = 2 ** t.exponentSize - 1;
  let v: number;
  if (exp === expMax && t.mantissaNormalization === "implied") v = frac === 0 ? Number.POSITIVE_INFINITY : Number.NaN;
  else if (exp === 0) v = t.mantissaNormalization === "implied" ? frac * 2 ** (1 - t.exponentBias) : frac * 2 ** (1 - t.exponentBias);
  else if (t.mantissaNormalization === "implied") v = (1 + frac) * 2 ** (exp - t.exponentBias);
  else if (t.mantissaNormalization === "msb-set") v = frac * 2 * 2 ** (exp - t.exponentBias);
  else v = frac * 2 ** (exp - t.exponentBias);
  return sign ? -v : v;
}
