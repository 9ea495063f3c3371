import { fail } from "./errors.js";
import type { TensorMap } from "./tensor.js";

/**
 * A view of `map` listing only `names` (in that order): same metadata, same
 * lazy `info`/`get`, and `close` closes the underlying map. Asking for a
 * name left out is a USAGE error. Conversions use it to leave behind what a
 * target format cannot hold (string datasets, aliases of one storage).
 */
export function tensorMapSubset(map: TensorMap, names: readonly string[]): TensorMap {
  const kept = new Set(names);
  const check = (name: string): string => (kept.has(name) ? name : fail("USAGE", map.format, `no tensor named '${name}'`));
  const view: TensorMap = {
    format: map.format,
    metadata: map.metadata,
    names: () => [...names],
    info: (name) => map.info(check(name)),
    get: async (name) => map.get(check(name)),
  };
  if (map.close) {
    const close = map.close.bind(map);
    return { ...view, close };
  }
  return view;
}

/**
 * The tensors of a map that a format without string tensors can carry
 * (safetensors, npz, PyTorch, ONNX -> those): string tensors are listed by
 * `codec inspect` (DESIGN.md section 5) but `convert` leaves them behind
 * and carries the numeric, bool and complex ones instead of refusing the
 * whole file.
 */
export function withoutStringTensors(map: TensorMap): TensorMap {
  const names = map.names().filter((n) => map.info(n).dtype !== "string");
  return names.length === map.names().length ? map : tensorMapSubset(map, names);
}
