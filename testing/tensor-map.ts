import type { Tensor, TensorMap } from "@codec/core";

/** A TensorMap over tensors already in memory, in the record's order (for writer tests). */
export function tensorMapOf(tensors: Record<string, Tensor>, format = "test", metadata: TensorMap["metadata"] = {}): TensorMap {
  return {
    format,
    metadata,
    names: () => Object.keys(tensors),
    info: (n) => ({ name: n, dtype: tensors[n].dtype, shape: tensors[n].shape }),
    get: async (n) => tensors[n],
  };
}
