import type { ZfpBitReader } from "./zfp-bitstream.js";
import { zfpPermutation } from "./zfp-permutation.js";

/**
 * One block of 32-bit integers (int32 data, and float32 after the
 * block-floating-point step), as zfp's src/template/decode.c and
 * revdecode.c decode it with Int = int32, UInt = uint32. All arithmetic
 * wraps modulo 2^32 the way the compiled C does (`| 0`), and `>>` is the
 * arithmetic shift zfp relies on.
 */

/** Negabinary mask NBMASK for 32-bit integers (0xaaaaaaaa). */
const NBMASK32 = 0xaaaaaaaa | 0;

/**
 * decode_ints / decode_many_ints: embedded coding of `size` unsigned
 * integers, one bit plane at a time from the most significant, at most
 * `maxprec` planes and `maxbits` bits. Within a plane the first n bits
 * (the coefficients already known to be significant) are verbatim; the
 * rest are group tested: a 1 says "another coefficient becomes
 * significant", followed by a unary run of 0s up to it. When the budget
 * runs out mid-run the coefficient reached is still set, as in zfp.
 * Returns the bits consumed.
 */
export function decodeInts32(r: ZfpBitReader, maxbits: number, maxprec: number, data: Int32Array, size: number): number {
  const kmin = 32 > maxprec ? 32 - maxprec : 0;
  let bits = maxbits;
  data.fill(0, 0, size);
  let n = 0;
  for (let k = 32; bits > 0 && k-- > kmin; ) {
    const plane = 1 << k;
    // first n bits of bit plane k, verbatim
    let m = Math.min(n, bits);
    bits -= m;
    for (let i = 0; m > 0; ) {
      const c = Math.min(m, 32);
      let x = r.readBits(c);
      while (x !== 0) {
        const low = x & -x;
        data[i + 31 - Math.clz32(low)] |= plane;
        x = (x ^ low) >>> 0;
      }
      i += c;
      m -= c;
    }
    // unary run-length decode the remainder of the plane
    // (the reader's pending bits live in locals here: this loop is the hot path)
    let cur = r.cur;
    let avail = r.avail;
    while (n < size && bits > 0) {
      bits--;
      if (avail === 0) {
        r.refill();
        cur = r.cur;
        avail = r.avail;
      }
      const group = cur & 1;
      cur >>>= 1;
      avail--;
      if (!group) break;
      while (n < size - 1 && bits > 0) {
        bits--;
        if (avail === 0) {
          r.refill();
          cur = r.cur;
          avail = r.avail;
        }
        const one = cur & 1;
        cur >>>= 1;
        avail--;
        if (one) break;
        n++;
      }
      data[n] |= plane;
      n++;
    }
    r.cur = cur;
    r.avail = avail;
  }
  return maxbits - bits;
}

/** inv_order + uint2int: undo the sequency permutation and map negabinary to two's complement. */
export function invOrder32(ublock: Int32Array, iblock: Int32Array, dims: number): void {
  const perm = zfpPermutation(dims);
  for (let i = 0; i < perm.length; i++) iblock[perm[i]] = ((ublock[i] ^ NBMASK32) - NBMASK32) | 0;
}

/**
 * inv_lift: the inverse of zfp's non-orthogonal decorrelating transform of
 * four values at p, p+s, p+2s, p+3s (decode.c), with its exact sequence
 * of additions and arithmetic shifts.
 */
function invLift32(q: Int32Array, p: number, s: number): void {
  let x = q[p];
  let y = q[p + s];
  let z = q[p + 2 * s];
  let w = q[p + 3 * s];
  y = (y + (w >> 1)) | 0;
  w = (w - (y >> 1)) | 0;
  y = (y + w) | 0;
  w <<= 1;
  w = (w - y) | 0;
  z = (z + x) | 0;
  x <<= 1;
  x = (x - z) | 0;
  y = (y + z) | 0;
  z <<= 1;
  z = (z - y) | 0;
  w = (w + x) | 0;
  x <<= 1;
  x = (x - w) | 0;
  q[p] = x;
  q[p + s] = y;
  q[p + 2 * s] = z;
  q[p + 3 * s] = w;
}

/** rev_inv_lift: inverse of the reversible (Lorenzo / P4 Pascal) transform, in wrapping unsigned arithmetic. */
function revInvLift32(q: Int32Array, p: number, s: number): void {
  const x = q[p];
  let y = q[p + s];
  let z = q[p + 2 * s];
  let w = q[p + 3 * s];
  w = (w + z) | 0;
  z = (z + y) | 0;
  w = (w + z) | 0;
  y = (y + x) | 0;
  z = (z + y) | 0;
  w = (w + z) | 0;
  q[p + s] = y;
  q[p + 2 * s] = z;
  q[p + 3 * s] = w;
}

type Lift = (q: Int32Array, p: number, s: number) => void;

/**
 * inv_xform for 1..4 dimensions (decode1.c .. decode4.c): lift along the
 * slowest axis first (w, z, y) and along x last, in zfp's loop order.
 */
export function invXform(q: Int32Array, dims: number, lift: Lift): void {
  switch (dims) {
    case 1:
      lift(q, 0, 1);
      return;
    case 2:
      for (let x = 0; x < 4; x++) lift(q, x, 4);
      for (let y = 0; y < 4; y++) lift(q, 4 * y, 1);
      return;
    case 3:
      for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) lift(q, x + 4 * y, 16);
      for (let x = 0; x < 4; x++) for (let z = 0; z < 4; z++) lift(q, 16 * z + x, 4);
      for (let z = 0; z < 4; z++) for (let y = 0; y < 4; y++) lift(q, 4 * y + 16 * z, 1);
      return;
    default:
      for (let z = 0; z < 4; z++) for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) lift(q, x + 4 * y + 16 * z, 64);
      for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) for (let w = 0; w < 4; w++) lift(q, 64 * w + x + 4 * y, 16);
      for (let x = 0; x < 4; x++) for (let w = 0; w < 4; w++) for (let z = 0; z < 4; z++) lift(q, 16 * z + 64 * w + x, 4);
      for (let w = 0; w < 4; w++) for (let z = 0; z < 4; z++) for (let y = 0; y < 4; y++) lift(q, 4 * y + 16 * z + 64 * w, 1);
  }
}

/** Scratch space for one block of 32-bit coefficients. */
export class Block32 {
  readonly ublock = new Int32Array(256);
  readonly iblock = new Int32Array(256);
}

/**
 * decode_block (lossy): `minbits`/`maxbits` are what the caller passes in
 * zfp (already reduced by the bits it spent), as C ints; fewer than
 * minbits bits consumed are padded by skipping. Result in `b.iblock`.
 */
export function decodeBlock32(r: ZfpBitReader, minbits: number, maxbits: number, maxprec: number, dims: number, b: Block32): number {
  const size = 1 << (2 * dims);
  let bits = decodeInts32(r, maxbits >>> 0, maxprec, b.ublock, size);
  if (bits < minbits) {
    r.skip(minbits - bits);
    bits = minbits;
  }
  invOrder32(b.ublock, b.iblock, dims);
  invXform(b.iblock, dims, invLift32);
  return bits;
}

/**
 * rev_decode_block (reversible): a 5-bit precision (PBITS for 32-bit
 * integers) then the integers, untransformed with the reversible lifting.
 */
export function revDecodeBlock32(r: ZfpBitReader, minbits: number, maxbits: number, dims: number, b: Block32): number {
  const size = 1 << (2 * dims);
  let bits = 5;
  const prec = r.readBits(5) + 1;
  bits += decodeInts32(r, (maxbits - bits) >>> 0, prec, b.ublock, size);
  if (bits < minbits) {
    r.skip(minbits - bits);
    bits = minbits;
  }
  invOrder32(b.ublock, b.iblock, dims);
  invXform(b.iblock, dims, revInvLift32);
  return bits;
}
