import type { ZfpBitReader } from "./zfp-bitstream.js";
import { zfpPermutation } from "./zfp-permutation.js";

/**
 * One block of 64-bit integers (int64 data, and float64 after the
 * block-floating-point step): zfp's decode.c / revdecode.c with
 * Int = int64, UInt = uint64. Each value is a pair of 32-bit halves
 * (hi signed, lo as raw bits) so every step wraps modulo 2^64 exactly as
 * the compiled C does, without BigInt.
 */

/** decode_ints with 64 bit planes; the planes above 31 land in the high halves. */
export function decodeInts64(r: ZfpBitReader, maxbits: number, maxprec: number, hi: Int32Array, lo: Int32Array, size: number): number {
  const kmin = 64 > maxprec ? 64 - maxprec : 0;
  let bits = maxbits;
  hi.fill(0, 0, size);
  lo.fill(0, 0, size);
  let n = 0;
  for (let k = 64; bits > 0 && k-- > kmin; ) {
    const half = k >= 32 ? hi : lo;
    const plane = 1 << (k & 31);
    let m = Math.min(n, bits);
    bits -= m;
    for (let i = 0; m > 0; ) {
      const c = Math.min(m, 32);
      let x = r.readBits(c);
      while (x !== 0) {
        const low = x & -x;
        half[i + 31 - Math.clz32(low)] |= plane;
        x = (x ^ low) >>> 0;
      }
      i += c;
      m -= c;
    }
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
      half[n] |= plane;
      n++;
    }
    r.cur = cur;
    r.avail = avail;
  }
  return maxbits - bits;
}

const NB = 0xaaaaaaaa;

/*
 * The 64-bit steps below are written out on locals (hi signed, lo as an
 * unsigned number): a carry is lo > 2^32 - 1 after an add, a borrow lo < 0
 * after a subtract, and `>>> 0` / `| 0` wrap each half. Helper functions
 * returning pairs would allocate on every step.
 */

/** inv_order + uint2int for 64-bit values: (x ^ NBMASK) - NBMASK, permuted. */
export function invOrder64(uh: Int32Array, ul: Int32Array, ih: Int32Array, il: Int32Array, dims: number): void {
  const perm = zfpPermutation(dims);
  for (let i = 0; i < perm.length; i++) {
    const t = ((ul[i] ^ NB) >>> 0) - NB;
    ih[perm[i]] = ((uh[i] ^ NB) - (NB | 0) - (t < 0 ? 1 : 0)) | 0;
    il[perm[i]] = t;
  }
}

/** inv_lift (decode.c) on 64-bit pairs, step for step. */
function invLift64(H: Int32Array, L: Int32Array, p: number, s: number): void {
  const p1 = p + s;
  const p2 = p1 + s;
  const p3 = p2 + s;
  let xh = H[p];
  let xl = L[p] >>> 0;
  let yh = H[p1];
  let yl = L[p1] >>> 0;
  let zh = H[p2];
  let zl = L[p2] >>> 0;
  let wh = H[p3];
  let wl = L[p3] >>> 0;
  let t: number;
  // y += w >> 1
  t = yl + (((wl >>> 1) | (wh << 31)) >>> 0);
  yh = (yh + (wh >> 1) + (t > 0xffffffff ? 1 : 0)) | 0;
  yl = t >>> 0;
  // w -= y >> 1
  t = wl - (((yl >>> 1) | (yh << 31)) >>> 0);
  wh = (wh - (yh >> 1) - (t < 0 ? 1 : 0)) | 0;
  wl = t >>> 0;
  // y += w
  t = yl + wl;
  yh = (yh + wh + (t > 0xffffffff ? 1 : 0)) | 0;
  yl = t >>> 0;
  // w <<= 1; w -= y
  wh = (wh << 1) | (wl >>> 31);
  wl = (wl << 1) >>> 0;
  t = wl - yl;
  wh = (wh - yh - (t < 0 ? 1 : 0)) | 0;
  wl = t >>> 0;
  // z += x
  t = zl + xl;
  zh = (zh + xh + (t > 0xffffffff ? 1 : 0)) | 0;
  zl = t >>> 0;
  // x <<= 1; x -= z
  xh = (xh << 1) | (xl >>> 31);
  xl = (xl << 1) >>> 0;
  t = xl - zl;
  xh = (xh - zh - (t < 0 ? 1 : 0)) | 0;
  xl = t >>> 0;
  // y += z
  t = yl + zl;
  yh = (yh + zh + (t > 0xffffffff ? 1 : 0)) | 0;
  yl = t >>> 0;
  // z <<= 1; z -= y
  zh = (zh << 1) | (zl >>> 31);
  zl = (zl << 1) >>> 0;
  t = zl - yl;
  zh = (zh - yh - (t < 0 ? 1 : 0)) | 0;
  zl = t >>> 0;
  // w += x
  t = wl + xl;
  wh = (wh + xh + (t > 0xffffffff ? 1 : 0)) | 0;
  wl = t >>> 0;
  // x <<= 1; x -= w
  xh = (xh << 1) | (xl >>> 31);
  xl = (xl << 1) >>> 0;
  t = xl - wl;
  xh = (xh - wh - (t < 0 ? 1 : 0)) | 0;
  H[p] = xh;
  L[p] = t;
  H[p1] = yh;
  L[p1] = yl;
  H[p2] = zh;
  L[p2] = zl;
  H[p3] = wh;
  L[p3] = wl;
}

/** rev_inv_lift (revdecode.c) on 64-bit pairs: w += z; z += y; w += z; y += x; z += y; w += z. */
function revInvLift64(H: Int32Array, L: Int32Array, p: number, s: number): void {
  const p1 = p + s;
  const p2 = p1 + s;
  const p3 = p2 + s;
  const xh = H[p];
  const xl = L[p] >>> 0;
  let yh = H[p1];
  let yl = L[p1] >>> 0;
  let zh = H[p2];
  let zl = L[p2] >>> 0;
  let wh = H[p3];
  let wl = L[p3] >>> 0;
  let t: number;
  // w += z
  t = wl + zl;
  wh = (wh + zh + (t > 0xffffffff ? 1 : 0)) | 0;
  wl = t >>> 0;
  // z += y
  t = zl + yl;
  zh = (zh + yh + (t > 0xffffffff ? 1 : 0)) | 0;
  zl = t >>> 0;
  // w += z
  t = wl + zl;
  wh = (wh + zh + (t > 0xffffffff ? 1 : 0)) | 0;
  wl = t >>> 0;
  // y += x
  t = yl + xl;
  yh = (yh + xh + (t > 0xffffffff ? 1 : 0)) | 0;
  yl = t >>> 0;
  // z += y
  t = zl + yl;
  zh = (zh + yh + (t > 0xffffffff ? 1 : 0)) | 0;
  zl = t >>> 0;
  // w += z
  t = wl + zl;
  wh = (wh + zh + (t > 0xffffffff ? 1 : 0)) | 0;
  H[p1] = yh;
  L[p1] = yl;
  H[p2] = zh;
  L[p2] = zl;
  H[p3] = wh;
  L[p3] = t;
}

type Lift64 = (H: Int32Array, L: Int32Array, p: number, s: number) => void;

/** inv_xform / rev_inv_xform for 1..4 dimensions, in zfp's axis and loop order (w, z, y, then x). */
function invXform64(H: Int32Array, L: Int32Array, dims: number, lift: Lift64): void {
  switch (dims) {
    case 1:
      lift(H, L, 0, 1);
      return;
    case 2:
      for (let x = 0; x < 4; x++) lift(H, L, x, 4);
      for (let y = 0; y < 4; y++) lift(H, L, 4 * y, 1);
      return;
    case 3:
      for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) lift(H, L, x + 4 * y, 16);
      for (let x = 0; x < 4; x++) for (let z = 0; z < 4; z++) lift(H, L, 16 * z + x, 4);
      for (let z = 0; z < 4; z++) for (let y = 0; y < 4; y++) lift(H, L, 4 * y + 16 * z, 1);
      return;
    default:
      for (let z = 0; z < 4; z++) for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) lift(H, L, x + 4 * y + 16 * z, 64);
      for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) for (let w = 0; w < 4; w++) lift(H, L, 64 * w + x + 4 * y, 16);
      for (let x = 0; x < 4; x++) for (let w = 0; w < 4; w++) for (let z = 0; z < 4; z++) lift(H, L, 16 * z + 64 * w + x, 4);
      for (let w = 0; w < 4; w++) for (let z = 0; z < 4; z++) for (let y = 0; y < 4; y++) lift(H, L, 4 * y + 16 * z + 64 * w, 1);
  }
}

/** Scratch space for one block of 64-bit coefficients; the result is in (ih, il). */
export class Block64 {
  readonly uh = new Int32Array(256);
  readonly ul = new Int32Array(256);
  readonly ih = new Int32Array(256);
  readonly il = new Int32Array(256);
}

/** decode_block (lossy) for 64-bit integers; see decodeBlock32. */
export function decodeBlock64(r: ZfpBitReader, minbits: number, maxbits: number, maxprec: number, dims: number, b: Block64): number {
  const size = 1 << (2 * dims);
  let bits = decodeInts64(r, maxbits >>> 0, maxprec, b.uh, b.ul, size);
  if (bits < minbits) {
    r.skip(minbits - bits);
    bits = minbits;
  }
  invOrder64(b.uh, b.ul, b.ih, b.il, dims);
  invXform64(b.ih, b.il, dims, invLift64);
  return bits;
}

/** rev_decode_block for 64-bit integers: a 6-bit precision (PBITS) then the integers. */
export function revDecodeBlock64(r: ZfpBitReader, minbits: number, maxbits: number, dims: number, b: Block64): number {
  const size = 1 << (2 * dims);
  let bits = 6;
  const prec = r.readBits(6) + 1;
  bits += decodeInts64(r, (maxbits - bits) >>> 0, prec, b.uh, b.ul, size);
  if (bits < minbits) {
    r.skip(minbits - bits);
    bits = minbits;
  }
  invOrder64(b.uh, b.ul, b.ih, b.il, dims);
  invXform64(b.ih, b.il, dims, revInvLift64);
  return bits;
}
