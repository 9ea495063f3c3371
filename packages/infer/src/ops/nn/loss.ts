/**
 * NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (onnx
 * Operators.md). Input [N, C, d1, ...], target [N, d1, ...] of class
 * indices; loss[n, d] = -input[n, target[n, d], d] * weight[target[n, d]]
 * (weight 1 without the optional weight input, 0 where target equals
 * ignore_index). reduction "none" returns that tensor, "sum" its sum, and
 * "mean" (the default) the sum divided by the sum of the weights used.
 * SoftmaxCrossEntropyLoss applies it to log_softmax(scores) along axis 1
 * and can also return those log-probabilities.
 */
import { fail } from "@codec/core";
import { nums, type NumArray, type RTensor } from "../../tensor.js";
import { input, type OpContext } from "../registry.js";
import { softmaxInto } from "./softmax.js";
import { F, fromValues, prod, requireFloat, registerNnOps } from "./util.js";

function nllLoss(ctx: OpContext, logp: ArrayLike<number>, inShape: readonly number[], T: RTensor, W: RTensor | undefined, dtype: RTensor["dtype"]): RTensor {
  if (inShape.length < 2) fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}': input of shape [${inShape.join(", ")}] needs rank >= 2`);
  const [N, C] = inShape;
  const D = prod(inShape, 2);
  const tShape = [N, ...inShape.slice(2)];
  if (T.shape.join() !== tShape.join()) fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}': target shape [${T.shape.join(", ")}] should be [${tShape.join(", ")}]`);
  const t = nums(T);
  const w: NumArray | undefined = W === undefined ? undefined : nums(W);
  if (w !== undefined && w.length !== C) fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}': weight has ${w.length} values for ${C} classes`);
  const hasIgnore = ctx.has("ignore_index");
  const ignore = ctx.int("ignore_index", 0);
  const reduction = ctx.string("reduction", "mean");
  const loss = new Float64Array(N * D);
  let weightSum = 0;
  let sum = 0;
  for (let n = 0; n < N; n++) {
    for (let d = 0; d < D; d++) {
      const cls = t[n * D + d];
      if (hasIgnore && cls === ignore) continue;
      if (!(cls >= 0 && cls < C)) fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}': target class ${cls} is outside [0, ${C})`);
      const wt = w === undefined ? 1 : w[cls];
      const v = -logp[(n * C + cls) * D + d] * wt;
      loss[n * D + d] = v;
      sum += v;
      weightSum += wt;
    }
  }
  if (reduction === "none") return fromValues(dtype, tShape, loss);
  if (reduction === "sum") return fromValues(dtype, [], [sum]);
  if (reduction === "mean") return fromValues(dtype, [], [sum / weightSum]);
  return fail("UNSUPPORTED", F, `${ctx.opType} node '${ctx.nodeName}': reduction '${reduction}'`);
}

registerNnOps({
  NegativeLogLikelihoodLoss: (inputs, ctx) => {
    const X = input(inputs, 0, ctx);
    requireFloat(X, ctx);
    return [nllLoss(ctx, nums(X), X.shape, input(inputs, 1, ctx), inputs[2], X.dtype)];
  },
  SoftmaxCrossEntropyLoss: (inputs, ctx) => {
    const X = input(inputs, 0, ctx);
    requireFloat(X, ctx);
    if (X.shape.length < 2) fail("CORRUPT", F, `SoftmaxCrossEntropyLoss node '${ctx.nodeName}': scores need rank >= 2`);
    const logp = new Float64Array(prod(X.shape));
    softmaxInto(nums(X), logp, { outer: X.shape[0], n: X.shape[1], inner: prod(X.shape, 2) }, true);
    const loss = nllLoss(ctx, logp, X.shape, input(inputs, 1, ctx), inputs[2], X.dtype);
    return [loss, fromValues(X.dtype, X.shape, logp)];
  },
});
