import { bitUnshuffleBlock } from "../bitshuffle.js";
import { unshuffle } from "../shuffle.js";

/**
 * Blosc's per-block shuffle inverses (c-blosc blosc/shuffle.c, c-blosc2
 * blosc/shuffle.c). Both work on one block of `size` bytes of `typesize`-byte
 * elements.
 */

/**
 * Byte unshuffle: byte k of every element was stored together. Bytes
 * past the last whole element are stored as they are (shuffle.c copies
 * `blocksize % typesize` trailing bytes).
 */
export function byteUnshuffle(src: Uint8Array, dst: Uint8Array, typesize: number, size: number): void {
  const n = Math.floor(size / typesize);
  if (typesize <= 1 || n === 0) {
    dst.set(src.subarray(0, size));
    return;
  }
  unshuffle(src, dst, n, typesize);
  const done = n * typesize;
  if (done < size) dst.set(src.subarray(done, size), done);
}

/**
 * Bit unshuffle of one block. Chunk format version 2 (Blosc 1) only
 * bit-shuffled blocks whose element count is a multiple of 8 and stored
 * others as they are; from version 3 on the leading multiple of 8
 * elements is bit-shuffled and the rest is stored as is
 * (c-blosc2 shuffle.c bitunshuffle's `format_version` branch).
 */
export function bitUnshuffle(src: Uint8Array, dst: Uint8Array, typesize: number, size: number, chunkVersion: number): void {
  const n = Math.floor(size / typesize);
  let count: number;
  if (chunkVersion <= 2) count = n % 8 === 0 ? n : 0;
  else count = n - (n % 8);
  // The bit transpose itself is bitshuffle's (filter 32008): row b*8+k holds
  // bit k of byte b of every element, LSB first.
  if (count > 0) bitUnshuffleBlock(src, 0, dst, 0, count, typesize);
  const done = count * typesize;
  if (done < size) dst.set(src.subarray(done, size), done);
}
