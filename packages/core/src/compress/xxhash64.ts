/**
 * XXH64 (the xxHash specification, "XXH64 algorithm"), as zstd's content
 * checksum needs it (RFC 8878 section 3.1.1: the low 32 bits, seed 0).
 *
 * JavaScript has no fast 64-bit integers, so every 64-bit value is a pair
 * of uint32 halves and each step is written out over the halves. The hot
 * stripe loop keeps the four accumulators in locals.
 */

// Primes as [high, low] uint32 halves.
const P1H = 0x9e3779b1;
const P1L = 0x85ebca87;
const P2H = 0xc2b2ae3d;
const P2L = 0x27d4eb4f;
const P3H = 0x165667b1;
const P3L = 0x9e3779f9;
const P4H = 0x85ebca77;
const P4L = 0xc2b2ae63;
const P5H = 0x27d4eb2f;
const P5L = 0x165667c5;

// Results of the 64-bit helpers (one shared pair avoids an allocation per step).
let rh = 0;
let rl = 0;

/** High 32 bits of the 64-bit product of two uint32 values (16-bit limbs keep every partial exact). */
function mulHigh32(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const t = a0 * b0;
  const m1 = a1 * b0 + (t >>> 16);
  const m2 = a0 * b1 + (m1 & 0xffff);
  return (a1 * b1 + (m1 >>> 16) + (m2 >>> 16)) >>> 0;
}

/** (ah:al) * (bh:bl) mod 2^64 into rh:rl. */
function mul64(ah: number, al: number, bh: number, bl: number): void {
  const hi = mulHigh32(al, bl) + Math.imul(al, bh) + Math.imul(ah, bl);
  rh = hi >>> 0;
  rl = Math.imul(al, bl) >>> 0;
}

/** (ah:al) + (bh:bl) mod 2^64 into rh:rl. */
function add64(ah: number, al: number, bh: number, bl: number): void {
  const lo = al + bl;
  rl = lo >>> 0;
  rh = (ah + bh + (lo > 0xffffffff ? 1 : 0)) >>> 0;
}

/** Rotate (h:l) left by r (1..63) into rh:rl. */
function rotl64(h: number, l: number, r: number): void {
  if (r >= 32) {
    const t = h;
    h = l;
    l = t;
    r -= 32;
  }
  if (r === 0) {
    rh = h >>> 0;
    rl = l >>> 0;
    return;
  }
  rh = ((h << r) | (l >>> (32 - r))) >>> 0;
  rl = ((l << r) | (h >>> (32 - r))) >>> 0;
}

/** round(acc, lane) = rotl(acc + lane * P2, 31) * P1, into rh:rl. */
function round(acch: number, accl: number, laneh: number, lanel: number): void {
  mul64(laneh, lanel, P2H, P2L);
  add64(acch, accl, rh, rl);
  rotl64(rh, rl, 31);
  mul64(rh, rl, P1H, P1L);
}

function read32(src: Uint8Array, p: number): number {
  return (src[p] | (src[p + 1] << 8) | (src[p + 2] << 16) | (src[p + 3] << 24)) >>> 0;
}

// 16-bit halves of the low words of P1 and P2, for mulHigh32i.
const P1L0 = P1L & 0xffff;
const P1L1 = P1L >>> 16;
const P2L0 = P2L & 0xffff;
const P2L1 = P2L >>> 16;

/**
 * High 32 bits (as an int32 bit pattern) of a * b for a uint32 `a` given as
 * an int32 and a constant b = b1:b0 in 16-bit halves. Every partial product
 * is below 2^32, so Math.imul's bit pattern of it is exact; the stripe loop
 * then stays in int32 arithmetic, which V8 runs faster than doubles.
 */
function mulHigh32i(a: number, b0: number, b1: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const t = Math.imul(a0, b0) >>> 16;
  const x = Math.imul(a1, b0);
  const y = Math.imul(a0, b1);
  const mid = t + (x & 0xffff) + (y & 0xffff);
  return (Math.imul(a1, b1) + (x >>> 16) + (y >>> 16) + (mid >>> 16)) | 0;
}

/**
 * The stripe loop's round, acc[i]:acc[i+1] = rotl(acc + lane * P2, 31) * P1,
 * over int32 bit patterns with every intermediate in locals.
 */
function roundInto(acc: Int32Array, i: number, lh: number, ll: number): void {
  const pl = Math.imul(ll, P2L);
  const ph = (mulHigh32i(ll, P2L0, P2L1) + Math.imul(ll, P2H) + Math.imul(lh, P2L)) | 0;
  const al = acc[i + 1];
  const sl = (al + pl) | 0;
  const carry = sl >>> 0 < al >>> 0 ? 1 : 0;
  const sh = (acc[i] + ph + carry) | 0;
  const xh = (sh << 31) | (sl >>> 1);
  const xl = (sl << 31) | (sh >>> 1);
  acc[i + 1] = Math.imul(xl, P1L);
  acc[i] = (mulHigh32i(xl, P1L0, P1L1) + Math.imul(xl, P1H) + Math.imul(xh, P1L)) | 0;
}

/** XXH64 of src[start, end) with seed 0, as [high, low] uint32 halves. */
export function xxhash64(src: Uint8Array, start = 0, end = src.length): [number, number] {
  const len = end - start;
  let p = start;
  let hh: number;
  let hl: number;
  if (len >= 32) {
    // v1 = P1 + P2, v2 = P2, v3 = 0, v4 = -P1 (seed 0).
    add64(P1H, P1L, P2H, P2L);
    const acc = new Int32Array(8);
    acc[0] = rh;
    acc[1] = rl;
    acc[2] = P2H;
    acc[3] = P2L;
    // v4 = -P1 mod 2^64 = ~P1 + 1; the low word of P1 is non-zero, so no carry reaches the high word.
    acc[7] = -P1L | 0;
    acc[6] = ~P1H;
    const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
    const limit = end - 32;
    while (p <= limit) {
      roundInto(acc, 0, view.getInt32(p + 4, true), view.getInt32(p, true));
      roundInto(acc, 2, view.getInt32(p + 12, true), view.getInt32(p + 8, true));
      roundInto(acc, 4, view.getInt32(p + 20, true), view.getInt32(p + 16, true));
      roundInto(acc, 6, view.getInt32(p + 28, true), view.getInt32(p + 24, true));
      p += 32;
    }
    const v1h = acc[0] >>> 0;
    const v1l = acc[1] >>> 0;
    const v2h = acc[2] >>> 0;
    const v2l = acc[3] >>> 0;
    const v3h = acc[4] >>> 0;
    const v3l = acc[5] >>> 0;
    const v4h = acc[6] >>> 0;
    const v4l = acc[7] >>> 0;
    rotl64(v1h, v1l, 1);
    hh = rh;
    hl = rl;
    rotl64(v2h, v2l, 7);
    add64(hh, hl, rh, rl);
    hh = rh;
    hl = rl;
    rotl64(v3h, v3l, 12);
    add64(hh, hl, rh, rl);
    hh = rh;
    hl = rl;
    rotl64(v4h, v4l, 18);
    add64(hh, hl, rh, rl);
    hh = rh;
    hl = rl;
    const vs = [v1h, v1l, v2h, v2l, v3h, v3l, v4h, v4l];
    for (let i = 0; i < 8; i += 2) {
      // mergeRound: h ^= round(0, v); h = h * P1 + P4.
      round(0, 0, vs[i], vs[i + 1]);
      hh = (hh ^ rh) >>> 0;
      hl = (hl ^ rl) >>> 0;
      mul64(hh, hl, P1H, P1L);
      add64(rh, rl, P4H, P4L);
      hh = rh;
      hl = rl;
    }
  } else {
    hh = P5H;
    hl = P5L;
  }
  // h += total length (below 2^53, split into halves).
  add64(hh, hl, Math.floor(len / 4294967296) >>> 0, len >>> 0);
  hh = rh;
  hl = rl;
  while (p + 8 <= end) {
    round(0, 0, read32(src, p + 4), read32(src, p));
    hh = (hh ^ rh) >>> 0;
    hl = (hl ^ rl) >>> 0;
    rotl64(hh, hl, 27);
    mul64(rh, rl, P1H, P1L);
    add64(rh, rl, P4H, P4L);
    hh = rh;
    hl = rl;
    p += 8;
  }
  if (p + 4 <= end) {
    mul64(0, read32(src, p), P1H, P1L);
    hh = (hh ^ rh) >>> 0;
    hl = (hl ^ rl) >>> 0;
    rotl64(hh, hl, 23);
    mul64(rh, rl, P2H, P2L);
    add64(rh, rl, P3H, P3L);
    hh = rh;
    hl = rl;
    p += 4;
  }
  while (p < end) {
    mul64(0, src[p], P5H, P5L);
    hh = (hh ^ rh) >>> 0;
    hl = (hl ^ rl) >>> 0;
    rotl64(hh, hl, 11);
    mul64(rh, rl, P1H, P1L);
    hh = rh;
    hl = rl;
    p++;
  }
  // Avalanche: h ^= h >> 33; h *= P2; h ^= h >> 29; h *= P3; h ^= h >> 32.
  hl = (hl ^ (hh >>> 1)) >>> 0;
  mul64(hh, hl, P2H, P2L);
  // h >> 29 has high half hh >>> 29 and low half (hh << 3 | hl >>> 29).
  hl = (rl ^ (((rh << 3) | (rl >>> 29)) >>> 0)) >>> 0;
  hh = (rh ^ (rh >>> 29)) >>> 0;
  mul64(hh, hl, P3H, P3L);
  hh = rh;
  hl = (rl ^ rh) >>> 0;
  return [hh, hl];
}
