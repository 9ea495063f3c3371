/**
 * torchvision Inception v3 (models/inception.py, Inception3) in eval mode.
 * AuxLogits only runs in training, so its weights are ignored. As for
 * GoogLeNet, `transform` is transform_input: False for
 * `inception_v3(weights=None)`, True with torchvision's ImageNet weights.
 * Average pools are F.avg_pool2d(kernel 3, stride 1, padding 1), whose
 * count_include_pad defaults to True. torchvision documents a 75x75
 * minimum input.
 */
import type { Tensor } from "@codec/core";
import type { OnnxGraph } from "@codec/onnx";
import { basicConv, transformInput } from "./googlenet.js";
import { GraphBuilder } from "./graph-builder.js";

/** BasicConv2d chain `names` under `p`, each padded "same" except those in `reduce` (unpadded, stride 2). */
function chain(g: GraphBuilder, p: string, x: string, names: string[], reduce: readonly string[] = []): string {
  let y = x;
  for (const n of names) y = reduce.includes(n) ? basicConv(g, `${p}.${n}`, y, 2, false) : basicConv(g, `${p}.${n}`, y);
  return y;
}

function pooled(g: GraphBuilder, p: string, x: string): string {
  return basicConv(g, `${p}.branch_pool`, g.avgPool(x, 3, 1, 1));
}

function inceptionA(g: GraphBuilder, p: string, x: string): string {
  return g.concat([chain(g, p, x, ["branch1x1"]), chain(g, p, x, ["branch5x5_1", "branch5x5_2"]), chain(g, p, x, ["branch3x3dbl_1", "branch3x3dbl_2", "branch3x3dbl_3"]), pooled(g, p, x)]);
}

function inceptionB(g: GraphBuilder, p: string, x: string): string {
  const b3 = chain(g, p, x, ["branch3x3"], ["branch3x3"]);
  const dbl = chain(g, p, x, ["branch3x3dbl_1", "branch3x3dbl_2", "branch3x3dbl_3"], ["branch3x3dbl_3"]);
  return g.concat([b3, dbl, g.maxPool(x, 3, 2, 0)]);
}

function inceptionC(g: GraphBuilder, p: string, x: string): string {
  const b7 = chain(g, p, x, ["branch7x7_1", "branch7x7_2", "branch7x7_3"]);
  const dbl = chain(g, p, x, ["branch7x7dbl_1", "branch7x7dbl_2", "branch7x7dbl_3", "branch7x7dbl_4", "branch7x7dbl_5"]);
  return g.concat([chain(g, p, x, ["branch1x1"]), b7, dbl, pooled(g, p, x)]);
}

function inceptionD(g: GraphBuilder, p: string, x: string): string {
  const b3 = chain(g, p, x, ["branch3x3_1", "branch3x3_2"], ["branch3x3_2"]);
  const b7 = chain(g, p, x, ["branch7x7x3_1", "branch7x7x3_2", "branch7x7x3_3", "branch7x7x3_4"], ["branch7x7x3_4"]);
  return g.concat([b3, b7, g.maxPool(x, 3, 2, 0)]);
}

function inceptionE(g: GraphBuilder, p: string, x: string): string {
  const b3 = basicConv(g, `${p}.branch3x3_1`, x);
  const b3x3 = g.concat([basicConv(g, `${p}.branch3x3_2a`, b3), basicConv(g, `${p}.branch3x3_2b`, b3)]);
  const dbl = chain(g, p, x, ["branch3x3dbl_1", "branch3x3dbl_2"]);
  const dblx = g.concat([basicConv(g, `${p}.branch3x3dbl_3a`, dbl), basicConv(g, `${p}.branch3x3dbl_3b`, dbl)]);
  return g.concat([chain(g, p, x, ["branch1x1"]), b3x3, dblx, pooled(g, p, x)]);
}

export function inceptionV3(transform: boolean): (w: ReadonlyMap<string, Tensor>) => OnnxGraph {
  return (w) => {
    const g = new GraphBuilder(w);
    let x = transform ? transformInput(g, "input") : "input";
    x = basicConv(g, "Conv2d_1a_3x3", x, 2, false);
    x = basicConv(g, "Conv2d_2a_3x3", x, 1, false);
    x = g.maxPool(basicConv(g, "Conv2d_2b_3x3", x), 3, 2, 0);
    x = basicConv(g, "Conv2d_4a_3x3", basicConv(g, "Conv2d_3b_1x1", x), 1, false);
    x = g.maxPool(x, 3, 2, 0);
    for (const m of ["Mixed_5b", "Mixed_5c", "Mixed_5d"]) x = inceptionA(g, m, x);
    x = inceptionB(g, "Mixed_6a", x);
    for (const m of ["Mixed_6b", "Mixed_6c", "Mixed_6d", "Mixed_6e"]) x = inceptionC(g, m, x);
    x = inceptionD(g, "Mixed_7a", x);
    x = inceptionE(g, "Mixed_7c", inceptionE(g, "Mixed_7b", x));
    x = g.flatten(g.adaptiveAvgPool(x, 1, 1));
    return g.graph("inception_v3", "input", g.linear("fc", x));
  };
}
