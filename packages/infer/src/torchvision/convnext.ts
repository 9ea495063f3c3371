/**
 * torchvision ConvNeXt (models/convnext.py) in eval mode: a 4x4/4 patchify
 * stem with LayerNorm2d, stages of CNBlocks (7x7 depthwise conv, LayerNorm
 * over channels, Linear 4x, exact GELU, Linear, layer scale, residual;
 * stochastic depth is the identity in eval) and LayerNorm2d + 2x2/2 conv
 * downsampling between stages. Depths and widths come from the state_dict.
 */
import { fail, type Tensor } from "@codec/core";
import type { OnnxGraph } from "@codec/onnx";
import { countIndexed } from "./blocks.js";
import { GraphBuilder } from "./graph-builder.js";

/** nn.LayerNorm and LayerNorm2d use eps=1e-6 throughout ConvNeXt. */
const EPS = 1e-6;

/** LayerNorm2d: permute NCHW to NHWC, layer-norm the channels, permute back. */
function layerNorm2d(g: GraphBuilder, p: string, x: string): string {
  return g.transpose(g.layerNorm(p, g.transpose(x, [0, 2, 3, 1]), EPS), [0, 3, 1, 2]);
}

function cnBlock(g: GraphBuilder, p: string, x: string): string {
  let y = g.conv(`${p}.block.0`, x, 1, 3, g.depthwiseGroups(`${p}.block.0`));
  y = g.layerNorm(`${p}.block.2`, g.transpose(y, [0, 2, 3, 1]), EPS);
  y = g.linearLast(`${p}.block.5`, g.activation("gelu", g.linearLast(`${p}.block.3`, y)));
  y = g.mul(g.weight(`${p}.layer_scale`), g.transpose(y, [0, 3, 1, 2]));
  return g.add(y, x);
}

export function convnext(w: ReadonlyMap<string, Tensor>): OnnxGraph {
  const g = new GraphBuilder(w);
  let x = layerNorm2d(g, "features.0.1", g.conv("features.0.0", "input", 4, 0));
  const count = countIndexed(w, "features");
  if (count < 2) fail("CORRUPT", "infer", "the state_dict has no ConvNeXt stages");
  for (let i = 1; i < count; i++) {
    const p = `features.${i}`;
    if (g.has(`${p}.0.block.0.weight`)) {
      const blocks = countIndexed(w, p);
      for (let b = 0; b < blocks; b++) x = cnBlock(g, `${p}.${b}`, x);
    } else {
      x = g.conv(`${p}.1`, layerNorm2d(g, `${p}.0`, x), 2, 0);
    }
  }
  x = layerNorm2d(g, "classifier.0", g.adaptiveAvgPool(x, 1, 1));
  return g.graph("convnext", "input", g.linear("classifier.2", g.flatten(x)));
}
