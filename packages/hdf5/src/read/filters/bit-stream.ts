/**
 * MSB-first bit reader over a byte buffer, the packing the nbit and
 * scale-offset filters use (libhdf5 H5Znbit.c / H5Zscaleoffset.c fill each
 * output byte from its most significant bit down).
 */
export class BitReader {
  private readonly bytes: Uint8Array;
  private pos: number;
  /** Bits still unread in bytes[pos] (8 = none read). */
  private left = 8;

  constructor(bytes: Uint8Array, start = 0) {
    this.bytes = bytes;
    this.pos = start;
  }

  /** True when `bits` more bits exist. */
  has(bits: number): boolean {
    return (this.bytes.length - this.pos) * 8 - (8 - this.left) >= bits;
  }

  /** Read up to 32 bits as an unsigned number. */
  read(bits: number): number {
    let v = 0;
    while (bits > 0) {
      const take = Math.min(bits, this.left);
      const byte = this.bytes[this.pos];
      const chunk = (byte >> (this.left - take)) & ((1 << take) - 1);
      v = v * 2 ** take + chunk;
      bits -= take;
      this.left -= take;
      if (this.left === 0) {
        this.pos++;
        this.left = 8;
      }
    }
    return v;
  }

  /** Read up to 64 bits as a bigint. */
  readBig(bits: number): bigint {
    let v = 0n;
    while (bits > 0) {
      const take = Math.min(bits, 32);
      v = (v << BigInt(take)) | BigInt(this.read(take));
      bits -= take;
    }
    return v;
  }
}
