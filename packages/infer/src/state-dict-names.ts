/**
 * A whole pickled nn.Module (`torch.save(model)`) lists its tensors by the
 * attribute path the DESIGN.md section 5 walk takes through the module's
 * state: `_modules.layer1._modules.0._modules.conv1._parameters.weight`.
 * `state_dict()` names the same tensor `layer1.0.conv1.weight`: the
 * `_modules`, `_parameters` and `_buffers` parts are nn.Module's own
 * bookkeeping (torch/nn/modules/module.py `_save_to_state_dict`). This
 * view renames them so a whole model runs with `--arch` like its
 * state_dict does.
 */
import type { TensorMap } from "@codec/core";
import { fail } from "@codec/core";

const MODULE_PARTS = new Set(["_modules", "_parameters", "_buffers"]);

function stateDictName(name: string): string {
  return name
    .split(".")
    .filter((p) => !MODULE_PARTS.has(p))
    .join(".");
}

/** `map` with nn.Module attribute paths renamed to state_dict names (the map itself when none needs it). */
export function stateDictNames(map: TensorMap): TensorMap {
  const original = new Map<string, string>();
  let renamed = false;
  for (const n of map.names()) {
    const s = stateDictName(n);
    if (s !== n) renamed = true;
    // Two paths to one state_dict name (a module reached twice): the first is kept, as the walk lists it first.
    if (!original.has(s)) original.set(s, n);
  }
  if (!renamed) return map;
  const source = (name: string): string => original.get(name) ?? fail("USAGE", map.format, `no tensor named '${name}'`);
  return {
    format: map.format,
    metadata: map.metadata,
    names: () => [...original.keys()],
    info: (name) => ({ ...map.info(source(name)), name }),
    get: (name) => map.get(source(name)),
    ...(map.close ? { close: map.close.bind(map) } : {}),
  };
}
