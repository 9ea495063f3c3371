/**
 * torchvision ShuffleNetV2 (models/shufflenetv2.py) in eval mode. A
 * stride-1 unit splits the channels in half and transforms the second
 * half; a stride-2 unit (the first of each stage) runs both branches on
 * the whole input. Both end with channel_shuffle(out, 2).
 */
import { fail, type Tensor } from "@codec/core";
import type { OnnxGraph } from "@codec/onnx";
import { countIndexed } from "./blocks.js";
import { GraphBuilder } from "./graph-builder.js";

/** channel_shuffle with 2 groups: view [N, 2, C/2, H, W], swap dims 1 and 2, view back. */
function shuffle(g: GraphBuilder, x: string, channels: number): string {
  const shape = g.node("Shape", [x]);
  const grouped = g.reshape(x, [0, 2, channels / 2, -1]);
  return g.node("Reshape", [g.transpose(grouped, [0, 2, 1, 3]), shape]);
}

function branch2(g: GraphBuilder, p: string, x: string, stride: number): string {
  let y = g.relu(g.batchNorm(`${p}.1`, g.conv(`${p}.0`, x, 1, 0)));
  y = g.batchNorm(`${p}.4`, g.conv(`${p}.3`, y, stride, 1, g.depthwiseGroups(`${p}.3`)));
  return g.relu(g.batchNorm(`${p}.6`, g.conv(`${p}.5`, y, 1, 0)));
}

export function shufflenetV2(w: ReadonlyMap<string, Tensor>): OnnxGraph {
  const g = new GraphBuilder(w);
  let x = g.relu(g.batchNorm("conv1.1", g.conv("conv1.0", "input", 2, 1)));
  x = g.maxPool(x, 3, 2, 1);
  for (const stage of ["stage2", "stage3", "stage4"]) {
    const count = countIndexed(w, stage);
    if (count === 0) fail("CORRUPT", "infer", `the state_dict has no ${stage} units`);
    for (let u = 0; u < count; u++) {
      const p = `${stage}.${u}`;
      const half = g.shape(`${p}.branch2.5.weight`)[0];
      let out: string;
      if (g.has(`${p}.branch1.0.weight`)) {
        let b1 = g.batchNorm(`${p}.branch1.1`, g.conv(`${p}.branch1.0`, x, 2, 1, g.depthwiseGroups(`${p}.branch1.0`)));
        b1 = g.relu(g.batchNorm(`${p}.branch1.3`, g.conv(`${p}.branch1.2`, b1, 1, 0)));
        out = g.concat([b1, branch2(g, `${p}.branch2`, x, 2)]);
      } else {
        const [x1, x2] = g.split(x, 1, 2);
        out = g.concat([x1, branch2(g, `${p}.branch2`, x2, 1)]);
      }
      x = shuffle(g, out, 2 * half);
    }
  }
  x = g.relu(g.batchNorm("conv5.1", g.conv("conv5.0", x, 1, 0)));
  // x.mean([2, 3]) is global average pooling, flattened.
  x = g.flatten(g.adaptiveAvgPool(x, 1, 1));
  return g.graph("shufflenet_v2", "input", g.linear("fc", x));
}
