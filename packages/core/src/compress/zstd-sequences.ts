import { fail } from "../errors.js";
import {
  type FseTable,
  PREDEFINED_LL,
  PREDEFINED_ML,
  PREDEFINED_OF,
  buildFseTable,
  readFseDistribution,
  rleFseTable,
} from "./zstd-fse.js";
import type { ZstdState } from "./zstd-state.js";

/** Section 3.1.1.3.2.1.1: literal length codes 0..35 -> baseline and extra bits. */
const LL_BASE = Int32Array.from([
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 20, 22, 24, 28, 32, 40, 48, 64, 128, 256, 512, 1024, 2048,
  4096, 8192, 16384, 32768, 65536,
]);
const LL_BITS = Uint8Array.from([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
]);
/** Section 3.1.1.3.2.1.1: match length codes 0..52 -> baseline and extra bits. */
const ML_BASE = Int32Array.from([
  3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34,
  35, 37, 39, 41, 43, 47, 51, 59, 67, 83, 99, 131, 259, 515, 1027, 2051, 4099, 8195, 16387, 32771, 65539,
]);
const ML_BITS = Uint8Array.from([
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 3, 3,
  4, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
]);
const MAX_LL = 35;
const MAX_ML = 52;
/** The reference decoder accepts offset codes up to 31 (offsets below 2^32). */
const MAX_OF = 31;
const LL_LOG = 9;
const ML_LOG = 9;
const OF_LOG = 8;

/**
 * Derive (once per table) the packed entries executeSequences reads; see
 * FseTable.seqNext / seqValue. `base`/`bits` map a code to its baseline and
 * extra bits (LL, ML); without them the value is the code itself (OF).
 */
function seqEntries(t: FseTable, base: Int32Array | null, bits: Uint8Array | null): void {
  if (t.seqNext) return;
  const size = t.symbol.length;
  const next = new Int32Array(size);
  const value = new Int32Array(size);
  for (let u = 0; u < size; u++) {
    const sym = t.symbol[u];
    next[u] = (t.baseline[u] << 8) | t.nbBits[u];
    value[u] = base && bits ? (base[sym] << 5) | bits[sym] : sym;
  }
  t.seqNext = next;
  t.seqValue = value;
}

/**
 * Read one Symbol_Compression_Mode's table (section 3.1.1.3.2.1):
 * 0 predefined, 1 RLE (one byte), 2 FSE description, 3 repeat the previous.
 */
function selectTable(
  st: ZstdState,
  mode: number,
  pos: number,
  end: number,
  maxSymbol: number,
  maxLog: number,
  predefined: FseTable,
  previous: FseTable | null,
  out: { table: FseTable; pos: number },
): void {
  const format = st.format;
  if (mode === 0) {
    out.table = predefined;
    out.pos = pos;
  } else if (mode === 1) {
    if (pos >= end) fail("TRUNCATED", format, "RLE sequence symbol is missing", { offset: pos });
    const s = st.input[pos];
    if (s > maxSymbol) fail("CORRUPT", format, `RLE sequence symbol ${s} > ${maxSymbol}`, { offset: pos });
    out.table = rleFseTable(s);
    out.pos = pos + 1;
  } else if (mode === 2) {
    const d = readFseDistribution(st.input, pos, end, maxSymbol, maxLog, format);
    out.table = buildFseTable(d.norm, d.symbols, d.accuracyLog, format, pos);
    out.pos = pos + d.bytes;
  } else {
    if (!previous) fail("CORRUPT", format, "repeat mode without a previous sequence table", { offset: pos });
    out.table = previous;
    out.pos = pos;
  }
}

/**
 * Decode the Sequences_Section at input[pos, end) and execute it against the
 * block's literals (sections 3.1.1.3.2, 3.1.1.4, 3.1.1.5), appending to st.out.
 */
export function decodeSequences(st: ZstdState, pos: number, end: number): void {
  const src = st.input;
  const format = st.format;
  if (pos >= end) fail("TRUNCATED", format, "sequences section header is missing", { offset: pos });
  let nbSeq = src[pos++];
  if (nbSeq >= 128) {
    if (nbSeq < 255) {
      if (pos >= end) fail("TRUNCATED", format, "sequence count is truncated", { offset: pos });
      nbSeq = ((nbSeq - 128) << 8) + src[pos++];
    } else {
      if (pos + 2 > end) fail("TRUNCATED", format, "sequence count is truncated", { offset: pos });
      nbSeq = src[pos] + (src[pos + 1] << 8) + 0x7f00;
      pos += 2;
    }
  }
  if (nbSeq === 0) {
    // No sequences: the block is its literals (the reference rejects trailing bytes).
    if (pos !== end) fail("CORRUPT", format, "bytes after an empty sequences section", { offset: pos });
    copyLiterals(st, st.litEnd - st.litStart, pos);
    return;
  }
  if (pos >= end) fail("TRUNCATED", format, "symbol compression modes are missing", { offset: pos });
  const modes = src[pos++];
  if (modes & 3) fail("CORRUPT", format, "reserved bits of the compression modes are set", { offset: pos - 1 });
  const sel = { table: PREDEFINED_LL, pos };
  selectTable(st, modes >>> 6, sel.pos, end, MAX_LL, LL_LOG, PREDEFINED_LL, st.llTable, sel);
  const ll = sel.table;
  selectTable(st, (modes >>> 4) & 3, sel.pos, end, MAX_OF, OF_LOG, PREDEFINED_OF, st.ofTable, sel);
  const of = sel.table;
  selectTable(st, (modes >>> 2) & 3, sel.pos, end, MAX_ML, ML_LOG, PREDEFINED_ML, st.mlTable, sel);
  const ml = sel.table;
  st.llTable = ll;
  st.ofTable = of;
  st.mlTable = ml;
  pos = sel.pos;
  seqEntries(ll, LL_BASE, LL_BITS);
  seqEntries(ml, ML_BASE, ML_BITS);
  seqEntries(of, null, null);
  executeSequences(st, pos, end, nbSeq, ll, of, ml);
}

/**
 * The hot loop: decode each sequence from the backward bit stream and
 * execute it at once. The bit reader's state lives in locals here (a
 * 32-bit container refilled with whole bytes to at least 25 bits, zeros
 * past the start counted in `padded`), which is what makes it fast.
 */
function executeSequences(
  st: ZstdState,
  pos: number,
  end: number,
  nbSeq: number,
  ll: FseTable,
  of: FseTable,
  ml: FseTable,
): void {
  const format = st.format;
  const br = st.bits;
  br.init(pos, end, format);
  // Section 3.1.1.3.2.2: initial states in the order LL, OF, ML.
  let llState = br.read(ll.accuracyLog);
  let ofState = br.read(of.accuracyLog);
  let mlState = br.read(ml.accuracyLog);
  const src = st.input;
  const sv = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const start = br.start;
  let ptr = br.ptr;
  let bits = br.bits;
  let nbits = br.nbits;
  let padded = br.padded;

  // Set by seqEntries before the call.
  const llNext = ll.seqNext as Int32Array;
  const llValue = ll.seqValue as Int32Array;
  const ofNext = of.seqNext as Int32Array;
  const ofValue0 = of.seqValue as Int32Array;
  const mlNext = ml.seqNext as Int32Array;
  const mlValue = ml.seqValue as Int32Array;

  const out = st.out;
  let op = st.op;
  const limit = st.blockLimit;
  const frameStart = st.frameStart;
  const lit = st.litSrc;
  let litPos = st.litStart;
  const litEnd = st.litEnd;
  let rep1 = st.rep1;
  let rep2 = st.rep2;
  let rep3 = st.rep3;
  const outLen = out.length;
  const ov = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const lv = new DataView(lit.buffer, lit.byteOffset, lit.byteLength);
  const litCap = lit.length;

  for (let i = 0; i < nbSeq; i++) {
    const ofCode = ofValue0[ofState];
    const mlEntry = mlValue[mlState];
    const llEntry = llValue[llState];
    // Section 3.1.1.3.2.2: extra bits in the order offset, match length, literal length.
    let ofValue: number;
    if (nbits < 25) {
      if (nbits <= 24) {
        if (ptr - start >= 4) {
          // Whole bytes at once: the top 8k bits of the 4 bytes below ptr.
          const k = (32 - nbits) >>> 3;
          const w = sv.getUint32(ptr - 4, true);
          ptr -= k;
          bits = k === 4 ? w : (bits << (8 * k)) | (w >>> (32 - 8 * k));
          nbits += 8 * k;
        } else {
          while (nbits <= 24) {
            if (ptr > start) bits = (bits << 8) | src[--ptr];
            else {
              bits <<= 8;
              padded += 8;
            }
            nbits += 8;
          }
        }
      }
    }
    if (ofCode <= 24) {
      nbits -= ofCode;
      ofValue = (1 << ofCode) + ((bits >>> nbits) & ((1 << ofCode) - 1));
    } else {
      // Offset codes above 24 (windows past 16 MiB): high part, refill, low 16 bits.
      const hiBits = ofCode - 16;
      nbits -= hiBits;
      const hi = (bits >>> nbits) & ((1 << hiBits) - 1);
      if (nbits <= 24) {
        if (ptr - start >= 4) {
          // Whole bytes at once: the top 8k bits of the 4 bytes below ptr.
          const k = (32 - nbits) >>> 3;
          const w = sv.getUint32(ptr - 4, true);
          ptr -= k;
          bits = k === 4 ? w : (bits << (8 * k)) | (w >>> (32 - 8 * k));
          nbits += 8 * k;
        } else {
          while (nbits <= 24) {
            if (ptr > start) bits = (bits << 8) | src[--ptr];
            else {
              bits <<= 8;
              padded += 8;
            }
            nbits += 8;
          }
        }
      }
      nbits -= 16;
      ofValue = 2 ** ofCode + hi * 65536 + ((bits >>> nbits) & 0xffff);
    }
    let n = mlEntry & 31;
    if (nbits < n) {
      if (nbits <= 24) {
        if (ptr - start >= 4) {
          // Whole bytes at once: the top 8k bits of the 4 bytes below ptr.
          const k = (32 - nbits) >>> 3;
          const w = sv.getUint32(ptr - 4, true);
          ptr -= k;
          bits = k === 4 ? w : (bits << (8 * k)) | (w >>> (32 - 8 * k));
          nbits += 8 * k;
        } else {
          while (nbits <= 24) {
            if (ptr > start) bits = (bits << 8) | src[--ptr];
            else {
              bits <<= 8;
              padded += 8;
            }
            nbits += 8;
          }
        }
      }
    }
    nbits -= n;
    const matchLen = (mlEntry >>> 5) + ((bits >>> nbits) & ((1 << n) - 1));
    n = llEntry & 31;
    if (nbits < n) {
      if (nbits <= 24) {
        if (ptr - start >= 4) {
          // Whole bytes at once: the top 8k bits of the 4 bytes below ptr.
          const k = (32 - nbits) >>> 3;
          const w = sv.getUint32(ptr - 4, true);
          ptr -= k;
          bits = k === 4 ? w : (bits << (8 * k)) | (w >>> (32 - 8 * k));
          nbits += 8 * k;
        } else {
          while (nbits <= 24) {
            if (ptr > start) bits = (bits << 8) | src[--ptr];
            else {
              bits <<= 8;
              padded += 8;
            }
            nbits += 8;
          }
        }
      }
    }
    nbits -= n;
    const litLen = (llEntry >>> 5) + ((bits >>> nbits) & ((1 << n) - 1));
    if (i + 1 < nbSeq) {
      // State updates in the order LL, ML, OF (together at most 26 bits); the last sequence has none.
      if (nbits < 26) {
        if (nbits <= 24) {
          if (ptr - start >= 4) {
            // Whole bytes at once: the top 8k bits of the 4 bytes below ptr.
            const k = (32 - nbits) >>> 3;
            const w = sv.getUint32(ptr - 4, true);
            ptr -= k;
            bits = k === 4 ? w : (bits << (8 * k)) | (w >>> (32 - 8 * k));
            nbits += 8 * k;
          } else {
            while (nbits <= 24) {
              if (ptr > start) bits = (bits << 8) | src[--ptr];
              else {
                bits <<= 8;
                padded += 8;
              }
              nbits += 8;
            }
          }
        }
      }
      let e = llNext[llState];
      n = e & 255;
      nbits -= n;
      llState = (e >>> 8) + ((bits >>> nbits) & ((1 << n) - 1));
      e = mlNext[mlState];
      n = e & 255;
      nbits -= n;
      mlState = (e >>> 8) + ((bits >>> nbits) & ((1 << n) - 1));
      e = ofNext[ofState];
      n = e & 255;
      if (nbits < n) {
        if (nbits <= 24) {
          if (ptr - start >= 4) {
            // Whole bytes at once: the top 8k bits of the 4 bytes below ptr.
            const k = (32 - nbits) >>> 3;
            const w = sv.getUint32(ptr - 4, true);
            ptr -= k;
            bits = k === 4 ? w : (bits << (8 * k)) | (w >>> (32 - 8 * k));
            nbits += 8 * k;
          } else {
            while (nbits <= 24) {
              if (ptr > start) bits = (bits << 8) | src[--ptr];
              else {
                bits <<= 8;
                padded += 8;
              }
              nbits += 8;
            }
          }
        }
      }
      nbits -= n;
      ofState = (e >>> 8) + ((bits >>> nbits) & ((1 << n) - 1));
    }
    // Section 3.1.1.5: offset values 1..3 are repeat offsets, shifted by one when litLen is 0.
    let offset: number;
    if (ofValue > 3) {
      offset = ofValue - 3;
      rep3 = rep2;
      rep2 = rep1;
      rep1 = offset;
    } else {
      const idx = litLen === 0 ? ofValue : ofValue - 1;
      if (idx === 0) offset = rep1;
      else if (idx === 1) {
        offset = rep2;
        rep2 = rep1;
        rep1 = offset;
      } else {
        offset = idx === 2 ? rep3 : rep1 - 1;
        if (offset === 0) fail("CORRUPT", format, "repeat offset 'rep1 - 1' is zero", { offset: pos });
        rep3 = rep2;
        rep2 = rep1;
        rep1 = offset;
      }
    }
    // Section 3.1.1.4: copy litLen literals, then matchLen bytes from offset back.
    if (litLen > litEnd - litPos) fail("CORRUPT", format, "sequence uses more literals than decoded", { offset: pos });
    if (litLen + matchLen > limit - op) blockOverflow(st, pos);
    if (litLen <= 16 && op + 16 <= outLen && litPos + 16 <= litCap) {
      // Short literal runs: four unaligned 32-bit moves; bytes past litLen are
      // scratch that the next sequence overwrites ("wild copy", as the reference does).
      ov.setUint32(op, lv.getUint32(litPos, true), true);
      ov.setUint32(op + 4, lv.getUint32(litPos + 4, true), true);
      ov.setUint32(op + 8, lv.getUint32(litPos + 8, true), true);
      ov.setUint32(op + 12, lv.getUint32(litPos + 12, true), true);
      op += litLen;
      litPos += litLen;
    } else if (litLen <= 64 && litLen + 4 <= outLen - op && litPos + litLen + 4 <= litCap) {
      const stop = op + litLen;
      while (op < stop) {
        ov.setUint32(op, lv.getUint32(litPos, true), true);
        op += 4;
        litPos += 4;
      }
      litPos -= op - stop;
      op = stop;
    } else if (litLen > 64) {
      out.set(lit.subarray(litPos, litPos + litLen), op);
      op += litLen;
      litPos += litLen;
    } else {
      const stop = op + litLen;
      while (op < stop) out[op++] = lit[litPos++];
    }
    if (offset > op - frameStart) fail("CORRUPT", format, `match offset ${offset} reaches before the frame`, { offset: pos });
    let ref = op - offset;
    if (offset >= 4 && matchLen <= 16 && op + 16 <= outLen) {
      // 32-bit moves are exact for offsets >= 4 (each reads only bytes already
      // written, so repeating patterns come out right); bytes past matchLen are scratch.
      ov.setUint32(op, ov.getUint32(ref, true), true);
      ov.setUint32(op + 4, ov.getUint32(ref + 4, true), true);
      ov.setUint32(op + 8, ov.getUint32(ref + 8, true), true);
      ov.setUint32(op + 12, ov.getUint32(ref + 12, true), true);
      op += matchLen;
    } else if (offset >= 4 && (matchLen <= 64 || offset < matchLen) && matchLen + 4 <= outLen - op) {
      const stop = op + matchLen;
      while (op < stop) {
        ov.setUint32(op, ov.getUint32(ref, true), true);
        op += 4;
        ref += 4;
      }
      op = stop;
    } else if (offset >= matchLen) {
      out.copyWithin(op, ref, ref + matchLen);
      op += matchLen;
    } else if (matchLen <= 32) {
      const stop = op + matchLen;
      while (op < stop) out[op++] = out[ref++];
    } else {
      // Overlapping match with a short period: the pattern repeats every
      // `offset` bytes, so copy from its start in doubling chunks.
      const stop = op + matchLen;
      while (op < stop) {
        const n = Math.min(op - ref, stop - op);
        out.copyWithin(op, ref, ref + n);
        op += n;
      }
    }
  }
  // The stream must end exactly where the last sequence's bits do.
  if (nbits - padded + (ptr - start) * 8 !== 0) {
    fail("CORRUPT", format, "sequence bit stream is not consumed exactly", { offset: pos });
  }
  st.op = op;
  st.litStart = litPos;
  st.rep1 = rep1;
  st.rep2 = rep2;
  st.rep3 = rep3;
  copyLiterals(st, litEnd - litPos, pos);
}

/** Append the block's last `n` literals (section 3.1.1.4: literals left after the last sequence). */
function copyLiterals(st: ZstdState, n: number, pos: number): void {
  if (n > st.blockLimit - st.op) blockOverflow(st, pos);
  // Literals that readLiterals decoded in place are already there.
  if (st.litSrc !== st.out || st.litStart !== st.op) st.out.set(st.litSrc.subarray(st.litStart, st.litStart + n), st.op);
  st.op += n;
  st.litStart += n;
}

function blockOverflow(st: ZstdState, offset: number): never {
  if (st.blockLimitIsMaxOutput) fail("LIMIT", st.format, `output exceeds the limit of ${st.maxOutput} bytes`, { offset });
  fail("CORRUPT", st.format, "block regenerates more than its frame or block maximum allows", { offset });
}
