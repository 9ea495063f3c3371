import { fail } from "../errors.js";
import { BackwardBitReader, highBit } from "./zstd-bits.js";
import { buildFseTable, readFseDistribution } from "./zstd-fse.js";

/** Section 4.2.1: Huffman codes of literals are at most 11 bits long. */
const MAX_HUFFMAN_BITS = 11;

/**
 * A Huffman decoding table (RFC 8878 section 4.2): indexed by the next
 * `maxBits` bits of the stream; each entry is `symbol << 4 | codeLength`.
 */
export interface HuffmanTable {
  readonly maxBits: number;
  readonly entries: Uint16Array;
}

/** The parsed tree description and how many bytes of input it took. */
export interface HuffmanTree {
  readonly table: HuffmanTable;
  readonly bytes: number;
}

/**
 * Read a Huffman tree description (section 4.2.1) at src[pos, end) and
 * build its decoding table. The header byte either counts FSE-compressed
 * weight bytes (< 128) or gives the number of 4-bit weights (>= 128).
 */
export function readHuffmanTree(src: Uint8Array, pos: number, end: number, format: string): HuffmanTree {
  if (pos >= end) fail("TRUNCATED", format, "Huffman tree description is missing", { offset: pos });
  const header = src[pos];
  const weights = new Uint8Array(256);
  let count: number;
  let bytes: number;
  if (header < 128) {
    bytes = 1 + header;
    if (pos + bytes > end) fail("TRUNCATED", format, "Huffman weights are truncated", { offset: pos });
    count = decodeFseWeights(src, pos + 1, pos + bytes, weights, format);
  } else {
    count = header - 127;
    bytes = 1 + ((count + 1) >>> 1);
    if (pos + bytes > end) fail("TRUNCATED", format, "Huffman weights are truncated", { offset: pos });
    // Section 4.2.1.1: two weights per byte, the first in the high nibble.
    for (let i = 0; i < count; i++) {
      const b = src[pos + 1 + (i >>> 1)];
      weights[i] = i & 1 ? b & 15 : b >>> 4;
    }
  }
  return { table: buildHuffmanTable(weights, count, pos, format), bytes };
}

/**
 * Section 4.2.1.2: weights compressed with FSE (accuracy log <= 6), decoded
 * with two interleaved states sharing one backward bit stream until it runs
 * out. Returns how many weights were decoded.
 */
function decodeFseWeights(src: Uint8Array, start: number, end: number, weights: Uint8Array, format: string): number {
  const dist = readFseDistribution(src, start, end, 255, 6, format);
  const table = buildFseTable(dist.norm, dist.symbols, dist.accuracyLog, format);
  const br = new BackwardBitReader(src);
  br.init(start + dist.bytes, end, format);
  const { symbol, nbBits, baseline } = table;
  let s1 = br.read(dist.accuracyLog);
  let s2 = br.read(dist.accuracyLog);
  let n = 0;
  // The reference behaviour: after each state update, a reader that went past
  // the start means the stream is done; the other state still holds one symbol.
  for (;;) {
    if (n >= 255) fail("CORRUPT", format, "too many Huffman weights", { offset: start });
    weights[n++] = symbol[s1];
    s1 = baseline[s1] + br.read(nbBits[s1]);
    if (br.remaining() < 0) {
      weights[n++] = symbol[s2];
      break;
    }
    if (n >= 255) fail("CORRUPT", format, "too many Huffman weights", { offset: start });
    weights[n++] = symbol[s2];
    s2 = baseline[s2] + br.read(nbBits[s2]);
    if (br.remaining() < 0) {
      weights[n++] = symbol[s1];
      break;
    }
  }
  return n;
}

/**
 * Section 4.2.1.3: the last symbol's weight is implied (it completes the
 * sum of 2^(w-1) to a power of two); code length = maxBits + 1 - weight.
 * Codes are assigned by increasing weight, then symbol value, so the table
 * is filled in that order with 2^(w-1) entries per symbol.
 */
function buildHuffmanTable(weights: Uint8Array, count: number, offset: number, format: string): HuffmanTable {
  const corrupt = (why: string): never => fail("CORRUPT", format, `invalid Huffman tree (${why})`, { offset });
  if (count >= 256) corrupt("more than 255 explicit weights");
  let total = 0;
  for (let i = 0; i < count; i++) {
    const w = weights[i];
    if (w > MAX_HUFFMAN_BITS) corrupt(`weight ${w}`);
    if (w > 0) total += 1 << (w - 1);
  }
  if (total === 0) corrupt("all weights are zero");
  const maxBits = highBit(total) + 1;
  if (maxBits > MAX_HUFFMAN_BITS) corrupt(`code length ${maxBits} > ${MAX_HUFFMAN_BITS}`);
  const rest = (1 << maxBits) - total;
  if ((rest & (rest - 1)) !== 0) corrupt("weights do not complete a power of two");
  weights[count] = highBit(rest) + 1;
  const symbols = count + 1;
  const rankCount = new Uint16Array(MAX_HUFFMAN_BITS + 2);
  for (let i = 0; i < symbols; i++) rankCount[weights[i]]++;
  const rankStart = new Uint32Array(MAX_HUFFMAN_BITS + 2);
  let next = 0;
  for (let w = 1; w <= maxBits; w++) {
    rankStart[w] = next;
    next += rankCount[w] << (w - 1);
  }
  const entries = new Uint16Array(1 << maxBits);
  for (let s = 0; s < symbols; s++) {
    const w = weights[s];
    if (w === 0) continue;
    const len = 1 << (w - 1);
    const e = (s << 4) | (maxBits + 1 - w);
    const at = rankStart[w];
    entries.fill(e, at, at + len);
    rankStart[w] = at + len;
  }
  return { maxBits, entries };
}

/** Absolute index of a backward stream's end-marker bit (section 4.1): its data bits lie below it. */
function markerBit(src: Uint8Array, start: number, end: number, format: string): number {
  if (end <= start) fail("CORRUPT", format, "empty Huffman stream", { offset: start });
  const last = src[end - 1];
  if (last === 0) fail("CORRUPT", format, "Huffman stream has no end marker", { offset: end - 1 });
  return (end - 1) * 8 + highBit(last);
}

/**
 * Decode one Huffman-coded stream br.src[start, end) into out[op, op + n)
 * (section 4.2.2): peek maxBits bits, emit the entry's symbol, consume its
 * code length. The stream must be consumed exactly.
 */
export function decodeHuffmanStream(
  start: number,
  end: number,
  table: HuffmanTable,
  out: Uint8Array,
  op: number,
  n: number,
  br: BackwardBitReader,
  format: string,
): void {
  decodeFrom(start, markerBit(br.src, start, end, format), table, out, op, op + n, br, format);
}

/**
 * Section 3.1.1.3.1.6: the four streams of a literals section, [a, b),
 * [b, c), [c, d), [d, e), regenerating `seg` bytes each but the last, into
 * out[base, base + regen). They
 * are independent, so the bulk of them is decoded interleaved (four
 * dependency chains the CPU overlaps); each stream's end is finished alone.
 */
export function decodeHuffman4(
  bounds: readonly [number, number, number, number, number],
  table: HuffmanTable,
  out: Uint8Array,
  base: number,
  seg: number,
  regen: number,
  br: BackwardBitReader,
  format: string,
): void {
  const [a, b, c, d, e] = bounds;
  const src = br.src;
  let bp1 = markerBit(src, a, b, format);
  let bp2 = markerBit(src, b, c, format);
  let bp3 = markerBit(src, c, d, format);
  let bp4 = markerBit(src, d, e, format);
  const low1 = (a + 3) * 8;
  const low2 = (b + 3) * 8;
  const low3 = (c + 3) * 8;
  const low4 = (d + 3) * 8;
  // The four streams advance in lockstep, two symbols per round, so one
  // index serves all: stream k writes out[op + (k - 1) * seg]. Stream 4 is
  // the shortest. A round may start while every stream has at least 24
  // bits above its first byte (bp >= low); each round takes at most
  // 2 * maxBits bits, so a batch of rounds is checked once up front and
  // runs without per-round bounds tests (fewer live values, too).
  let op = base;
  const stop4 = base + regen - 3 * seg;
  const seg2 = 2 * seg;
  const seg3 = 3 * seg;
  const { maxBits, entries } = table;
  const mask = (1 << maxBits) - 1;
  const perRound = 2 * maxBits;
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  for (;;) {
    const slack = Math.min(bp1 - low1, bp2 - low2, bp3 - low3, bp4 - low4);
    let rounds = Math.min(slack < 0 ? 0 : Math.floor(slack / perRound) + 1, (stop4 - op) >>> 1);
    if (stop4 - op < 2) rounds = 0;
    if (rounds <= 0) break;
    for (; rounds > 0; rounds--) {
      let q = (bp1 >>> 3) - 3;
      let w = view.getUint32(q, true);
      let sh = bp1 - 8 * q;
      let x = entries[(w >>> (sh - maxBits)) & mask];
      out[op] = x >>> 4;
      sh -= x & 15;
      x = entries[(w >>> (sh - maxBits)) & mask];
      out[op + 1] = x >>> 4;
      bp1 = 8 * q + sh - (x & 15);

      q = (bp2 >>> 3) - 3;
      w = view.getUint32(q, true);
      sh = bp2 - 8 * q;
      x = entries[(w >>> (sh - maxBits)) & mask];
      out[op + seg] = x >>> 4;
      sh -= x & 15;
      x = entries[(w >>> (sh - maxBits)) & mask];
      out[op + seg + 1] = x >>> 4;
      bp2 = 8 * q + sh - (x & 15);

      q = (bp3 >>> 3) - 3;
      w = view.getUint32(q, true);
      sh = bp3 - 8 * q;
      x = entries[(w >>> (sh - maxBits)) & mask];
      out[op + seg2] = x >>> 4;
      sh -= x & 15;
      x = entries[(w >>> (sh - maxBits)) & mask];
      out[op + seg2 + 1] = x >>> 4;
      bp3 = 8 * q + sh - (x & 15);

      q = (bp4 >>> 3) - 3;
      w = view.getUint32(q, true);
      sh = bp4 - 8 * q;
      x = entries[(w >>> (sh - maxBits)) & mask];
      out[op + seg3] = x >>> 4;
      sh -= x & 15;
      x = entries[(w >>> (sh - maxBits)) & mask];
      out[op + seg3 + 1] = x >>> 4;
      bp4 = 8 * q + sh - (x & 15);
      op += 2;
    }
  }
  const op1 = op;
  const op2 = op + seg;
  const op3 = op + seg2;
  const op4 = op + seg3;
  decodeFrom(a, bp1, table, out, op1, base + seg, br, format);
  decodeFrom(b, bp2, table, out, op2, base + 2 * seg, br, format);
  decodeFrom(c, bp3, table, out, op3, base + 3 * seg, br, format);
  decodeFrom(d, bp4, table, out, op4, base + regen, br, format);
}

/** Decode out[op, stop) from a stream starting at byte `start` with `bp` bits left; it must end exactly there. */
function decodeFrom(
  start: number,
  bp: number,
  table: HuffmanTable,
  out: Uint8Array,
  op: number,
  stop: number,
  br: BackwardBitReader,
  format: string,
): void {
  const src = br.src;
  const { maxBits, entries } = table;
  const mask = (1 << maxBits) - 1;
  // Fast path: one unaligned 32-bit load per two symbols. The load at byte
  // q = (bp >> 3) - 3 holds bits [8q, 8q + 32), and bp - 8q >= 24 covers two
  // codes of at most 11 bits. It runs while q stays inside the stream.
  const low = (start + 3) * 8;
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  while (op + 1 < stop && bp >= low) {
    const q = (bp >>> 3) - 3;
    const w = view.getUint32(q, true);
    const sh = bp - 8 * q;
    let e = entries[(w >>> (sh - maxBits)) & mask];
    out[op++] = e >>> 4;
    const sh2 = sh - (e & 15);
    e = entries[(w >>> (sh2 - maxBits)) & mask];
    out[op++] = e >>> 4;
    bp = 8 * q + sh2 - (e & 15);
  }
  // The last few bytes of the stream: the general reader (zeros past the start).
  br.seek(start, bp);
  while (op < stop) {
    if (br.nbits < maxBits) br.refill();
    const e = entries[(br.bits >>> (br.nbits - maxBits)) & mask];
    out[op++] = e >>> 4;
    br.nbits -= e & 15;
  }
  if (br.remaining() !== 0) fail("CORRUPT", format, "Huffman stream is not consumed exactly", { offset: start });
}
