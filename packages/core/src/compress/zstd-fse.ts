import { fail } from "../errors.js";
import { highBit } from "./zstd-bits.js";

/**
 * Finite State Entropy decoding tables (RFC 8878 section 4.1). One entry per
 * state: the symbol it emits, how many bits the next state needs and the
 * baseline those bits are added to.
 */
export interface FseTable {
  readonly accuracyLog: number;
  readonly symbol: Uint8Array;
  readonly nbBits: Uint8Array;
  readonly baseline: Uint16Array;
  /**
   * The sequence decoder's per-state entries, derived once per table by
   * zstd-sequences (a table only ever serves one of LL, ML, OF):
   * `next[state] = baseline << 8 | nbBits` and `value[state]` = the code's
   * baseline << 5 | extra bits (LL, ML) or the offset code (OF), so a
   * sequence needs one load per table for its value and one for its state.
   */
  seqNext?: Int32Array;
  seqValue?: Int32Array;
}

/** Section 4.1.1: the decoded distribution and the bytes its description used. */
export interface FseDistribution {
  readonly norm: Int16Array;
  readonly symbols: number;
  readonly accuracyLog: number;
  readonly bytes: number;
}

/**
 * Read an FSE table description (section 4.1.1) at src[pos, end): a 4-bit
 * accuracy log, then per symbol a probability in a variable number of bits
 * (value - 1; -1 is the "less than 1" probability) with 2-bit repeat flags
 * after every zero. It ends when the probabilities sum to 1 << accuracyLog.
 */
export function readFseDistribution(
  src: Uint8Array,
  pos: number,
  end: number,
  maxSymbol: number,
  maxLog: number,
  format: string,
): FseDistribution {
  // A little-endian forward bit reader over src[pos, end); bits past `end` read as zero.
  let bitPos = 0;
  const avail = (end - pos) * 8;
  const peek = (): number => {
    const byte = pos + (bitPos >>> 3);
    const v = (src[byte] ?? 0) | ((byte + 1 < end ? src[byte + 1] : 0) << 8) | ((byte + 2 < end ? src[byte + 2] : 0) << 16);
    return (byte < end ? v : 0) >>> (bitPos & 7);
  };
  const corrupt = (why: string): never => fail("CORRUPT", format, `invalid FSE table description (${why})`, { offset: pos });
  if (end <= pos) fail("TRUNCATED", format, "FSE table description is missing", { offset: pos });
  const accuracyLog = (src[pos] & 15) + 5;
  if (accuracyLog > maxLog) corrupt(`accuracy log ${accuracyLog} > ${maxLog}`);
  bitPos = 4;
  const tableSize = 1 << accuracyLog;
  const norm = new Int16Array(maxSymbol + 1);
  let remaining = tableSize + 1;
  let threshold = tableSize;
  let nbBits = accuracyLog + 1;
  let symbol = 0;
  let previousZero = false;
  while (remaining > 1) {
    if (previousZero) {
      // Repeat flags: each 2-bit field adds 0..3 more zero probabilities; 3 means another field follows.
      let n = symbol;
      for (;;) {
        const flag = peek() & 3;
        bitPos += 2;
        n += flag;
        if (flag !== 3) break;
        if (n > maxSymbol + 1) corrupt("zero run past the last symbol");
      }
      if (n > maxSymbol + 1) corrupt("zero run past the last symbol");
      symbol = n;
      if (symbol > maxSymbol) corrupt("too many symbols");
      previousZero = false;
    }
    if (symbol > maxSymbol) corrupt("too many symbols");
    // Values 0..remaining need nbBits bits; the (2*threshold - 1 - remaining)
    // smallest ones are sent with one bit less.
    const max = 2 * threshold - 1 - remaining;
    const bits = peek();
    let count: number;
    if ((bits & (threshold - 1)) < max) {
      count = bits & (threshold - 1);
      bitPos += nbBits - 1;
    } else {
      count = bits & (2 * threshold - 1);
      if (count >= threshold) count -= max;
      bitPos += nbBits;
    }
    count--;
    remaining -= count < 0 ? -count : count;
    norm[symbol++] = count;
    previousZero = count === 0;
    if (remaining < 1) corrupt("probabilities exceed the table size");
    while (remaining < threshold) {
      nbBits--;
      threshold >>= 1;
    }
    if (bitPos > avail) fail("TRUNCATED", format, "FSE table description is truncated", { offset: end });
  }
  if (remaining !== 1) corrupt("probabilities do not fill the table");
  return { norm, symbols: symbol, accuracyLog, bytes: (bitPos + 7) >>> 3 };
}

/** Section 4.1.1 "FSE decoding table": spread symbols over the states and derive each state's transition. */
export function buildFseTable(
  norm: Int16Array,
  symbols: number,
  accuracyLog: number,
  format: string,
  offset?: number,
): FseTable {
  const size = 1 << accuracyLog;
  const symbol = new Uint8Array(size);
  const nbBits = new Uint8Array(size);
  const baseline = new Uint16Array(size);
  const next = new Uint16Array(symbols);
  let high = size - 1;
  // "Less than 1" probabilities take one state each from the top of the table.
  for (let s = 0; s < symbols; s++) {
    if (norm[s] === -1) {
      symbol[high--] = s;
      next[s] = 1;
    } else next[s] = norm[s];
  }
  const step = (size >>> 1) + (size >>> 3) + 3;
  const mask = size - 1;
  let p = 0;
  for (let s = 0; s < symbols; s++) {
    const n = norm[s];
    for (let i = 0; i < n; i++) {
      symbol[p] = s;
      do p = (p + step) & mask;
      while (p > high);
    }
  }
  if (p !== 0) fail("CORRUPT", format, "FSE distribution does not spread over the table", { offset });
  for (let u = 0; u < size; u++) {
    const s = symbol[u];
    const x = next[s]++;
    const nb = accuracyLog - highBit(x);
    nbBits[u] = nb;
    baseline[u] = (x << nb) - size;
  }
  return { accuracyLog, symbol, nbBits, baseline };
}

/** The one-state table of RLE mode (section 3.1.1.3.2.1): always `s`, no bits. */
export function rleFseTable(s: number): FseTable {
  return { accuracyLog: 0, symbol: Uint8Array.of(s), nbBits: new Uint8Array(1), baseline: new Uint16Array(1) };
}

function predefined(values: readonly number[], accuracyLog: number): FseTable {
  return buildFseTable(Int16Array.from(values), values.length, accuracyLog, "zstd");
}

/** Section 3.1.1.3.2.2: default distributions of the literal length, match length and offset codes. */
export const PREDEFINED_LL = predefined(
  [4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1, -1, -1, -1, -1],
  6,
);
export const PREDEFINED_ML = predefined(
  [
    1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1, -1, -1,
  ],
  6,
);
export const PREDEFINED_OF = predefined(
  [1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1],
  5,
);
