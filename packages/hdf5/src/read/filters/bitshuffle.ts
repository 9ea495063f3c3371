import { fail, isCodecError, zstdDecompress } from "@codec/core";
import { FORMAT } from "../context.js";
import { lz4BlockExact, u32be, u64be } from "./lz4.js";
import { filterOutputBound } from "./output-bound.js";
import type { FilterContext } from "./registry.js";

/**
 * Bitshuffle filter (id 32008; kiyo-masui/bitshuffle src/bshuf_h5filter.c
 * and bitshuffle_core.c, reverse direction).
 *
 * Client data: [major, minor, element size, block size (elements, 0 =
 * default), compression (2 lz4, 3 zstd, anything else none)]. The data is cut into
 * blocks of `block size` elements; each block's bits are transposed (bit k
 * of byte b of every element forms row b*8+k, one bit per element, LSB
 * first). After the full blocks, a last block of the remaining elements
 * rounded down to a multiple of 8 is transposed too, and the last
 * (count mod 8) elements are stored verbatim.
 *
 * With compression the chunk starts with an 8-byte big-endian uncompressed
 * size and a 4-byte big-endian block size in bytes; each transposed block
 * is then a 4-byte big-endian compressed length and an LZ4 block (or a
 * zstd frame). The verbatim trailing elements follow the last block.
 */

const COMPRESS_LZ4 = 2;
const COMPRESS_ZSTD = 3;

/** bshuf_default_block_size: 8192 bytes of elements, a multiple of 8, at least 128. */
function defaultBlockSize(elemSize: number): number {
  const n = Math.floor(Math.floor(8192 / elemSize) / 8) * 8;
  return Math.max(n, 128);
}

/**
 * Undo the bit transpose of one block of `n` elements (n a multiple of 8)
 * of `es` bytes from `src[sp...]` into `dst[dp...]`. Each group of 8 row
 * bytes (bits 0..7 of one element byte, for 8 consecutive elements) is an
 * 8x8 bit matrix; transposing it gives that byte of the 8 elements.
 */
export function bitUnshuffleBlock(src: Uint8Array, sp: number, dst: Uint8Array, dp: number, n: number, es: number): void {
  const n8 = n >>> 3;
  for (let b = 0; b < es; b++) {
    const row = sp + b * 8 * n8;
    for (let j = 0; j < n8; j++) {
      const r = row + j;
      let lo = src[r] | (src[r + n8] << 8) | (src[r + 2 * n8] << 16) | (src[r + 3 * n8] << 24);
      let hi = src[r + 4 * n8] | (src[r + 5 * n8] << 8) | (src[r + 6 * n8] << 16) | (src[r + 7 * n8] << 24);
      // 8x8 bit-matrix transpose (Hacker's Delight 7-3, on two 32-bit halves):
      // bit 8*row+col swaps with bit 8*col+row.
      let t = (lo ^ (lo >>> 7)) & 0x00aa00aa;
      lo = lo ^ t ^ (t << 7);
      t = (hi ^ (hi >>> 7)) & 0x00aa00aa;
      hi = hi ^ t ^ (t << 7);
      t = (lo ^ (lo >>> 14)) & 0x0000cccc;
      lo = lo ^ t ^ (t << 14);
      t = (hi ^ (hi >>> 14)) & 0x0000cccc;
      hi = hi ^ t ^ (t << 14);
      t = (lo ^ (hi << 4)) & 0xf0f0f0f0;
      lo ^= t;
      hi ^= t >>> 4;
      const o = dp + j * 8 * es + b;
      dst[o] = lo & 0xff;
      dst[o + es] = (lo >>> 8) & 0xff;
      dst[o + 2 * es] = (lo >>> 16) & 0xff;
      dst[o + 3 * es] = lo >>> 24;
      dst[o + 4 * es] = hi & 0xff;
      dst[o + 5 * es] = (hi >>> 8) & 0xff;
      dst[o + 6 * es] = (hi >>> 16) & 0xff;
      dst[o + 7 * es] = hi >>> 24;
    }
  }
}

/** Decompressor for one compressed block (compression 2 or 3) into `out`, exactly filling it. */
type BlockDecoder = (src: Uint8Array, out: Uint8Array, base: number) => void;

/** One zstd frame (bshuf_decompress_zstd_block) that must decode to exactly `out.length` bytes. */
function zstdBlockExact(src: Uint8Array, out: Uint8Array, base: number, ctx: FilterContext): void {
  let got: Uint8Array;
  try {
    got = zstdDecompress(src, out.length, FORMAT);
  } catch (e) {
    if (!isCodecError(e)) throw e;
    fail(e.code === "LIMIT" ? "CORRUPT" : e.code, FORMAT, `bitshuffle zstd block in dataset ${ctx.dataset}: ${e.message}`, { offset: base + (e.offset ?? 0), cause: e });
  }
  if (got.length !== out.length) fail("CORRUPT", FORMAT, `bitshuffle zstd block in dataset ${ctx.dataset} decodes to ${got.length} bytes, expected ${out.length}`, { offset: base });
  out.set(got);
}

export function bitshuffleDecode(input: Uint8Array, ctx: FilterContext): Uint8Array {
  const cd = ctx.clientData;
  const es = cd.length > 2 ? cd[2] : ctx.elementSize;
  if (!(es > 0)) fail("CORRUPT", FORMAT, `bitshuffle element size ${es} in dataset ${ctx.dataset} is invalid`);
  const compression = cd.length > 4 ? cd[4] : 0;
  let blockElems = cd.length > 3 ? cd[3] : 0;
  let total: number;
  let ip = 0;
  let decodeBlock: BlockDecoder | undefined;
  // bitshuffle before 0.4 (Debian's 0.3.5 plugin) knows no zstd: it ignores
  // compression 3 and stores plain bitshuffled bytes, a whole chunk. A real
  // zstd chunk starts with the chunk's own size, so the two cannot be confused.
  const plainZstd = compression === COMPRESS_ZSTD && input.length === ctx.chunkBytes && (input.length < 8 || u64be(input, 0) !== ctx.chunkBytes);
  if ((compression === COMPRESS_LZ4 || compression === COMPRESS_ZSTD) && !plainZstd) {
    if (input.length < 12) fail("TRUNCATED", FORMAT, `bitshuffle chunk header in dataset ${ctx.dataset} is cut off`);
    total = u64be(input, 0);
    // The header stores the block size in bytes (bshuf_h5filter.c divides by the element size).
    blockElems = Math.floor(u32be(input, 8) / es);
    ip = 12;
    decodeBlock =
      compression === COMPRESS_LZ4 ? (src, out, base) => lz4BlockExact(src, out, "bitshuffle lz4 block", base, ctx) : (src, out, base) => zstdBlockExact(src, out, base, ctx);
  } else {
    // Any other value means no compression (bshuf_h5filter.c tests only for 2 and 3).
    total = input.length;
  }
  if (total > filterOutputBound(ctx)) fail("CORRUPT", FORMAT, `bitshuffle chunk in dataset ${ctx.dataset} declares ${total} bytes, more than the chunk's ${ctx.chunkBytes}`);
  if (total % es !== 0) fail("CORRUPT", FORMAT, `bitshuffle data in dataset ${ctx.dataset} (${total} bytes) is not a whole number of ${es}-byte elements`);
  if (blockElems === 0) blockElems = defaultBlockSize(es);
  if (blockElems % 8 !== 0) fail("CORRUPT", FORMAT, `bitshuffle block size ${blockElems} in dataset ${ctx.dataset} is not a multiple of 8`);
  const size = total / es;
  const out = new Uint8Array(total);
  // Blocks: the full ones, then the remainder rounded down to a multiple of 8 (bshuf_blocked_wrap_fun).
  const full = Math.floor(size / blockElems);
  const lastElems = size % blockElems - (size % 8);
  const tmp = decodeBlock ? new Uint8Array(Math.min(blockElems, size) * es) : undefined;
  let op = 0;
  for (let k = 0; k <= full; k++) {
    const n = k < full ? blockElems : lastElems;
    if (n === 0) break;
    const nb = n * es;
    if (decodeBlock && tmp) {
      if (input.length - ip < 4) fail("TRUNCATED", FORMAT, `bitshuffle block size in dataset ${ctx.dataset} is cut off`, { offset: ip });
      const csize = u32be(input, ip);
      ip += 4;
      if (csize > input.length - ip) fail("TRUNCATED", FORMAT, `bitshuffle block of ${csize} bytes in dataset ${ctx.dataset} runs past the chunk`, { offset: ip - 4 });
      const block = tmp.subarray(0, nb);
      decodeBlock(input.subarray(ip, ip + csize), block, ip);
      ip += csize;
      bitUnshuffleBlock(block, 0, out, op, n, es);
    } else {
      bitUnshuffleBlock(input, ip, out, op, n, es);
      ip += nb;
    }
    op += nb;
  }
  // The last (size mod 8) elements are copied as they are.
  const leftover = total - op;
  if (input.length - ip < leftover) fail("TRUNCATED", FORMAT, `bitshuffle trailing ${leftover} bytes in dataset ${ctx.dataset} are cut off`, { offset: ip });
  out.set(input.subarray(ip, ip + leftover), op);
  return out;
}
