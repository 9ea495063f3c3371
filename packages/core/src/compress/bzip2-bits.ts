import { type ErrorCode, fail } from "../errors.js";

/**
 * How many zero bytes past the end of the input the reader pretends exist.
 * The Huffman decoder peeks up to 20 bits ahead, so near the end of a valid
 * stream it looks at up to 3 bytes that are not there; a fourth means the
 * stream really ran past its end (bits consumed > bits present).
 */
const PAD_BYTES = 4;

/**
 * MSB-first bit reader for bzip2 (the format packs every field most
 * significant bit first, with no byte alignment until a stream ends).
 *
 * The state is public so the symbol decoder can copy it into locals for its
 * hot loop and write it back; `bitBuf` holds `bitCount` valid low bits (at
 * most 32; bits above them are stale and masked off on extraction).
 */
export class Bzip2BitReader {
  readonly input: Uint8Array;
  readonly format: string;
  /** Next input byte to load. */
  pos: number;
  bitBuf = 0;
  bitCount = 0;

  constructor(input: Uint8Array, start: number, format: string) {
    this.input = input;
    this.pos = start;
    this.format = format;
  }

  /** Bits consumed from the start of the input. */
  bitPosition(): number {
    return this.pos * 8 - this.bitCount;
  }

  /** True when more bits were consumed than the input holds. */
  overrun(): boolean {
    return this.bitPosition() > this.input.length * 8;
  }

  /** Top up the buffer to at least 25 bits (loading zero padding past the end). */
  refill(): void {
    const input = this.input;
    while (this.bitCount <= 24) {
      const p = this.pos;
      if (p < input.length) this.bitBuf = (this.bitBuf << 8) | input[p];
      else {
        if (p >= input.length + PAD_BYTES) this.truncated();
        this.bitBuf <<= 8;
      }
      this.pos = p + 1;
      this.bitCount += 8;
    }
  }

  /** Read `n` (1..24) bits as an unsigned number. */
  bits(n: number): number {
    if (this.bitCount < n) this.refill();
    this.bitCount -= n;
    return (this.bitBuf >>> this.bitCount) & ((1 << n) - 1);
  }

  bit(): number {
    if (this.bitCount < 1) this.refill();
    this.bitCount -= 1;
    return (this.bitBuf >>> this.bitCount) & 1;
  }

  /** A 32-bit field (the CRCs). */
  bits32(): number {
    const hi = this.bits(16);
    return ((hi << 16) | this.bits(16)) >>> 0;
  }

  /** Copy hot-loop locals back (so errors report the right offset). */
  sync(pos: number, bitBuf: number, bitCount: number): void {
    this.pos = pos;
    this.bitBuf = bitBuf;
    this.bitCount = bitCount;
  }

  truncated(): never {
    fail("TRUNCATED", this.format, "bzip2 stream ends before its end-of-stream marker", { offset: this.input.length });
  }

  /**
   * Report bad data at the current position; when the reader already ran
   * past the end, the real problem is truncation (the zero padding decoded
   * as nonsense), so say that instead.
   */
  fail(code: ErrorCode, message: string): never {
    if (this.overrun()) this.truncated();
    fail(code, this.format, `bzip2: ${message}`, { offset: Math.min(this.input.length, Math.floor(this.bitPosition() / 8)) });
  }
}
