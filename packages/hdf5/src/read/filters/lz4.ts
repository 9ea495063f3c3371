import { fail, isCodecError, lz4DecodeBlock } from "@codec/core";
import { FORMAT } from "../context.js";
import { filterOutputBound } from "./output-bound.js";
import type { FilterContext } from "./registry.js";

/** Big-endian unsigned 32-bit read; the caller has checked the bytes exist. */
export function u32be(b: Uint8Array, p: number): number {
  return ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;
}

/** Big-endian unsigned 64-bit read as a number (values from 2^53 up saturate). */
export function u64be(b: Uint8Array, p: number): number {
  const hi = u32be(b, p);
  return hi >= 0x200000 ? Number.MAX_SAFE_INTEGER : hi * 0x100000000 + u32be(b, p + 4);
}

/** Decode one raw LZ4 block that must fill `out` exactly; errors name the dataset. */
export function lz4BlockExact(src: Uint8Array, out: Uint8Array, what: string, base: number, ctx: FilterContext): void {
  let n: number;
  try {
    n = lz4DecodeBlock(src, out, FORMAT);
  } catch (e) {
    if (!isCodecError(e)) throw e;
    fail(e.code, FORMAT, `${what} in dataset ${ctx.dataset}: ${e.message}`, { offset: base + (e.offset ?? 0), cause: e });
  }
  if (n !== out.length) fail("CORRUPT", FORMAT, `${what} in dataset ${ctx.dataset} decodes to ${n} bytes, expected ${out.length}`, { offset: base });
}

/**
 * HDF5 LZ4 filter (id 32004; HDF Group hdf5_plugins LZ4/H5Zlz4.c, reverse
 * direction): an 8-byte big-endian original size, a 4-byte big-endian
 * block size, then per block a 4-byte big-endian compressed size and the
 * block. A block whose compressed size equals its decoded size is stored
 * as is; the last block holds what remains of the original size.
 */
export function lz4FilterDecode(input: Uint8Array, ctx: FilterContext): Uint8Array {
  if (input.length < 12) fail("TRUNCATED", FORMAT, `lz4 chunk header in dataset ${ctx.dataset} is cut off (${input.length} bytes)`);
  const origSize = u64be(input, 0);
  let blockSize = u32be(input, 8);
  const bound = filterOutputBound(ctx);
  if (origSize > bound) fail("CORRUPT", FORMAT, `lz4 chunk in dataset ${ctx.dataset} declares ${origSize} bytes, more than the chunk's ${ctx.chunkBytes}`, { offset: 0 });
  // H5Zlz4.c clamps the block size to the original size.
  if (blockSize > origSize) blockSize = origSize;
  if (blockSize === 0 && origSize > 0) fail("CORRUPT", FORMAT, `lz4 chunk in dataset ${ctx.dataset} has block size 0`, { offset: 8 });
  const out = new Uint8Array(origSize);
  let ip = 12;
  let op = 0;
  while (op < origSize) {
    const n = Math.min(blockSize, origSize - op);
    if (input.length - ip < 4) fail("TRUNCATED", FORMAT, `lz4 block size in dataset ${ctx.dataset} is cut off`, { offset: ip });
    const csize = u32be(input, ip);
    ip += 4;
    if (csize > input.length - ip) fail("TRUNCATED", FORMAT, `lz4 block of ${csize} bytes in dataset ${ctx.dataset} runs past the chunk`, { offset: ip - 4 });
    const block = input.subarray(ip, ip + csize);
    if (csize === n) out.set(block, op);
    else lz4BlockExact(block, out.subarray(op, op + n), "lz4 block", ip, ctx);
    ip += csize;
    op += n;
  }
  return out;
}
