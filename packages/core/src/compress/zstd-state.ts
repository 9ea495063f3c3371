import { BackwardBitReader } from "./zstd-bits.js";
import type { FseTable } from "./zstd-fse.js";
import type { HuffmanTable } from "./zstd-huffman.js";

/** Section 3.1.1.2: no block may regenerate more than 128 KiB. */
export const BLOCK_SIZE_MAX = 128 * 1024;

/**
 * What a frame carries from block to block (RFC 8878 section 3.1.1.3):
 * the previous Huffman table (treeless literals), the previous sequence
 * tables (repeat mode), the repeat offsets, plus the growing output.
 */
export class ZstdState {
  readonly format: string;
  readonly input: Uint8Array;
  /** Hard bound on the whole output (the caller's maxOutputBytes). */
  readonly maxOutput: number;
  out: Uint8Array;
  op = 0;
  /** Start of the current frame in `out`: matches may not reach before it. */
  frameStart = 0;
  /** Where the current block must stop: block maximum, frame content size or maxOutput. */
  blockLimit = 0;
  /** Which bound `blockLimit` is, for the error code. */
  blockLimitIsMaxOutput = false;

  huffman: HuffmanTable | null = null;
  llTable: FseTable | null = null;
  ofTable: FseTable | null = null;
  mlTable: FseTable | null = null;
  rep1 = 1;
  rep2 = 4;
  rep3 = 8;

  /** Literals of the current block: `litSrc[litStart, litEnd)`, either the input (raw) or `litBuf`. */
  litSrc: Uint8Array;
  litStart = 0;
  litEnd = 0;
  /** Scratch for RLE and Huffman literals, grown on demand (small inputs stay cheap). */
  litBuf = new Uint8Array(0);
  readonly bits: BackwardBitReader;
  /** XXH64 accumulators of the current frame's content checksum (see xxh64Stripes). */
  readonly hashAcc = new Int32Array(8);

  constructor(input: Uint8Array, maxOutput: number, initialCapacity: number, format: string) {
    this.format = format;
    this.input = input;
    this.maxOutput = maxOutput;
    this.out = new Uint8Array(initialCapacity);
    this.litSrc = this.litBuf;
    this.bits = new BackwardBitReader(input);
  }

  /** The literals scratch with room for `n` bytes plus slack for 16-byte wild reads. */
  literalBuffer(n: number): Uint8Array {
    if (this.litBuf.length < n + 16) {
      this.litBuf = new Uint8Array(Math.min(Math.max(n + 16, this.litBuf.length * 2), BLOCK_SIZE_MAX + 16));
    }
    return this.litBuf;
  }

  /** Section 3.1.1: every frame starts with fresh entropy tables and repeat offsets. */
  resetFrame(): void {
    this.frameStart = this.op;
    this.huffman = null;
    this.llTable = null;
    this.ofTable = null;
    this.mlTable = null;
    this.rep1 = 1;
    this.rep2 = 4;
    this.rep3 = 8;
  }

  /** Make room for `n` more output bytes (callers have checked the limits). */
  reserve(n: number): void {
    const need = this.op + n;
    if (need <= this.out.length) return;
    let cap = Math.max(need, this.out.length * 2, 1024);
    if (cap > this.maxOutput) cap = Math.max(need, this.maxOutput);
    const next = new Uint8Array(cap);
    next.set(this.out.subarray(0, this.op));
    this.out = next;
  }
}
