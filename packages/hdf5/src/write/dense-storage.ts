import { lookup3 } from "../read/checksum.js";
import { type Bt2Plan, encodeBtreeV2, planBtreeV2 } from "./btree-v2.js";
import { encodeFractalHeap, type FractalHeapParams, type FractalHeapPlan, planFractalHeap, writeHeapId } from "./fractal-heap.js";

/**
 * Dense storage shared by links and attributes (spec III.G, III.A.2): the
 * messages are objects in a fractal heap, found through a v2 B-tree name
 * index (node size 512, split 100 %, merge 40 %) whose records carry the
 * lookup3 hash of the name and the heap ID, ordered by hash, then name.
 * Messages go into the heap and the index in creation order, as libhdf5
 * inserts them when it converts compact storage and adds the rest.
 */

export const NAME_INDEX_NODE_SIZE = 512;

export interface DenseStoragePlan {
  heapAt: number;
  btreeAt: number;
  heap: FractalHeapPlan;
  btree: Bt2Plan;
  hashes: number[];
  /** Record ordinal (key order) -> message index (creation order). */
  byKey: number[];
  totalSize: number;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/**
 * Plan heap and name index at `at` for messages named `names` (UTF-8) of
 * `sizes` bytes, both in creation order. Returns undefined when a message
 * is too big for a managed heap object or the heap would outgrow its root.
 */
export function planDenseStorage(names: readonly Uint8Array[], sizes: readonly number[], heapParams: FractalHeapParams, recordSize: number, at: number): DenseStoragePlan | undefined {
  const heap = planFractalHeap(sizes, heapParams, at);
  if (!heap) return undefined;
  const hashes = names.map((n) => lookup3(n));
  const byKey = names.map((_, i) => i).sort((a, b) => hashes[a] - hashes[b] || compareBytes(names[a], names[b]));
  const keyOf = new Array<number>(names.length);
  byKey.forEach((index, key) => {
    keyOf[index] = key;
  });
  const btreeAt = at + heap.totalSize;
  const btree = planBtreeV2(NAME_INDEX_NODE_SIZE, recordSize, names.length, btreeAt, keyOf);
  return { heapAt: at, btreeAt, heap, btree, hashes, byKey, totalSize: heap.totalSize + btree.totalSize };
}

/**
 * Encode heap and name index; `objects[i]` is message i's bytes and
 * `writeRecord(q, i, hash, writeId)` encodes the index record of message i.
 */
export function encodeDenseStorage(
  out: Uint8Array,
  plan: DenseStoragePlan,
  objects: readonly Uint8Array[],
  btreeType: number,
  writeRecord: (q: number, index: number, hash: number, writeId: (q: number) => void) => void,
): void {
  encodeFractalHeap(out, plan.heapAt, plan.heap, objects);
  encodeBtreeV2(out, plan.btreeAt, plan.btree, btreeType, (q, key) => {
    const index = plan.byKey[key];
    writeRecord(q, index, plan.hashes[index], (p) => writeHeapId(out, p, plan.heap, index));
  });
}
