import { type TensorMap, tensorMapSubset } from "@codec/core";

/**
 * The tensors of an HDF5 map that a flat tensor format can carry: string
 * datasets are listed by `codec inspect` (DESIGN.md section 5) but are not
 * tensors for safetensors, npz or PyTorch, so a conversion to those formats
 * carries the numeric, bool and complex datasets and leaves the strings
 * behind instead of refusing the whole file.
 */
export function withoutStringTensors(map: TensorMap): TensorMap {
  const names = map.names().filter((n) => map.info(n).dtype !== "string");
  return names.length === map.names().length ? map : tensorMapSubset(map, names);
}
