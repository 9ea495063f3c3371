import { lookup3 } from "../read/checksum.js";
import { type Bt2Plan, encodeBtreeV2, planBtreeV2 } from "./btree-v2.js";
import { encodeFractalHeap, type FractalHeapPlan, planFractalHeap, writeHeapId } from "./fractal-heap.js";

/**
 * Dense link storage (spec IV.A.2.c link info message, III.G fractal heap,
 * III.A.2 v2 B-tree type 5): what libhdf5 switches a group to under
 * libver="latest" once it has more than 8 links (default phase change:
 * max compact 8). Each link message is an object in the group's fractal
 * heap (heap IDs of 7 bytes); the name index is a v2 B-tree (node size 512,
 * split 100 %, merge 40 %) of records {lookup3 hash of the name, heap ID}
 * ordered by hash, then name. Links go into the heap and the B-tree in
 * creation order, as libhdf5 inserts them.
 */

export const MAX_COMPACT_LINKS = 8;
export const LINK_HEAP = { idLength: 7, maxHeapBits: 32 };
export const NAME_INDEX_NODE_SIZE = 512;
const NAME_RECORD_SIZE = 4 + LINK_HEAP.idLength;

export interface DenseLinksPlan {
  heapAt: number;
  btreeAt: number;
  heap: FractalHeapPlan;
  btree: Bt2Plan;
  hashes: number[];
  /** Record ordinal (key order) -> link index (creation order). */
  byKey: number[];
  totalSize: number;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * Plan heap and name index at `at` for links with UTF-8 names `names` and
 * encoded link messages of `sizes` bytes (both in creation order). Returns
 * undefined when a link message is too big for a managed heap object.
 */
export function planDenseLinks(names: readonly Uint8Array[], sizes: readonly number[], at: number): DenseLinksPlan | undefined {
  const heap = planFractalHeap(sizes, LINK_HEAP, at);
  if (!heap) return undefined;
  const hashes = names.map((n) => lookup3(n));
  const byKey = names.map((_, i) => i).sort((a, b) => hashes[a] - hashes[b] || compareBytes(names[a], names[b]));
  const keyOf = new Array<number>(names.length);
  byKey.forEach((link, key) => {
    keyOf[link] = key;
  });
  const btreeAt = at + heap.totalSize;
  const btree = planBtreeV2(NAME_INDEX_NODE_SIZE, NAME_RECORD_SIZE, names.length, btreeAt, keyOf);
  return { heapAt: at, btreeAt, heap, btree, hashes, byKey, totalSize: heap.totalSize + btree.totalSize };
}

/** Encode heap and name index; `messages[i]` is link i's encoded link message. */
export function encodeDenseLinks(out: Uint8Array, plan: DenseLinksPlan, messages: readonly Uint8Array[]): void {
  const view = new DataView(out.buffer, out.byteOffset);
  encodeFractalHeap(out, plan.heapAt, plan.heap, messages);
  encodeBtreeV2(out, plan.btreeAt, plan.btree, 5, (q, key) => {
    const link = plan.byKey[key];
    view.setUint32(q, plan.hashes[link], true);
    writeHeapId(out, q + 4, plan.heap, link);
  });
}
