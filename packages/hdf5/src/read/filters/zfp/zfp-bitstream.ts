import { fail } from "@codec/core";
import { FORMAT } from "../../context.js";

/**
 * zfp's bit stream (include/zfp/bitstream.inl): bits are consumed least
 * significant first from little-endian words. With 8-bit words (what H5Z-ZFP
 * requires) and with 64-bit words (zfp's default) the bit order on the bytes
 * is the same, so the reader walks bytes and keeps up to 32 pending bits in
 * `cur`. Reading past the end is a TRUNCATED CodecError (zfp itself would
 * read past its buffer); skipping past the end only fails once a bit is read.
 */
export class ZfpBitReader {
  private readonly bytes: Uint8Array;
  /** Index of the next byte to load into `cur`. */
  private next = 0;
  /**
   * Pending bits, least significant first, and how many of them (0..32).
   * The block decoder's inner loops copy these two into locals and write
   * them back (see decodeInts32), so they are public.
   */
  cur = 0;
  avail = 0;
  private readonly what: string;

  constructor(bytes: Uint8Array, what: string) {
    this.bytes = bytes;
    this.what = what;
  }

  /** Bits consumed so far (stream_rtell). */
  position(): number {
    return this.next * 8 - this.avail;
  }

  /** Load up to 32 more bits; only when none are pending. */
  refill(): void {
    const b = this.bytes;
    const left = b.length - this.next;
    if (left <= 0) fail("TRUNCATED", FORMAT, `zfp stream of ${this.what} ends before its last block (${b.length} bytes)`);
    const i = this.next;
    if (left >= 4) {
      this.cur = (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
      this.avail = 32;
      this.next = i + 4;
    } else {
      let v = 0;
      for (let k = 0; k < left; k++) v |= b[i + k] << (8 * k);
      this.cur = v >>> 0;
      this.avail = 8 * left;
      this.next = i + left;
    }
  }

  /** stream_read_bit. */
  readBit(): number {
    if (this.avail === 0) this.refill();
    const bit = this.cur & 1;
    this.cur >>>= 1;
    this.avail--;
    return bit;
  }

  /** stream_read_bits for 0 <= n <= 32, as an unsigned number. */
  readBits(n: number): number {
    if (n === 0) return 0;
    if (n <= this.avail) {
      const v = n === 32 ? this.cur : this.cur & ((1 << n) - 1);
      this.cur = n === 32 ? 0 : this.cur >>> n;
      this.avail -= n;
      return v >>> 0;
    }
    const have = this.avail;
    const low = this.cur;
    this.refill();
    const rest = n - have;
    if (rest > this.avail) fail("TRUNCATED", FORMAT, `zfp stream of ${this.what} ends inside a ${n}-bit field`);
    const high = rest === 32 ? this.cur : this.cur & ((1 << rest) - 1);
    this.cur = rest === 32 ? 0 : this.cur >>> rest;
    this.avail -= rest;
    return (low | (high << have)) >>> 0;
  }

  /** stream_read_bits for 0 <= n <= 52, as an exact unsigned number. */
  readWide(n: number): number {
    if (n <= 32) return this.readBits(n);
    const low = this.readBits(32);
    return low + this.readBits(n - 32) * 4294967296;
  }

  /** stream_skip: move forward n bits without reading them. */
  skip(n: number): void {
    if (n <= this.avail) {
      this.cur = n === 32 ? 0 : this.cur >>> n;
      this.avail -= n;
      return;
    }
    const target = this.position() + n;
    const byte = Math.floor(target / 8);
    const bit = target - byte * 8;
    this.avail = 0;
    this.cur = 0;
    this.next = byte;
    if (bit > 0) {
      if (byte >= this.bytes.length) {
        // Past the end: any later read fails; remember nothing more.
        this.next = this.bytes.length;
        return;
      }
      this.cur = this.bytes[byte] >>> bit;
      this.avail = 8 - bit;
      this.next = byte + 1;
    }
  }
}
