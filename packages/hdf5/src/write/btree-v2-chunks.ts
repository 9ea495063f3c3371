import { BT2_MERGE_PERCENT, BT2_SPLIT_PERCENT, type Bt2Plan, encodeBtreeV2, planBtreeV2, uintLE } from "./btree-v2.js";
import { chunkSizeWidth } from "./chunk-size-width.js";

/**
 * Version 2 B-tree chunk index (spec III.A.2, record types 10 and 11), the
 * index libhdf5 1.10+ uses under libver="latest" when more than one
 * dimension is unlimited. Parameters are libhdf5's (H5Dbtree2.c): node size
 * 2048, split 100 %, merge 40 %.
 *
 * libhdf5 inserts a chunk's record when its chunk cache writes the chunk
 * out, so the tree's shape depends on that order. It is replayed for one
 * H5Dwrite of the whole dataset (what h5py's create_dataset(data=...)
 * does) with h5py's default cache (521 hash slots, 1 MiB): chunks are
 * visited in row-major order; a chunk whose hash slot holds another chunk
 * evicts it; when the cached bytes would exceed 1 MiB chunks are preempted
 * as H5D__chunk_cache_prune does; chunks bigger than the cache bypass it;
 * the rest are written in cache-list order when the dataset is closed.
 */

export const BT2_NODE_SIZE = 2048;
export { BT2_MERGE_PERCENT, BT2_SPLIT_PERCENT };

export interface Bt2ChunkPlan extends Bt2Plan {
  sizeWidth: number;
  filtered: boolean;
  rank: number;
}

/** Record size for type 10 (unfiltered) / 11 (filtered) records of a dataset of `rank` dimensions. */
export function bt2RecordSize(rank: number, filtered: boolean, chunkBytes: number): number {
  return 8 + (filtered ? chunkSizeWidth(chunkBytes) + 4 : 0) + 8 * rank;
}

export const CHUNK_CACHE_SLOTS = 521;
export const CHUNK_CACHE_BYTES = 1024 * 1024;

/** libhdf5's default preemption weight w0 (H5D_CHUNK_CACHE_W0_DEFAULT). */
const CHUNK_CACHE_W0 = 0.75;

/**
 * The order libhdf5's chunk cache writes out the chunks of a `grid`
 * (chunks per dimension) of `chunkBytes`-byte chunks written in one call,
 * as row-major chunk ordinals. `fullyWritten(i)` says whether the write
 * covers chunk i entirely (edge chunks of a dataset whose extent is not a
 * multiple of the chunk are not). The slot of a chunk is its scaled
 * coordinates folded with as many bits per dimension as the dimension's
 * chunk count rounded up to a power of two needs, modulo the slot count
 * (H5D__chunk_hash_val); pruning follows H5D__chunk_cache_prune: a first
 * pointer walks the list from the head evicting fully written chunks, a
 * second one starts at the head after w0 of the list and evicts anything.
 */
export function chunkFlushOrder(grid: readonly number[], chunkBytes: number, fullyWritten: (i: number) => boolean): number[] {
  const n = grid.reduce((a, b) => a * b, 1);
  const out: number[] = [];
  if (chunkBytes > CHUNK_CACHE_BYTES) {
    for (let i = 0; i < n; i++) out.push(i);
    return out;
  }
  const bits = grid.map((g) => Math.ceil(Math.log2(Math.max(1, g))));
  const slots = new Map<number, number>();
  const slotOf = new Map<number, number>();
  // The cache's doubly linked list (insertion order), -1 = none.
  const next = new Map<number, number>();
  const prev = new Map<number, number>();
  let head = -1;
  let tail = -1;
  let nused = 0;
  const evict = (c: number): void => {
    out.push(c);
    slots.delete(slotOf.get(c) as number);
    const a = prev.get(c) as number;
    const b = next.get(c) as number;
    if (a >= 0) next.set(a, b);
    else head = b;
    if (b >= 0) prev.set(b, a);
    else tail = a;
    next.delete(c);
    prev.delete(c);
    nused--;
  };
  const prune = (): void => {
    let w = Math.floor(nused * CHUNK_CACHE_W0);
    const p = [head, -1];
    const full = () => (nused + 1) * chunkBytes > CHUNK_CACHE_BYTES;
    while ((p[0] >= 0 || p[1] >= 0) && full()) {
      if (w === 0) p[1] = head;
      const nx = p.map((x) => (x >= 0 ? (next.get(x) as number) : -1));
      for (let m = 0; m < 2 && full(); m++) {
        const cur = m === 0 && p[0] >= 0 && fullyWritten(p[0]) ? p[0] : m === 1 && p[1] >= 0 ? p[1] : -1;
        if (cur < 0) continue;
        for (let j = 0; j < 2; j++) {
          if (p[j] === cur) p[j] = -1;
          if (nx[j] === cur) nx[j] = next.get(cur) as number;
        }
        evict(cur);
      }
      p[0] = nx[0];
      p[1] = nx[1];
      w--;
    }
  };
  const scaled = new Array<number>(grid.length).fill(0);
  for (let i = 0; i < n; i++) {
    let v = scaled[0];
    // libhdf5 shifts and XORs; scaled[u] < 2^bits[u], so the XOR is an addition (kept exact past 32 bits).
    for (let u = 1; u < grid.length; u++) v = v * 2 ** bits[u] + scaled[u];
    const h = v % CHUNK_CACHE_SLOTS;
    const held = slots.get(h);
    if (held !== undefined) evict(held);
    prune();
    slots.set(h, i);
    slotOf.set(i, h);
    prev.set(i, tail);
    next.set(i, -1);
    if (tail >= 0) next.set(tail, i);
    else head = i;
    tail = i;
    nused++;
    for (let d = grid.length - 1; d >= 0 && ++scaled[d] >= grid[d]; d--) scaled[d] = 0;
  }
  for (let c = head; c >= 0; c = next.get(c) as number) out.push(c);
  return out;
}

/**
 * Build the tree over the chunk records of a `grid` of chunks (records
 * numbered in key order = row-major order), inserted in libhdf5's flush
 * order, and place the header at `at`, nodes after it.
 */
export function planBtreeV2Chunks(dims: readonly number[], chunks: readonly number[], filtered: boolean, chunkBytes: number, at: number): Bt2ChunkPlan {
  const rank = dims.length;
  const grid = dims.map((d, i) => Math.ceil(d / chunks[i]));
  const count = grid.reduce((a, b) => a * b, 1);
  // Chunk i is entirely inside the extent unless it is an edge chunk along some dimension.
  const fullyWritten = (i: number): boolean => {
    let r = i;
    for (let d = rank - 1; d >= 0; d--) {
      const s = r % grid[d];
      r = Math.floor(r / grid[d]);
      if ((s + 1) * chunks[d] > dims[d]) return false;
    }
    return true;
  };
  const plan = planBtreeV2(BT2_NODE_SIZE, bt2RecordSize(rank, filtered, chunkBytes), count, at, chunkFlushOrder(grid, chunkBytes, fullyWritten));
  return { ...plan, sizeWidth: filtered ? chunkSizeWidth(chunkBytes) : 0, filtered, rank };
}

export interface Bt2Record {
  address: number;
  size: number;
  mask: number;
  /** Chunk coordinates in chunks (offset / chunk dimension). */
  scaled: readonly number[];
}

/** Encode header and nodes; `records[i]` is the chunk record with ordinal i (key order). */
export function encodeBtreeV2Chunks(out: Uint8Array, at: number, plan: Bt2ChunkPlan, records: readonly Bt2Record[]): void {
  const view = new DataView(out.buffer, out.byteOffset);
  encodeBtreeV2(out, at, plan, plan.filtered ? 11 : 10, (q, i) => {
    const r = records[i];
    view.setBigUint64(q, BigInt(r.address), true);
    let p = q + 8;
    if (plan.filtered) {
      uintLE(out, p, r.size, plan.sizeWidth);
      p += plan.sizeWidth;
      view.setUint32(p, r.mask, true);
      p += 4;
    }
    for (let d = 0; d < plan.rank; d++, p += 8) view.setBigUint64(p, BigInt(r.scaled[d]), true);
  });
}
