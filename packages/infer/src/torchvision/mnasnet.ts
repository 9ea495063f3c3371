/**
 * torchvision MNASNet (B1, models/mnasnet.py, _version 2 layout) in eval
 * mode. The six inverted-residual stacks are layers.8 .. layers.13 with
 * strides 2, 2, 2, 1, 2, 1; kernels and widths come from the weights, so
 * every alpha works.
 */
import { fail, type Tensor } from "@codec/core";
import type { OnnxGraph } from "@codec/onnx";
import { countIndexed } from "./blocks.js";
import { GraphBuilder } from "./graph-builder.js";

const STRIDES = [2, 2, 2, 1, 2, 1];

export function mnasnet(w: ReadonlyMap<string, Tensor>): OnnxGraph {
  const g = new GraphBuilder(w);
  let x = g.relu(g.batchNorm("layers.1", g.conv("layers.0", "input", 2, 1)));
  x = g.relu(g.batchNorm("layers.4", g.conv("layers.3", x, 1, 1, g.depthwiseGroups("layers.3"))));
  x = g.batchNorm("layers.7", g.conv("layers.6", x, 1, 0));
  STRIDES.forEach((s, i) => {
    const stack = `layers.${8 + i}`;
    const count = countIndexed(w, stack);
    if (count === 0) fail("CORRUPT", "infer", `the state_dict has no ${stack} blocks`);
    for (let b = 0; b < count; b++) {
      const p = `${stack}.${b}.layers`;
      const stride = b === 0 ? s : 1;
      const k = g.shape(`${p}.3.weight`)[2];
      let y = g.relu(g.batchNorm(`${p}.1`, g.conv(`${p}.0`, x, 1, 0)));
      y = g.relu(g.batchNorm(`${p}.4`, g.conv(`${p}.3`, y, stride, Math.floor(k / 2), g.depthwiseGroups(`${p}.3`))));
      y = g.batchNorm(`${p}.7`, g.conv(`${p}.6`, y, 1, 0));
      const residual = stride === 1 && g.shape(`${p}.0.weight`)[1] === g.shape(`${p}.6.weight`)[0];
      x = residual ? g.add(y, x) : y;
    }
  });
  x = g.relu(g.batchNorm("layers.15", g.conv("layers.14", x, 1, 0)));
  x = g.flatten(g.adaptiveAvgPool(x, 1, 1));
  return g.graph("mnasnet", "input", g.linear("classifier.1", x));
}
