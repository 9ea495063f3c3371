import { BT2_MERGE_PERCENT, BT2_SPLIT_PERCENT, type Bt2Plan, encodeBtreeV2, planBtreeV2, uintLE } from "./btree-v2.js";
import { chunkSizeWidth } from "./chunk-size-width.js";

/**
 * Version 2 B-tree chunk index (spec III.A.2, record types 10 and 11), the
 * index libhdf5 1.10+ uses under libver="latest" when more than one
 * dimension is unlimited. Parameters are libhdf5's (H5Dbtree2.c): node size
 * 2048, split 100 %, merge 40 %. Records are inserted in the order the
 * chunks are written (row-major chunk order = key order), which is the
 * order libhdf5 inserts them when its chunk cache flushes them in order.
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

/** Build the tree over `count` chunk records (inserted in key order) and place the header at `at`, nodes after it. */
export function planBtreeV2Chunks(count: number, rank: number, filtered: boolean, chunkBytes: number, at: number): Bt2ChunkPlan {
  const plan = planBtreeV2(BT2_NODE_SIZE, bt2RecordSize(rank, filtered, chunkBytes), count, at);
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
