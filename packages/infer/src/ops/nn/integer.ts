/**
 * MatMulInteger and ConvInteger (onnx Operators.md): 8-bit operands
 * minus their zero points, multiplied and summed exactly into int32.
 * Zero points are scalars or per-row of A / per-column of B (MatMulInteger)
 * and per output channel of w (ConvInteger); padding in ConvInteger is the
 * zero point, so it contributes 0 after the subtraction.
 *
 * QLinearMatMul and QLinearConv requantize that exact sum:
 * y = saturate(round_half_even(sum * a_scale * b_scale / y_scale) + y_zero_point)
 * into y_zero_point's type (QLinearConv's int32 bias joins the sum first).
 */
import { fail } from "@codec/core";
import { nums, type NumArray, type RTensor, tensor } from "../../tensor.js";
import { input, type OpContext } from "../registry.js";
import { convolve } from "./conv.js";
import { matmul } from "./matmul.js";
import { F, fromValues, registerNnOps } from "./util.js";

function requireInt8(t: RTensor, ctx: OpContext, what: string): void {
  if (t.dtype !== "int8" && t.dtype !== "uint8") fail("UNSUPPORTED", F, `${ctx.opType} node '${ctx.nodeName}': ${what} of dtype ${t.dtype} (int8/uint8 expected)`);
}

/**
 * a - zp, where zp is a scalar or has one value per slot: the slot of flat
 * element i is floor(i / inner) % count.
 */
function minusZeroPoint(a: NumArray, zpT: RTensor | undefined, count: number, inner: number, ctx: OpContext, what: string): Float64Array {
  const out = Float64Array.from(a);
  if (zpT === undefined) return out;
  const zp = nums(zpT);
  if (zp.length === 1) {
    for (let i = 0; i < out.length; i++) out[i] -= zp[0];
  } else if (zp.length === count) {
    for (let i = 0; i < out.length; i++) out[i] -= zp[Math.floor(i / inner) % count];
  } else {
    fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}': ${what} has ${zp.length} values (1 or ${count} expected)`);
  }
  return out;
}

/** numpy.rint: round half to even. */
function rint(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - Math.trunc(v)) === 0.5 ? 2 * Math.round(v / 2) : r;
}

/**
 * Requantizes int sums (float64) into the type of y_zero_point; `scaleOf(i)`
 * is the combined input scale of element i (per-row/column/channel scales).
 */
function requantize(sum: Float64Array, shape: number[], scaleOf: (i: number) => number, yScaleT: RTensor, yZpT: RTensor | undefined, ctx: OpContext): RTensor {
  const ys = nums(yScaleT)[0];
  const dtype = yZpT?.dtype ?? "uint8";
  if (dtype !== "uint8" && dtype !== "int8") fail("UNSUPPORTED", F, `${ctx.opType} node '${ctx.nodeName}': output type ${dtype}`);
  const zp = yZpT === undefined ? 0 : nums(yZpT)[0];
  const [lo, hi] = dtype === "uint8" ? [0, 255] : [-128, 127];
  const out = dtype === "uint8" ? new Uint8Array(sum.length) : new Int8Array(sum.length);
  for (let i = 0; i < sum.length; i++) out[i] = Math.min(hi, Math.max(lo, rint((sum[i] * scaleOf(i)) / ys) + zp));
  return tensor(dtype, shape, out);
}

/** A scale or zero point: a scalar, or `count` values. */
function perSlot(t: RTensor, count: number, ctx: OpContext, what: string): NumArray {
  const a = nums(t);
  if (a.length !== 1 && a.length !== count) fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}': ${what} has ${a.length} values (1 or ${count} expected)`);
  return a;
}

registerNnOps({
  QLinearMatMul: (inputs, ctx) => {
    const A = input(inputs, 0, ctx);
    const B = input(inputs, 3, ctx);
    requireInt8(A, ctx, "a");
    requireInt8(B, ctx, "b");
    const K = A.shape[A.shape.length - 1] ?? 1;
    const M = A.shape.length >= 2 ? A.shape[A.shape.length - 2] : 1;
    const N = B.shape.length >= 2 ? B.shape[B.shape.length - 1] : 1;
    const a = minusZeroPoint(nums(A), inputs[2], M, K, ctx, "a_zero_point");
    const b = minusZeroPoint(nums(B), inputs[5], N, 1, ctx, "b_zero_point");
    const as = perSlot(input(inputs, 1, ctx), M, ctx, "a_scale");
    const bs = perSlot(input(inputs, 4, ctx), N, ctx, "b_scale");
    const { shape, values } = matmul(A.shape, a, B.shape, b);
    // Output element i sits in row floor(i / N) % M and column i % N.
    const scaleOf = (i: number) => as[as.length === 1 ? 0 : Math.floor(i / N) % M] * bs[bs.length === 1 ? 0 : i % N];
    return [requantize(values, shape, scaleOf, input(inputs, 6, ctx), inputs[7], ctx)];
  },
  QLinearConv: (inputs, ctx) => {
    const X = input(inputs, 0, ctx);
    const W = input(inputs, 3, ctx);
    requireInt8(X, ctx, "x");
    requireInt8(W, ctx, "w");
    const M = W.shape[0] ?? 1;
    const x = minusZeroPoint(nums(X), inputs[2], 1, 1, ctx, "x_zero_point");
    const w = minusZeroPoint(nums(W), inputs[5], M, W.shape.length > 0 ? nums(W).length / M : 1, ctx, "w_zero_point");
    const xs = perSlot(input(inputs, 1, ctx), 1, ctx, "x_scale")[0];
    const ws = perSlot(input(inputs, 4, ctx), M, ctx, "w_scale");
    const bias = inputs[8] === undefined ? undefined : nums(inputs[8]);
    const { shape, values } = convolve(ctx, X.shape, x, W, w, bias);
    const P = shape.slice(2).reduce((p, d) => p * d, 1);
    const scaleOf = (i: number) => xs * ws[ws.length === 1 ? 0 : Math.floor(i / P) % M];
    return [requantize(values, shape, scaleOf, input(inputs, 6, ctx), inputs[7], ctx)];
  },
  MatMulInteger: (inputs, ctx) => {
    const A = input(inputs, 0, ctx);
    const B = input(inputs, 1, ctx);
    requireInt8(A, ctx, "A");
    requireInt8(B, ctx, "B");
    const K = A.shape[A.shape.length - 1] ?? 1;
    const M = A.shape.length >= 2 ? A.shape[A.shape.length - 2] : 1;
    const N = B.shape.length >= 2 ? B.shape[B.shape.length - 1] : 1;
    // a_zero_point per row of A (each row is K consecutive elements); b_zero_point per column of B.
    const a = minusZeroPoint(nums(A), inputs[2], M, K, ctx, "a_zero_point");
    const b = minusZeroPoint(nums(B), inputs[3], N, 1, ctx, "b_zero_point");
    const { shape, values } = matmul(A.shape, a, B.shape, b);
    return [fromValues("int32", shape, values)];
  },
  ConvInteger: (inputs, ctx) => {
    const X = input(inputs, 0, ctx);
    const W = input(inputs, 1, ctx);
    requireInt8(X, ctx, "x");
    requireInt8(W, ctx, "w");
    const x = minusZeroPoint(nums(X), inputs[2], 1, 1, ctx, "x_zero_point");
    // w_zero_point: a scalar or one per output channel (each channel is C/group * kernel elements).
    const perChannel = W.shape.length > 0 ? nums(W).length / W.shape[0] : 1;
    const w = minusZeroPoint(nums(W), inputs[3], W.shape[0] ?? 1, perChannel, ctx, "w_zero_point");
    const { shape, values } = convolve(ctx, X.shape, x, W, w, undefined);
    return [fromValues("int32", shape, values)];
  },
});
