/**
 * torchvision Swin Transformer V1 (models/swin_transformer.py: swin_t,
 * swin_s, swin_b) in eval mode, channels-last throughout: patchify conv +
 * LayerNorm, stages of blocks (x + W-MSA(norm1(x)), x + MLP(norm2(x)))
 * whose odd blocks shift the windows by half a window, PatchMerging between
 * stages. Window partitioning, padding, shifts and the shifted-window mask
 * depend on each stage's spatial size, so the graph is built for the
 * input's height and width. Heads and window size come from each block's
 * relative_position_bias_table ([(2w-1)^2, heads]).
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

/** shifted_window_attention over x [N, H, W, C]. */
function windowAttention(g: GraphBuilder, p: string, x: string, H: number, W: number, dim: number, shiftBlock: boolean): string {
  const [rows, heads] = g.shape(`${p}.relative_position_bias_table`);
  const w = (Math.round(Math.sqrt(rows)) + 1) / 2;
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
  const [q, k, v] = g.split(g.linearLast(`${p}.qkv`, y), 2, 3).map((t) => g.transpose(g.reshape(t, [0, 0, heads, headDim]), [0, 2, 1, 3]));
  const scaled = g.mul(q, g.scalar(`codec.swin.scale.${headDim}`, headDim ** -0.5));
  // relative_position_bias_table[relative_position_index] viewed [w*w, w*w, heads], permuted to [heads, w*w, w*w].
  const bias = g.transpose(g.reshape(g.node("Gather", [g.weight(`${p}.relative_position_bias_table`), g.weight(`${p}.relative_position_index`)], { axis: 0 }), [ww, ww, heads]), [2, 0, 1]);
  let attn = g.add(g.node("MatMul", [scaled, g.transpose(k, [0, 1, 3, 2])]), bias);
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

/** PatchMerging: pad H and W to even, join the four 2x2 phases on channels, LayerNorm(4C), Linear(4C -> 2C). */
function patchMerging(g: GraphBuilder, p: string, x: string, H: number, W: number): string {
  const y = H % 2 || W % 2 ? g.padEnd(x, [0, H % 2, W % 2, 0]) : x;
  const big = 1 << 30;
  const phase = (r: number, c: number): string => g.slice(y, [1, 2], [r, c], [big, big], [2, 2]);
  const joined = g.concat([phase(0, 0), phase(1, 0), phase(0, 1), phase(1, 1)], 3);
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
      x = g.add(x, windowAttention(g, `${q}.attn`, g.layerNorm(`${q}.norm1`, x, EPS), H, W, dim, b % 2 === 1));
      x = g.add(x, g.linearLast(`${q}.mlp.3`, g.activation("gelu", g.linearLast(`${q}.mlp.0`, g.layerNorm(`${q}.norm2`, x, EPS)))));
    }
  }
  x = g.transpose(g.layerNorm("norm", x, EPS), [0, 3, 1, 2]);
  x = g.flatten(g.adaptiveAvgPool(x, 1, 1));
  return g.graph("swin", "input", g.linear("head", x));
}
