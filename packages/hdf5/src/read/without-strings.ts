import { fail, type TensorMap } from "@codec/core";
import { FORMAT } from "./context.js";

/**
 * The tensors of an HDF5 map that a flat tensor format can carry: string
 * datasets are listed by `codec inspect` (DESIGN.md section 5) but are not
 * tensors for safetensors, npz or PyTorch, so a conversion to those formats
 * carries the numeric, bool and complex datasets and leaves the strings
 * behind instead of refusing the whole file. Same names, same lazy loading;
 * `close` still closes the underlying map.
 */
export function withoutStringTensors(map: TensorMap): TensorMap {
  const names = map.names().filter((n) => map.info(n).dtype !== "string");
  if (names.length === map.names().length) return map;
  const kept = new Set(names);
  const check = (name: string): string => (kept.has(name) ? name : fail("USAGE", FORMAT, `no tensor named '${name}'`));
  const view: TensorMap = {
    format: map.format,
    metadata: map.metadata,
    names: () => names.slice(),
    info: (name) => map.info(check(name)),
    get: async (name) => map.get(check(name)),
  };
  if (map.close) {
    const close = map.close.bind(map);
    return { ...view, close };
  }
  return view;
}
