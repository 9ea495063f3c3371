/**
 * torchvision Swin Transformer (models/swin_transformer.py: swin_t/s/b
 * and swin_v2_t/s/b) in eval mode, channels-last throughout: patchify conv
 * + LayerNorm, stages of blocks (V1: x + W-MSA(norm1(x)), x +
 * MLP(norm2(x)); V2: x + norm1(W-MSA(x)), x + norm2(MLP(x)) with cosine
 * attention and a continuous position bias) whose odd blocks shift the
 * windows by half a window, patch merging between stages. Window partitioning, padding, shifts and the shifted-window mask
 * depend on each stage's spatial size, so the graph is built for the
 * input's height and width. Heads and window size come from each block's
 * tensors (V1: relative_position_bias_table [(2w-1)^2, heads]; V2:
 * logit_scale [heads, 1, 1], relative_coords_table [1, 2w-1, 2w-1, 2]).
 */
import { fail, type Tensor } from "@codec/core";
import type { OnnxGraph } from "@codec/onnx";
import { countIndexed } from "./blocks.js";
import { GraphBuilder } from "./graph-builder.js";

/** norm_layer = partial(nn.LayerNorm, eps=1e-5). */
const EPS = 1e-5;

/** torch.roll(x, shift, dim=axis) of a size-n axis, as two slices joined. */
function roll(g: GraphBuilder, x: string, axis: number, shift: number, n: number): string {
  const s = ((shift % n) + n) % n;
  if (s === 0) return x;
  return g.concat([g.slice(x, [axis], [n - s], [n]), g.slice(x, [axis], [0], [n - s])], axis);
}

/**
 * The shifted-window attention mask [windows, w*w, w*w]: tokens of one
 * window from different regions of the rolled map get -100, as
 * shifted_window_attention builds it.
 */
function windowMask(padH: number, padW: number, w: number, shiftH: number, shiftW: number): number[] {
  const region = (i: number, n: number, shift: number): number => (i < n - w ? 0 : i < n - shift ? 1 : 2);
  const rows = padH / w;
  const cols = padW / w;
  const ww = w * w;
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const ids: number[] = [];
      for (let i = 0; i < w; i++) for (let j = 0; j < w; j++) ids.push(region(r * w + i, padH, shiftH) * 3 + region(c * w + j, padW, shiftW));
      for (let a = 0; a < ww; a++) for (let b = 0; b < ww; b++) out.push(ids[a] === ids[b] ? 0 : -100);
    }
  }
  return out;
}

/**
 * The relative position bias [heads, w*w, w*w]: V1 indexes its learned
 * table; V2 runs cpb_mlp over relative_coords_table, indexes that and
 * takes 16 * sigmoid.
 */
function positionBias(g: GraphBuilder, p: string, v2: boolean, heads: number, ww: number): string {
  const table = v2 ? g.reshape(g.linearLast(`${p}.cpb_mlp.2`, g.relu(g.linearLast(`${p}.cpb_mlp.0`, g.weight(`${p}.relative_coords_table`)))), [-1, heads]) : g.weight(`${p}.relative_position_bias_table`);
  const bias = g.transpose(g.reshape(g.node("Gather", [table, g.weight(`${p}.relative_position_index`)], { axis: 0 }), [ww, ww, heads]), [2, 0, 1]);
  return v2 ? g.mul(g.scalar("codec.swin.16", 16), g.activation("sigmoid", bias)) : bias;
}

/**
 * The attention logits [N * windows, heads, w*w, w*w] before bias: V1
 * scales q by head_dim^-0.5; V2 takes cosine similarity times
 * exp(min(logit_scale, log 100)).
 */
function logits(g: GraphBuilder, p: string, v2: boolean, q: string, k: string, headDim: number): string {
  if (!v2) return g.node("MatMul", [g.mul(q, g.scalar(`codec.swin.scale.${headDim}`, headDim ** -0.5)), g.transpose(k, [0, 1, 3, 2])]);
  const unit = (t: string): string => g.node("LpNormalization", [t], { axis: -1, p: 2 });
  const scale = g.node("Exp", [g.node("Min", [g.weight(`${p}.logit_scale`), g.scalar("codec.swin.log100", Math.log(100))])]);
  return g.mul(g.node("MatMul", [unit(q), g.transpose(unit(k), [0, 1, 3, 2])]), scale);
}

/** qkv = x @ W^T + b; V2 zeroes the key third of the bias on every call (shifted_window_attention). */
function qkvProjection(g: GraphBuilder, p: string, v2: boolean, x: string, dim: number): string {
  if (!v2) return g.linearLast(`${p}.qkv`, x);
  const keep = [...new Array<number>(dim).fill(1), ...new Array<number>(dim).fill(0), ...new Array<number>(dim).fill(1)];
  const bias = g.mul(g.weight(`${p}.qkv.bias`), g.constant(`codec.swin.qkvmask.${dim}`, [3 * dim], keep));
  return g.add(g.node("MatMul", [x, g.transpose(g.weight(`${p}.qkv.weight`), [1, 0])]), bias);
}

/** shifted_window_attention over x [N, H, W, C]. */
function windowAttention(g: GraphBuilder, p: string, x: string, H: number, W: number, dim: number, shiftBlock: boolean): string {
  const v2 = g.has(`${p}.logit_scale`);
  const heads = v2 ? g.shape(`${p}.logit_scale`)[0] : g.shape(`${p}.relative_position_bias_table`)[1];
  // V1's table has (2w - 1)^2 rows; V2's relative_coords_table is [1, 2w - 1, 2w - 1, 2].
  const w = v2 ? (g.shape(`${p}.relative_coords_table`)[1] + 1) / 2 : (Math.round(Math.sqrt(g.shape(`${p}.relative_position_bias_table`)[0])) + 1) / 2;
  const ww = w * w;
  const headDim = dim / heads;
  const padH = Math.ceil(H / w) * w;
  const padW = Math.ceil(W / w) * w;
  // The shift is dropped along a dimension the window already covers.
  const shiftH = shiftBlock && w < padH ? Math.floor(w / 2) : 0;
  const shiftW = shiftBlock && w < padW ? Math.floor(w / 2) : 0;
  let y = padH > H || padW > W ? g.padEnd(x, [0, padH - H, padW - W, 0]) : x;
  y = roll(g, roll(g, y, 1, -shiftH, padH), 2, -shiftW, padW);
  const windows = (padH / w) * (padW / w);
  // [N, padH/w, w, padW/w, w, C] -> [N * windows, w*w, C].
  y = g.reshape(g.transpose(g.reshape(y, [-1, padH / w, w, padW / w, w, dim]), [0, 1, 3, 2, 4, 5]), [-1, ww, dim]);
  const [q, k, v] = g.split(qkvProjection(g, p, v2, y, dim), 2, 3).map((t) => g.transpose(g.reshape(t, [0, 0, heads, headDim]), [0, 2, 1, 3]));
  let attn = g.add(logits(g, p, v2, q, k, headDim), positionBias(g, p, v2, heads, ww));
  if (shiftH + shiftW > 0) {
    const mask = g.constant(`codec.swin.mask.${padH}x${padW}.${w}.${shiftH}.${shiftW}`, [windows, 1, ww, ww], windowMask(padH, padW, w, shiftH, shiftW));
    attn = g.reshape(g.add(g.reshape(attn, [-1, windows, heads, ww, ww]), mask), [-1, heads, ww, ww]);
  }
  y = g.node("MatMul", [g.node("Softmax", [attn], { axis: -1 }), v]);
  y = g.linearLast(`${p}.proj`, g.reshape(g.transpose(y, [0, 2, 1, 3]), [0, 0, dim]));
  // Windows back to the map, the shift undone, the padding cut off.
  y = g.reshape(g.transpose(g.reshape(y, [-1, padH / w, padW / w, w, w, dim]), [0, 1, 3, 2, 4, 5]), [-1, padH, padW, dim]);
  y = roll(g, roll(g, y, 1, shiftH, padH), 2, shiftW, padW);
  return padH > H || padW > W ? g.slice(y, [1, 2], [0, 0], [H, W]) : y;
}

/**
 * PatchMerging: pad H and W to even, join the four 2x2 phases on channels,
 * LayerNorm(4C), Linear(4C -> 2C); PatchMergingV2 reduces first, then
 * normalises (its norm has 2C weights).
 */
function patchMerging(g: GraphBuilder, p: string, x: string, H: number, W: number): string {
  const y = H % 2 || W % 2 ? g.padEnd(x, [0, H % 2, W % 2, 0]) : x;
  const big = 1 << 30;
  const phase = (r: number, c: number): string => g.slice(y, [1, 2], [r, c], [big, big], [2, 2]);
  const joined = g.concat([phase(0, 0), phase(1, 0), phase(0, 1), phase(1, 1)], 3);
  const v2 = g.shape(`${p}.norm.weight`)[0] === g.shape(`${p}.reduction.weight`)[0];
  if (v2) return g.layerNorm(`${p}.norm`, g.linearLast(`${p}.reduction`, joined), EPS);
  return g.linearLast(`${p}.reduction`, g.layerNorm(`${p}.norm`, joined, EPS));
}

export function swin(w: ReadonlyMap<string, Tensor>, inputShape: readonly number[]): OnnxGraph {
  const g = new GraphBuilder(w);
  if (inputShape.length !== 4) fail("USAGE", "infer", `swin needs an NCHW input, got shape [${inputShape.join(", ")}]`);
  const [, , kh, kw] = g.shape("features.0.0.weight");
  let dim = g.shape("features.0.0.weight")[0];
  let H = Math.floor(inputShape[2] / kh);
  let W = Math.floor(inputShape[3] / kw);
  let x = g.layerNorm("features.0.2", g.transpose(g.conv("features.0.0", "input", kh, 0), [0, 2, 3, 1]), EPS);
  const count = countIndexed(w, "features");
  for (let i = 1; i < count; i++) {
    const p = `features.${i}`;
    if (g.has(`${p}.reduction.weight`)) {
      x = patchMerging(g, p, x, H, W);
      H = Math.ceil(H / 2);
      W = Math.ceil(W / 2);
      dim *= 2;
      continue;
    }
    const blocks = countIndexed(w, p);
    for (let b = 0; b < blocks; b++) {
      const q = `${p}.${b}`;
      const mlp = (t: string): string => g.linearLast(`${q}.mlp.3`, g.activation("gelu", g.linearLast(`${q}.mlp.0`, t)));
      const shifted = b % 2 === 1;
      if (g.has(`${q}.attn.logit_scale`)) {
        // SwinTransformerBlockV2 normalises after each branch (res-post-norm).
        x = g.add(x, g.layerNorm(`${q}.norm1`, windowAttention(g, `${q}.attn`, x, H, W, dim, shifted), EPS));
        x = g.add(x, g.layerNorm(`${q}.norm2`, mlp(x), EPS));
      } else {
        x = g.add(x, windowAttention(g, `${q}.attn`, g.layerNorm(`${q}.norm1`, x, EPS), H, W, dim, shifted));
        x = g.add(x, mlp(g.layerNorm(`${q}.norm2`, x, EPS)));
      }
    }
  }
  x = g.transpose(g.layerNorm("norm", x, EPS), [0, 3, 1, 2]);
  x = g.flatten(g.adaptiveAvgPool(x, 1, 1));
  return g.graph("swin", "input", g.linear("head", x));
}
