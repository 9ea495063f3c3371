import { fail } from "@codec/core";
import { lookup3 } from "../read/checksum.js";
import { chunkSizeWidth } from "./chunk-size-width.js";

/**
 * Extensible array chunk index (spec VII.B "Extensible Array": header EAHD,
 * index block EAIB, secondary blocks EASB, data blocks EADB), the index
 * libhdf5 1.10+ uses under libver="latest" for a dataset with exactly one
 * unlimited dimension. The creation parameters are libhdf5's defaults
 * (H5Dearray.c): max nelmts bits 32, index block elements 4, data block
 * minimum elements 16, secondary block minimum data block pointers 4, data
 * block page bits 10.
 *
 * Blocks exist only where libhdf5 would have created them while inserting
 * the chunks: the index block once any chunk exists, a data block (and its
 * secondary block) once one of its elements is set, a page of a paged data
 * block (over 1024 elements) once one of its elements is set. The header
 * statistics count exactly those blocks, as libhdf5's do.
 */

export const EA_MAX_NELMTS_BITS = 32;
export const EA_IDX_BLK_ELMTS = 4;
export const EA_DATA_BLK_MIN_ELMTS = 16;
export const EA_SUP_BLK_MIN_DATA_PTRS = 4;
export const EA_MAX_DBLK_PAGE_NELMTS_BITS = 10;

const EA_HEADER_SIZE = 4 + 1 + 1 + 6 + 6 * 8 + 8 + 4;
/** Signature, version, client id, header address, block offset (4 bytes for 32 max bits). */
const ARR_OFF_SIZE = Math.ceil(EA_MAX_NELMTS_BITS / 8);
const BLOCK_PREFIX = 4 + 1 + 1 + 8 + ARR_OFF_SIZE;
const UNDEF64 = 0xffffffffffffffffn;

interface SuperBlockInfo {
  ndblks: number;
  dblkNelmts: number;
  startIdx: number;
  startDblk: number;
}

/** libhdf5 H5EA__hdr_init: super block s holds 2^floor(s/2) data blocks of 2^floor((s+1)/2) * min elements. */
function superBlockInfo(): SuperBlockInfo[] {
  const nsblks = 1 + EA_MAX_NELMTS_BITS - Math.log2(EA_DATA_BLK_MIN_ELMTS);
  const out: SuperBlockInfo[] = [];
  let startIdx = 0;
  let startDblk = 0;
  for (let s = 0; s < nsblks; s++) {
    const ndblks = 2 ** Math.floor(s / 2);
    const dblkNelmts = 2 ** Math.floor((s + 1) / 2) * EA_DATA_BLK_MIN_ELMTS;
    out.push({ ndblks, dblkNelmts, startIdx, startDblk });
    startIdx += ndblks * dblkNelmts;
    startDblk += ndblks;
  }
  return out;
}

const SBLK = superBlockInfo();
/** Super blocks whose data blocks the index block points at directly (H5EA_SBLK_FIRST_IDX = 2 log2(min ptrs)). */
const IBLK_NSBLKS = 2 * Math.log2(EA_SUP_BLK_MIN_DATA_PTRS);
const IBLK_NDBLK_ADDRS = 2 * (EA_SUP_BLK_MIN_DATA_PTRS - 1);
const IBLK_NSBLK_ADDRS = SBLK.length - IBLK_NSBLKS;
const PAGE_NELMTS = 2 ** EA_MAX_DBLK_PAGE_NELMTS_BITS;

/** Array elements an extensible array with 32 max nelmts bits can index. */
export const EA_MAX_ELEMENTS = 2 ** EA_MAX_NELMTS_BITS;

interface DataBlockPlan {
  /** First array element (after the index block's elements) this block holds. */
  first: number;
  nelmts: number;
  /** Pages of a data block over 1024 elements (0: not paged), and which hold a set element. */
  npages: number;
  pageInit: boolean[];
  /** Block offset field: libhdf5 writes start_idx + (global data block index) * nelmts for index-block data blocks. */
  blockOff: number;
  size: number;
  at: number;
}

interface SuperBlockPlan {
  sblk: number;
  bitmapBytes: number;
  /** Data block slot -> plan (undefined = not created). */
  dblocks: Array<DataBlockPlan | undefined>;
  size: number;
  at: number;
}

export interface ExtensibleArrayPlan {
  filtered: boolean;
  entrySize: number;
  sizeWidth: number;
  maxIndexSet: number;
  iblockSize: number;
  /** Data blocks pointed at by the index block (slot -> plan). */
  iblockDblocks: Array<DataBlockPlan | undefined>;
  sblocks: Array<SuperBlockPlan | undefined>;
  /** Total bytes of all structures, laid out header, index block, then blocks in array order. */
  totalSize: number;
}

/** Which super block holds array element `e` (counted after the index block's elements). */
function superBlockOf(e: number): number {
  let s = 0;
  while (s + 1 < SBLK.length && SBLK[s + 1].startIdx <= e) s++;
  return s;
}

/** Plan the structures for the set element indices `indices` (ascending, each < 2^32). Addresses are assigned from `at`. */
export function planExtensibleArray(indices: readonly number[], filtered: boolean, chunkBytes: number, at: number): ExtensibleArrayPlan {
  const sizeWidth = filtered ? chunkSizeWidth(chunkBytes) : 0;
  const entrySize = 8 + (filtered ? sizeWidth + 4 : 0);
  const iblockSize = BLOCK_PREFIX - ARR_OFF_SIZE + EA_IDX_BLK_ELMTS * entrySize + (IBLK_NDBLK_ADDRS + IBLK_NSBLK_ADDRS) * 8 + 4;
  const iblockDblocks: Array<DataBlockPlan | undefined> = new Array(IBLK_NDBLK_ADDRS).fill(undefined);
  const sblocks: Array<SuperBlockPlan | undefined> = new Array(IBLK_NSBLK_ADDRS).fill(undefined);
  const dblockFor = (s: number, local: number, blockOff: number): DataBlockPlan => {
    const nelmts = SBLK[s].dblkNelmts;
    const npages = nelmts > PAGE_NELMTS ? nelmts / PAGE_NELMTS : 0;
    // H5EA_DBLOCK_SIZE: prefix, checksum, the elements, and a checksum per page.
    return { first: SBLK[s].startIdx + local * nelmts, nelmts, npages, pageInit: new Array(npages).fill(false), blockOff, size: BLOCK_PREFIX + 4 + nelmts * entrySize + npages * 4, at: 0 };
  };
  let maxIndexSet = 0;
  for (const idx of indices) {
    if (idx >= EA_MAX_ELEMENTS) fail("LIMIT", "hdf5", `extensible array element ${idx} exceeds 2^${EA_MAX_NELMTS_BITS}`);
    maxIndexSet = Math.max(maxIndexSet, idx + 1);
    if (idx < EA_IDX_BLK_ELMTS) continue;
    const e = idx - EA_IDX_BLK_ELMTS;
    const s = superBlockOf(e);
    const info = SBLK[s];
    const local = Math.floor((e - info.startIdx) / info.dblkNelmts);
    if (s < IBLK_NSBLKS) {
      const global = info.startDblk + local;
      // H5EA__lookup_elmt computes the offset with the index block's data block index, not the one inside the super block.
      iblockDblocks[global] ??= dblockFor(s, local, info.startIdx + global * info.dblkNelmts);
    } else {
      const paged = info.dblkNelmts > PAGE_NELMTS;
      const sb = (sblocks[s - IBLK_NSBLKS] ??= {
        sblk: s,
        dblocks: new Array(info.ndblks).fill(undefined),
        // Paged data blocks: a page-initialised bitmap of ceil(pages / 8) bytes per data block precedes the addresses.
        bitmapBytes: paged ? info.ndblks * Math.ceil(info.dblkNelmts / PAGE_NELMTS / 8) : 0,
        size: 0,
        at: 0,
      });
      sb.size = BLOCK_PREFIX + sb.bitmapBytes + info.ndblks * 8 + 4;
      const d = (sb.dblocks[local] ??= dblockFor(s, local, info.startIdx + local * info.dblkNelmts));
      if (d.npages > 0) d.pageInit[Math.floor((e - d.first) / PAGE_NELMTS)] = true;
    }
  }
  let p = at + EA_HEADER_SIZE + iblockSize;
  for (const d of iblockDblocks) {
    if (!d) continue;
    d.at = p;
    p += d.size;
  }
  for (const sb of sblocks) {
    if (!sb) continue;
    sb.at = p;
    p += sb.size;
    for (const d of sb.dblocks) {
      if (!d) continue;
      d.at = p;
      p += d.size;
    }
  }
  return { filtered, entrySize, sizeWidth, maxIndexSet, iblockSize, iblockDblocks, sblocks, totalSize: p - at };
}

export interface ChunkEntry {
  address: number;
  size: number;
  mask: number;
}

/**
 * Encode the header at `at`, the index block right after it and the planned
 * blocks. `entries` maps an array element index to its chunk.
 */
export function encodeExtensibleArray(out: Uint8Array, at: number, plan: ExtensibleArrayPlan, entries: ReadonlyMap<number, ChunkEntry>): void {
  const view = new DataView(out.buffer, out.byteOffset);
  const client = plan.filtered ? 1 : 0;
  const checksum = (start: number, end: number): void => view.setUint32(end, lookup3(out.subarray(start, end)), true);
  const writeEntry = (q: number, e: ChunkEntry | undefined): void => {
    // libhdf5's fill element: undefined address, size 0, mask 0 (H5D__earray_filt_fill).
    view.setBigUint64(q, e ? BigInt(e.address) : UNDEF64, true);
    if (!plan.filtered) return;
    let s = e ? e.size : 0;
    for (let i = 0; i < plan.sizeWidth; i++) {
      out[q + 8 + i] = s % 256;
      s = Math.floor(s / 256);
    }
    view.setUint32(q + 8 + plan.sizeWidth, e ? e.mask : 0, true);
  };
  const blockPrefix = (q: number, sig: string, blockOff: number | undefined): number => {
    for (let i = 0; i < 4; i++) out[q + i] = sig.charCodeAt(i);
    out[q + 4] = 0;
    out[q + 5] = client;
    view.setBigUint64(q + 6, BigInt(at), true);
    if (blockOff === undefined) return q + 14;
    view.setUint32(q + 14, blockOff, true);
    return q + BLOCK_PREFIX;
  };
  const writeDblock = (d: DataBlockPlan): void => {
    let q = blockPrefix(d.at, "EADB", d.blockOff);
    const base = EA_IDX_BLK_ELMTS + d.first;
    if (d.npages === 0) {
      for (let i = 0; i < d.nelmts; i++, q += plan.entrySize) writeEntry(q, entries.get(base + i));
      checksum(d.at, q);
      return;
    }
    // Paged: the prefix has its own checksum; each initialised page holds its elements and a checksum,
    // pages without a set element are left unwritten (H5EA__cache_dblock_serialize / dblk_page).
    checksum(d.at, q);
    q += 4;
    for (let page = 0; page < d.npages; page++) {
      const start = q;
      if (d.pageInit[page]) {
        for (let i = 0; i < PAGE_NELMTS; i++, q += plan.entrySize) writeEntry(q, entries.get(base + page * PAGE_NELMTS + i));
        checksum(start, q);
      } else q += PAGE_NELMTS * plan.entrySize;
      q += 4;
    }
  };

  // Header (field order of H5EA__cache_hdr_serialize) with libhdf5's statistics of the created blocks.
  const iblockAt = at + EA_HEADER_SIZE;
  let nsblks = 0;
  let sblkBytes = 0;
  let ndblks = 0;
  let dblkBytes = 0;
  let nelmts = EA_IDX_BLK_ELMTS;
  const countDblock = (d: DataBlockPlan | undefined): void => {
    if (!d) return;
    ndblks++;
    dblkBytes += d.size;
    nelmts += d.nelmts;
  };
  plan.iblockDblocks.forEach(countDblock);
  for (const sb of plan.sblocks) {
    if (!sb) continue;
    nsblks++;
    sblkBytes += sb.size;
    sb.dblocks.forEach(countDblock);
  }
  out.set([0x45, 0x41, 0x48, 0x44, 0, client, plan.entrySize, EA_MAX_NELMTS_BITS, EA_IDX_BLK_ELMTS, EA_DATA_BLK_MIN_ELMTS, EA_SUP_BLK_MIN_DATA_PTRS, EA_MAX_DBLK_PAGE_NELMTS_BITS], at);
  [nsblks, sblkBytes, ndblks, dblkBytes, plan.maxIndexSet, nelmts, iblockAt].forEach((v, i) => {
    view.setBigUint64(at + 12 + 8 * i, BigInt(v), true);
  });
  checksum(at, at + EA_HEADER_SIZE - 4);

  // Index block: its own elements, then data block and super block addresses.
  let q = blockPrefix(iblockAt, "EAIB", undefined);
  for (let i = 0; i < EA_IDX_BLK_ELMTS; i++, q += plan.entrySize) writeEntry(q, entries.get(i));
  for (const d of plan.iblockDblocks) {
    view.setBigUint64(q, d ? BigInt(d.at) : UNDEF64, true);
    q += 8;
  }
  for (const sb of plan.sblocks) {
    view.setBigUint64(q, sb ? BigInt(sb.at) : UNDEF64, true);
    q += 8;
  }
  checksum(iblockAt, q);
  plan.iblockDblocks.forEach((d) => {
    if (d) writeDblock(d);
  });
  for (const sb of plan.sblocks) {
    if (!sb) continue;
    let r = blockPrefix(sb.at, "EASB", SBLK[sb.sblk].startIdx);
    // Page-initialised bits, data block by data block, most significant bit first (H5VM_bit_set).
    sb.dblocks.forEach((d, k) => {
      d?.pageInit.forEach((init, page) => {
        const bit = k * d.npages + page;
        if (init) out[r + (bit >> 3)] |= 0x80 >> (bit & 7);
      });
    });
    r += sb.bitmapBytes;
    for (const d of sb.dblocks) {
      view.setBigUint64(r, d ? BigInt(d.at) : UNDEF64, true);
      r += 8;
    }
    checksum(sb.at, r);
    sb.dblocks.forEach((d) => {
      if (d) writeDblock(d);
    });
  }
}

/**
 * The array element index of a chunk (libhdf5 H5D__earray_idx_get_addr):
 * the chunk's scaled coordinates with the unlimited dimension moved first
 * ("swizzled"), linearised over the chunk counts of the maximum dimensions.
 */
export function earrayChunkIndex(scaled: readonly number[], maxChunks: readonly number[], unlimDim: number): number {
  const order = [unlimDim, ...scaled.map((_, d) => d).filter((d) => d !== unlimDim)];
  let idx = 0;
  for (const d of order) idx = idx * (d === unlimDim ? 1 : maxChunks[d]) + scaled[d];
  return idx;
}
