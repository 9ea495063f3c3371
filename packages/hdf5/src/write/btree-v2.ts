import { lookup3 } from "../read/checksum.js";

/**
 * Version 2 B-trees (spec III.A.2) as libhdf5 builds them: the tree's shape
 * is grown by replaying libhdf5's insertion algorithm (H5B2__insert /
 * H5B2__insert_internal with its pre-emptive root split, 1->2 splits and
 * 2- and 3-node redistributions) over the records in the order libhdf5
 * would insert them, so every node holds the same records as in a file
 * libhdf5 writes with that insertion order. Records are numbered in key
 * order; the caller encodes each record.
 */

export const BT2_SPLIT_PERCENT = 100;
export const BT2_MERGE_PERCENT = 40;
const BT2_HEADER_SIZE = 4 + 1 + 1 + 4 + 2 + 2 + 1 + 1 + 8 + 2 + 8 + 4;
/** Signature, version, type and checksum of every node (H5B2_METADATA_PREFIX_SIZE). */
const NODE_PREFIX = 4 + 1 + 1 + 4;

export interface Bt2Node {
  /** Record ordinals (records are numbered in key order). */
  recs: number[];
  kids: Bt2Node[] | null;
}

export interface LevelInfo {
  maxNrec: number;
  splitNrec: number;
  /** Records in a full subtree rooted at this level, and the bytes to store such a count. */
  cumMaxNrec: number;
  cumMaxNrecSize: number;
  maxNrecSize: number;
}

/** H5VM_limit_enc_size: bytes to encode values up to n. */
function limitEncSize(n: number): number {
  return Math.floor(Math.floor(Math.log2(n)) / 8) + 1;
}

/** libhdf5 H5B2__hdr_init's per-level node capacities. */
function levelInfo(nodeSize: number, recordSize: number, depth: number): LevelInfo[] {
  const leafMax = Math.floor((nodeSize - NODE_PREFIX) / recordSize);
  const info: LevelInfo[] = [
    { maxNrec: leafMax, splitNrec: Math.floor((leafMax * BT2_SPLIT_PERCENT) / 100), cumMaxNrec: leafMax, cumMaxNrecSize: 0, maxNrecSize: limitEncSize(leafMax) },
  ];
  for (let d = 1; d <= depth; d++) {
    const below = info[d - 1];
    const ptr = 8 + below.maxNrecSize + (d > 1 ? below.cumMaxNrecSize : 0);
    const maxNrec = Math.floor((nodeSize - (NODE_PREFIX + ptr)) / (recordSize + ptr));
    const cumMaxNrec = (maxNrec + 1) * below.cumMaxNrec + maxNrec;
    info.push({ maxNrec, splitNrec: Math.floor((maxNrec * BT2_SPLIT_PERCENT) / 100), cumMaxNrec, cumMaxNrecSize: limitEncSize(cumMaxNrec), maxNrecSize: limitEncSize(maxNrec) });
  }
  return info;
}

function locate(recs: readonly number[], rec: number): number {
  let lo = 0;
  let hi = recs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (recs[mid] < rec) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** H5B2__split1: child idx gives its middle record to `parent` and its upper half to a new right sibling. */
function split1(parent: Bt2Node, idx: number): void {
  const child = (parent.kids as Bt2Node[])[idx];
  const mid = child.recs.length >> 1;
  const right: Bt2Node = { recs: child.recs.slice(mid + 1), kids: child.kids ? child.kids.slice(mid + 1) : null };
  parent.recs.splice(idx, 0, child.recs[mid]);
  child.recs = child.recs.slice(0, mid);
  if (child.kids) child.kids = child.kids.slice(0, mid + 1);
  (parent.kids as Bt2Node[]).splice(idx + 1, 0, right);
}

/** Re-deal the records (and child pointers) of adjacent children idx..idx+counts.length-1 with the given new record counts. */
function redeal(parent: Bt2Node, idx: number, counts: readonly number[]): void {
  const kids = parent.kids as Bt2Node[];
  const group = kids.slice(idx, idx + counts.length);
  const pooled: number[] = [];
  const pooledKids: Bt2Node[] = [];
  group.forEach((k, i) => {
    pooled.push(...k.recs);
    if (k.kids) pooledKids.push(...k.kids);
    if (i < group.length - 1) pooled.push(parent.recs[idx + i]);
  });
  let r = 0;
  let c = 0;
  group.forEach((k, i) => {
    k.recs = pooled.slice(r, r + counts[i]);
    r += counts[i];
    if (k.kids) {
      k.kids = pooledKids.slice(c, c + counts[i] + 1);
      c += counts[i] + 1;
    }
    if (i < group.length - 1) parent.recs[idx + i] = pooled[r++];
  });
}

/** H5B2__redistribute2 between children idx and idx+1. */
function redistribute2(parent: Bt2Node, idx: number): void {
  const kids = parent.kids as Bt2Node[];
  const l = kids[idx].recs.length;
  const r = kids[idx + 1].recs.length;
  const half = Math.floor((l + r) / 2);
  // Records move from the fuller node; the receiving side ends with the larger half.
  const newLeft = l < r ? l + (r - half) : half;
  redeal(parent, idx, [newLeft, l + r - newLeft]);
}

/** H5B2__redistribute3 among children idx-1, idx, idx+1. */
function redistribute3(parent: Bt2Node, idx: number): void {
  const kids = parent.kids as Bt2Node[];
  const total = kids[idx - 1].recs.length + kids[idx].recs.length + kids[idx + 1].recs.length;
  const newMiddle = Math.floor(total / 3);
  const newLeft = Math.floor((total - newMiddle) / 2);
  redeal(parent, idx - 1, [newLeft, newMiddle, total - newLeft - newMiddle]);
}

/** The tree libhdf5 builds from inserting the records numbered in key order 0..n-1 in the given order. */
export function buildBtreeV2(nodeSize: number, recordSize: number, insertionOrder: Iterable<number>): { root: Bt2Node | null; depth: number; info: LevelInfo[] } {
  const b = new Bt2Builder(nodeSize, recordSize);
  for (const r of insertionOrder) b.insert(r);
  return { root: b.root, depth: b.depth, info: b.info };
}

class Bt2Builder {
  root: Bt2Node | null = null;
  depth = 0;
  info: LevelInfo[];

  constructor(
    private readonly nodeSize: number,
    private readonly recordSize: number,
  ) {
    this.info = levelInfo(nodeSize, recordSize, 0);
  }

  insert(rec: number): void {
    if (this.root === null) this.root = { recs: [], kids: null };
    else if (this.root.recs.length === this.info[this.depth].splitNrec) {
      // H5B2__split_root: the tree grows a level, the old root is split 1 -> 2 under a new internal root.
      this.depth++;
      this.info = levelInfo(this.nodeSize, this.recordSize, this.depth);
      this.root = { recs: [], kids: [this.root] };
      split1(this.root, 0);
    }
    let node = this.root;
    for (let depth = this.depth; depth > 0; depth--) {
      const split = this.info[depth - 1].splitNrec;
      const kids = node.kids as Bt2Node[];
      let idx = locate(node.recs, rec);
      let retries = 2;
      while (kids[idx].recs.length === split) {
        if (idx === 0) {
          if (retries > 0 && kids[1].recs.length < split) redistribute2(node, 0);
          else split1(node, 0);
        } else if (idx === node.recs.length) {
          if (retries > 0 && kids[idx - 1].recs.length < split) redistribute2(node, idx - 1);
          else split1(node, idx);
        } else if (retries > 0 && (kids[idx + 1].recs.length < split || kids[idx - 1].recs.length < split)) {
          redistribute3(node, idx);
        } else split1(node, idx);
        idx = locate(node.recs, rec);
        retries = Math.max(0, retries - 1);
      }
      node = kids[idx];
    }
    node.recs.splice(locate(node.recs, rec), 0, rec);
  }
}

export interface Bt2Plan {
  nodeSize: number;
  recordSize: number;
  depth: number;
  info: LevelInfo[];
  root: Bt2Node | null;
  count: number;
  /** Nodes in the order they are placed (depth-first, parents before children). */
  nodes: Array<{ node: Bt2Node; level: number; at: number }>;
  /** Bytes of header plus nodes. */
  totalSize: number;
}

/**
 * Build the tree over records 0..count-1 (numbered in key order) inserted in
 * `insertionOrder` (default: key order) and place the header at `at`, the
 * nodes (each `nodeSize` bytes) after it.
 */
export function planBtreeV2(nodeSize: number, recordSize: number, count: number, at: number, insertionOrder?: readonly number[]): Bt2Plan {
  const b = buildBtreeV2(nodeSize, recordSize, insertionOrder ?? Array.from({ length: count }, (_, i) => i));
  const nodes: Bt2Plan["nodes"] = [];
  let p = at + BT2_HEADER_SIZE;
  const place = (node: Bt2Node, level: number): void => {
    nodes.push({ node, level, at: p });
    p += nodeSize;
    if (node.kids) for (const k of node.kids) place(k, level - 1);
  };
  if (b.root) place(b.root, b.depth);
  return { nodeSize, recordSize, depth: b.depth, info: b.info, root: b.root, count, nodes, totalSize: p - at };
}

export function uintLE(out: Uint8Array, q: number, value: number, width: number): void {
  let v = value;
  for (let i = 0; i < width; i++) {
    out[q + i] = v % 256;
    v = Math.floor(v / 256);
  }
}

function subtreeCount(n: Bt2Node): number {
  return n.recs.length + (n.kids ? n.kids.reduce((a, k) => a + subtreeCount(k), 0) : 0);
}

/**
 * Encode header and nodes of B-tree `type` with split 100 % / merge 40 %;
 * `writeRecord(q, i)` encodes record i (key order) at q. Unused node bytes stay zero.
 */
export function encodeBtreeV2(out: Uint8Array, at: number, plan: Bt2Plan, type: number, writeRecord: (q: number, record: number) => void): void {
  const view = new DataView(out.buffer, out.byteOffset);
  const addrOf = new Map <Bt2Node, number>();
  for (const n of plan.nodes) addrOf.set(n.node, n.at);
  for (const { node, level, at: nodeAt } of plan.nodes) {
    out.set([0x42, 0x54, level === 0 ? 0x4c : 0x49, level === 0 ? 0x46 : 0x4e, 0, type], nodeAt);
    let q = nodeAt + 6;
    for (const r of node.recs) {
      writeRecord(q, r);
      q += plan.recordSize;
    }
    if (node.kids) {
      const below = plan.info[level - 1];
      for (const k of node.kids) {
        view.setBigUint64(q, BigInt(addrOf.get(k) as number), true);
        q += 8;
        uintLE(out, q, k.recs.length, below.maxNrecSize);
        q += below.maxNrecSize;
        if (level > 1) {
          uintLE(out, q, subtreeCount(k), below.cumMaxNrecSize);
          q += below.cumMaxNrecSize;
        }
      }
    }
    view.setUint32(q, lookup3(out.subarray(nodeAt, q)), true);
  }
  // Header "BTHD" (spec III.A.2).
  out.set([0x42, 0x54, 0x48, 0x44, 0, type], at);
  view.setUint32(at + 6, plan.nodeSize, true);
  view.setUint16(at + 10, plan.recordSize, true);
  view.setUint16(at + 12, plan.depth, true);
  out[at + 14] = BT2_SPLIT_PERCENT;
  out[at + 15] = BT2_MERGE_PERCENT;
  view.setBigUint64(at + 16, plan.root ? BigInt(addrOf.get(plan.root) as number) : 0xffffffffffffffffn, true);
  view.setUint16(at + 24, plan.root ? plan.root.recs.length : 0, true);
  view.setBigUint64(at + 26, BigInt(plan.count), true);
  view.setUint32(at + 34, lookup3(out.subarray(at, at + 34)), true);
}
