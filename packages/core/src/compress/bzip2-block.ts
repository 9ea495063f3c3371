import type { Bzip2BitReader } from "./bzip2-bits.js";
import { FAST_BITS, HuffmanTables, MAX_CODE_LEN, MAX_GROUPS } from "./bzip2-huffman.js";

/** Symbols per selector (each selector picks the table for the next 50 symbols). */
const GROUP_SIZE = 50;
/**
 * Selectors kept per block: 900000 / 50 + 2, as bzip2 1.0.8 keeps. A
 * stream may declare up to 32767 (some encoders pad); the surplus is read
 * and ignored, exactly like the reference decoder since 1.0.8.
 */
export const MAX_SELECTORS = 18002;
/**
 * Room above the block's capacity for the two-level MTF list: every move to
 * front lowers group 0's base by at most one and a block makes at most
 * `capacity` + 1 moves before its size check fails, so with this much room
 * the groups never reach index 0 and never need compacting. (A compaction
 * step would be a path the hot loop takes rarely, and V8's optimised code
 * for the loop gives up at such a never-before-taken path; it did, once per
 * block.)
 */
const MTF_ROOM = 512;

/**
 * Per-decoder scratch for the entropy stage of a block: Huffman tables,
 * selectors, the MTF list and the byte counts the inverse BWT needs.
 */
export class BlockDecoder {
  readonly tables = new HuffmanTables();
  readonly selectors = new Uint8Array(MAX_SELECTORS);
  /** Occurrences of each byte value in the block (the BWT's first column). */
  readonly counts = new Int32Array(256);
  private readonly seqToByte = new Uint8Array(256);
  /** The MTF list, two-level: 16 groups of 16 bytes inside an area they drift down through (see MTF_ROOM). */
  private mtfa = new Uint8Array(0);
  private readonly mtfBase = new Int32Array(16);
  private readonly groupMtf = new Uint8Array(MAX_GROUPS);

  /**
   * Read a block's entropy-coded part (after origPtr) and undo the Huffman,
   * RUNA/RUNB and move-to-front stages, writing the block's BWT output (one
   * byte per entry, low 8 bits) into `tt`. Returns the block length.
   *
   * `capacity` bounds the block: the level's 100k * level (then exceeding it
   * is CORRUPT), or less when the caller's output limit allows less (then
   * LIMIT).
   */
  decode(br: Bzip2BitReader, tt: Uint32Array, capacity: number, levelMax: number): number {
    // Symbol map (spec: 16 "in use" bits for ranges of 16 byte values, then
    // 16 bits for each range marked): which byte values occur, in order.
    const seqToByte = this.seqToByte;
    const used16 = br.bits(16);
    let nInUse = 0;
    for (let i = 0; i < 16; i++) {
      if (((used16 >>> (15 - i)) & 1) === 0) continue;
      const bits = br.bits(16);
      for (let j = 0; j < 16; j++) if ((bits >>> (15 - j)) & 1) seqToByte[nInUse++] = i * 16 + j;
    }
    if (nInUse === 0) br.fail("CORRUPT", "block uses no byte values");
    const alphaSize = nInUse + 2;

    const nGroups = br.bits(3);
    if (nGroups < 2 || nGroups > MAX_GROUPS) br.fail("CORRUPT", `${nGroups} Huffman tables (must be 2..6)`);
    const nSelectors = br.bits(15);
    if (nSelectors < 1) br.fail("CORRUPT", "block has no selectors");

    // Selectors: unary-coded MTF indices over the table numbers.
    const groupMtf = this.groupMtf;
    for (let i = 0; i < nGroups; i++) groupMtf[i] = i;
    const selectors = this.selectors;
    for (let i = 0; i < nSelectors; i++) {
      let j = 0;
      while (br.bit() === 1) {
        j++;
        if (j >= nGroups) br.fail("CORRUPT", "selector names a table that does not exist");
      }
      const v = groupMtf[j];
      for (; j > 0; j--) groupMtf[j] = groupMtf[j - 1];
      groupMtf[0] = v;
      if (i < MAX_SELECTORS) selectors[i] = v;
    }
    const keptSelectors = Math.min(nSelectors, MAX_SELECTORS);

    const tables = this.tables;
    for (let g = 0; g < nGroups; g++) tables.readGroup(br, g, alphaSize);

    return this.decodeSymbols(br, tt, capacity, levelMax, nInUse, keptSelectors);
  }

  private decodeSymbols(br: Bzip2BitReader, tt: Uint32Array, capacity: number, levelMax: number, nInUse: number, nSelectors: number): number {
    const { fast, limit, offset, sorted, maxLen, usable } = this.tables;
    const selectors = this.selectors;
    const counts = this.counts;
    counts.fill(0);
    // The MTF list as 16 groups of 16 (see MTF_ROOM); group g starts at
    // mtfBase[g] and the list's front is mtfa[mtfBase[0]].
    const mtfSize = capacity + MTF_ROOM;
    if (this.mtfa.length < mtfSize) this.mtfa = new Uint8Array(mtfSize);
    const mtfa = this.mtfa;
    const mtfBase = this.mtfBase;
    const seqToByte = this.seqToByte;
    for (let g = 0; g < 16; g++) {
      const at = mtfSize - 256 + g * 16;
      mtfBase[g] = at;
      for (let j = 0; j < 16; j++) mtfa[at + j] = seqToByte[g * 16 + j];
    }
    const eob = nInUse + 1;
    const input = br.input;
    const inLen = input.length;
    const padEnd = inLen + 4;

    let pos = br.pos;
    let bitBuf = br.bitBuf;
    let bitCount = br.bitCount;
    let nblock = 0;
    let runAcc = 0;
    let runWeight = 1;
    let selIndex = 0;
    let left = 0;
    let fastBase = 0;
    let lenBase = 0;
    let symBase = 0;
    let groupMax = 0;

    for (;;) {
      if (left === 0) {
        if (selIndex >= nSelectors) {
          br.sync(pos, bitBuf, bitCount);
          br.fail("CORRUPT", "block runs past its last selector");
        }
        const g = selectors[selIndex++];
        if (!usable[g]) {
          br.sync(pos, bitBuf, bitCount);
          br.fail("CORRUPT", "selected Huffman table over-subscribes the code space");
        }
        fastBase = g << FAST_BITS;
        lenBase = g * (MAX_CODE_LEN + 1);
        symBase = g * 258;
        groupMax = maxLen[g];
        left = GROUP_SIZE;
      }
      left--;

      // Ensure 20 bits are buffered (the longest code); past the input end
      // shift in zeros, and give up a few bytes later (TRUNCATED).
      if (bitCount < MAX_CODE_LEN) {
        if (pos + 3 <= inLen) {
          // 1..3 whole bytes in one go, enough for 20 bits (k * 8 <= 24 keeps the shift in range).
          const k = (31 - bitCount) >>> 3;
          const w = (input[pos] << 16) | (input[pos + 1] << 8) | input[pos + 2];
          bitBuf = (bitBuf << (8 * k)) | (w >>> (24 - 8 * k));
          pos += k;
          bitCount += 8 * k;
        } else {
          do {
            if (pos < inLen) bitBuf = (bitBuf << 8) | input[pos];
            else {
              if (pos >= padEnd) {
                br.sync(pos, bitBuf, bitCount);
                br.truncated();
              }
              bitBuf <<= 8;
            }
            pos++;
            bitCount += 8;
          } while (bitCount <= 24);
        }
      }

      let sym: number;
      const e = fast[fastBase + ((bitBuf >>> (bitCount - FAST_BITS)) & ((1 << FAST_BITS) - 1))];
      if (e !== 0) {
        bitCount -= e & 31;
        sym = e >>> 5;
      } else {
        sym = -1;
        for (let l = FAST_BITS + 1; l <= groupMax; l++) {
          const v = (bitBuf >>> (bitCount - l)) & ((1 << l) - 1);
          if (v < limit[lenBase + l]) {
            sym = sorted[symBase + v + offset[lenBase + l]];
            bitCount -= l;
            break;
          }
        }
        if (sym < 0) {
          br.sync(pos, bitBuf, bitCount);
          br.fail("CORRUPT", "bit pattern matches no Huffman code");
        }
      }

      if (sym <= 1) {
        // RUNA (0) / RUNB (1): bijective base-2 digits of a run length of
        // the byte at the front of the MTF list, least significant first.
        runAcc += runWeight << sym;
        runWeight <<= 1;
        if (runAcc > capacity) {
          br.sync(pos, bitBuf, bitCount);
          this.overflow(br, capacity, levelMax);
        }
        continue;
      }
      if (runAcc > 0) {
        if (nblock + runAcc > capacity) {
          br.sync(pos, bitBuf, bitCount);
          this.overflow(br, capacity, levelMax);
        }
        const b = mtfa[mtfBase[0]];
        counts[b] += runAcc;
        // A plain loop, not fill(): a call the loop rarely makes would be
        // one more never-before-taken path for the optimised code (see MTF_ROOM).
        for (let k = nblock, stop = nblock + runAcc; k < stop; k++) tt[k] = b;
        nblock += runAcc;
        runAcc = 0;
        runWeight = 1;
      }
      if (sym === eob) break;

      // MTF index sym - 1: move that byte to the front and emit it. Within
      // the first group, shift its predecessors up by one. Further back,
      // close the gap inside its group, then each group in front hands its
      // last byte to the front of the next (its base moves down one), so a
      // move costs at most 15 + 15 steps instead of up to 255.
      const nn = sym - 1;
      let v: number;
      if (nn < 16) {
        const base = mtfBase[0];
        let p = base + nn;
        v = mtfa[p];
        for (; p > base; p--) mtfa[p] = mtfa[p - 1];
        mtfa[base] = v;
      } else {
        let g = nn >>> 4;
        let base = mtfBase[g];
        let p = base + (nn & 15);
        v = mtfa[p];
        for (; p > base; p--) mtfa[p] = mtfa[p - 1];
        // Group g's base is unchanged net: +1 for the removed byte, -1 for the one it receives.
        for (; g > 0; g--) {
          const below = mtfBase[g - 1] - 1;
          mtfa[base] = mtfa[below + 16];
          mtfBase[g - 1] = below;
          base = below;
        }
        mtfa[base] = v;
      }
      if (nblock >= capacity) {
        br.sync(pos, bitBuf, bitCount);
        this.overflow(br, capacity, levelMax);
      }
      counts[v]++;
      tt[nblock++] = v;
    }
    br.sync(pos, bitBuf, bitCount);
    return nblock;
  }

  private overflow(br: Bzip2BitReader, capacity: number, levelMax: number): never {
    if (capacity >= levelMax) br.fail("CORRUPT", `block is larger than the ${levelMax} bytes its level allows`);
    br.fail("LIMIT", "output would exceed maxOutputBytes");
  }
}
