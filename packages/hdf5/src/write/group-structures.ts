import { utf8Encode } from "@codec/core";
import {
  align8,
  BTREE_HEADER_SIZE,
  GROUP_BTREE_NODE_SIZE,
  GROUP_INTERNAL_K,
  GROUP_LEAF_K,
  LOCAL_HEAP_FREE_NULL,
  LOCAL_HEAP_HEADER_SIZE,
  SNOD_SIZE,
  SYMBOL_ENTRY_SIZE,
  UNDEF,
} from "./constants.js";

/**
 * The on-disk structures of an "old-style" group (spec III.A-C): a local
 * heap holding the link names, symbol table nodes (SNOD) holding up to 2K
 * entries each (K = 4), and a version 1 B-tree of type 0 (K = 16) over the
 * SNODs, with as many levels as needed.
 */

/** One link of a group, as the symbol table entry needs it. */
export interface SymbolEntry {
  name: string;
  /** Object header address of the target (filled in during layout). */
  address: number;
  /** For groups: cache type 1 with the B-tree and heap addresses in the scratch pad. */
  cache?: { btree: number; heap: number };
  /** For soft links: the target path, kept in the local heap (cache type 2, no object header). */
  soft?: string;
}

/** Compare names by their UTF-8 bytes, the order libhdf5 keeps (strcmp). */
export function compareNames(a: string, b: string): number {
  const x = utf8Encode(a);
  const y = utf8Encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

export interface GroupPlan {
  /** Entries sorted by name. */
  entries: SymbolEntry[];
  /** Heap offsets of the entries' names (same order). */
  nameOffsets: number[];
  /** Heap offsets of soft link targets (same order; -1 for other entries). */
  softOffsets: number[];
  heapData: Uint8Array;
  snodCount: number;
  /** B-tree nodes per level, leaves (level 0) first. */
  levels: number[];
}

/** Lay out the names and count the nodes a group of `entries` needs. */
export function planGroup(entries: SymbolEntry[]): GroupPlan {
  const encoded = entries.map((e) => utf8Encode(e.name));
  // Offset 0 holds the empty string: key 0 of the B-tree points at it (libhdf5 does the same).
  let size = 8;
  const nameOffsets: number[] = [];
  for (const b of encoded) {
    nameOffsets.push(size);
    size += align8(b.length + 1);
  }
  // Soft link targets follow the names, each NUL-terminated and padded to 8 bytes like a name.
  const softOffsets: number[] = [];
  const targets = entries.map((e) => (e.soft === undefined ? undefined : utf8Encode(e.soft)));
  for (const t of targets) {
    softOffsets.push(t === undefined ? -1 : size);
    if (t !== undefined) size += align8(t.length + 1);
  }
  const heapData = new Uint8Array(size);
  for (let i = 0; i < encoded.length; i++) heapData.set(encoded[i], nameOffsets[i]);
  for (let i = 0; i < targets.length; i++) if (targets[i] !== undefined) heapData.set(targets[i] as Uint8Array, softOffsets[i]);
  const perSnod = 2 * GROUP_LEAF_K;
  const snodCount = Math.ceil(entries.length / perSnod);
  const fanout = 2 * GROUP_INTERNAL_K;
  const levels: number[] = [];
  let n = Math.max(1, Math.ceil(snodCount / fanout));
  levels.push(n);
  while (n > 1) {
    n = Math.ceil(n / fanout);
    levels.push(n);
  }
  return { entries, nameOffsets, softOffsets, heapData, snodCount, levels };
}

export function groupMetadataSize(plan: GroupPlan): { heap: number; snods: number; btree: number } {
  const nodes = plan.levels.reduce((a, b) => a + b, 0);
  return {
    heap: LOCAL_HEAP_HEADER_SIZE + plan.heapData.length,
    snods: plan.snodCount * SNOD_SIZE,
    btree: nodes * GROUP_BTREE_NODE_SIZE,
  };
}

function setAddr(view: DataView, at: number, addr: number): void {
  view.setBigUint64(at, addr === UNDEF ? 0xffffffffffffffffn : BigInt(addr), true);
}

/** A symbol table entry (spec III.C) at `at`; `softOffset` is the heap offset of a soft link's target. */
export function encodeSymbolEntry(view: DataView, at: number, nameOffset: number, e: SymbolEntry, softOffset = -1): void {
  view.setBigUint64(at, BigInt(nameOffset), true);
  setAddr(view, at + 8, e.soft !== undefined ? UNDEF : e.address);
  view.setUint32(at + 16, e.soft !== undefined ? 2 : e.cache ? 1 : 0, true);
  if (e.soft !== undefined) view.setUint32(at + 24, softOffset, true);
  else if (e.cache) {
    setAddr(view, at + 24, e.cache.btree);
    setAddr(view, at + 32, e.cache.heap);
  }
}

/** Local heap (spec III.D): header then the data segment right after it; no free blocks. */
export function encodeLocalHeap(out: Uint8Array, at: number, data: Uint8Array): void {
  const view = new DataView(out.buffer, out.byteOffset + at, LOCAL_HEAP_HEADER_SIZE);
  out.set([0x48, 0x45, 0x41, 0x50, 0], at);
  view.setBigUint64(8, BigInt(data.length), true);
  view.setBigUint64(16, BigInt(LOCAL_HEAP_FREE_NULL), true);
  view.setBigUint64(24, BigInt(at + LOCAL_HEAP_HEADER_SIZE), true);
  out.set(data, at + LOCAL_HEAP_HEADER_SIZE);
}

/**
 * Encode the SNODs (at `snodAt`, consecutive) and the B-tree nodes (at
 * `btreeAt`, leaves first, then each level up; the root is the last node).
 * Returns the root address.
 */
export function encodeGroupNodes(out: Uint8Array, plan: GroupPlan, snodAt: number, btreeAt: number): number {
  const perSnod = 2 * GROUP_LEAF_K;
  const view = new DataView(out.buffer, out.byteOffset);
  // Children of the leaf level: one per SNOD, keyed by the SNOD's last name.
  let children: Array<{ address: number; lastKey: number }> = [];
  for (let s = 0; s < plan.snodCount; s++) {
    const at = snodAt + s * SNOD_SIZE;
    const first = s * perSnod;
    const count = Math.min(perSnod, plan.entries.length - first);
    out.set([0x53, 0x4e, 0x4f, 0x44, 1, 0], at);
    view.setUint16(at + 6, count, true);
    for (let i = 0; i < count; i++) {
      encodeSymbolEntry(view, at + 8 + i * SYMBOL_ENTRY_SIZE, plan.nameOffsets[first + i], plan.entries[first + i], plan.softOffsets[first + i]);
    }
    children.push({ address: at, lastKey: plan.nameOffsets[first + count - 1] });
  }
  const fanout = 2 * GROUP_INTERNAL_K;
  let nodeAt = btreeAt;
  let root = btreeAt;
  for (let level = 0; level < plan.levels.length; level++) {
    const count = plan.levels[level];
    const parents: Array<{ address: number; lastKey: number }> = [];
    let leftKey = 0;
    for (let k = 0; k < count; k++) {
      const at = nodeAt + k * GROUP_BTREE_NODE_SIZE;
      const kids = children.slice(k * fanout, (k + 1) * fanout);
      out.set([0x54, 0x52, 0x45, 0x45, 0, level], at);
      view.setUint16(at + 6, kids.length, true);
      setAddr(view, at + 8, k > 0 ? at - GROUP_BTREE_NODE_SIZE : UNDEF);
      setAddr(view, at + 16, k < count - 1 ? at + GROUP_BTREE_NODE_SIZE : UNDEF);
      // key0, child0, key1, ..., childN-1, keyN: key i+1 is the last name under child i.
      let p = at + BTREE_HEADER_SIZE;
      view.setBigUint64(p, BigInt(leftKey), true);
      p += 8;
      for (const c of kids) {
        view.setBigUint64(p, BigInt(c.address), true);
        view.setBigUint64(p + 8, BigInt(c.lastKey), true);
        p += 16;
      }
      const last = kids.length > 0 ? kids[kids.length - 1].lastKey : 0;
      parents.push({ address: at, lastKey: last });
      leftKey = last;
      root = at;
    }
    nodeAt += count * GROUP_BTREE_NODE_SIZE;
    children = parents;
  }
  return root;
}
