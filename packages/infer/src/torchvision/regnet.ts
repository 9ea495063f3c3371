/**
 * torchvision RegNetX / RegNetY (models/regnet.py) in eval mode: a 3x3/2
 * stem, then stages of ResBottleneckBlocks (1x1, grouped 3x3 with the
 * stage's stride on the first block, optional SE for RegNetY, 1x1) with a
 * projection shortcut where width or stride changes. Stage depths, widths
 * and group counts come from the state_dict, so every regnet_x_* and
 * regnet_y_* size shares this graph.
 */
import { fail, type Tensor } from "@codec/core";
import type { OnnxGraph } from "@codec/onnx";
import { GraphBuilder } from "./graph-builder.js";

export function regnet(w: ReadonlyMap<string, Tensor>): OnnxGraph {
  const g = new GraphBuilder(w);
  let x = g.convBnAct("stem", "input", 2, "relu");
  let stage = 1;
  for (; g.has(`trunk_output.block${stage}.block${stage}-0.f.a.0.weight`); stage++) {
    const s = `trunk_output.block${stage}`;
    for (let i = 0; g.has(`${s}.block${stage}-${i}.f.a.0.weight`); i++) {
      const p = `${s}.block${stage}-${i}`;
      // AnyStage: stride 2 (every torchvision RegNet stage) on the first block only.
      const stride = i === 0 ? 2 : 1;
      const shortcut = g.has(`${p}.proj.0.weight`) ? g.convBnAct(`${p}.proj`, x, stride, "none") : x;
      let y = g.convBnAct(`${p}.f.a`, x, 1, "relu");
      const groups = g.shape(`${p}.f.a.0.weight`)[0] / g.shape(`${p}.f.b.0.weight`)[1];
      y = g.convBnAct(`${p}.f.b`, y, stride, "relu", 1e-5, groups);
      if (g.has(`${p}.f.se.fc1.weight`)) y = g.squeezeExcite(`${p}.f.se`, y, "relu", "sigmoid");
      y = g.convBnAct(`${p}.f.c`, y, 1, "none");
      x = g.relu(g.add(shortcut, y));
    }
  }
  if (stage === 1) fail("CORRUPT", "infer", "the state_dict has no RegNet stages");
  x = g.flatten(g.adaptiveAvgPool(x, 1, 1));
  return g.graph("regnet", "input", g.linear("fc", x));
}
