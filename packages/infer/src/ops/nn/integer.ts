/**
 * MatMulInteger and ConvInteger (onnx Operators.md): 8-bit operands
 * minus their zero points, multiplied and summed exactly into int32.
 * Zero points are scalars or per-row of A / per-column of B (MatMulInteger)
 * and per output channel of w (ConvInteger); padding in ConvInteger is the
 * zero point, so it contributes 0 after the subtraction.
 */
import { fail } from "@codec/core";
import { nums, type NumArray, type RTensor } from "../../tensor.js";
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

registerNnOps({
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
