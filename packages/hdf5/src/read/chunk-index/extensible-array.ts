import { ByteReader, fail } from "@codec/core";
import { type Context, FORMAT, expectSignature, log2floor, verifyChecksum } from "../context.js";
import type { ChunkLocation, ChunkLookup } from "./types.js";

interface SuperBlockInfo {
  readonly ndblks: number;
  readonly dblkElems: number;
  readonly startIdx: number;
  readonly startDblk: number;
}

/**
 * Extensible array chunk index (spec VII.B "EAHD"/"EAIB"/"EASB"/"EADB",
 * libhdf5 H5EA*.c and H5Dearray.c), used for one unlimited dimension. The
 * chunk's linear index is taken over the chunk grid with the unlimited
 * dimension moved first ("swizzled"), so growth appends entries.
 */
export function extensibleArrayLookup(ctx: Context, address: number, maxDims: readonly number[], chunk: readonly number[], chunkBytes: number, filtered: boolean): ChunkLookup {
  ctx.spend("extensible array");
  const h = ctx.reader(address, 4 + 1 + 1 + 6 + 6 * ctx.lengthSize + ctx.offsetSize + 4, "extensible array header");
  expectSignature(h, "EAHD", "extensible array header");
  const version = h.u8();
  if (version !== 0) fail("UNSUPPORTED", FORMAT, `extensible array version ${version}`, { offset: h.offset - 1 });
  const client = h.u8();
  const entrySize = h.u8();
  const maxBits = h.u8();
  const idxBlkElems = h.u8();
  const dblkMinElems = h.u8();
  const sblkMinPtrs = h.u8();
  const pageBits = h.u8();
  for (let i = 0; i < 6; i++) ctx.len(h);
  const iblockAddr = ctx.addr(h);
  verifyChecksum(h.bytes, h.pos, "extensible array header", ctx.base + address);
  if (client !== (filtered ? 1 : 0)) fail("CORRUPT", FORMAT, `extensible array client ${client} does not match the dataset's filters`, { offset: ctx.base + address });
  const pow2 = (n: number) => n > 0 && (n & (n - 1)) === 0;
  if (maxBits === 0 || maxBits > 64 || !pow2(dblkMinElems) || !pow2(sblkMinPtrs) || pageBits > 32 || entrySize < ctx.offsetSize) {
    fail("CORRUPT", FORMAT, "extensible array parameters are invalid", { offset: ctx.base + address });
  }
  const sizeBytes = entrySize - ctx.offsetSize - 4;
  if (filtered && (sizeBytes < 1 || sizeBytes > 8)) fail("CORRUPT", FORMAT, "extensible array entry size is invalid", { offset: ctx.base + address });
  const arrOffSize = Math.ceil(maxBits / 8);
  const nsblks = 1 + maxBits - log2floor(dblkMinElems);
  const sblk: SuperBlockInfo[] = [];
  let startIdx = 0;
  let startDblk = 0;
  for (let s = 0; s < nsblks; s++) {
    const ndblks = 2 ** Math.floor(s / 2);
    const dblkElems = 2 ** Math.floor((s + 1) / 2) * dblkMinElems;
    sblk.push({ ndblks, dblkElems, startIdx, startDblk });
    startIdx += ndblks * dblkElems;
    startDblk += ndblks;
  }
  const unlim = maxDims.findIndex((d) => !Number.isFinite(d));
  if (unlim < 0) fail("CORRUPT", FORMAT, "extensible array index on a dataset without an unlimited dimension", { offset: ctx.base + address });
  const order = [unlim, ...maxDims.map((_, d) => d).filter((d) => d !== unlim)];
  const grid = order.map((d) => (d === unlim ? 1 : Math.ceil(maxDims[d] / chunk[d])));
  if (iblockAddr === undefined) return { get: () => undefined };

  const iblkNsblks = 2 * log2floor(sblkMinPtrs);
  const ndblkAddrs = 2 * (sblkMinPtrs - 1);
  const nsblkAddrs = Math.max(0, nsblks - iblkNsblks);
  const iPrefix = 4 + 1 + 1 + ctx.offsetSize;
  const iSize = iPrefix + idxBlkElems * entrySize + (ndblkAddrs + nsblkAddrs) * ctx.offsetSize + 4;
  const iblock = ctx.bytes(iblockAddr, iSize, "extensible array index block");
  const ir = new ByteReader(iblock, FORMAT, ctx.base + iblockAddr);
  expectSignature(ir, "EAIB", "extensible array index block");
  verifyChecksum(iblock, iSize - 4, "extensible array index block", ctx.base + iblockAddr);
  const pageElems = 2 ** pageBits;
  const entry = (r: ByteReader): ChunkLocation | undefined => {
    const a = ctx.addr(r);
    if (a === undefined) return undefined;
    if (!filtered) return { address: a, size: chunkBytes, filterMask: 0 };
    const size = r.uint(sizeBytes);
    return { address: a, size, filterMask: r.u32() };
  };
  const blockCache = new Map<number, ByteReader>();
  const dataBlockEntry = (dAddr: number | undefined, dblkElems: number, within: number): ChunkLocation | undefined => {
    if (dAddr === undefined) return undefined;
    const prefix = 4 + 1 + 1 + ctx.offsetSize + arrOffSize;
    const paged = dblkElems > pageElems;
    let r = blockCache.get(dAddr);
    if (!paged) {
      if (!r) {
        const b = ctx.bytes(dAddr, prefix + dblkElems * entrySize + 4, "extensible array data block");
        r = new ByteReader(b, FORMAT, ctx.base + dAddr);
        expectSignature(r, "EADB", "extensible array data block");
        verifyChecksum(b, prefix + dblkElems * entrySize, "extensible array data block", ctx.base + dAddr);
        blockCache.set(dAddr, r);
      }
      r.seek(prefix + within * entrySize);
      return entry(r);
    }
    const page = Math.floor(within / pageElems);
    const pageAddr = dAddr + prefix + 4 + page * (pageElems * entrySize + 4);
    let pr = blockCache.get(pageAddr);
    if (!pr) {
      const b = ctx.bytes(pageAddr, pageElems * entrySize + 4, "extensible array data block page");
      verifyChecksum(b, pageElems * entrySize, "extensible array data block page", ctx.base + pageAddr);
      pr = new ByteReader(b, FORMAT, ctx.base + pageAddr);
      blockCache.set(pageAddr, pr);
    }
    pr.seek((within % pageElems) * entrySize);
    return entry(pr);
  };
  return {
    get(scaled): ChunkLocation | undefined {
      let idx = 0;
      for (let k = 0; k < order.length; k++) idx = idx * grid[k] + scaled[order[k]];
      if (idx < idxBlkElems) {
        ir.seek(iPrefix + idx * entrySize);
        return entry(ir);
      }
      const e = idx - idxBlkElems;
      const s = log2floor(Math.floor(e / dblkMinElems) + 1);
      if (s >= nsblks) return undefined;
      const info = sblk[s];
      const rel = e - info.startIdx;
      const dIdx = Math.floor(rel / info.dblkElems);
      const within = rel % info.dblkElems;
      if (s < iblkNsblks) {
        const k = info.startDblk + dIdx;
        if (k >= ndblkAddrs) return undefined;
        ir.seek(iPrefix + idxBlkElems * entrySize + k * ctx.offsetSize);
        return dataBlockEntry(ctx.addr(ir), info.dblkElems, within);
      }
      ir.seek(iPrefix + idxBlkElems * entrySize + ndblkAddrs * ctx.offsetSize + (s - iblkNsblks) * ctx.offsetSize);
      const sAddr = ctx.addr(ir);
      if (sAddr === undefined) return undefined;
      const paged = info.dblkElems > pageElems;
      const bitmap = paged ? info.ndblks * Math.ceil(info.dblkElems / pageElems / 8) : 0;
      const sPrefix = 4 + 1 + 1 + ctx.offsetSize + arrOffSize + bitmap;
      let sr = blockCache.get(sAddr);
      if (!sr) {
        const b = ctx.bytes(sAddr, sPrefix + info.ndblks * ctx.offsetSize + 4, "extensible array super block");
        sr = new ByteReader(b, FORMAT, ctx.base + sAddr);
        expectSignature(sr, "EASB", "extensible array super block");
        verifyChecksum(b, sPrefix + info.ndblks * ctx.offsetSize, "extensible array super block", ctx.base + sAddr);
        blockCache.set(sAddr, sr);
      }
      sr.seek(sPrefix + dIdx * ctx.offsetSize);
      return dataBlockEntry(ctx.addr(sr), info.dblkElems, within);
    },
  };
}
