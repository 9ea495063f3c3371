/**
 * torchvision VisionTransformer (models/vision_transformer.py) in eval
 * mode: a patchify conv, the class token prepended, the position
 * embedding added, pre-norm encoder blocks (LayerNorm eps 1e-6,
 * nn.MultiheadAttention, MLP with exact GELU), a final LayerNorm and the
 * head on the class token. The head count is not in the state_dict and
 * comes from the arch (ViT-B 12, ViT-L and ViT-H 16); the input's patch
 * grid must give the position embedding's length (torchvision asserts
 * image_size).
 */
import { fail, type Tensor } from "@codec/core";
import type { OnnxGraph } from "@codec/onnx";
import { GraphBuilder } from "./graph-builder.js";

const EPS = 1e-6;

/**
 * nn.MultiheadAttention(batch_first=True) self-attention over [N, S, D]:
 * q, k, v = x @ in_proj_weight^T + in_proj_bias split in three; per head
 * softmax(q k^T / sqrt(D / heads)) v; heads joined and out_proj applied.
 */
function selfAttention(g: GraphBuilder, p: string, x: string, heads: number): string {
  const dim = g.shape(`${p}.out_proj.weight`)[0];
  const headDim = dim / heads;
  const qkv = g.add(g.node("MatMul", [x, g.transpose(g.weight(`${p}.in_proj_weight`), [1, 0])]), g.weight(`${p}.in_proj_bias`));
  const [q, k, v] = g.split(qkv, 2, 3).map((t) => g.transpose(g.reshape(t, [0, 0, heads, headDim]), [0, 2, 1, 3]));
  const scores = g.mul(g.node("MatMul", [q, g.transpose(k, [0, 1, 3, 2])]), g.scalar(`codec.vit.scale.${headDim}`, 1 / Math.sqrt(headDim)));
  const attended = g.node("MatMul", [g.node("Softmax", [scores], { axis: -1 }), v]);
  return g.linearLast(`${p}.out_proj`, g.reshape(g.transpose(attended, [0, 2, 1, 3]), [0, 0, dim]));
}

export function vit(heads: number): (w: ReadonlyMap<string, Tensor>) => OnnxGraph {
  return (w) => {
    const g = new GraphBuilder(w);
    const patch = g.shape("conv_proj.weight")[2];
    const dim = g.shape("conv_proj.weight")[0];
    if (dim % heads !== 0) fail("CORRUPT", "infer", `hidden size ${dim} is not a multiple of ${heads} heads`);
    // [N, D, h, w] -> [N, h*w, D].
    let x = g.transpose(g.reshape(g.conv("conv_proj", "input", patch, 0), [0, dim, -1]), [0, 2, 1]);
    // class_token.expand(n, -1, -1): the batch size comes from the input's shape.
    const batch = g.node("Slice", [g.node("Shape", [x]), g.int64s([0]), g.int64s([1])]);
    const token = g.node("Expand", [g.weight("class_token"), g.node("Concat", [batch, g.int64s([1, dim])], { axis: 0 })]);
    x = g.add(g.concat([token, x], 1), g.weight("encoder.pos_embedding"));
    for (let i = 0; g.has(`encoder.layers.encoder_layer_${i}.ln_1.weight`); i++) {
      const p = `encoder.layers.encoder_layer_${i}`;
      x = g.add(selfAttention(g, `${p}.self_attention`, g.layerNorm(`${p}.ln_1`, x, EPS), heads), x);
      const y = g.linearLast(`${p}.mlp.3`, g.activation("gelu", g.linearLast(`${p}.mlp.0`, g.layerNorm(`${p}.ln_2`, x, EPS))));
      x = g.add(x, y);
    }
    x = g.layerNorm("encoder.ln", x, EPS);
    // x[:, 0]: the class token's features.
    x = g.reshape(g.node("Gather", [x, g.int64s([0])], { axis: 1 }), [0, dim]);
    if (g.has("heads.pre_logits.weight")) x = g.node("Tanh", [g.linear("heads.pre_logits", x)]);
    return g.graph("vit", "input", g.linear("heads.head", x));
  };
}
