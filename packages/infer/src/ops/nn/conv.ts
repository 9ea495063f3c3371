/**
 * Conv and ConvTranspose over any number of spatial dimensions (onnx
 * Operators.md), with groups, strides, dilations, pads and auto_pad.
 *
 * Conv lowers each (batch, group) to one matrix product: the input
 * windows are gathered into columns (im2col, zero where a window covers
 * padding) and multiplied by the group's weights [M/group, C/group * K].
 * ConvTranspose is the adjoint: weights^T times the input gives one
 * column per input position, which is scattered (col2im) into the output.
 */
import { fail } from "@codec/core";
import { nums, type NumArray, type RTensor } from "../../tensor.js";
import { input, type OpContext } from "../registry.js";
import { f64, matmulAccumulate } from "./matmul.js";
import { F, fromValues, prod, requireFloat, registerNnOps } from "./util.js";
import { type WindowGeometry, windowGeometry, windowIndex } from "./window.js";

function kernelFrom(ctx: OpContext, W: RTensor): number[] {
  const fromW = W.shape.slice(2);
  const k = ctx.ints("kernel_shape", fromW);
  if (k.length !== fromW.length || k.some((v, i) => v !== fromW[i])) fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}': kernel_shape [${k.join(", ")}] does not match the weights [${W.shape.join(", ")}]`);
  return k;
}

function biasOf(ctx: OpContext, B: RTensor | undefined, M: number): NumArray | undefined {
  if (B === undefined) return undefined;
  const b = nums(B);
  if (b.length !== M) fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}': bias has ${b.length} values for ${M} output channels`);
  return b;
}

/** Whether the window is the identity gather (1x1 kernel, stride 1, no padding): im2col can be skipped. */
function isPointwise(g: WindowGeometry): boolean {
  for (let i = 0; i < g.kernel.length; i++) {
    if (g.kernel[i] !== 1 || g.strides[i] !== 1 || g.padsBegin[i] !== 0 || g.padsEnd[i] !== 0) return false;
  }
  return true;
}

/**
 * The convolution of x [N, C, ...] with w [M, C / group, ...] (float64,
 * zero padding) plus an optional per-channel bias: Conv's arithmetic,
 * shared with ConvInteger (which subtracts the zero points first).
 */
export function convolve(ctx: OpContext, xShape: readonly number[], x: Float64Array, W: RTensor, w: Float64Array, bias: NumArray | undefined): { shape: number[]; values: Float64Array } {
  if (xShape.length < 3 || W.shape.length !== xShape.length) fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}': input [${xShape.join(", ")}] and weights [${W.shape.join(", ")}] need equal rank >= 3`);
  const [N, C] = xShape;
  const M = W.shape[0];
  const group = ctx.int("group", 1);
  if (!(group >= 1) || C % group !== 0 || M % group !== 0 || W.shape[1] * group !== C) {
    fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}': ${C} input channels, weights [${W.shape.join(", ")}] and group ${group} do not agree`);
  }
  if (bias !== undefined && bias.length !== M) fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}': bias has ${bias.length} values for ${M} output channels`);
  const g = windowGeometry(ctx, xShape.slice(2), kernelFrom(ctx, W), false);
  const Cg = C / group;
  const Mg = M / group;
  const K = prod(g.kernel);
  const Pin = prod(g.inDims);
  const P = prod(g.outDims);
  const out = new Float64Array(N * M * P);
  const pointwise = isPointwise(g);
  const idx = pointwise ? undefined : windowIndex(g);
  const col = pointwise ? undefined : new Float64Array(Cg * K * P);
  for (let n = 0; n < N; n++) {
    for (let gr = 0; gr < group; gr++) {
      const xOff = (n * C + gr * Cg) * Pin;
      const oOff = (n * M + gr * Mg) * P;
      const wOff = gr * Mg * Cg * K;
      if (idx === undefined || col === undefined) {
        matmulAccumulate(w, wOff, x, xOff, out, oOff, Mg, Cg, P);
        continue;
      }
      // im2col: col[(c * K + k) * P + p] = x[c, window(k, p)] (0 in the padding).
      for (let c = 0; c < Cg; c++) {
        const xc = xOff + c * Pin;
        const cBase = c * K * P;
        for (let j = 0; j < K * P; j++) {
          const s = idx[j];
          col[cBase + j] = s < 0 ? 0 : x[xc + s];
        }
      }
      matmulAccumulate(w, wOff, col, 0, out, oOff, Mg, Cg * K, P);
    }
  }
  if (bias !== undefined) {
    for (let n = 0; n < N; n++) for (let m = 0; m < M; m++) {
      const b = bias[m];
      const base = (n * M + m) * P;
      for (let p = 0; p < P; p++) out[base + p] += b;
    }
  }
  return { shape: [N, M, ...g.outDims], values: out };
}

function conv(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const X = input(inputs, 0, ctx);
  const W = input(inputs, 1, ctx);
  requireFloat(X, ctx);
  const B = inputs[2];
  const { shape, values } = convolve(ctx, X.shape, f64(nums(X)), W, f64(nums(W)), B === undefined ? undefined : nums(B));
  return [fromValues(X.dtype, shape, values)];
}

/**
 * ConvTranspose geometry (Operators.md ConvTranspose): output size
 * s * (in - 1) + output_padding + ((k - 1) * d + 1) - pb - pe; when
 * output_shape is given (or auto_pad is SAME_*, which asks for in * s),
 * the total padding follows from it and is split with the odd element at
 * the beginning, except under SAME_UPPER where it goes at the end.
 */
function transposeGeometry(ctx: OpContext, inDims: number[], kernel: number[]): WindowGeometry {
  const n = inDims.length;
  const strides = ctx.ints("strides", new Array<number>(n).fill(1));
  const dilations = ctx.ints("dilations", new Array<number>(n).fill(1));
  const outPad = ctx.ints("output_padding", new Array<number>(n).fill(0));
  const autoPad = ctx.string("auto_pad", "NOTSET");
  if (strides.length !== n || dilations.length !== n || outPad.length !== n) fail("CORRUPT", F, `ConvTranspose node '${ctx.nodeName}': strides/dilations/output_padding lengths do not match ${n} spatial dimensions`);
  let wanted = ctx.has("output_shape") ? ctx.ints("output_shape") : undefined;
  // Some exporters write the full [N, C, ...] shape; the spatial part is what counts.
  if (wanted !== undefined && wanted.length === n + 2) wanted = wanted.slice(2);
  if (wanted !== undefined && wanted.length !== n) fail("CORRUPT", F, `ConvTranspose node '${ctx.nodeName}': output_shape has ${wanted.length} values for ${n} spatial dimensions`);
  if (wanted === undefined && (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER")) wanted = inDims.map((v, i) => v * strides[i]);
  const padsBegin = new Array<number>(n).fill(0);
  const padsEnd = new Array<number>(n).fill(0);
  const outDims = new Array<number>(n).fill(0);
  const pads = autoPad === "NOTSET" && wanted === undefined ? ctx.ints("pads", new Array<number>(2 * n).fill(0)) : undefined;
  if (pads !== undefined && pads.length !== 2 * n) fail("CORRUPT", F, `ConvTranspose node '${ctx.nodeName}': pads has ${pads.length} values for ${n} spatial dimensions`);
  for (let i = 0; i < n; i++) {
    if (!(strides[i] >= 1) || !(dilations[i] >= 1)) fail("CORRUPT", F, `ConvTranspose node '${ctx.nodeName}': strides and dilations must be >= 1`);
    const full = strides[i] * (inDims[i] - 1) + outPad[i] + (kernel[i] - 1) * dilations[i] + 1;
    if (wanted !== undefined) {
      const total = full - wanted[i];
      const half = Math.floor(total / 2);
      padsBegin[i] = autoPad === "SAME_UPPER" ? half : total - half;
      padsEnd[i] = total - padsBegin[i];
    } else if (pads !== undefined) {
      padsBegin[i] = pads[i];
      padsEnd[i] = pads[i + n];
    }
    outDims[i] = full - padsBegin[i] - padsEnd[i];
    if (outDims[i] < 0) fail("CORRUPT", F, `ConvTranspose node '${ctx.nodeName}': negative output size`);
  }
  return { inDims, kernel, strides, dilations, padsBegin, padsEnd, outDims };
}

function convTranspose(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const X = input(inputs, 0, ctx);
  const W = input(inputs, 1, ctx);
  requireFloat(X, ctx);
  if (X.shape.length < 3 || W.shape.length !== X.shape.length) fail("CORRUPT", F, `ConvTranspose node '${ctx.nodeName}': input [${X.shape.join(", ")}] and weights [${W.shape.join(", ")}] need equal rank >= 3`);
  const [N, C] = X.shape;
  const group = ctx.int("group", 1);
  if (!(group >= 1) || W.shape[0] !== C || C % group !== 0) fail("CORRUPT", F, `ConvTranspose node '${ctx.nodeName}': ${C} input channels, weights [${W.shape.join(", ")}] and group ${group} do not agree`);
  const Cg = C / group;
  const Mg = W.shape[1];
  const M = Mg * group;
  const kernel = kernelFrom(ctx, W);
  const g = transposeGeometry(ctx, X.shape.slice(2), kernel);
  const bias = biasOf(ctx, inputs[2], M);
  const K = prod(kernel);
  const Pin = prod(g.inDims);
  const P = prod(g.outDims);
  const x = f64(nums(X));
  const w = nums(W);
  // scatter[k * Pin + i]: the flat output position input position i reaches through kernel tap k (-1 if cropped).
  const scatter = transposeIndex(g);
  const wT = new Float64Array(Mg * K * Cg);
  const col = new Float64Array(Mg * K * Pin);
  const out = new Float64Array(N * M * P);
  for (let gr = 0; gr < group; gr++) {
    // This group's weights [Cg, Mg * K] transposed to [Mg * K, Cg].
    const wOff = gr * Cg * Mg * K;
    for (let c = 0; c < Cg; c++) for (let r = 0; r < Mg * K; r++) wT[r * Cg + c] = w[wOff + c * Mg * K + r];
    for (let n = 0; n < N; n++) {
      col.fill(0);
      matmulAccumulate(wT, 0, x, (n * C + gr * Cg) * Pin, col, 0, Mg * K, Cg, Pin);
      for (let m = 0; m < Mg; m++) {
        const oBase = (n * M + gr * Mg + m) * P;
        for (let k = 0; k < K; k++) {
          const cBase = (m * K + k) * Pin;
          const sBase = k * Pin;
          for (let i = 0; i < Pin; i++) {
            const o = scatter[sBase + i];
            if (o >= 0) out[oBase + o] += col[cBase + i];
          }
        }
      }
    }
  }
  if (bias !== undefined) {
    for (let n = 0; n < N; n++) for (let m = 0; m < M; m++) {
      const base = (n * M + m) * P;
      for (let p = 0; p < P; p++) out[base + p] += bias[m];
    }
  }
  return [fromValues(X.dtype, [N, M, ...g.outDims], out)];
}

/** For each kernel tap and input position: output coordinate i * s - pb + k * d, flattened, or -1 outside the output. */
function transposeIndex(g: WindowGeometry): Int32Array {
  const n = g.inDims.length;
  const K = prod(g.kernel);
  const Pin = prod(g.inDims);
  const idx = new Int32Array(K * Pin);
  const kc = new Array<number>(n).fill(0);
  const ic = new Array<number>(n).fill(0);
  for (let k = 0; k < K; k++) {
    ic.fill(0);
    for (let i = 0; i < Pin; i++) {
      let flat = 0;
      for (let d = 0; d < n; d++) {
        const o = ic[d] * g.strides[d] - g.padsBegin[d] + kc[d] * g.dilations[d];
        if (o < 0 || o >= g.outDims[d]) {
          flat = -1;
          break;
        }
        flat = flat * g.outDims[d] + o;
      }
      idx[k * Pin + i] = flat;
      for (let d = n - 1; d >= 0; d--) {
        if (++ic[d] < g.inDims[d]) break;
        ic[d] = 0;
      }
    }
    for (let d = n - 1; d >= 0; d--) {
      if (++kc[d] < g.kernel[d]) break;
      kc[d] = 0;
    }
  }
  return idx;
}

registerNnOps({ Conv: conv, ConvTranspose: convTranspose });
