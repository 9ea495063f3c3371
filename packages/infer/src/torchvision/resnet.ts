/**
 * torchvision ResNet (BasicBlock / Bottleneck, stride on the 3x3 conv),
 * ResNeXt and wide variants by their grouped-conv shapes (models/resnet.py),
 * in eval mode. Block counts come from the state_dict's names.
 */
import { fail, type Tensor } from "@codec/core";
import type { OnnxGraph } from "@codec/onnx";
import { countIndexed } from "./blocks.js";
import { GraphBuilder } from "./graph-builder.js";

const F = "infer";

export function resnet(w: ReadonlyMap<string, Tensor>): OnnxGraph {
  const g = new GraphBuilder(w);
  let x = g.relu(g.batchNorm("bn1", g.conv("conv1", "input", 2, 3)));
  x = g.maxPool(x, 3, 2, 1);
  const bottleneck = g.has("layer1.0.conv3.weight");
  for (let layer = 1; layer <= 4; layer++) {
    const count = countIndexed(w, `layer${layer}`);
    if (count === 0) fail("CORRUPT", F, `the state_dict has no layer${layer} blocks`);
    for (let b = 0; b < count; b++) {
      const p = `layer${layer}.${b}`;
      const stride = layer > 1 && b === 0 ? 2 : 1;
      let y: string;
      if (bottleneck) {
        y = g.relu(g.batchNorm(`${p}.bn1`, g.conv(`${p}.conv1`, x, 1, 0)));
        // ResNeXt: conv2 is grouped; its weight's second dim is in_channels / groups.
        const c2 = g.shape(`${p}.conv2.weight`);
        const groups = g.shape(`${p}.conv1.weight`)[0] / c2[1];
        y = g.relu(g.batchNorm(`${p}.bn2`, g.conv(`${p}.conv2`, y, stride, 1, groups)));
        y = g.batchNorm(`${p}.bn3`, g.conv(`${p}.conv3`, y, 1, 0));
      } else {
        y = g.relu(g.batchNorm(`${p}.bn1`, g.conv(`${p}.conv1`, x, stride, 1)));
        y = g.batchNorm(`${p}.bn2`, g.conv(`${p}.conv2`, y, 1, 1));
      }
      const shortcut = g.has(`${p}.downsample.0.weight`) ? g.batchNorm(`${p}.downsample.1`, g.conv(`${p}.downsample.0`, x, stride, 0)) : x;
      x = g.relu(g.add(y, shortcut));
    }
  }
  x = g.flatten(g.adaptiveAvgPool(x, 1, 1));
  return g.graph("resnet", "input", g.linear("fc", x));
}

