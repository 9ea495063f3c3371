/**
 * torchvision SqueezeNet 1.0 / 1.1 (models/squeezenet.py) in eval mode.
 * `features` is a Sequential of the stem conv, its ReLU, then Fire modules
 * and ceil_mode 3x3/2 max pools: an index holding no tensors past the stem
 * is a pool, so both versions share one walk.
 */
import { fail, type Tensor } from "@codec/core";
import type { OnnxGraph } from "@codec/onnx";
import { countIndexed } from "./blocks.js";
import { GraphBuilder } from "./graph-builder.js";

function fire(g: GraphBuilder, p: string, x: string): string {
  const s = g.relu(g.conv(`${p}.squeeze`, x, 1, 0));
  return g.concat([g.relu(g.conv(`${p}.expand1x1`, s, 1, 0)), g.relu(g.conv(`${p}.expand3x3`, s, 1, 1))]);
}

export function squeezenet(w: ReadonlyMap<string, Tensor>): OnnxGraph {
  const g = new GraphBuilder(w);
  const last = Math.max(...[...w.keys()].filter((k) => k.startsWith("features.")).map((k) => Number(k.split(".")[1])));
  if (!(last > 2) || countIndexed(w, "features") !== 1) fail("CORRUPT", "infer", "the state_dict has no SqueezeNet features");
  // 1.0: Conv2d(3, 96, 7, stride=2); 1.1: Conv2d(3, 64, 3, stride=2); neither pads.
  let x = g.relu(g.conv("features.0", "input", 2, 0));
  for (let i = 2; i <= last; i++) x = g.has(`features.${i}.squeeze.weight`) ? fire(g, `features.${i}`, x) : g.maxPool(x, 3, 2, 0, true);
  // classifier: Dropout, final 1x1 conv, ReLU, AdaptiveAvgPool2d((1, 1)); then flatten.
  x = g.node("GlobalAveragePool", [g.relu(g.conv("classifier.1", x, 1, 0))]);
  return g.graph("squeezenet", "input", g.flatten(x));
}
