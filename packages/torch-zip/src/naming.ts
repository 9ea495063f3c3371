import { isNumpyTensor, type NdArray, type NumpyScalar, type PyValue, walkTensors } from "@codec/pickle";
import { TorchSparseCompressedTensor, TorchSparseTensor, TorchTensor, TorchUnsupportedTensor } from "./torch-tensor.js";

/**
 * Tensor names of a decoded checkpoint (DESIGN.md section 5), by the pickle
 * package's naming walk (`walkTensors`) with torch's leaves. Its `aliases`
 * mode lists a tensor reached twice (tied weights: one tensor under two
 * state-dict keys) under both names, as `state_dict()` does; cycles end.
 */

export type LeafTensor = TorchTensor | TorchUnsupportedTensor | NdArray | NumpyScalar;

/** numpy arrays and scalars of a numeric/bool dtype (the pickle package's tensor rule). */
export function isNumpyLike(v: PyValue): v is NdArray | NumpyScalar {
  return isNumpyTensor(v);
}

export function isTorchLeaf(v: PyValue): boolean {
  return v instanceof TorchTensor || v instanceof TorchUnsupportedTensor || isNumpyTensor(v);
}

/**
 * A sparse COO tensor is named by its parts: `<name>.indices`, `<name>.values`; a
 * compressed one by torch's accessors (`<name>.crow_indices`, `<name>.col_indices`, `<name>.values`).
 */
export function torchChildren(v: PyValue): Iterable<[string, PyValue]> | undefined {
  if (v instanceof TorchSparseCompressedTensor) return v.parts();
  if (v instanceof TorchSparseTensor) {
    return [
      ["indices", v.indices],
      ["values", v.values],
    ];
  }
  return undefined;
}

export interface NamedTensor {
  readonly name: string;
  readonly value: LeafTensor;
}

/** Every tensor in `value` with its section 5 name, in walk order. */
export function walkTorchTensors(value: PyValue, prefix = ""): NamedTensor[] {
  const out: NamedTensor[] = [];
  for (const [name, v] of walkTensors(value, isTorchLeaf, { aliases: true, children: torchChildren, prefix })) out.push({ name, value: v as LeafTensor });
  return out;
}
