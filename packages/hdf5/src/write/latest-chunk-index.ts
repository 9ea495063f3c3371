import type { DatasetW, Placed } from "./tree.js";
import { align8 } from "./constants.js";
import { encodeBtreeV2Chunks, planBtreeV2Chunks } from "./btree-v2-chunks.js";
import { type ChunkEntry, EA_MAX_ELEMENTS, earrayChunkIndex, encodeExtensibleArray, planExtensibleArray } from "./extensible-array.js";
import { encodeFixedArray, planFixedArray } from "./latest-format.js";

/**
 * The libver="latest" chunk indexes of a dataset: which one libhdf5 would
 * use, where its structures go in the metadata, and their encoding
 * (fixed array: latest-format.ts; extensible array: extensible-array.ts;
 * version 2 B-tree: btree-v2-chunks.ts).
 */

function chunkBytesOf(ds: DatasetW): number {
  return (ds.chunks as number[]).reduce((a, b) => a * b, ds.type.size);
}

function unlimitedDims(ds: DatasetW): number[] {
  const out: number[] = [];
  ds.space.maxDims?.forEach((m, i) => {
    if (m === Number.POSITIVE_INFINITY) out.push(i);
  });
  return out;
}

/** Chunks along each dimension of the maximum extent (unlimited dimensions: of the current extent). */
function maxChunkGrid(ds: DatasetW, chunks: readonly number[]): number[] {
  const dims = ds.space.dims;
  return dims.map((d, i) => {
    const m = ds.space.maxDims?.[i] ?? d;
    return Math.ceil((m === Number.POSITIVE_INFINITY ? d : m) / chunks[i]);
  });
}

/**
 * The chunk index libhdf5 picks under libver="latest"
 * (H5D__layout_set_latest_indexing): one unlimited dimension -> extensible
 * array, several -> version 2 B-tree; fixed maximum dimensions -> single
 * chunk when current = maximum = chunk dimensions, else a fixed array over
 * the maximum dimensions' chunk grid.
 */
export function chooseLatestIndex(p: Placed, ds: DatasetW, chunks: readonly number[]): void {
  const dims = ds.space.dims;
  const max = ds.space.maxDims ?? dims;
  p.chunkCount = dims.reduce((a, d, i) => a * Math.ceil(d / chunks[i]), 1);
  const unlim = unlimitedDims(ds);
  if (unlim.length === 1) {
    const grid = maxChunkGrid(ds, chunks);
    const indices: number[] = [];
    const cur = dims.map((d, i) => Math.ceil(d / chunks[i]));
    if (p.chunkCount > 0) {
      const scaled = new Array<number>(dims.length).fill(0);
      for (;;) {
        indices.push(earrayChunkIndex(scaled, grid, unlim[0]));
        let d = dims.length - 1;
        while (d >= 0 && ++scaled[d] >= cur[d]) scaled[d--] = 0;
        if (d < 0) break;
      }
    }
    indices.sort((a, b) => a - b);
    // Data blocks past 131060 elements are paged, which this writer does not produce: keep a v1 B-tree there.
    if (indices.length === 0 || indices[indices.length - 1] < EA_MAX_ELEMENTS) {
      p.chunkIndex = "earray";
      p.earrayIndices = indices;
    } else p.chunkIndex = "btree";
  } else if (unlim.length > 1) p.chunkIndex = "bt2";
  else if (dims.every((d, i) => d === max[i] && d === chunks[i])) p.chunkIndex = "single";
  else {
    p.chunkIndex = "farray";
    const count = maxChunkGrid(ds, chunks).reduce((a, b) => a * b, 1);
    p.farray = planFixedArray(count, ds.filters.length > 0, chunkBytesOf(ds));
  }
}

/** Place the index structures of `p` (chosen by chooseLatestIndex) at `at`; returns the next free address. */
export function placeLatestIndex(p: Placed, at: number): number {
  if (p.chunkIndex === "farray" && p.farray && p.farray.count > 0 && p.chunkCount) {
    p.chunkTreeAt = at;
    at = align8(at + p.farray.headerSize + p.farray.blockSize);
  } else if (p.chunkIndex === "earray" && p.chunkCount) {
    const ds = p.node as DatasetW;
    p.chunkTreeAt = at;
    p.earray = planExtensibleArray(p.earrayIndices ?? [], ds.filters.length > 0, chunkBytesOf(ds), at);
    at = align8(at + p.earray.totalSize);
  } else if (p.chunkIndex === "bt2" && p.chunkCount) {
    const ds = p.node as DatasetW;
    p.chunkTreeAt = at;
    p.bt2 = planBtreeV2Chunks(ds.space.dims, ds.chunks as number[], ds.filters.length > 0, chunkBytesOf(ds), at);
    at = align8(at + p.bt2.totalSize);
  }
  return at;
}

/** Encode the index of `p` once its chunks have addresses (p.stored, in row-major chunk order). */
export function encodeLatestIndex(meta: Uint8Array, p: Placed): void {
  if (!p.stored || p.stored.length === 0 || p.node.kind !== "dataset") return;
  const chunks = p.node.chunks as number[];
  if (p.chunkIndex === "farray" && p.farray) {
    // Entries are indexed over the chunk grid of the maximum dimensions (H5D__farray_idx_get_addr).
    const grid = maxChunkGrid(p.node, chunks);
    const entries = new Array<{ address: number; size: number; mask: number } | undefined>(p.farray.count);
    for (const c of p.stored) {
      let idx = 0;
      for (let d = 0; d < chunks.length; d++) idx = idx * grid[d] + c.offset[d] / chunks[d];
      entries[idx] = { address: c.address, size: c.bytes.length, mask: c.filterMask };
    }
    encodeFixedArray(meta, p.chunkTreeAt as number, p.farray, entries);
  } else if (p.chunkIndex === "earray" && p.earray) {
    const grid = maxChunkGrid(p.node, chunks);
    const unlim = unlimitedDims(p.node)[0];
    const entries = new Map<number, ChunkEntry>();
    for (const c of p.stored) {
      const scaled = c.offset.map((o, d) => o / chunks[d]);
      entries.set(earrayChunkIndex(scaled, grid, unlim), { address: c.address, size: c.bytes.length, mask: c.filterMask });
    }
    encodeExtensibleArray(meta, p.chunkTreeAt as number, p.earray, entries);
  } else if (p.chunkIndex === "bt2" && p.bt2) {
    // Chunks were cut in row-major chunk order, which is the B-tree's key order.
    const records = p.stored.map((c) => ({ address: c.address, size: c.bytes.length, mask: c.filterMask, scaled: c.offset.map((o, d) => o / chunks[d]) }));
    encodeBtreeV2Chunks(meta, p.chunkTreeAt as number, p.bt2, records);
  }
}
