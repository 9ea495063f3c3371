import type { Bzip2BitReader } from "./bzip2-bits.js";

/** Longest code a bzip2 decoder accepts (bzip2 1.0.x encoders stay within 17). */
export const MAX_CODE_LEN = 20;
/** Most symbols in one table: 256 MTF values + RUNA/RUNB - 1 + EOB. */
export const MAX_ALPHA = 258;
/** Most tables (groups) a block may declare. */
export const MAX_GROUPS = 6;
/** Bits resolved by one lookup in the fast table; longer codes take the slow path. */
export const FAST_BITS = 10;
const FAST_SIZE = 1 << FAST_BITS;
const LEN_SLOTS = MAX_CODE_LEN + 1;

/**
 * The decoding tables of one block's Huffman groups (up to 6), flattened
 * into typed arrays so the symbol loop indexes them without objects.
 *
 * bzip2 codes are canonical: for each length from 1 to 20, the symbols of
 * that length take consecutive code values in increasing symbol order, and
 * the first code of length l+1 is (last code of length l + 1) << 1.
 *
 * - `fast[g << FAST_BITS | next10bits]` = symbol << 5 | length for codes of
 *   at most FAST_BITS bits, 0 otherwise.
 * - For longer codes, a peeked l-bit value v is a code of length l when
 *   v < `limit[g * 21 + l]` (first code + count; v is never below the first
 *   code once no shorter code matched), and its symbol is
 *   `sorted[g * 258 + v + offset[g * 21 + l]]`.
 */
export class HuffmanTables {
  readonly fast = new Uint16Array(MAX_GROUPS * FAST_SIZE);
  readonly limit = new Int32Array(MAX_GROUPS * LEN_SLOTS);
  readonly offset = new Int32Array(MAX_GROUPS * LEN_SLOTS);
  readonly sorted = new Uint16Array(MAX_GROUPS * MAX_ALPHA);
  readonly maxLen = new Uint8Array(MAX_GROUPS);
  /** 0 when the group's lengths over-subscribe the code space; such a group may not be used. */
  readonly usable = new Uint8Array(MAX_GROUPS);
  private readonly lengths = new Uint8Array(MAX_ALPHA);
  private readonly count = new Int32Array(LEN_SLOTS);
  private readonly next = new Int32Array(LEN_SLOTS);

  /**
   * Read one group's code lengths (a 5-bit start, then per symbol a run of
   * "1x" deltas, x = 0 for +1 and 1 for -1, ended by a 0 bit; every length
   * seen must stay in 1..20) and build its tables.
   */
  readGroup(br: Bzip2BitReader, g: number, alphaSize: number): void {
    const lengths = this.lengths;
    let curr = br.bits(5);
    for (let s = 0; s < alphaSize; s++) {
      for (;;) {
        if (curr < 1 || curr > MAX_CODE_LEN) br.fail("CORRUPT", `Huffman code length ${curr} is outside 1..20`);
        if (br.bit() === 0) break;
        curr += br.bit() === 0 ? 1 : -1;
      }
      lengths[s] = curr;
    }
    this.build(g, alphaSize);
  }

  private build(g: number, alphaSize: number): void {
    const { lengths, count, next, limit, offset, sorted, fast } = this;
    count.fill(0);
    let maxLen = 0;
    for (let s = 0; s < alphaSize; s++) {
      const l = lengths[s];
      count[l]++;
      if (l > maxLen) maxLen = l;
    }
    // First code and sorted-array start per length; detect over-subscription
    // (more codes of length l than the space left), which no encoder emits.
    let code = 0;
    let index = 0;
    let usable = 1;
    const lb = g * LEN_SLOTS;
    for (let l = 1; l <= MAX_CODE_LEN; l++) {
      const c = count[l];
      if (code + c > 2 ** l) usable = 0;
      next[l] = code;
      limit[lb + l] = code + c;
      offset[lb + l] = index - code;
      index += c;
      code = (code + c) * 2;
    }
    this.maxLen[g] = maxLen;
    this.usable[g] = usable;
    const fb = g << FAST_BITS;
    fast.fill(0, fb, fb + FAST_SIZE);
    if (!usable) return;
    const sb = g * MAX_ALPHA;
    for (let s = 0; s < alphaSize; s++) {
      const l = lengths[s];
      const c = next[l]++;
      sorted[sb + c + offset[lb + l]] = s;
      if (l <= FAST_BITS) {
        const shift = FAST_BITS - l;
        const entry = (s << 5) | l;
        const from = fb + (c << shift);
        fast.fill(entry, from, from + (1 << shift));
      }
    }
  }
}
