/** torchvision VGG (with or without batch norm, models/vgg.py) and AlexNet (models/alexnet.py) in eval mode. */
import { fail, type Tensor } from "@codec/core";
import type { OnnxGraph } from "@codec/onnx";
import { GraphBuilder } from "./graph-builder.js";

const F = "infer";

export function vgg(w: ReadonlyMap<string, Tensor>): OnnxGraph {
  const g = new GraphBuilder(w);
  const convs = [...w.keys()].filter((k) => /^features\.\d+\.weight$/.test(k) && w.get(k)?.shape.length === 4).map((k) => Number(k.split(".")[1])).sort((a, b) => a - b);
  if (convs.length === 0) fail("CORRUPT", F, "the state_dict has no VGG feature convolutions");
  const bn = g.has(`features.${convs[0] + 1}.running_mean`);
  let x = "input";
  convs.forEach((c, i) => {
    x = g.conv(`features.${c}`, x, 1, 1);
    if (bn) x = g.batchNorm(`features.${c + 1}`, x);
    x = g.relu(x);
    // A pooling layer sits between this block and the next conv when the index skips it.
    const step = bn ? 3 : 2;
    const next = convs[i + 1];
    if (next === undefined || next - c > step) x = g.maxPool(x, 2, 2, 0);
  });
  x = g.flatten(g.adaptiveAvgPool(x, 7, 7));
  x = g.relu(g.linear("classifier.0", x));
  x = g.relu(g.linear("classifier.3", x));
  return g.graph("vgg", "input", g.linear("classifier.6", x));
}

export function alexnet(w: ReadonlyMap<string, Tensor>): OnnxGraph {
  const g = new GraphBuilder(w);
  let x = g.maxPool(g.relu(g.conv("features.0", "input", 4, 2)), 3, 2, 0);
  x = g.maxPool(g.relu(g.conv("features.3", x, 1, 2)), 3, 2, 0);
  x = g.relu(g.conv("features.6", x, 1, 1));
  x = g.relu(g.conv("features.8", x, 1, 1));
  x = g.maxPool(g.relu(g.conv("features.10", x, 1, 1)), 3, 2, 0);
  x = g.flatten(g.adaptiveAvgPool(x, 6, 6));
  x = g.relu(g.linear("classifier.1", x));
  x = g.relu(g.linear("classifier.4", x));
  return g.graph("alexnet", "input", g.linear("classifier.6", x));
}

