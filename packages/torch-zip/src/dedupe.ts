import { DTYPES, type TensorMap, tensorMapSubset } from "@codec/core";
import type { TorchFile } from "./torch-file.js";
import { TorchTensor } from "./torch-tensor.js";

/**
 * Tensors that share storage, as safetensors' `save_model` handles them
 * (safetensors/torch.py `_remove_duplicate_names`): tensors whose views
 * overlap in one storage form a group; the first name (in file order) whose
 * tensor covers the whole storage is kept and the others are reported as
 * aliases of it. A group where no tensor covers the storage keeps every
 * name (each is written as its own copy).
 */
export interface DedupeResult {
  /** The map without alias names. */
  readonly map: TensorMap;
  /** Dropped name -> the kept name it aliases. */
  readonly aliases: Record<string, string>;
}

export function dedupeSharedTensors(file: TorchFile): DedupeResult {
  const groups = new Map<object, string[]>();
  for (const name of file.names()) {
    const t = file.tensorRef(name);
    if (!(t instanceof TorchTensor) || t.numel === 0) continue;
    // Key by the root storage object (legacy view storages share a root key).
    const key = t.storage;
    const g = groups.get(key);
    if (g === undefined) groups.set(key, [name]);
    else g.push(name);
  }
  const aliases: Record<string, string> = {};
  for (const names of groups.values()) {
    if (names.length < 2) continue;
    const covers = (n: string) => {
      const t = file.tensorRef(n) as TorchTensor;
      return t.storageOffset === 0 && t.isContiguous && t.numel * sizeOf(t) === t.storage.byteLength;
    };
    const keep = names.find(covers);
    if (keep === undefined) continue;
    const kept = file.tensorRef(keep) as TorchTensor;
    for (const n of names) {
      if (n === keep) continue;
      const t = file.tensorRef(n) as TorchTensor;
      // Only exact aliases (same view) are dropped; other views of the storage are real tensors.
      if (sameView(t, kept)) aliases[n] = keep;
    }
  }
  return { map: tensorMapSubset(file, file.names().filter((n) => !(n in aliases))), aliases };
}

function sizeOf(t: TorchTensor): number {
  return DTYPES[t.dtype].size;
}

function sameView(a: TorchTensor, b: TorchTensor): boolean {
  return (
    a.dtype === b.dtype &&
    a.storageOffset === b.storageOffset &&
    a.shape.length === b.shape.length &&
    a.shape.every((d, i) => d === b.shape[i]) &&
    a.stride.every((s, i) => s === b.stride[i] || a.shape[i] === 1)
  );
}
