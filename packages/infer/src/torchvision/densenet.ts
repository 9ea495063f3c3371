/**
 * torchvision DenseNet-BC (models/densenet.py) in eval mode: each dense
 * layer sees the concatenation of every earlier feature map of its block;
 * transitions halve channels and resolution. Layer counts and growth come
 * from the state_dict, so densenet121/161/169/201 share this graph.
 */
import { fail, type Tensor } from "@codec/core";
import type { OnnxGraph } from "@codec/onnx";
import { GraphBuilder } from "./graph-builder.js";

export function densenet(w: ReadonlyMap<string, Tensor>): OnnxGraph {
  const g = new GraphBuilder(w);
  let x = g.relu(g.batchNorm("features.norm0", g.conv("features.conv0", "input", 2, 3)));
  x = g.maxPool(x, 3, 2, 1);
  let block = 1;
  for (; g.has(`features.denseblock${block}.denselayer1.conv1.weight`); block++) {
    const features = [x];
    for (let l = 1; g.has(`features.denseblock${block}.denselayer${l}.conv1.weight`); l++) {
      const p = `features.denseblock${block}.denselayer${l}`;
      const joined = features.length === 1 ? features[0] : g.concat(features);
      let y = g.conv(`${p}.conv1`, g.relu(g.batchNorm(`${p}.norm1`, joined)), 1, 0);
      y = g.conv(`${p}.conv2`, g.relu(g.batchNorm(`${p}.norm2`, y)), 1, 1);
      features.push(y);
    }
    x = g.concat(features);
    const t = `features.transition${block}`;
    if (g.has(`${t}.conv.weight`)) x = g.avgPool(g.conv(`${t}.conv`, g.relu(g.batchNorm(`${t}.norm`, x)), 1, 0), 2, 2);
  }
  if (block === 1) fail("CORRUPT", "infer", "the state_dict has no DenseNet blocks");
  x = g.relu(g.batchNorm("features.norm5", x));
  x = g.flatten(g.adaptiveAvgPool(x, 1, 1));
  return g.graph("densenet", "input", g.linear("classifier", x));
}
