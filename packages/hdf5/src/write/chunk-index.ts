import { fail } from "@codec/core";
import { BTREE_HEADER_SIZE, CHUNK_BTREE_K, chunkBtreeNodeSize, UNDEF } from "./constants.js";

/**
 * Chunked storage: cutting C-contiguous data into chunks (edge chunks are
 * padded with zeros to the full chunk size, as libhdf5 stores them) and the
 * version 1 B-tree of type 1 that indexes them (spec III.A.1, K = 32).
 */

export interface StoredChunk {
  /** Chunk origin in elements, one per dataset dimension. */
  offset: number[];
  bytes: Uint8Array;
  filterMask: number;
  address: number;
}

/** Number of chunks along each dimension. */
export function chunkGrid(shape: readonly number[], chunks: readonly number[]): number[] {
  return shape.map((d, i) => Math.ceil(d / chunks[i]));
}

/**
 * Calls `visit` for every chunk in row-major order of chunk coordinates
 * (the B-tree key order), with the chunk's bytes copied out of `data`.
 */
export function forEachChunk(
  data: Uint8Array,
  shape: readonly number[],
  chunks: readonly number[],
  elementSize: number,
  visit: (offset: number[], chunk: Uint8Array) => void,
): void {
  const rank = shape.length;
  const grid = chunkGrid(shape, chunks);
  if (grid.some((g) => g === 0)) return;
  const chunkElems = chunks.reduce((a, b) => a * b, 1);
  const strides = new Array<number>(rank);
  let s = elementSize;
  for (let i = rank - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  const cstrides = new Array<number>(rank);
  s = elementSize;
  for (let i = rank - 1; i >= 0; i--) {
    cstrides[i] = s;
    s *= chunks[i];
  }
  const coord = new Array<number>(rank).fill(0);
  for (;;) {
    const offset = coord.map((c, i) => c * chunks[i]);
    const extent = offset.map((o, i) => Math.min(chunks[i], shape[i] - o));
    const chunk = new Uint8Array(chunkElems * elementSize);
    const runBytes = extent[rank - 1] * elementSize;
    // Walk the rows (all dims but the last) of the chunk's in-bounds part.
    const row = new Array<number>(Math.max(0, rank - 1)).fill(0);
    for (;;) {
      let src = offset[rank - 1] * elementSize;
      let dst = 0;
      for (let i = 0; i < rank - 1; i++) {
        src += (offset[i] + row[i]) * strides[i];
        dst += row[i] * cstrides[i];
      }
      chunk.set(data.subarray(src, src + runBytes), dst);
      let d = rank - 2;
      while (d >= 0 && ++row[d] >= extent[d]) row[d--] = 0;
      if (d < 0) break;
    }
    visit(offset, chunk);
    let d = rank - 1;
    while (d >= 0 && ++coord[d] >= grid[d]) coord[d--] = 0;
    if (d < 0) break;
  }
}

/** B-tree nodes per level (leaves first) for `n` chunks. */
export function chunkTreeLevels(n: number): number[] {
  const fanout = 2 * CHUNK_BTREE_K;
  const levels: number[] = [];
  let c = Math.max(1, Math.ceil(n / fanout));
  levels.push(c);
  while (c > 1) {
    c = Math.ceil(c / fanout);
    levels.push(c);
  }
  return levels;
}

interface KeyedChild {
  address: number;
  /** Left key: chunk size, filter mask, offsets. */
  size: number;
  mask: number;
  offset: number[];
}

/**
 * Encode the chunk B-tree at `at` (nodes consecutive, leaves first; root
 * last). The key after the last child is the last chunk's origin advanced
 * by one chunk along the first dimension, with the element-size dimension
 * set to the element size, as libhdf5 writes it.
 */
export function encodeChunkTree(
  out: Uint8Array,
  at: number,
  chunks: readonly StoredChunk[],
  chunkDims: readonly number[],
  elementSize: number,
): number {
  if (chunks.length === 0) return UNDEF;
  const rank = chunkDims.length;
  const nodeSize = chunkBtreeNodeSize(rank);
  const keySize = 8 + 8 * (rank + 1);
  const view = new DataView(out.buffer, out.byteOffset);
  const lastOffset = chunks[chunks.length - 1].offset;
  const endKey: KeyedChild = {
    address: 0,
    size: 0,
    mask: 0,
    offset: lastOffset.map((o, i) => (i === 0 ? o + chunkDims[0] : o)),
  };
  const writeKey = (p: number, k: KeyedChild, elementDim: number): void => {
    view.setUint32(p, k.size, true);
    view.setUint32(p + 4, k.mask, true);
    for (let i = 0; i < rank; i++) view.setBigUint64(p + 8 + 8 * i, BigInt(k.offset[i]), true);
    view.setBigUint64(p + 8 + 8 * rank, BigInt(elementDim), true);
  };
  let children: KeyedChild[] = chunks.map((c) => ({ address: c.address, size: c.bytes.length, mask: c.filterMask, offset: c.offset }));
  const levels = chunkTreeLevels(chunks.length);
  const fanout = 2 * CHUNK_BTREE_K;
  let nodeAt = at;
  let root = at;
  for (let level = 0; level < levels.length; level++) {
    const count = levels[level];
    const parents: KeyedChild[] = [];
    for (let k = 0; k < count; k++) {
      const node = nodeAt + k * nodeSize;
      const kids = children.slice(k * fanout, (k + 1) * fanout);
      out.set([0x54, 0x52, 0x45, 0x45, 1, level], node);
      view.setUint16(node + 6, kids.length, true);
      view.setBigUint64(node + 8, k > 0 ? BigInt(node - nodeSize) : 0xffffffffffffffffn, true);
      view.setBigUint64(node + 16, k < count - 1 ? BigInt(node + nodeSize) : 0xffffffffffffffffn, true);
      let p = node + BTREE_HEADER_SIZE;
      for (const c of kids) {
        writeKey(p, c, 0);
        view.setBigUint64(p + keySize, BigInt(c.address), true);
        p += keySize + 8;
      }
      const next = k < count - 1 ? children[(k + 1) * fanout] : endKey;
      writeKey(p, next, next === endKey ? elementSize : 0);
      parents.push({ ...kids[0], address: node });
      root = node;
    }
    nodeAt += count * nodeSize;
    children = parents;
  }
  if (root !== at + (levels.reduce((a, b) => a + b, 0) - 1) * nodeSize) fail("CORRUPT", "hdf5", "chunk tree layout mismatch");
  return root;
}
