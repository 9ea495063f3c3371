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

/** 2^-32: scales a product's high word down to units (exact in binary floating point). */
const TWO_M32 = 2.3283064365386963e-10;

/**
 * Start an XXH64 (seed 0) stripe state: the four accumulators as int32 bit
 * patterns [v1h, v1l, v2h, v2l, v3h, v3l, v4h, v4l] (spec: v1 = seed + P1 +
 * P2, v2 = seed + P2, v3 = seed, v4 = seed - P1).
 */
export function xxh64Init(acc: Int32Array): void {
  add64(P1H, P1L, P2H, P2L);
  acc[0] = rh;
  acc[1] = rl;
  acc[2] = P2H | 0;
  acc[3] = P2L | 0;
  acc[4] = 0;
  acc[5] = 0;
  // v4 = -P1 mod 2^64 = ~P1 + 1; the low word of P1 is non-zero, so no carry reaches the high word.
  acc[6] = ~P1H;
  acc[7] = -P1L | 0;
}

/**
 * Feed every whole 32-byte stripe of src[p, end) into `acc` (the spec's
 * round over the four lanes); returns where the unconsumed tail starts.
 * Callers may feed a growing buffer piecewise (zstd hashes each block right
 * after decoding it, while it is still in cache).
 *
 * Each round, acc = rotl(acc + lane * P2, 31) * P1, is written out over
 * int32 halves with the accumulators in locals: the low product word is
 * Math.imul, the high one adds the cross terms to the high 32 bits of the
 * low words' product. That high part comes from the double product a * b
 * (below 2^64, so off by at most 2^11 after rounding) minus the exact low
 * word, scaled by 2^-32: within 2^-20 of the integer, so Math.round gives it
 * exactly (cheaper than four 16-bit-limb Math.imul partials). The
 * carry out of the low-word sum is computed without a branch (the top bit of
 * (a & b) | ((a | b) & ~sum)): an unsigned compare there costs a
 * mispredicted branch on every other lane.
 */
export function xxh64Stripes(acc: Int32Array, src: Uint8Array, p: number, end: number): number {
  if (end - p < 32) return p;
  let v1h = acc[0];
  let v1l = acc[1];
  let v2h = acc[2];
  let v2l = acc[3];
  let v3h = acc[4];
  let v3l = acc[5];
  let v4h = acc[6];
  let v4l = acc[7];
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const limit = end - 32;
  let ll: number;
  let lh: number;
  let pl: number;
  let ph: number;
  let sl: number;
  let sh: number;
  let xh: number;
  let xl: number;
  while (p <= limit) {
    // Lane 1: v1 = rotl(v1 + lane * P2, 31) * P1.
    ll = view.getInt32(p + 0, true);
    lh = view.getInt32(p + 4, true);
    pl = Math.imul(ll, P2L);
    ph = Math.round(((ll >>> 0) * P2L - (pl >>> 0)) * TWO_M32) + Math.imul(ll, P2H) + Math.imul(lh, P2L);
    sl = (v1l + pl) | 0;
    sh = (v1h + ph + (((v1l & pl) | ((v1l | pl) & ~sl)) >>> 31)) | 0;
    xh = (sh << 31) | (sl >>> 1);
    xl = (sl << 31) | (sh >>> 1);
    v1l = Math.imul(xl, P1L);
    v1h = (Math.round(((xl >>> 0) * P1L - (v1l >>> 0)) * TWO_M32) + Math.imul(xl, P1H) + Math.imul(xh, P1L)) | 0;
    // Lane 2: v2 = rotl(v2 + lane * P2, 31) * P1.
    ll = view.getInt32(p + 8, true);
    lh = view.getInt32(p + 12, true);
    pl = Math.imul(ll, P2L);
    ph = Math.round(((ll >>> 0) * P2L - (pl >>> 0)) * TWO_M32) + Math.imul(ll, P2H) + Math.imul(lh, P2L);
    sl = (v2l + pl) | 0;
    sh = (v2h + ph + (((v2l & pl) | ((v2l | pl) & ~sl)) >>> 31)) | 0;
    xh = (sh << 31) | (sl >>> 1);
    xl = (sl << 31) | (sh >>> 1);
    v2l = Math.imul(xl, P1L);
    v2h = (Math.round(((xl >>> 0) * P1L - (v2l >>> 0)) * TWO_M32) + Math.imul(xl, P1H) + Math.imul(xh, P1L)) | 0;
    // Lane 3: v3 = rotl(v3 + lane * P2, 31) * P1.
    ll = view.getInt32(p + 16, true);
    lh = view.getInt32(p + 20, true);
    pl = Math.imul(ll, P2L);
    ph = Math.round(((ll >>> 0) * P2L - (pl >>> 0)) * TWO_M32) + Math.imul(ll, P2H) + Math.imul(lh, P2L);
    sl = (v3l + pl) | 0;
    sh = (v3h + ph + (((v3l & pl) | ((v3l | pl) & ~sl)) >>> 31)) | 0;
    xh = (sh << 31) | (sl >>> 1);
    xl = (sl << 31) | (sh >>> 1);
    v3l = Math.imul(xl, P1L);
    v3h = (Math.round(((xl >>> 0) * P1L - (v3l >>> 0)) * TWO_M32) + Math.imul(xl, P1H) + Math.imul(xh, P1L)) | 0;
    // Lane 4: v4 = rotl(v4 + lane * P2, 31) * P1.
    ll = view.getInt32(p + 24, true);
    lh = view.getInt32(p + 28, true);
    pl = Math.imul(ll, P2L);
    ph = Math.round(((ll >>> 0) * P2L - (pl >>> 0)) * TWO_M32) + Math.imul(ll, P2H) + Math.imul(lh, P2L);
    sl = (v4l + pl) | 0;
    sh = (v4h + ph + (((v4l & pl) | ((v4l | pl) & ~sl)) >>> 31)) | 0;
    xh = (sh << 31) | (sl >>> 1);
    xl = (sl << 31) | (sh >>> 1);
    v4l = Math.imul(xl, P1L);
    v4h = (Math.round(((xl >>> 0) * P1L - (v4l >>> 0)) * TWO_M32) + Math.imul(xl, P1H) + Math.imul(xh, P1L)) | 0;
    p += 32;
  }
  acc[0] = v1h;
  acc[1] = v1l;
  acc[2] = v2h;
  acc[3] = v2l;
  acc[4] = v3h;
  acc[5] = v3l;
  acc[6] = v4h;
  acc[7] = v4l;
  return p;
}

/** XXH64 of src[start, end) with seed 0, as [high, low] uint32 halves. */
export function xxhash64(src: Uint8Array, start = 0, end = src.length): [number, number] {
  const acc = new Int32Array(8);
  xxh64Init(acc);
  return xxh64Digest(acc, src, start, xxh64Stripes(acc, src, start, end), end);
}

/**
 * Finish the hash of src[start, end) whose whole stripes up to `p` are
 * already in `acc` (from xxh64Init and xxh64Stripes): merge the
 * accumulators (inputs of 32+ bytes), add the length, mix in the tail
 * (8-, 4- and 1-byte steps) and avalanche.
 */
export function xxh64Digest(acc: Int32Array, src: Uint8Array, start: number, p: number, end: number): [number, number] {
  const len = end - start;
  let hh: number;
  let hl: number;
  if (len >= 32) {
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
