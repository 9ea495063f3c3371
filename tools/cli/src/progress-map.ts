import { DTYPES, type Tensor, type TensorMap } from "@codec/core";
import type { Progress } from "./adapter.js";
import { NO_PROGRESS } from "./progress.js";

/**
 * A view of `map` that reports each `get` to `progress` (bytes of tensor
 * data loaded so far out of the total the headers declare). Writers that
 * pull tensors one at a time show progress without knowing about it.
 */
export function withProgress(map: TensorMap, progress: Progress, label: string): TensorMap {
  if (progress === NO_PROGRESS) return map;
  let total = 0;
  const sizes = new Map<string, number>();
  for (const name of map.names()) {
    const info = map.info(name);
    let n = 1;
    for (const d of info.shape) n *= d;
    const bytes = n * Math.max(1, DTYPES[info.dtype].size);
    sizes.set(name, bytes);
    total += bytes;
  }
  let done = 0;
  return {
    format: map.format,
    metadata: map.metadata,
    names: () => map.names(),
    info: (name) => map.info(name),
    async get(name: string): Promise<Tensor> {
      const t = await map.get(name);
      done += sizes.get(name) ?? 0;
      progress.update(label, done, total);
      return t;
    },
    close: map.close ? () => (map.close as () => Promise<void>)() : undefined,
  };
}
