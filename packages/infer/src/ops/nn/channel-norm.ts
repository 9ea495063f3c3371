/**
 * Normalizations over the channel layout [N, C, D1, ...] (onnx
 * Operators.md): BatchNormalization (inference with the given running
 * statistics; from opset 14 also training_mode, which normalizes with the
 * batch statistics and outputs the updated running mean and variance),
 * InstanceNormalization (statistics per (n, c)) and GroupNormalization
 * (statistics per (n, group); scale and bias per group before opset 21,
 * per channel from opset 21 on).
 */
import { fail } from "@codec/core";
import { nums, type NumArray, type RTensor } from "../../tensor.js";
import { input, type OpContext } from "../registry.js";
import { F, fromValues, prod, requireFloat, registerNnOps } from "./util.js";

function channels(X: RTensor, ctx: OpContext): { N: number; C: number; S: number } {
  if (X.shape.length < 2) fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}': input of shape [${X.shape.join(", ")}] needs rank >= 2`);
  return { N: X.shape[0], C: X.shape[1], S: prod(X.shape, 2) };
}

function vec(t: RTensor, n: number, ctx: OpContext, what: string): NumArray {
  const a = nums(t);
  if (a.length !== n) fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}': ${what} has ${a.length} values, expected ${n}`);
  return a;
}

function batchNorm(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const X = input(inputs, 0, ctx);
  requireFloat(X, ctx);
  const { N, C, S } = channels(X, ctx);
  const eps = ctx.float("epsilon", 1e-5);
  const x = nums(X);
  const training = ctx.opset >= 14 && ctx.int("training_mode", 0) !== 0;
  const statT = [input(inputs, 1, ctx), input(inputs, 2, ctx), input(inputs, 3, ctx), input(inputs, 4, ctx)];
  // Opsets 6-8 with spatial=0 carry statistics per (c, position); every other case per channel.
  const perPosition = !training && nums(statT[0]).length === C * S && S !== 1;
  const L = perPosition ? C * S : C;
  const [scale, bias, mean, variance] = statT.map((t, i) => vec(t, L, ctx, ["scale", "B", "input_mean", "input_var"][i]));
  const out = new Float64Array(x.length);
  if (!training) {
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const base = (n * C + c) * S;
        for (let s = 0; s < S; s++) {
          const j = perPosition ? c * S + s : c;
          out[base + s] = ((x[base + s] - mean[j]) / Math.sqrt(variance[j] + eps)) * scale[j] + bias[j];
        }
      }
    }
    return [fromValues(X.dtype, X.shape, out)];
  }
  // Training mode: batch mean and population variance over every axis but 1.
  const momentum = ctx.float("momentum", 0.9);
  const bm = new Float64Array(C);
  const bv = new Float64Array(C);
  const count = N * S;
  for (let c = 0; c < C; c++) {
    let sum = 0;
    for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) sum += x[(n * C + c) * S + s];
    const m = sum / count;
    let sq = 0;
    for (let n = 0; n < N; n++) for (let s = 0; s < S; s++) sq += (x[(n * C + c) * S + s] - m) ** 2;
    bm[c] = m;
    bv[c] = sq / count;
  }
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const base = (n * C + c) * S;
      const inv = 1 / Math.sqrt(bv[c] + eps);
      for (let s = 0; s < S; s++) out[base + s] = (x[base + s] - bm[c]) * inv * scale[c] + bias[c];
    }
  }
  const runMean = new Float64Array(C);
  const runVar = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    runMean[c] = mean[c] * momentum + bm[c] * (1 - momentum);
    runVar[c] = variance[c] * momentum + bv[c] * (1 - momentum);
  }
  return [fromValues(X.dtype, X.shape, out), fromValues(statT[2].dtype, statT[2].shape, runMean), fromValues(statT[3].dtype, statT[3].shape, runVar)];
}

/**
 * Normalizes `count` consecutive runs of `len` elements of x (starting at
 * run r * len) to zero mean and unit variance (population, + eps), into out.
 */
function normalizeRuns(x: NumArray, out: Float64Array, count: number, len: number, eps: number): void {
  for (let r = 0; r < count; r++) {
    const base = r * len;
    let sum = 0;
    for (let i = 0; i < len; i++) sum += x[base + i];
    const m = sum / len;
    let sq = 0;
    for (let i = 0; i < len; i++) sq += (x[base + i] - m) ** 2;
    const inv = 1 / Math.sqrt(sq / len + eps);
    for (let i = 0; i < len; i++) out[base + i] = (x[base + i] - m) * inv;
  }
}

function instanceNorm(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const X = input(inputs, 0, ctx);
  requireFloat(X, ctx);
  const { N, C, S } = channels(X, ctx);
  const scale = vec(input(inputs, 1, ctx), C, ctx, "scale");
  const bias = vec(input(inputs, 2, ctx), C, ctx, "B");
  const out = new Float64Array(N * C * S);
  normalizeRuns(nums(X), out, N * C, S, ctx.float("epsilon", 1e-5));
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const base = (n * C + c) * S;
      for (let s = 0; s < S; s++) out[base + s] = out[base + s] * scale[c] + bias[c];
    }
  }
  return [fromValues(X.dtype, X.shape, out)];
}

function groupNorm(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const X = input(inputs, 0, ctx);
  requireFloat(X, ctx);
  const { N, C, S } = channels(X, ctx);
  const G = ctx.int("num_groups");
  if (!(G >= 1) || C % G !== 0) fail("CORRUPT", F, `GroupNormalization node '${ctx.nodeName}': ${C} channels do not split into ${G} groups`);
  // Opset 18 had one scale/bias per group (a spec bug fixed in 21, which takes one per channel).
  const perChannel = ctx.opset >= 21;
  const L = perChannel ? C : G;
  const scale = vec(input(inputs, 1, ctx), L, ctx, "scale");
  const bias = vec(input(inputs, 2, ctx), L, ctx, "bias");
  const out = new Float64Array(N * C * S);
  normalizeRuns(nums(X), out, N * G, (C / G) * S, ctx.float("epsilon", 1e-5));
  const Cg = C / G;
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const j = perChannel ? c : Math.floor(c / Cg);
      const base = (n * C + c) * S;
      for (let s = 0; s < S; s++) out[base + s] = out[base + s] * scale[j] + bias[j];
    }
  }
  return [fromValues(X.dtype, X.shape, out)];
}

registerNnOps({
  BatchNormalization: batchNorm,
  InstanceNormalization: instanceNorm,
  GroupNormalization: groupNorm,
});
