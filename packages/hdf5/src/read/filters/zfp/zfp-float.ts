import type { ZfpBitReader } from "./zfp-bitstream.js";
import { type Block32, decodeBlock32, revDecodeBlock32 } from "./zfp-block.js";
import { type Block64, decodeBlock64, revDecodeBlock64 } from "./zfp-block64.js";
import type { ZfpMode } from "./zfp-header.js";

/**
 * Block-floating-point decoding (zfp's src/template/decodef.c, codecf.c,
 * revdecodef.c): a block is either empty (one 0 bit) or carries a common
 * exponent emax (EBITS = 8 for float, 11 for double, biased by 127/1023)
 * and integers that are scaled back by 2^(emax - (bits - 2)).
 */

const scratch = new DataView(new ArrayBuffer(8));

/** ldexpf(1, e) as a float32 value: exact powers of two, subnormals, 0 below 2^-149 (2^-150 rounds to even: 0). */
function pow2f(e: number): number {
  if (e > 127) return Number.POSITIVE_INFINITY;
  if (e >= -126) {
    scratch.setUint32(0, (e + 127) << 23);
    return scratch.getFloat32(0);
  }
  if (e >= -149) {
    scratch.setUint32(0, 1 << (e + 149));
    return scratch.getFloat32(0);
  }
  return 0;
}

/** ldexp(1, e) as a float64 value, with zfp's subnormal and underflow behaviour (0 below 2^-1074). */
function pow2(e: number): number {
  if (e > 1023) return Number.POSITIVE_INFINITY;
  if (e >= -1022) {
    scratch.setUint32(0, (e + 1023) << 20);
    scratch.setUint32(4, 0);
    return scratch.getFloat64(0);
  }
  if (e >= -1074) {
    const bit = e + 1074; // 0..51
    scratch.setUint32(0, bit >= 32 ? 1 << (bit - 32) : 0);
    scratch.setUint32(4, bit >= 32 ? 0 : (1 << bit) >>> 0);
    return scratch.getFloat64(0);
  }
  return 0;
}

/** precision(): planes worth coding for a block with exponent emax (ZFP_WITH_TIGHT_ERROR off, zfp's default). */
function precision(emax: number, maxprec: number, minexp: number, dims: number): number {
  const p = emax - minexp + 2 * dims + 2;
  return Math.min(maxprec, Math.max(0, p));
}

/**
 * Decode one float32 block into `out` (4^dims values; `outBits` aliases it
 * as int32). Lossy blocks (decodef.c): a 0 bit for an all-zero block, else
 * emax and the integer block. Reversible blocks (revdecodef.c, the same in
 * zfp 0.5.5 and 1.0): a 0 bit for an all-zero block, else 1 = the float
 * bits reinterpreted as sign-magnitude integers, 0 = emax and a
 * block-floating-point block that is exact.
 */
export function decodeFloat32Block(r: ZfpBitReader, mode: ZfpMode, dims: number, b: Block32, out: Float32Array, outBits: Int32Array): void {
  const size = 1 << (2 * dims);
  if (mode.reversible) {
    if (!r.readBit()) {
      out.fill(0, 0, size);
      if (mode.minbits > 1) r.skip(mode.minbits - 1);
      return;
    }
    let bits = 2;
    if (r.readBit()) {
      revDecodeBlock32(r, (mode.minbits - bits) | 0, (mode.maxbits - bits) | 0, dims, b);
      // two's complement to sign-magnitude, then the bits are the floats (rev_inv_reinterpret)
      for (let i = 0; i < size; i++) {
        const x = b.iblock[i];
        outBits[i] = x < 0 ? x ^ 0x7fffffff : x;
      }
      return;
    }
    bits += 8;
    const emax = r.readBits(8) - 127;
    revDecodeBlock32(r, (mode.minbits - bits) | 0, (mode.maxbits - bits) | 0, dims, b);
    // rev_inv_cast: emax = -EBIAS marks an all-zero block
    if (emax === -127) out.fill(0, 0, size);
    else castFloat32(b.iblock, out, size, emax);
    return;
  }
  if (!r.readBit()) {
    out.fill(0, 0, size);
    if (mode.minbits > 1) r.skip(mode.minbits - 1);
    return;
  }
  const emax = r.readBits(8) - 127;
  const maxprec = precision(emax, mode.maxprec, mode.minexp, dims);
  decodeBlock32(r, (mode.minbits - 9) | 0, (mode.maxbits - 9) | 0, maxprec, dims, b);
  castFloat32(b.iblock, out, size, emax);
}

/** inv_cast for float: x = (float)i * ldexpf(1, emax - 30), each step rounded to float32. */
function castFloat32(iblock: Int32Array, out: Float32Array, size: number, emax: number): void {
  const s = pow2f(emax - 30);
  for (let i = 0; i < size; i++) out[i] = s * Math.fround(iblock[i]);
}

/** Decode one float64 block into `out`; `outBits` aliases it as (lo, hi) int32 pairs. See decodeFloat32Block. */
export function decodeFloat64Block(r: ZfpBitReader, mode: ZfpMode, dims: number, b: Block64, out: Float64Array, outBits: Int32Array): void {
  const size = 1 << (2 * dims);
  if (mode.reversible) {
    if (!r.readBit()) {
      out.fill(0, 0, size);
      if (mode.minbits > 1) r.skip(mode.minbits - 1);
      return;
    }
    let bits = 2;
    if (r.readBit()) {
      revDecodeBlock64(r, (mode.minbits - bits) | 0, (mode.maxbits - bits) | 0, dims, b);
      for (let i = 0; i < size; i++) {
        const h = b.ih[i];
        if (h < 0) {
          outBits[2 * i] = ~b.il[i];
          outBits[2 * i + 1] = h ^ 0x7fffffff;
        } else {
          outBits[2 * i] = b.il[i];
          outBits[2 * i + 1] = h;
        }
      }
      return;
    }
    bits += 11;
    const emax = r.readBits(11) - 1023;
    revDecodeBlock64(r, (mode.minbits - bits) | 0, (mode.maxbits - bits) | 0, dims, b);
    if (emax === -1023) out.fill(0, 0, size);
    else castFloat64(b, out, size, emax);
    return;
  }
  if (!r.readBit()) {
    out.fill(0, 0, size);
    if (mode.minbits > 1) r.skip(mode.minbits - 1);
    return;
  }
  const emax = r.readBits(11) - 1023;
  const maxprec = precision(emax, mode.maxprec, mode.minexp, dims);
  decodeBlock64(r, (mode.minbits - 12) | 0, (mode.maxbits - 12) | 0, maxprec, dims, b);
  castFloat64(b, out, size, emax);
}

/**
 * inv_cast for double: (double)i rounds the int64 to nearest once
 * (hi * 2^32 is exact, so adding the unsigned low half rounds once), then
 * the product with ldexp(1, emax - 62) rounds as C's does.
 */
function castFloat64(b: Block64, out: Float64Array, size: number, emax: number): void {
  const s = pow2(emax - 62);
  for (let i = 0; i < size; i++) out[i] = s * (b.ih[i] * 4294967296 + (b.il[i] >>> 0));
}
