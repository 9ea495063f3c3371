import { fail } from "../errors.js";

/**
 * The backward bit stream of RFC 8878 section 4.1 (FSE and Huffman payloads):
 * the encoder writes bits little-endian and closes the stream with a 1 bit,
 * so the decoder starts at the last byte, skips the zero padding and that
 * marker, and reads toward lower addresses, most significant bits first.
 *
 * `bits` holds the not yet consumed bits in its low `nbits` positions (the
 * next bit to read is bit `nbits - 1`). A refill pulls whole bytes from
 * below `ptr`; once `ptr` reaches `start` it feeds zero bytes and counts
 * them in `padded`, so a reader that runs past the beginning gets zeros and
 * the caller detects it through `remaining() < 0` (the reference decoder's
 * "overflow") instead of reading out of bounds.
 */
export class BackwardBitReader {
  src: Uint8Array;
  start = 0;
  ptr = 0;
  bits = 0;
  nbits = 0;
  padded = 0;

  constructor(src: Uint8Array) {
    this.src = src;
  }

  /** Start reading the stream src[start, end); `format` names the codec for errors. */
  init(start: number, end: number, format: string): void {
    if (end <= start) fail("CORRUPT", format, "empty bit stream", { offset: start });
    const last = this.src[end - 1];
    // Section 4.1: the last byte holds the end marker; zero means it is missing.
    if (last === 0) fail("CORRUPT", format, "bit stream has no end marker", { offset: end - 1 });
    this.start = start;
    this.ptr = end - 1;
    this.bits = last;
    this.nbits = 31 - Math.clz32(last);
    this.padded = 0;
    this.refill();
  }

  /**
   * Continue reading src[start, ...) with `bitPos` bits left (an absolute
   * bit index: the bits below it, down to start * 8, are unread).
   */
  seek(start: number, bitPos: number): void {
    this.start = start;
    this.ptr = bitPos >>> 3;
    this.nbits = bitPos & 7;
    this.bits = this.ptr < this.src.length ? this.src[this.ptr] : 0;
    this.padded = 0;
    this.refill();
  }

  /** Top up to at least 25 valid bits (zeros past the start, counted in `padded`). */
  refill(): void {
    let bits = this.bits;
    let nbits = this.nbits;
    const src = this.src;
    let ptr = this.ptr;
    while (nbits <= 24) {
      if (ptr > this.start) bits = (bits << 8) | src[--ptr];
      else {
        bits <<= 8;
        this.padded += 8;
      }
      nbits += 8;
    }
    this.bits = bits;
    this.nbits = nbits;
    this.ptr = ptr;
  }

  /** Read `n` bits (0..31), most significant first. */
  read(n: number): number {
    if (n === 0) return 0;
    if (n > 24) {
      const hi = this.read(n - 16);
      return hi * 65536 + this.read(16);
    }
    if (this.nbits < n) this.refill();
    this.nbits -= n;
    return (this.bits >>> this.nbits) & ((1 << n) - 1);
  }

  /** Real (non-padding) bits not yet consumed; negative once the reader ran past the start. */
  remaining(): number {
    return this.nbits - this.padded + (this.ptr - this.start) * 8;
  }
}

/** Index of the highest set bit of a positive 32-bit value. */
export function highBit(v: number): number {
  return 31 - Math.clz32(v);
}
