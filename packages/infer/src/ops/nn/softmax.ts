/**
 * Softmax, LogSoftmax and Hardmax (onnx Operators.md).
 *
 * Axis semantics changed at opset 13: before it, the input is coerced to
 * 2-D [prod(shape[:axis]), prod(shape[axis:])] (default axis 1) and the
 * op runs over each row of that matrix; from opset 13 on it runs along
 * the single dimension `axis` (default -1).
 */
import { normalizeAxis } from "../../broadcast.js";
import { nums, type RTensor } from "../../tensor.js";
import { input, type OpContext } from "../registry.js";
import { fromValues, prod, requireFloat, registerNnOps } from "./util.js";

/** The op's view of the input as [outer, n, inner], reducing over n. */
export interface AxisView {
  outer: number;
  n: number;
  inner: number;
}

export function softmaxView(shape: readonly number[], ctx: OpContext): AxisView {
  const rank = shape.length;
  // A scalar is one row of one element.
  if (rank === 0) return { outer: 1, n: 1, inner: 1 };
  if (ctx.opset < 13) {
    // Opset 1-12: flatten to 2-D at `axis` (axis == rank is allowed: rows of one element).
    const a = ctx.int("axis", 1);
    const axis = a === rank ? rank : normalizeAxis(a, rank);
    return { outer: prod(shape, 0, axis), n: prod(shape, axis), inner: 1 };
  }
  const axis = normalizeAxis(ctx.int("axis", -1), rank);
  return { outer: prod(shape, 0, axis), n: shape[axis], inner: prod(shape, axis + 1) };
}

/** Softmax (log = false) or log-softmax along [outer, n, inner]'s middle axis, in float64; NaN rows stay NaN. */
export function softmaxInto(x: ArrayLike<number>, out: Float64Array, v: AxisView, log: boolean): void {
  const { outer, n, inner } = v;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let max = Number.NEGATIVE_INFINITY;
      for (let k = 0; k < n; k++) {
        const e = x[base + k * inner];
        if (e > max || Number.isNaN(e)) max = e;
      }
      // A row of -inf: subtracting -inf gives NaN, as numpy's x - max does.
      let sum = 0;
      for (let k = 0; k < n; k++) sum += Math.exp(x[base + k * inner] - max);
      if (log) {
        const lse = Math.log(sum);
        for (let k = 0; k < n; k++) out[base + k * inner] = x[base + k * inner] - max - lse;
      } else {
        for (let k = 0; k < n; k++) out[base + k * inner] = Math.exp(x[base + k * inner] - max) / sum;
      }
    }
  }
}

function softmaxOp(log: boolean) {
  return (inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] => {
    const x = input(inputs, 0, ctx);
    requireFloat(x, ctx);
    const a = nums(x);
    const out = new Float64Array(a.length);
    softmaxInto(a, out, softmaxView(x.shape, ctx), log);
    return [fromValues(x.dtype, x.shape, out)];
  };
}

registerNnOps({
  Softmax: softmaxOp(false),
  LogSoftmax: softmaxOp(true),
  /** 1 at the first maximum of each row, 0 elsewhere (onnx's reference takes argmax, the first index). */
  Hardmax: (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    requireFloat(x, ctx);
    const a = nums(x);
    const { outer, n, inner } = softmaxView(x.shape, ctx);
    const out = new Float64Array(a.length);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i;
        let best = 0;
        for (let k = 1; k < n; k++) if (a[base + k * inner] > a[base + best * inner]) best = k;
        if (n > 0) out[base + best * inner] = 1;
      }
    }
    return [fromValues(x.dtype, x.shape, out)];
  },
});
