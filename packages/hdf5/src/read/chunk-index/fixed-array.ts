import { ByteReader, fail } from "@codec/core";
import { type Context, FORMAT, expectSignature, verifyChecksum } from "../context.js";
import { type ChunkLocation, type ChunkLookup, chunkGrid, linearIndex } from "./types.js";

/**
 * Fixed array chunk index (spec VII.A "FAHD"/"FADB", libhdf5 H5FA*.c and
 * H5Dfarray.c): one entry per chunk of the max-dims grid, optionally in
 * pages of 2^pageBits entries each followed by its own checksum.
 */
export function fixedArrayLookup(ctx: Context, address: number, maxDims: readonly number[], chunk: readonly number[], chunkBytes: number, filtered: boolean): ChunkLookup {
  ctx.spend("fixed array");
  const h = ctx.reader(address, 4 + 1 + 1 + 1 + 1 + ctx.lengthSize + ctx.offsetSize + 4, "fixed array header");
  expectSignature(h, "FAHD", "fixed array header");
  const version = h.u8();
  if (version !== 0) fail("UNSUPPORTED", FORMAT, `fixed array version ${version}`, { offset: h.offset - 1 });
  const client = h.u8();
  const entrySize = h.u8();
  const pageBits = h.u8();
  const count = ctx.len(h);
  const dblock = ctx.addr(h);
  verifyChecksum(h.bytes, h.pos, "fixed array header", ctx.base + address);
  if (client !== (filtered ? 1 : 0)) fail("CORRUPT", FORMAT, `fixed array client ${client} does not match the dataset's filters`, { offset: ctx.base + address });
  const sizeBytes = entrySize - ctx.offsetSize - 4;
  if (entrySize < ctx.offsetSize || (filtered && (sizeBytes < 1 || sizeBytes > 8)) || pageBits > 32) fail("CORRUPT", FORMAT, "fixed array entry size is invalid", { offset: ctx.base + address });
  const grid = chunkGrid(maxDims, chunk);
  if (dblock === undefined) return { get: () => undefined };
  const pageElems = 2 ** pageBits;
  const paged = count > pageElems;
  const npages = paged ? Math.ceil(count / pageElems) : 0;
  const prefix = 4 + 1 + 1 + ctx.offsetSize + (paged ? Math.ceil(npages / 8) : 0);
  const total = paged ? prefix + 4 + count * entrySize + npages * 4 : prefix + count * entrySize + 4;
  const block = ctx.bytes(dblock, total, "fixed array data block");
  const r = new ByteReader(block, FORMAT, ctx.base + dblock);
  expectSignature(r, "FADB", "fixed array data block");
  if (paged) verifyChecksum(block, prefix, "fixed array data block", ctx.base + dblock);
  else verifyChecksum(block, prefix + count * entrySize, "fixed array data block", ctx.base + dblock);
  const checked = new Set<number>();
  const entryAt = (i: number): number => {
    if (!paged) return prefix + i * entrySize;
    const page = Math.floor(i / pageElems);
    const pageStart = prefix + 4 + page * (pageElems * entrySize + 4);
    const inPage = page === npages - 1 ? count - page * pageElems : pageElems;
    if (!checked.has(page)) {
      verifyChecksum(block.subarray(pageStart), inPage * entrySize, "fixed array page", ctx.base + dblock + pageStart);
      checked.add(page);
    }
    return pageStart + (i - page * pageElems) * entrySize;
  };
  return {
    get(scaled): ChunkLocation | undefined {
      const i = linearIndex(scaled, grid);
      if (i >= count) return undefined;
      r.seek(entryAt(i));
      const a = ctx.addr(r);
      if (a === undefined) return undefined;
      if (!filtered) return { address: a, size: chunkBytes, filterMask: 0 };
      const size = r.uint(sizeBytes);
      const filterMask = r.u32();
      return { address: a, size, filterMask };
    },
  };
}
