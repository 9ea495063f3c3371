/**
 * torchvision EfficientNet B0-B7 and V2 S/M/L (models/efficientnet.py) in
 * eval mode: MBConv (optional 1x1 expansion, depthwise conv, SE with SiLU
 * and sigmoid, 1x1 projection) and, in V2's first stages, FusedMBConv (a
 * full kxk conv in place of expansion + depthwise, no SE). Stochastic
 * depth is the identity in eval mode. Stage strides are not in the
 * state_dict and come from `_efficientnet_conf`; block counts, widths,
 * kernels and expansion come from the weights.
 */
import { fail, type Tensor } from "@codec/core";
import type { OnnxGraph } from "@codec/onnx";
import { countIndexed } from "./blocks.js";
import { GraphBuilder } from "./graph-builder.js";

/** One block: `p` is its `block` Sequential; `stride` its stride. Returns the new feature map. */
function mbconv(g: GraphBuilder, p: string, x: string, stride: number, eps: number): string {
  const first = g.shape(`${p}.0.0.weight`);
  const fused = !g.has(`${p}.1.fc1.weight`) && !g.has(`${p}.2.fc1.weight`);
  let y = x;
  let inChannels: number;
  if (fused) {
    // FusedMBConv: kxk conv (+ 1x1 projection when it expands).
    inChannels = first[1];
    y = g.convBnAct(`${p}.0`, y, stride, "silu", eps);
    if (g.has(`${p}.1.0.weight`)) y = g.convBnAct(`${p}.1`, y, 1, "none", eps);
  } else {
    // MBConv: the expansion 1x1 conv is absent when expand_ratio gives the input width.
    const expand = first[2] === 1 && first[3] === 1;
    inChannels = expand ? first[1] : first[0];
    let j = 0;
    if (expand) y = g.convBnAct(`${p}.${j++}`, y, 1, "silu", eps);
    const dw = `${p}.${j++}`;
    y = g.convBnAct(dw, y, stride, "silu", eps, g.depthwiseGroups(`${dw}.0`));
    y = g.squeezeExcite(`${p}.${j++}`, y, "silu", "sigmoid");
    y = g.convBnAct(`${p}.${j}`, y, 1, "none", eps);
  }
  const outChannels = g.shape(`${p}.${countIndexed(g.weights, p) - 1}.0.weight`)[0];
  return stride === 1 && inChannels === outChannels ? g.add(y, x) : y;
}

export function efficientnet(strides: readonly number[], eps: number): (w: ReadonlyMap<string, Tensor>) => OnnxGraph {
  return (w) => {
    const g = new GraphBuilder(w);
    const count = countIndexed(w, "features");
    if (count !== strides.length + 2) fail("CORRUPT", "infer", `this EfficientNet has ${strides.length + 2} feature stages, the state_dict ${count}`);
    let x = g.convBnAct("features.0", "input", 2, "silu", eps);
    strides.forEach((s, i) => {
      const stage = `features.${i + 1}`;
      const blocks = countIndexed(w, stage);
      if (blocks === 0) fail("CORRUPT", "infer", `the state_dict has no ${stage} blocks`);
      for (let b = 0; b < blocks; b++) x = mbconv(g, `${stage}.${b}.block`, x, b === 0 ? s : 1, eps);
    });
    x = g.convBnAct(`features.${strides.length + 1}`, x, 1, "silu", eps);
    x = g.flatten(g.adaptiveAvgPool(x, 1, 1));
    return g.graph("efficientnet", "input", g.linear("classifier.1", x));
  };
}

/** B0-B4 use nn.BatchNorm2d's eps 1e-5; B5-B7 and V2 pass eps=1e-3. */
export const EFFICIENTNET_V1_STRIDES = [1, 2, 2, 2, 1, 2, 1];
export const EFFICIENTNET_V2_S_STRIDES = [1, 2, 2, 2, 1, 2];
export const EFFICIENTNET_V2_ML_STRIDES = [1, 2, 2, 2, 1, 2, 1];
