/**
 * DeformConv (opset 19) and Col2Im (opset 18), onnx Operators.md.
 *
 * DeformConv (2-D): each kernel tap of each output position reads the
 * input at its regular place plus a learned (dy, dx) offset, bilinearly
 * interpolated with zeros outside the image (what onnx's reference gets
 * from GridSample with align_corners), optionally scaled by a mask; the
 * sampled columns are then multiplied by the group's weights like Conv.
 * Offsets are [N, offset_group * kH * kW * 2, oH, oW] laid out as
 * (offset_group, kH, kW, {dy, dx}); the mask as (offset_group, kH, kW).
 *
 * Col2Im: sums blocks (columns of [N, C * prod(block), L]) back into an
 * image, each block placed by the same sliding-window geometry as Conv.
 */
import { fail } from "@codec/core";
import { nums, type RTensor } from "../../tensor.js";
import { input, type OpContext } from "../registry.js";
import { f64, matmulAccumulate } from "./matmul.js";
import { F, fromValues, prod, registerNnOps, requireFloat } from "./util.js";
import { windowGeometry, windowIndex } from "./window.js";

/** Bilinear sample of the [ih, iw] plane at (y, x), zero outside. */
function bilinear(x: Float64Array, base: number, ih: number, iw: number, y: number, xx: number): number {
  const y0 = Math.floor(y);
  const x0 = Math.floor(xx);
  const dy = y - y0;
  const dx = xx - x0;
  let v = 0;
  for (let a = 0; a < 2; a++) {
    const yy = y0 + a;
    if (yy < 0 || yy >= ih) continue;
    const wy = a === 0 ? 1 - dy : dy;
    if (wy === 0) continue;
    for (let b = 0; b < 2; b++) {
      const xc = x0 + b;
      if (xc < 0 || xc >= iw) continue;
      const wx = b === 0 ? 1 - dx : dx;
      if (wx === 0) continue;
      v += wy * wx * x[base + yy * iw + xc];
    }
  }
  return v;
}

function deformConv(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const X = input(inputs, 0, ctx);
  const W = input(inputs, 1, ctx);
  const O = input(inputs, 2, ctx);
  requireFloat(X, ctx);
  if (X.shape.length !== 4 || W.shape.length !== 4 || O.shape.length !== 4) fail("UNSUPPORTED", F, `DeformConv node '${ctx.nodeName}': only 2-D (rank-4) inputs are implemented`);
  const [N, C, ih, iw] = X.shape;
  const M = W.shape[0];
  const group = ctx.int("group", 1);
  const og = ctx.int("offset_group", 1);
  if (!(group >= 1) || W.shape[1] * group !== C || M % group !== 0 || !(og >= 1) || C % og !== 0) fail("CORRUPT", F, `DeformConv node '${ctx.nodeName}': channels, weights [${W.shape.join(", ")}], group ${group} and offset_group ${og} do not agree`);
  const [kh, kw] = ctx.ints("kernel_shape", W.shape.slice(2));
  const [sh, sw] = ctx.ints("strides", [1, 1]);
  const [dh, dw] = ctx.ints("dilations", [1, 1]);
  const pads = ctx.ints("pads", [0, 0, 0, 0]);
  const [oh, ow] = O.shape.slice(2);
  const K = kh * kw;
  const P = oh * ow;
  if (O.shape[0] !== N || O.shape[1] !== og * K * 2) fail("CORRUPT", F, `DeformConv node '${ctx.nodeName}': offset [${O.shape.join(", ")}] does not fit offset_group ${og} and a ${kh}x${kw} kernel`);
  if (oh !== Math.floor((ih + pads[0] + pads[2] - ((kh - 1) * dh + 1)) / sh) + 1 || ow !== Math.floor((iw + pads[1] + pads[3] - ((kw - 1) * dw + 1)) / sw) + 1) {
    fail("CORRUPT", F, `DeformConv node '${ctx.nodeName}': offset spatial size [${oh}, ${ow}] does not match the convolution's output`);
  }
  const maskT = inputs[4];
  if (maskT !== undefined && prod(maskT.shape) !== N * og * K * P) fail("CORRUPT", F, `DeformConv node '${ctx.nodeName}': mask [${maskT.shape.join(", ")}] does not fit the offsets`);
  const mask = maskT === undefined ? undefined : nums(maskT);
  const B = inputs[3] === undefined ? undefined : nums(inputs[3]);
  const x = f64(nums(X));
  const w = f64(nums(W));
  const off = nums(O);
  const Cg = C / group;
  const Mg = M / group;
  const Cog = C / og;
  const col = new Float64Array(C * K * P);
  const out = new Float64Array(N * M * P);
  for (let n = 0; n < N; n++) {
    // Sampled columns: col[(c * K + k) * P + p].
    for (let c = 0; c < C; c++) {
      const g = Math.floor(c / Cog);
      const plane = (n * C + c) * ih * iw;
      for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) {
        const k = a * kw + b;
        const oBase = ((n * og + g) * K + k) * 2 * P;
        const mBase = ((n * og + g) * K + k) * P;
        for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) {
          const p = i * ow + j;
          const y = i * sh - pads[0] + a * dh + off[oBase + p];
          const xx = j * sw - pads[1] + b * dw + off[oBase + P + p];
          let v = bilinear(x, plane, ih, iw, y, xx);
          if (mask !== undefined) v *= mask[mBase + p];
          col[(c * K + k) * P + p] = v;
        }
      }
    }
    for (let gr = 0; gr < group; gr++) matmulAccumulate(w, gr * Mg * Cg * K, col, gr * Cg * K * P, out, (n * M + gr * Mg) * P, Mg, Cg * K, P);
    if (B !== undefined) for (let m = 0; m < M; m++) for (let p = 0; p < P; p++) out[(n * M + m) * P + p] += B[m];
  }
  return [fromValues(X.dtype, [N, M, oh, ow], out)];
}

function col2Im(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const X = input(inputs, 0, ctx);
  requireFloat(X, ctx);
  const image = Array.from(nums(input(inputs, 1, ctx)));
  const block = Array.from(nums(input(inputs, 2, ctx)));
  if (X.shape.length !== 3 || image.length !== block.length || image.length === 0) fail("CORRUPT", F, `Col2Im node '${ctx.nodeName}': input [${X.shape.join(", ")}], image_shape and block_shape do not agree`);
  const g = windowGeometry(ctx, image, block, false);
  const K = prod(block);
  const P = prod(g.outDims);
  const [N, CK, L] = X.shape;
  if (CK % K !== 0 || L !== P) fail("CORRUPT", F, `Col2Im node '${ctx.nodeName}': input [${X.shape.join(", ")}] does not hold ${K}-element blocks at ${P} positions`);
  const C = CK / K;
  const I = prod(image);
  const idx = windowIndex(g);
  const x = nums(X);
  const out = new Float64Array(N * C * I);
  for (let nc = 0; nc < N * C; nc++) {
    for (let k = 0; k < K; k++) {
      const src = (nc * K + k) * P;
      for (let p = 0; p < P; p++) {
        const s = idx[k * P + p];
        if (s >= 0) out[nc * I + s] += x[src + p];
      }
    }
  }
  return [fromValues(X.dtype, [N, C, ...image], out)];
}

registerNnOps({ DeformConv: deformConv, Col2Im: col2Im });
