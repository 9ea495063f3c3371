import { type DenseStoragePlan, encodeDenseStorage, planDenseStorage } from "./dense-storage.js";

/**
 * Dense attribute storage (spec IV.A.2.v attribute info message): what
 * libhdf5 switches an object to under libver="latest" once it has more than
 * 8 attributes (default phase change: max compact 8). Attribute messages
 * are objects of a fractal heap with 8-byte heap IDs and a 40-bit maximum
 * heap size (H5Oattribute.c / H5Adense.c); the name index is a v2 B-tree of
 * type 8 whose records are {heap ID, message flags, creation order, name
 * hash}. Without creation order tracking (h5py's default) libhdf5 stores
 * the creation order as 0xFFFF.
 */

export const MAX_COMPACT_ATTRIBUTES = 8;
export const ATTRIBUTE_HEAP = { idLength: 8, maxHeapBits: 40, startBlockSize: 1024 };
const ATTRIBUTE_RECORD_SIZE = ATTRIBUTE_HEAP.idLength + 1 + 4 + 4;
const UNTRACKED_CREATION_ORDER = 0xffff;

export type DenseAttributesPlan = DenseStoragePlan;

/** Plan heap and name index at `at` for attributes named `names` (UTF-8) with messages of `sizes` bytes, in creation order. */
export function planDenseAttributes(names: readonly Uint8Array[], sizes: readonly number[], at: number): DenseAttributesPlan | undefined {
  return planDenseStorage(names, sizes, ATTRIBUTE_HEAP, ATTRIBUTE_RECORD_SIZE, at);
}

/** Encode heap and name index; `messages[i]` is attribute i's message body, `flags[i]` its header message flags. */
export function encodeDenseAttributes(out: Uint8Array, plan: DenseAttributesPlan, messages: readonly Uint8Array[], flags: readonly number[]): void {
  const view = new DataView(out.buffer, out.byteOffset);
  encodeDenseStorage(out, plan, messages, 8, (q, index, hash, writeId) => {
    writeId(q);
    out[q + 8] = flags[index];
    view.setUint32(q + 9, UNTRACKED_CREATION_ORDER, true);
    view.setUint32(q + 13, hash, true);
  });
}
