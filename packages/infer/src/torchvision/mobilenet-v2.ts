/** torchvision MobileNetV2 (models/mobilenetv2.py) in eval mode. */
import type { Tensor } from "@codec/core";
import type { OnnxGraph } from "@codec/onnx";
import { GraphBuilder } from "./graph-builder.js";

/** torchvision's MobileNetV2 inverted-residual settings [t, c, n, s]. */
const MOBILENET_V2 = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

export function mobilenetV2(w: ReadonlyMap<string, Tensor>): OnnxGraph {
  const g = new GraphBuilder(w);
  let x = g.relu6(g.batchNorm("features.0.1", g.conv("features.0.0", "input", 2, 1)));
  let index = 1;
  for (const [t, , n, s] of MOBILENET_V2) {
    for (let i = 0; i < n; i++, index++) {
      const p = `features.${index}.conv`;
      const stride = i === 0 ? s : 1;
      let y = x;
      let k = 0;
      if (t !== 1) {
        y = g.relu6(g.batchNorm(`${p}.0.1`, g.conv(`${p}.0.0`, y, 1, 0)));
        k = 1;
      }
      const hidden = g.shape(`${p}.${k}.0.weight`)[0];
      y = g.relu6(g.batchNorm(`${p}.${k}.1`, g.conv(`${p}.${k}.0`, y, stride, 1, hidden)));
      y = g.batchNorm(`${p}.${k + 2}`, g.conv(`${p}.${k + 1}`, y, 1, 0));
      const inChannels = g.shape(`${p}.0.0.weight`)[1] * (t === 1 ? hidden : 1);
      const outChannels = g.shape(`${p}.${k + 1}.weight`)[0];
      x = stride === 1 && inChannels === outChannels ? g.add(x, y) : y;
    }
  }
  x = g.relu6(g.batchNorm(`features.${index}.1`, g.conv(`features.${index}.0`, x, 1, 0)));
  x = g.flatten(g.adaptiveAvgPool(x, 1, 1));
  return g.graph("mobilenet_v2", "input", g.linear("classifier.1", x));
}

