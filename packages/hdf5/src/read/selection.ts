/**
 * Serialized dataspace selections (libhdf5 H5S_SELECT_SERIALIZE, used by
 * the virtual dataset mapping block, spec III.F, and by region
 * references): a 4-byte selection type (0 none, 1 points, 2 hyperslab,
 * 3 all), a 4-byte version, then per type:
 * - none/all: 4 reserved bytes and a 4-byte length (version 1);
 * - points v1: 4 reserved, 4-byte length, 4-byte rank, 4-byte count, coords
 *   as 4-byte values; v2: 1-byte encode size, 4-byte rank, count and coords
 *   in the encode size;
 * - hyperslab v1: 4 reserved, 4-byte length, rank, block count, then each
 *   block's start and end corners (4 bytes); v2: 1-byte flags, 4-byte
 *   length, rank, and (regular flag) start/stride/count/block per dimension
 *   in 8 bytes; v3: flags, 1-byte encode size, rank, then regular
 *   start/stride/count/block or a block list in the encode size.
 * All-ones values mean H5S_UNLIMITED (Infinity here).
 */
import { type ByteReader, fail } from "@codec/core";
import { FORMAT } from "./context.js";

export type Selection =
  | { readonly kind: "none" }
  | { readonly kind: "all" }
  | { readonly kind: "points"; readonly rank: number; readonly coords: readonly number[][] }
  | { readonly kind: "regular"; readonly rank: number; readonly start: number[]; readonly stride: number[]; readonly count: number[]; readonly block: number[] }
  | { readonly kind: "blocks"; readonly rank: number; readonly blocks: readonly { start: number[]; end: number[] }[] };

const MAX_RANK = 32;
const REGULAR_FLAG = 1;

/** An unsigned value of 2, 4 or 8 bytes; all ones is "unlimited" (Infinity). */
function coord(r: ByteReader, size: number): number {
  if (size === 8) {
    const v = r.u64big();
    if (v === 0xffffffffffffffffn) return Number.POSITIVE_INFINITY;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail("LIMIT", FORMAT, "selection coordinate past 2^53", { offset: r.offset - 8 });
    return Number(v);
  }
  if (size === 4) {
    const v = r.u32();
    return v === 0xffffffff ? Number.POSITIVE_INFINITY : v;
  }
  if (size === 2) {
    const v = r.u16();
    return v === 0xffff ? Number.POSITIVE_INFINITY : v;
  }
  return fail("CORRUPT", FORMAT, `selection encode size ${size}`, { offset: r.offset });
}

function rankOf(r: ByteReader): number {
  const rank = r.u32();
  if (rank === 0 || rank > MAX_RANK) fail("CORRUPT", FORMAT, `selection rank ${rank}`, { offset: r.offset - 4 });
  return rank;
}

function countOf(r: ByteReader, size: number, perItem: number): number {
  const n = coord(r, size);
  // Each item needs at least perItem bytes: a lying count fails before allocating.
  if (!Number.isFinite(n) || n * perItem > r.remaining) fail("CORRUPT", FORMAT, `selection of ${n} items overruns its block`, { offset: r.offset });
  return n;
}

/** Parse one serialized selection at the reader's position. */
export function readSelection(r: ByteReader): Selection {
  const at = r.offset;
  const type = r.u32();
  const version = r.u32();
  if (type === 0 || type === 3) {
    if (version !== 1) fail("UNSUPPORTED", FORMAT, `${type === 0 ? "none" : "all"} selection version ${version}`, { offset: at });
    r.skip(8);
    return { kind: type === 0 ? "none" : "all" };
  }
  if (type === 1) {
    let size = 4;
    if (version === 1) r.skip(8);
    else if (version === 2) size = r.u8();
    else fail("UNSUPPORTED", FORMAT, `point selection version ${version}`, { offset: at });
    const rank = rankOf(r);
    const n = countOf(r, size, rank * size);
    const coords: number[][] = [];
    for (let i = 0; i < n; i++) {
      const c: number[] = [];
      for (let d = 0; d < rank; d++) c.push(coord(r, size));
      coords.push(c);
    }
    return { kind: "points", rank, coords };
  }
  if (type !== 2) return fail("CORRUPT", FORMAT, `selection type ${type}`, { offset: at });
  let size = 4;
  let flags = 0;
  if (version === 1) r.skip(8);
  else if (version === 2) {
    flags = r.u8();
    r.skip(4);
    size = 8;
  } else if (version === 3) {
    flags = r.u8();
    size = r.u8();
  } else fail("UNSUPPORTED", FORMAT, `hyperslab selection version ${version}`, { offset: at });
  const rank = rankOf(r);
  if (flags & REGULAR_FLAG) {
    const start: number[] = [];
    const stride: number[] = [];
    const count: number[] = [];
    const block: number[] = [];
    for (let d = 0; d < rank; d++) {
      start.push(coord(r, size));
      stride.push(coord(r, size));
      count.push(coord(r, size));
      block.push(coord(r, size));
      if (!Number.isFinite(start[d]) || !Number.isFinite(stride[d]) || stride[d] === 0) fail("CORRUPT", FORMAT, "regular hyperslab start/stride", { offset: at });
    }
    return { kind: "regular", rank, start, stride, count, block };
  }
  const n = countOf(r, size, 2 * rank * size);
  const blocks: { start: number[]; end: number[] }[] = [];
  for (let i = 0; i < n; i++) {
    const start: number[] = [];
    const end: number[] = [];
    for (let d = 0; d < rank; d++) start.push(coord(r, size));
    for (let d = 0; d < rank; d++) end.push(coord(r, size));
    blocks.push({ start, end });
  }
  return { kind: "blocks", rank, blocks };
}

/** A regular hyperslab with every unlimited count/block resolved. */
export function resolveUnlimited(s: Extract<Selection, { kind: "regular" }>, sizeOf: (dim: number) => { count: number; block: number }): Extract<Selection, { kind: "regular" }> {
  const count = s.count.slice();
  const block = s.block.slice();
  for (let d = 0; d < s.rank; d++) {
    if (Number.isFinite(count[d]) && Number.isFinite(block[d])) continue;
    const r = sizeOf(d);
    count[d] = r.count;
    block[d] = r.block;
  }
  return { ...s, count, block };
}

/**
 * Linear element indices (C order within `dims`) a selection visits, in
 * libhdf5's iteration order: hyperslabs and "all" in C order, points in
 * their listed order. Elements outside `dims` are reported as -1 so the
 * caller can keep the pairing with another selection. Fails past `max`.
 */
export function selectionIndices(s: Selection, dims: readonly number[], max: number): Float64Array {
  const rank = dims.length;
  const strides = new Array<number>(rank);
  let acc = 1;
  for (let d = rank - 1; d >= 0; d--) {
    strides[d] = acc;
    acc *= dims[d];
  }
  const linear = (c: readonly number[]): number => {
    let o = 0;
    for (let d = 0; d < rank; d++) {
      if (c[d] >= dims[d]) return -1;
      o += c[d] * strides[d];
    }
    return o;
  };
  if (s.kind === "none") return new Float64Array(0);
  if (s.kind !== "all" && s.rank !== rank) fail("CORRUPT", FORMAT, `selection rank ${s.rank} does not match dataspace rank ${rank}`);
  const limit = (n: number) => {
    if (!(n <= max)) fail("LIMIT", FORMAT, `selection of ${n} elements is over the read limit`);
  };
  if (s.kind === "points") {
    limit(s.coords.length);
    return Float64Array.from(s.coords, linear);
  }
  // Per-dimension coordinate lists; C-order iteration is their cartesian product.
  let lists: number[][];
  if (s.kind === "all") lists = dims.map((n) => Array.from({ length: n }, (_, i) => i));
  else if (s.kind === "regular") {
    lists = [];
    for (let d = 0; d < rank; d++) {
      const n = s.count[d] * s.block[d];
      if (!Number.isFinite(n)) fail("CORRUPT", FORMAT, "unresolved unlimited hyperslab");
      limit(n);
      const l: number[] = [];
      for (let i = 0; i < s.count[d]; i++) for (let j = 0; j < s.block[d]; j++) l.push(s.start[d] + i * s.stride[d] + j);
      lists.push(l);
    }
  } else {
    // An irregular hyperslab is the union of its blocks, visited in C order.
    const seen = new Set<string>();
    const pts: number[][] = [];
    for (const b of s.blocks) {
      let n = 1;
      for (let d = 0; d < rank; d++) n *= b.end[d] - b.start[d] + 1;
      if (!(n >= 0)) fail("CORRUPT", FORMAT, "hyperslab block ends before it starts");
      limit(pts.length + n);
      const c = b.start.slice();
      for (let k = 0; k < n; k++) {
        const key = c.join(",");
        if (!seen.has(key)) {
          seen.add(key);
          pts.push(c.slice());
        }
        for (let d = rank - 1; d >= 0; d--) {
          if (++c[d] <= b.end[d]) break;
          c[d] = b.start[d];
        }
      }
    }
    pts.sort((a, b) => {
      for (let d = 0; d < rank; d++) if (a[d] !== b[d]) return a[d] - b[d];
      return 0;
    });
    return Float64Array.from(pts, linear);
  }
  let total = 1;
  for (const l of lists) total *= l.length;
  limit(total);
  const out = new Float64Array(total);
  const idx = new Array<number>(rank).fill(0);
  const c = lists.map((l) => l[0]);
  for (let k = 0; k < total; k++) {
    out[k] = linear(c);
    let d = rank - 1;
    while (d >= 0) {
      if (++idx[d] < lists[d].length) {
        c[d] = lists[d][idx[d]];
        break;
      }
      idx[d] = 0;
      c[d] = lists[d][0];
      d--;
    }
  }
  return out;
}
