import { lookup3 } from "../read/checksum.js";
import { type Bt2Plan, encodeBtreeV2, planBtreeV2, uintLE } from "./btree-v2.js";
import { entryIndex, FH_MAX_DIRECT_SIZE, FH_TABLE_WIDTH, locateSlot, rowBlockSize, rowTotalFree, type TableGeometry, tableGeometry } from "./fractal-heap-table.js";

/**
 * Fractal heap (spec III.G: header FRHP, direct blocks FHDB, indirect
 * blocks FHIB) with the creation parameters libhdf5 uses for dense link
 * storage (H5Gdense.c) and dense attribute storage (H5Adense.c): table
 * width 4, maximum direct block size 64 KiB, one starting root row,
 * checksummed direct blocks, objects up to 4096 bytes; starting block size
 * 512 (links) or 1024 (attributes). The doubling table itself is in
 * fractal-heap-table.ts.
 *
 * Objects are placed in order the way libhdf5's free-space manager places
 * them: into the smallest free section that fits (lowest address among
 * equals), a section being a block's unused tail or a row of block slots
 * skipped earlier; when none fits, into a new block at the allocation
 * iterator's next slot that is big enough, smaller slots being skipped.
 * A heap whose objects all fit the first block has that direct block as
 * its root, as libhdf5's does; otherwise the root is an indirect block whose
 * row count grows as libhdf5 grows it, past the direct rows into rows of
 * child indirect blocks once the heap outgrows 512 KiB (links) or 1 MiB
 * (attributes). The free space (unused bytes of every block slot the root
 * covers) is counted in the header as libhdf5 counts it, but not tracked by
 * a free-space manager (its address is undefined; libhdf5 creates one when
 * it next inserts). Objects over 4096 bytes are "huge": each is stored on
 * its own and found through a version 2 B-tree of type 1 (indirectly
 * accessed, unfiltered) by an ID handed out in order, as libhdf5 does for
 * heap IDs too short to hold an address and a length.
 */

export interface FractalHeapParams {
  /** Heap ID length (7 for link heaps, 8 for attribute heaps). */
  idLength: number;
  /** Maximum heap size in bits (32 for link heaps, 40 for attribute heaps). */
  maxHeapBits: number;
  /** Starting (and smallest) block size (512 for link heaps, 1024 for attribute heaps). */
  startBlockSize: number;
}

export const FH_MAX_MANAGED_SIZE = 4096;
const FH_START_ROOT_ROWS = 1;
const HEADER_SIZE = 4 + 1 + 2 + 2 + 1 + 4 + 12 * 8 + 2 + 8 + 8 + 2 + 2 + 8 + 2 + 4;
const UNDEF64 = 0xffffffffffffffffn;

interface HugeObject {
  index: number;
  id: number;
  at: number;
}

/** libhdf5's huge-object B-tree (H5HFhuge.c): node size 512; records {address, length, ID}. */
const HUGE_BT2_NODE_SIZE = 512;
const HUGE_RECORD_SIZE = 8 + 8 + 8;

interface DirectBlock {
  heapOffset: number;
  size: number;
  used: number;
  at: number;
  objects: Array<{ index: number; offset: number }>;
}

/** A child indirect block (below a root row past the direct rows). */
interface IndirectBlock {
  heapOffset: number;
  rows: number;
  at: number;
}

export interface FractalHeapPlan {
  params: FractalHeapParams;
  geometry: TableGeometry;
  offsetBytes: number;
  lengthBytes: number;
  /** Direct blocks in heap order. */
  blocks: DirectBlock[];
  /** Child indirect blocks in heap order (outer before inner). */
  indirect: IndirectBlock[];
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

function indirectBlockSize(offsetBytes: number, rows: number): number {
  return 4 + 1 + 8 + offsetBytes + rows * FH_TABLE_WIDTH * 8 + 4;
}

/**
 * Lay out `sizes` (object byte counts, in insertion order) and place the
 * header at `at`, then the root indirect block (if any), the child indirect
 * blocks, then the direct blocks. Returns undefined when the heap would
 * outgrow the largest root indirect block its maximum size allows.
 */
export function planFractalHeap(sizes: readonly number[], params: FractalHeapParams, at: number): FractalHeapPlan | undefined {
  const offsetBytes = offsetBytesOf(params);
  const lengthBytes = Math.floor(Math.log2(Math.min(FH_MAX_DIRECT_SIZE, FH_MAX_MANAGED_SIZE)) / 8) + 1;
  const hdr = directHeaderSize(offsetBytes);
  const geometry = tableGeometry(params.startBlockSize, params.maxHeapBits, hdr);
  const blocks: DirectBlock[] = [];
  const indirect = new Map<number, IndirectBlock>();
  const objectOffsets: number[] = [];
  // Free-space sections as libhdf5's free-space manager holds them: the unused tail of
  // every block ("single" sections) and the slots the allocation iterator skipped as too
  // small. One skip makes one "indirect" section over its run of slots, seen by the
  // free-space manager as one "row" section per row of the run (H5HF__sect_indirect_init_rows).
  interface Tail {
    size: number;
    heapOffset: number;
    block: DirectBlock;
  }
  interface SkippedSlot {
    heapOffset: number;
    size: number;
    /** Row in the table (root or child indirect block) that holds the slot. */
    row: number;
  }
  const tails: Tail[] = [];
  const runs: SkippedSlot[][] = [];
  let slotOffset = 0; // heap offset of the next slot the allocation iterator reaches
  const newBlock = (heapOffset: number, size: number): Tail => {
    const b: DirectBlock = { heapOffset, size, used: 0, at: 0, objects: [] };
    blocks.push(b);
    const tail = { size: size - hdr, heapOffset: heapOffset + hdr, block: b };
    tails.push(tail);
    return tail;
  };
  /** Revives one slot of the row section `run[first..last]` (H5HF__sect_row_reduce). */
  const reviveFromRow = (r: number, first: number, last: number): Tail => {
    const run = runs[r];
    // H5HF__sect_indirect_reduce_row: the last row of a run that spans rows gives up its last
    // slot; any other row its first. Taking a slot inside the run splits it in two.
    const k = last === run.length - 1 && run[0].row !== run[last].row ? last : first;
    const slot = run[k];
    if (run.length === 1) runs.splice(r, 1);
    else if (k === 0) run.shift();
    else if (k === run.length - 1) run.pop();
    else runs.splice(r, 1, run.slice(0, k), run.slice(k + 1));
    return newBlock(slot.heapOffset, slot.size);
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
    let bestSize = Number.POSITIVE_INFINITY;
    let bestOffset = Number.POSITIVE_INFINITY;
    let sec: Tail | undefined;
    let rowPick: [number, number, number] | undefined;
    const better = (size: number, heapOffset: number) => size >= n && (size < bestSize || (size === bestSize && heapOffset < bestOffset));
    for (const t of tails) {
      if (!better(t.size, t.heapOffset)) continue;
      bestSize = t.size;
      bestOffset = t.heapOffset;
      sec = t;
      rowPick = undefined;
    }
    for (let r = 0; r < runs.length; r++) {
      const run = runs[r];
      for (let first = 0; first < run.length; ) {
        let last = first;
        while (last + 1 < run.length && run[last + 1].row === run[first].row) last++;
        if (better(run[first].size - hdr, run[first].heapOffset)) {
          bestSize = run[first].size - hdr;
          bestOffset = run[first].heapOffset;
          sec = undefined;
          rowPick = [r, first, last];
        }
        first = last + 1;
      }
    }
    // A skipped slot: libhdf5 creates its block now (H5HF__sect_row_revive).
    if (rowPick) sec = reviveFromRow(rowPick[0], rowPick[1], rowPick[2]);
    if (!sec) {
      // H5HF__man_dblock_new: the next slot of the allocation iterator whose block is big enough;
      // smaller ones are skipped. The iterator runs depth first through indirect blocks
      // (H5HF__man_iter_next), creating each as it enters it.
      let run: SkippedSlot[] | undefined;
      let runTable = -1;
      for (;;) {
        const slot = locateSlot(geometry, slotOffset);
        if (slot.rootRow >= geometry.maxRootRows) return undefined;
        for (const ib of slot.path) if (!indirect.has(ib.heapOffset)) indirect.set(ib.heapOffset, { heapOffset: ib.heapOffset, rows: ib.rows, at: 0 });
        const heapOffset = slotOffset;
        slotOffset += slot.size;
        if (slot.size - hdr >= n) {
          // The root grows as libhdf5 grows it: a direct root becomes an indirect block of
          // max(1, rows needed) rows (H5HF__man_iblock_root_create); an indirect root doubles,
          // or grows to the rows needed if that is more, up to its maximum (H5HF__man_iblock_root_double).
          const needed = slot.rootRow + 1;
          if (heapOffset > 0 && rootRows === 0) rootRows = Math.max(FH_START_ROOT_ROWS, needed);
          else if (needed > rootRows && rootRows > 0) rootRows = Math.min(Math.max(2 * rootRows, needed), geometry.maxRootRows);
          sec = newBlock(heapOffset, slot.size);
          break;
        }
        const table = slot.path.length > 0 ? slot.path[slot.path.length - 1].heapOffset : 0;
        if (!run || table !== runTable) {
          run = [];
          runs.push(run);
          runTable = table;
        }
        run.push({ heapOffset, size: slot.size, row: Math.floor(entryIndex(geometry, table, heapOffset) / FH_TABLE_WIDTH) });
      }
    }
    const block = sec.block;
    objectOffsets.push(sec.heapOffset);
    block.objects.push({ index: i, offset: sec.heapOffset - block.heapOffset });
    block.used += n;
    sec.heapOffset += n;
    sec.size -= n;
    if (sec.size === 0) tails.splice(tails.indexOf(sec), 1);
  }
  blocks.sort((a, b) => a.heapOffset - b.heapOffset);
  const children = [...indirect.values()].sort((a, b) => a.heapOffset - b.heapOffset || b.rows - a.rows);
  let p = at + HEADER_SIZE;
  const rootAt = p;
  if (rootRows > 0) p += indirectBlockSize(offsetBytes, rootRows);
  for (const ib of children) {
    ib.at = p;
    p += indirectBlockSize(offsetBytes, ib.rows);
  }
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
  return {
    params,
    geometry,
    offsetBytes,
    lengthBytes,
    blocks,
    indirect: children,
    objectOffsets,
    objectSizes: [...sizes],
    rootRows,
    rootAt,
    iterOffset: slotOffset,
    huge,
    hugeTree,
    hugeTreeAt,
    totalSize: p - at,
  };
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
  const g = plan.geometry;
  let managedSpace = start;
  if (plan.rootRows > 0) {
    // The span of every root row (an indirect row's blocks span their whole tables) and, as
    // libhdf5 counts free space, the usable bytes of every direct block slot under them,
    // allocated or not (row_tot_dblock_free).
    managedSpace = 0;
    for (let r = 0; r < plan.rootRows; r++) {
      managedSpace += FH_TABLE_WIDTH * rowBlockSize(g, r);
      free += FH_TABLE_WIDTH * rowTotalFree(g, r);
    }
  } else if (plan.blocks.length > 0) {
    free += start - hdr;
  }
  if (plan.rootRows > 0) {
    // Each block's address goes into the entry of the innermost indirect block above it.
    const entries = new Map<string, Map<number, number>>();
    const place = (table: string, entry: number, address: number): void => {
      let m = entries.get(table);
      if (!m) entries.set(table, (m = new Map()));
      m.set(entry, address);
    };
    const tableKey = (ib: { heapOffset: number; rows: number } | undefined) => (ib === undefined ? "root" : `${ib.heapOffset}:${ib.rows}`);
    for (const b of plan.blocks) {
      const path = locateSlot(g, b.heapOffset).path;
      const parent = path[path.length - 1];
      place(tableKey(parent), entryIndex(g, parent?.heapOffset ?? 0, b.heapOffset), b.at);
    }
    for (const ib of plan.indirect) {
      const path = locateSlot(g, ib.heapOffset).path;
      const k = path.findIndex((x) => x.heapOffset === ib.heapOffset && x.rows === ib.rows);
      const parent = k > 0 ? path[k - 1] : undefined;
      place(tableKey(parent), entryIndex(g, parent?.heapOffset ?? 0, ib.heapOffset), ib.at);
    }
    const writeIndirect = (ibAt: number, heapOffset: number, rows: number, table: string): void => {
      out.set([0x46, 0x48, 0x49, 0x42, 0], ibAt);
      view.setBigUint64(ibAt + 5, BigInt(at), true);
      uintLE(out, ibAt + 13, heapOffset, plan.offsetBytes);
      let q = ibAt + 13 + plan.offsetBytes;
      const m = entries.get(table);
      for (let e = 0; e < rows * FH_TABLE_WIDTH; e++, q += 8) {
        const a = m?.get(e);
        view.setBigUint64(q, a === undefined ? UNDEF64 : BigInt(a), true);
      }
      view.setUint32(q, lookup3(out.subarray(ibAt, q)), true);
    };
    writeIndirect(plan.rootAt, 0, plan.rootRows, "root");
    for (const ib of plan.indirect) writeIndirect(ib.at, ib.heapOffset, ib.rows, tableKey(ib));
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
