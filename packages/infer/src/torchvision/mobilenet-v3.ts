/**
 * torchvision MobileNetV3 (models/mobilenetv3.py) in eval mode. Strides
 * and activations are not in the state_dict, so they come from torchvision's
 * `_mobilenet_v3_conf` tables (non-dilated); widths, kernels, expansion and
 * SE presence come from the weights, so any width_mult works.
 */
import { fail, type Tensor } from "@codec/core";
import type { OnnxGraph } from "@codec/onnx";
import { countIndexed } from "./blocks.js";
import { type Activation, GraphBuilder } from "./graph-builder.js";

const F = "infer";
/** norm_layer = partial(nn.BatchNorm2d, eps=0.001, momentum=0.01). */
const EPS = 1e-3;

/** Per bneck block: [stride, uses hardswish] from _mobilenet_v3_conf. */
const LARGE: readonly (readonly [number, boolean])[] = [
  [1, false],
  [2, false],
  [1, false],
  [2, false],
  [1, false],
  [1, false],
  [2, true],
  [1, true],
  [1, true],
  [1, true],
  [1, true],
  [1, true],
  [2, true],
  [1, true],
  [1, true],
];
const SMALL: readonly (readonly [number, boolean])[] = [
  [2, false],
  [2, false],
  [1, false],
  [2, true],
  [1, true],
  [1, true],
  [1, true],
  [1, true],
  [2, true],
  [1, true],
  [1, true],
];

export function mobilenetV3(variant: "large" | "small"): (w: ReadonlyMap<string, Tensor>) => OnnxGraph {
  const table = variant === "large" ? LARGE : SMALL;
  return (w) => {
    const g = new GraphBuilder(w);
    const features = countIndexed(w, "features");
    if (features !== table.length + 2) fail("CORRUPT", F, `mobilenet_v3_${variant} has ${table.length + 2} feature stages, the state_dict ${features}`);
    let x = g.convBnAct("features.0", "input", 2, "hardswish", EPS);
    table.forEach(([stride, hs], i) => {
      const p = `features.${i + 1}.block`;
      const act: Activation = hs ? "hardswish" : "relu";
      // An expansion 1x1 conv comes first unless expanded == input channels.
      const expand = g.shape(`${p}.0.0.weight`)[2] === 1;
      const inChannels = expand ? g.shape(`${p}.0.0.weight`)[1] : g.shape(`${p}.0.0.weight`)[0];
      let j = 0;
      let y = x;
      if (expand) y = g.convBnAct(`${p}.${j++}`, y, 1, act, EPS);
      const dw = `${p}.${j++}`;
      y = g.convBnAct(dw, y, stride, act, EPS, g.depthwiseGroups(`${dw}.0`));
      if (g.has(`${p}.${j}.fc1.weight`)) y = g.squeezeExcite(`${p}.${j++}`, y, "relu", "hardsigmoid");
      const project = `${p}.${j}`;
      y = g.convBnAct(project, y, 1, "none", EPS);
      x = stride === 1 && inChannels === g.shape(`${project}.0.weight`)[0] ? g.add(y, x) : y;
    });
    x = g.convBnAct(`features.${table.length + 1}`, x, 1, "hardswish", EPS);
    x = g.flatten(g.adaptiveAvgPool(x, 1, 1));
    x = g.activation("hardswish", g.linear("classifier.0", x));
    return g.graph(`mobilenet_v3_${variant}`, "input", g.linear("classifier.3", x));
  };
}
