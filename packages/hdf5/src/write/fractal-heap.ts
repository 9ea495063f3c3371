import { lookup3 } from "../read/checksum.js";
import { type Bt2Plan, encodeBtreeV2, planBtreeV2, uintLE } from "./btree-v2.js";

/**
 * Fractal heap (spec III.G: header FRHP, direct blocks FHDB, root indirect
 * block FHIB) with the creation parameters
 * libhdf5 uses for dense link storage (H5Gdense.c) and dense attribute
 * storage (H5Adense.c): table width 4, starting block size 512, maximum
 * direct block size 64 KiB, one starting root row, checksummed direct
 * blocks, objects up to 4096 bytes; starting block size 512 (links) or
 * 1024 (attributes).
 *
 * Objects are placed in order the way libhdf5's free-space manager places
 * them: into the smallest free section that fits (lowest address among
 * equals), a section being a block's unused tail or a block slot skipped
 * earlier; when none fits, into a new block at the allocation iterator's
 * next slot of the doubling table that is big enough (rows 0 and 1 hold
 * blocks of the starting size, each further row doubles), smaller slots being skipped. A heap
 * whose objects all fit the first block has that direct block as its root,
 * as libhdf5's does; otherwise the root is an indirect block whose row
 * count doubles from 1 until it covers the blocks used. The free space
 * (unused bytes of every block slot the root covers) is counted in the
 * header as libhdf5 counts it, but not tracked by a free-space manager (its
 * address is undefined; libhdf5 creates one when it next inserts). Objects
 * over 4096 bytes are "huge": each is stored on its own and found through a
 * version 2 B-tree of type 1 (indirectly accessed, unfiltered) by an ID
 * handed out in order, as libhdf5 does for heap IDs too short to hold an
 * address and a length.
 */

export interface FractalHeapParams {
  /** Heap ID length (7 for link heaps, 8 for attribute heaps). */
  idLength: number;
  /** Maximum heap size in bits (32 for link heaps, 40 for attribute heaps). */
  maxHeapBits: number;
  /** Starting (and smallest) block size (512 for link heaps, 1024 for attribute heaps). */
  startBlockSize: number;
}

export const FH_TABLE_WIDTH = 4;
export const FH_MAX_DIRECT_SIZE = 65536;
export const FH_MAX_MANAGED_SIZE = 4096;
const FH_START_ROOT_ROWS = 1;
const HEADER_SIZE = 4 + 1 + 2 + 2 + 1 + 4 + 12 * 8 + 2 + 8 + 8 + 2 + 2 + 8 + 2 + 4;
const UNDEF64 = 0xffffffffffffffffn;
/** Rows of direct blocks in the doubling table: log2(max direct) - log2(start) + 2. */
function maxDirectRows(params: FractalHeapParams): number {
  return Math.log2(FH_MAX_DIRECT_SIZE) - Math.log2(params.startBlockSize) + 2;
}

function rowBlockSize(params: FractalHeapParams, row: number): number {
  return row === 0 ? params.startBlockSize : params.startBlockSize * 2 ** (row - 1);
}

interface HugeObject {
  index: number;
  id: number;
  at: number;
}

/** libhdf5's huge-object B-tree (H5HFhuge.c): node size 512; records {address, length, ID}. */
const HUGE_BT2_NODE_SIZE = 512;
const HUGE_RECORD_SIZE = 8 + 8 + 8;

interface DirectBlock {
  /** Position in the doubling table (row-major). */
  slot: number;
  size: number;
  heapOffset: number;
  used: number;
  at: number;
  objects: Array<{ index: number; offset: number }>;
}

export interface FractalHeapPlan {
  params: FractalHeapParams;
  offsetBytes: number;
  lengthBytes: number;
  blocks: DirectBlock[];
  /** Heap offset of each object (in input order). */
  objectOffsets: number[];
  objectSizes: number[];
  /** Rows of the root indirect block, or 0 when the root is a direct block. */
  rootRows: number;
  rootAt: number;
  /** Heap offset the direct block allocation iterator has reached. */
  iterOffset: number;
  huge: HugeObject[];
  /** The huge-object B-tree (type 1: indirectly accessed, unfiltered), when there are huge objects. */
  hugeTree: Bt2Plan | undefined;
  hugeTreeAt: number;
  totalSize: number;
}

/** Bytes of the block offset field in heap blocks and IDs. */
function offsetBytesOf(params: FractalHeapParams): number {
  return Math.ceil(params.maxHeapBits / 8);
}

function directHeaderSize(offsetBytes: number): number {
  return 4 + 1 + 8 + offsetBytes + 4;
}

/**
 * Lay out `sizes` (object byte counts, in insertion order) and place the
 * header at `at`, then the root indirect block (if any), then the direct
 * blocks. Returns undefined when an object is too big for a managed object
 * or the heap would need more than the root indirect block's direct rows.
 */
export function planFractalHeap(sizes: readonly number[], params: FractalHeapParams, at: number): FractalHeapPlan | undefined {
  const offsetBytes = offsetBytesOf(params);
  const lengthBytes = Math.floor(Math.log2(Math.min(FH_MAX_DIRECT_SIZE, FH_MAX_MANAGED_SIZE)) / 8) + 1;
  const hdr = directHeaderSize(offsetBytes);
  const blocks: DirectBlock[] = [];
  const objectOffsets: number[] = [];
  // Free-space sections as libhdf5's free-space manager holds them: the unused
  // tail of every block ("single") and slots skipped as too small ("row").
  interface Section {
    size: number;
    heapOffset: number;
    block?: DirectBlock;
    slot?: number;
  }
  const sections: Section[] = [];
  let slotOffset = 0; // heap offset of the next slot the allocation iterator reaches
  let nextSlot = 0;
  const newBlock = (slot: number, heapOffset: number): DirectBlock => {
    const size = rowBlockSize(params, Math.floor(slot / FH_TABLE_WIDTH));
    const b: DirectBlock = { slot, size, heapOffset, used: 0, at: 0, objects: [] };
    blocks.push(b);
    sections.push({ size: size - hdr, heapOffset: heapOffset + hdr, block: b });
    return b;
  };
  const huge: HugeObject[] = [];
  let rootRows = 0;
  for (let i = 0; i < sizes.length; i++) {
    const n = sizes[i];
    if (n > FH_MAX_MANAGED_SIZE) {
      // A "huge" object: stored on its own, found through the huge-object B-tree by a sequential ID.
      huge.push({ index: i, id: huge.length + 1, at: 0 });
      objectOffsets.push(-1);
      continue;
    }
    // H5FS section find: the smallest section that fits, the lowest address among equals.
    let best = -1;
    for (let k = 0; k < sections.length; k++) {
      const c = sections[k];
      if (c.size < n) continue;
      if (best < 0 || c.size < sections[best].size || (c.size === sections[best].size && c.heapOffset < sections[best].heapOffset)) best = k;
    }
    if (best >= 0 && sections[best].block === undefined) {
      // A skipped slot: libhdf5 creates its block now (H5HF__sect_row_revive).
      const row = sections[best];
      sections.splice(best, 1);
      newBlock(row.slot as number, row.heapOffset);
      best = sections.length - 1;
    }
    if (best < 0) {
      // H5HF__man_dblock_new: the next slot of the allocation iterator whose block is big enough; smaller ones are skipped.
      for (;;) {
        const row = Math.floor(nextSlot / FH_TABLE_WIDTH);
        if (row >= maxDirectRows(params)) return undefined;
        const size = rowBlockSize(params, row);
        const slot = nextSlot++;
        const heapOffset = slotOffset;
        slotOffset += size;
        if (size - hdr >= n) {
          // The root grows as libhdf5 grows it: a direct root becomes an indirect block of
          // max(1, rows needed) rows (H5HF__man_iblock_root_create); an indirect root doubles,
          // or grows to the rows needed if that is more (H5HF__man_iblock_root_double).
          const needed = row + 1;
          if (slot > 0 && rootRows === 0) rootRows = Math.max(FH_START_ROOT_ROWS, needed);
          else if (needed > rootRows && rootRows > 0) rootRows = Math.min(Math.max(2 * rootRows, needed), maxDirectRows(params));
          newBlock(slot, heapOffset);
          break;
        }
        sections.push({ size: size - hdr, heapOffset, slot });
      }
      best = sections.length - 1;
    }
    const sec = sections[best];
    const block = sec.block as DirectBlock;
    objectOffsets.push(sec.heapOffset);
    block.objects.push({ index: i, offset: sec.heapOffset - block.heapOffset });
    block.used += n;
    sec.heapOffset += n;
    sec.size -= n;
    if (sec.size === 0) sections.splice(best, 1);
  }
  blocks.sort((a, b) => a.slot - b.slot);
  let p = at + HEADER_SIZE;
  const rootAt = p;
  if (rootRows > 0) p += 4 + 1 + 8 + offsetBytes + rootRows * FH_TABLE_WIDTH * 8 + 4;
  for (const b of blocks) {
    b.at = p;
    p += b.size;
  }
  let hugeTree: Bt2Plan | undefined;
  const hugeTreeAt = p;
  if (huge.length > 0) {
    hugeTree = planBtreeV2(HUGE_BT2_NODE_SIZE, HUGE_RECORD_SIZE, huge.length, p);
    p += hugeTree.totalSize;
    for (const h of huge) {
      h.at = p;
      p += sizes[h.index];
    }
  }
  return { params, offsetBytes, lengthBytes, blocks, objectOffsets, objectSizes: [...sizes], rootRows, rootAt, iterOffset: slotOffset, huge, hugeTree, hugeTreeAt, totalSize: p - at };
}

/**
 * Write the heap ID of object `index` at `q`: managed (version 0, type 0,
 * heap offset, length) or huge (type 1, the huge-object B-tree's ID).
 */
export function writeHeapId(out: Uint8Array, q: number, plan: FractalHeapPlan, index: number): void {
  const huge = plan.objectOffsets[index] < 0 ? plan.huge.find((h) => h.index === index) : undefined;
  if (huge) {
    out[q] = 0x10;
    uintLE(out, q + 1, huge.id, plan.params.idLength - 1);
    return;
  }
  out[q] = 0;
  uintLE(out, q + 1, plan.objectOffsets[index], plan.offsetBytes);
  uintLE(out, q + 1 + plan.offsetBytes, plan.objectSizes[index], plan.lengthBytes);
  out.fill(0, q + 1 + plan.offsetBytes + plan.lengthBytes, q + plan.params.idLength);
}

/** Encode the heap at `at` with `objects[i]` the bytes of object i. */
export function encodeFractalHeap(out: Uint8Array, at: number, plan: FractalHeapPlan, objects: readonly Uint8Array[]): void {
  const view = new DataView(out.buffer, out.byteOffset);
  const hdr = directHeaderSize(plan.offsetBytes);
  const start = plan.params.startBlockSize;
  let free = 0;
  let alloc = 0;
  for (const b of plan.blocks) {
    free -= b.used;
    alloc += b.size;
    out.set([0x46, 0x48, 0x44, 0x42, 0], b.at);
    view.setBigUint64(b.at + 5, BigInt(at), true);
    uintLE(out, b.at + 13, b.heapOffset, plan.offsetBytes);
    for (const o of b.objects) out.set(objects[o.index], b.at + o.offset);
    // The checksum covers the whole block with its own field zeroed (H5HF__cache_dblock_serialize).
    view.setUint32(b.at + hdr - 4, 0, true);
    view.setUint32(b.at + hdr - 4, lookup3(out.subarray(b.at, b.at + b.size)), true);
  }
  const managedSpace = plan.rootRows === 0 ? start : Array.from({ length: plan.rootRows }, (_, r) => rowBlockSize(plan.params, r) * FH_TABLE_WIDTH).reduce((a, b) => a + b, 0);
  // libhdf5 counts as free the usable bytes of every block slot the root covers, allocated or not.
  if (plan.rootRows === 0) free += plan.blocks.length > 0 ? start - hdr : 0;
  else for (let r = 0; r < plan.rootRows; r++) free += FH_TABLE_WIDTH * (rowBlockSize(plan.params, r) - hdr);
  if (plan.rootRows > 0) {
    const ib = plan.rootAt;
    out.set([0x46, 0x48, 0x49, 0x42, 0], ib);
    view.setBigUint64(ib + 5, BigInt(at), true);
    uintLE(out, ib + 13, 0, plan.offsetBytes);
    let q = ib + 13 + plan.offsetBytes;
    const bySlot = new Map(plan.blocks.map((b) => [b.slot, b.at]));
    for (let s = 0; s < plan.rootRows * FH_TABLE_WIDTH; s++, q += 8) {
      const a = bySlot.get(s);
      view.setBigUint64(q, a === undefined ? UNDEF64 : BigInt(a), true);
    }
    view.setUint32(q, lookup3(out.subarray(ib, q)), true);
  }
  let hugeBytes = 0;
  for (const h of plan.huge) {
    out.set(objects[h.index], h.at);
    hugeBytes += objects[h.index].length;
  }
  const hugeTree = plan.hugeTree;
  if (hugeTree) {
    encodeBtreeV2(out, plan.hugeTreeAt, hugeTree, 1, (q, k) => {
      const h = plan.huge[k];
      view.setBigUint64(q, BigInt(h.at), true);
      view.setBigUint64(q + 8, BigInt(objects[h.index].length), true);
      view.setBigUint64(q + 16, BigInt(h.id), true);
    });
  }
  // Header (field order of spec III.G / H5HF__cache_hdr_serialize).
  out.set([0x46, 0x52, 0x48, 0x50, 0], at);
  view.setUint16(at + 5, plan.params.idLength, true);
  view.setUint16(at + 7, 0, true); // no I/O filters
  out[at + 9] = 0x02; // direct blocks are checksummed
  view.setUint32(at + 10, FH_MAX_MANAGED_SIZE, true);
  const fields: bigint[] = [
    BigInt(plan.huge.length), // largest huge object ID handed out
    hugeTree ? BigInt(plan.hugeTreeAt) : UNDEF64, // huge object B-tree
    BigInt(free),
    UNDEF64, // free-space manager (see above)
    BigInt(plan.blocks.length > 0 ? managedSpace : 0),
    BigInt(alloc),
    BigInt(plan.rootRows === 0 ? 0 : plan.iterOffset),
    BigInt(plan.objectSizes.length - plan.huge.length),
    BigInt(hugeBytes),
    BigInt(plan.huge.length),
    0n,
    0n,
  ];
  fields.forEach((v, i) => {
    view.setBigUint64(at + 14 + 8 * i, v, true);
  });
  let q = at + 14 + 8 * fields.length;
  view.setUint16(q, FH_TABLE_WIDTH, true);
  view.setBigUint64(q + 2, BigInt(start), true);
  view.setBigUint64(q + 10, BigInt(FH_MAX_DIRECT_SIZE), true);
  view.setUint16(q + 18, plan.params.maxHeapBits, true);
  view.setUint16(q + 20, FH_START_ROOT_ROWS, true);
  view.setBigUint64(q + 22, plan.blocks.length === 0 ? UNDEF64 : BigInt(plan.rootRows === 0 ? plan.blocks[0].at : plan.rootAt), true);
  view.setUint16(q + 30, plan.rootRows, true);
  q += 32;
  view.setUint32(q, lookup3(out.subarray(at, q)), true);
}
