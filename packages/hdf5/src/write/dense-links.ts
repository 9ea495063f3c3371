import { type DenseStoragePlan, encodeDenseStorage, planDenseStorage } from "./dense-storage.js";

/**
 * Dense link storage (spec IV.A.2.c link info message): what libhdf5
 * switches a group to under libver="latest" once it has more than 8 links
 * (default phase change: max compact 8). Link messages are objects of a
 * fractal heap with 7-byte heap IDs and a 32-bit maximum heap size
 * (H5Gdense.c); the name index is a v2 B-tree of type 5 whose records are
 * {name hash, heap ID}.
 */

export const MAX_COMPACT_LINKS = 8;
export const LINK_HEAP = { idLength: 7, maxHeapBits: 32, startBlockSize: 512 };
const NAME_RECORD_SIZE = 4 + LINK_HEAP.idLength;

export type DenseLinksPlan = DenseStoragePlan;

/** Plan heap and name index at `at` for links named `names` (UTF-8) with link messages of `sizes` bytes, in creation order. */
export function planDenseLinks(names: readonly Uint8Array[], sizes: readonly number[], at: number): DenseLinksPlan | undefined {
  return planDenseStorage(names, sizes, LINK_HEAP, NAME_RECORD_SIZE, at);
}

/** Encode heap and name index; `messages[i]` is link i's encoded link message. */
export function encodeDenseLinks(out: Uint8Array, plan: DenseLinksPlan, messages: readonly Uint8Array[]): void {
  const view = new DataView(out.buffer, out.byteOffset);
  encodeDenseStorage(out, plan, messages, 5, (q, _index, hash, writeId) => {
    view.setUint32(q, hash, true);
    writeId(q + 4);
  });
}
