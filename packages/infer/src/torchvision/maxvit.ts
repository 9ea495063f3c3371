/**
 * torchvision MaxViT (models/maxvit.py, maxvit_t) in eval mode: a two-conv
 * stem, then blocks of MaxVitLayers, each an MBConv (pre-norm BN, 1x1,
 * depthwise 3x3 with the layer's stride, SE, 1x1; shortcut through
 * AvgPool 3x3/2 + 1x1 conv where shape changes) followed by window and
 * grid partition attention (LayerNorm, relative-position multi-head
 * attention, LayerNorm + MLP with GELU). Partitioning depends on each
 * block's grid, so the graph is built for the input's size; the partition
 * size comes from relative_position_bias_table ([(2p-1)^2, heads]) and the
 * head width (32 for maxvit_t) from the arch.
 */
import { fail, type Tensor } from "@codec/core";
import type { OnnxGraph } from "@codec/onnx";
import { countIndexed } from "./blocks.js";
import { GraphBuilder } from "./graph-builder.js";

/** norm_layer = partial(nn.BatchNorm2d, eps=1e-3, momentum=0.99); the attention LayerNorms keep eps 1e-5. */
const BN_EPS = 1e-3;
const LN_EPS = 1e-5;

/** (size - 3 + 2) // 2 + 1: a 3x3 stride-2 conv with padding 1 (_get_conv_output_shape). */
const halve = (n: number): number => Math.floor((n - 1) / 2) + 1;

function mbconv(g: GraphBuilder, p: string, x: string, stride: number): string {
  let shortcut = x;
  if (g.has(`${p}.proj.1.weight`)) shortcut = g.conv(`${p}.proj.1`, g.avgPool(x, 3, 2, 1), 1, 0);
  else if (g.has(`${p}.proj.0.weight`)) shortcut = g.conv(`${p}.proj.0`, x, 1, 0);
  const l = `${p}.layers`;
  let y = g.batchNorm(`${l}.pre_norm`, x, BN_EPS);
  y = g.convBnAct(`${l}.conv_a`, y, 1, "gelu", BN_EPS);
  y = g.convBnAct(`${l}.conv_b`, y, stride, "gelu", BN_EPS, g.depthwiseGroups(`${l}.conv_b.0`));
  y = g.squeezeExcite(`${l}.squeeze_excitation`, y, "silu", "sigmoid");
  return g.add(shortcut, g.conv(`${l}.conv_c`, y, 1, 0));
}

/**
 * RelativePositionalMultiHeadAttention over [B, G, P, D]: q, k, v from
 * to_qkv; k scaled by feat_dim^-0.5 (the model's choice, not head_dim);
 * softmax(q k^T + bias) v; heads joined and merged.
 */
function attention(g: GraphBuilder, p: string, x: string, dim: number, headDim: number, size: number): string {
  const heads = dim / headDim;
  const seq = size * size;
  const [q, k, v] = g.split(g.linearLast(`${p}.to_qkv`, x), 3, 3).map((t) => g.transpose(g.reshape(t, [0, 0, 0, heads, headDim]), [0, 1, 3, 2, 4]));
  const scaledK = g.mul(k, g.scalar(`codec.maxvit.scale.${dim}`, dim ** -0.5));
  const bias = g.transpose(g.reshape(g.node("Gather", [g.weight(`${p}.relative_position_bias_table`), g.reshape(g.weight(`${p}.relative_position_index`), [-1])], { axis: 0 }), [seq, seq, heads]), [2, 0, 1]);
  const scores = g.add(g.node("MatMul", [q, g.transpose(scaledK, [0, 1, 2, 4, 3])]), bias);
  const out = g.node("MatMul", [g.node("Softmax", [scores], { axis: -1 }), v]);
  return g.linearLast(`${p}.merge`, g.reshape(g.transpose(out, [0, 1, 3, 2, 4]), [0, 0, 0, dim]));
}

/** PartitionAttentionLayer on x [B, C, H, W]; `grid` swaps the window and token axes (grid attention). */
function partitionAttention(g: GraphBuilder, p: string, x: string, dim: number, H: number, W: number, headDim: number, grid: boolean): string {
  const size = (Math.round(Math.sqrt(g.shape(`${p}.attn_layer.1.relative_position_bias_table`)[0])) + 1) / 2;
  if (H % size !== 0 || W % size !== 0) fail("USAGE", "infer", `maxvit: a ${H}x${W} grid is not divisible by the partition size ${size} (torchvision needs input sizes like 224x224)`);
  // window: P = partition size; grid: P = H / partition size (n_partitions).
  const P = grid ? H / size : size;
  const hp = H / P;
  const wp = W / P;
  // WindowPartition: [B, C, H/P, P, W/P, P] -> [B, H/P, W/P, P, P, C] -> [B, (H/P)(W/P), P*P, C].
  let y = g.reshape(g.transpose(g.reshape(x, [0, dim, hp, P, wp, P]), [0, 2, 4, 3, 5, 1]), [0, hp * wp, P * P, dim]);
  if (grid) y = g.transpose(y, [0, 2, 1, 3]);
  y = g.add(y, attention(g, `${p}.attn_layer.1`, g.layerNorm(`${p}.attn_layer.0`, y, LN_EPS), dim, headDim, size));
  const mlp = g.linearLast(`${p}.mlp_layer.3`, g.activation("gelu", g.linearLast(`${p}.mlp_layer.1`, g.layerNorm(`${p}.mlp_layer.0`, y, LN_EPS))));
  y = g.add(y, mlp);
  if (grid) y = g.transpose(y, [0, 2, 1, 3]);
  // WindowDepartition: [B, H/P, W/P, P, P, C] -> [B, C, H/P, P, W/P, P] -> [B, C, H, W].
  return g.reshape(g.transpose(g.reshape(y, [0, hp, wp, P, P, dim]), [0, 5, 1, 3, 2, 4]), [0, dim, H, W]);
}

export function maxvit(headDim: number): (w: ReadonlyMap<string, Tensor>, inputShape: readonly number[]) => OnnxGraph {
  return (w, inputShape) => {
    const g = new GraphBuilder(w);
    if (inputShape.length !== 4) fail("USAGE", "infer", `maxvit needs an NCHW input, got shape [${inputShape.join(", ")}]`);
    let H = halve(inputShape[2]);
    let W = halve(inputShape[3]);
    let x = g.convBnAct("stem.0", "input", 2, "gelu", BN_EPS);
    x = g.conv("stem.1.0", x, 1, 1);
    const blocks = countIndexed(w, "blocks");
    if (blocks === 0) fail("CORRUPT", "infer", "the state_dict has no MaxViT blocks");
    for (let b = 0; b < blocks; b++) {
      H = halve(H);
      W = halve(W);
      const layers = countIndexed(w, `blocks.${b}.layers`);
      for (let l = 0; l < layers; l++) {
        const p = `blocks.${b}.layers.${l}.layers`;
        x = mbconv(g, `${p}.MBconv`, x, l === 0 ? 2 : 1);
        const dim = g.shape(`${p}.MBconv.layers.conv_c.weight`)[0];
        x = partitionAttention(g, `${p}.window_attention`, x, dim, H, W, headDim, false);
        x = partitionAttention(g, `${p}.grid_attention`, x, dim, H, W, headDim, true);
      }
    }
    // classifier: AdaptiveAvgPool2d(1), Flatten, LayerNorm, Linear, Tanh, Linear (no bias).
    x = g.layerNorm("classifier.2", g.flatten(g.adaptiveAvgPool(x, 1, 1)), LN_EPS);
    x = g.node("Tanh", [g.linear("classifier.3", x)]);
    return g.graph("maxvit", "input", g.linear("classifier.5", x));
  };
}
