/**
 * Normalizations over trailing or chosen axes (onnx Operators.md):
 * LayerNormalization (over dims [axis, rank), optional Mean and
 * InvStdDev outputs), RMSNormalization (opset 23: x / sqrt(mean(x^2) +
 * eps) * scale), MeanVarianceNormalization (over `axes`, as its function
 * body: (x - E[x]) / (sqrt(E[x^2] - E[x]^2) + 1e-9)), LpNormalization
 * (x / ||x||_p along one axis, 0 where the norm is 0) and LRN (across channels).
 */
import { fail } from "@codec/core";
import { broadcastIndex, broadcastShapes, normalizeAxis } from "../../broadcast.js";
import { nums, type NumArray, type RTensor } from "../../tensor.js";
import { input, type OpContext } from "../registry.js";
import { F, fromValues, prod, requireFloat, registerNnOps } from "./util.js";

/**
 * Index into `t` (broadcast unidirectionally to `shape`) for every element
 * of a `shape` tensor; undefined when t is exactly the normalized block
 * shape[axis:] (leading 1s allowed), which each row indexes the same way.
 */
function broadcastTo(t: RTensor, shape: readonly number[], axis: number, ctx: OpContext, what: string): Int32Array | undefined {
  const rank = shape.length;
  const lead = rank - t.shape.length;
  if (lead >= 0 && t.shape.every((d, j) => (lead + j < axis ? d === 1 : d === shape[lead + j])) && nums(t).length === prod(shape, axis)) return undefined;
  if (lead < 0 || broadcastShapes(t.shape, shape).join() !== shape.join()) fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}': ${what} of shape [${t.shape.join(", ")}] does not broadcast to [${shape.join(", ")}]`);
  return broadcastIndex(t.shape, shape);
}

/** LayerNormalization and RMSNormalization share everything but the centring. */
function axisNorm(rms: boolean) {
  return (inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] => {
    const X = input(inputs, 0, ctx);
    requireFloat(X, ctx);
    const rank = X.shape.length;
    const axis = normalizeAxis(ctx.int("axis", -1), rank);
    const eps = ctx.float("epsilon", 1e-5);
    const rows = prod(X.shape, 0, axis);
    const len = prod(X.shape, axis);
    const x = nums(X);
    const S = input(inputs, 1, ctx);
    const B = rms ? undefined : inputs[2];
    // Scale and B broadcast to X; per row they index the same [len] block unless they vary along leading dims.
    const si = broadcastTo(S, X.shape, axis, ctx, "scale");
    const bi = B === undefined ? undefined : broadcastTo(B, X.shape, axis, ctx, "B");
    const s = nums(S);
    const b = B === undefined ? undefined : nums(B);
    const out = new Float64Array(x.length);
    const meanOut = new Float64Array(rows);
    const invOut = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const base = r * len;
      let m = 0;
      if (!rms) {
        for (let i = 0; i < len; i++) m += x[base + i];
        m /= len;
      }
      let sq = 0;
      for (let i = 0; i < len; i++) sq += (x[base + i] - m) ** 2;
      const inv = 1 / Math.sqrt(sq / len + eps);
      meanOut[r] = m;
      invOut[r] = inv;
      for (let i = 0; i < len; i++) {
        const k = base + i;
        let v = (x[k] - m) * inv * s[si === undefined ? i : si[k]];
        if (b !== undefined) v += b[bi === undefined ? i : bi[k]];
        out[k] = v;
      }
    }
    const statShape = X.shape.map((d, i) => (i < axis ? d : 1));
    // stash_type 1 (the default) computes, and returns the statistics, in float32.
    const statType = ctx.int("stash_type", 1) === 1 ? "float32" : X.dtype;
    return [fromValues(X.dtype, X.shape, out), fromValues(statType, statShape, meanOut), fromValues(statType, statShape, invOut)];
  };
}

/** For each element, the index of its group when `axes` are reduced (keepdims layout), and the group count. */
function reductionGroups(shape: readonly number[], axes: readonly number[]): { group: Int32Array; groups: number } {
  const reduced = shape.map((d, i) => (axes.includes(i) ? 1 : d));
  return { group: broadcastIndex(reduced, shape), groups: prod(reduced) };
}

function meanVarianceNorm(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const X = input(inputs, 0, ctx);
  requireFloat(X, ctx);
  const rank = X.shape.length;
  const axes = ctx.ints("axes", [0, 2, 3]).map((a) => normalizeAxis(a, rank, "axes value"));
  const { group, groups } = reductionGroups(X.shape, axes);
  const x = nums(X);
  const n = x.length;
  const sum = new Float64Array(groups);
  const sumSq = new Float64Array(groups);
  const count = groups === 0 ? 0 : n / groups;
  for (let i = 0; i < n; i++) {
    sum[group[i]] += x[i];
    sumSq[group[i]] += x[i] * x[i];
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const g = group[i];
    const m = sum[g] / count;
    const v = sumSq[g] / count - m * m;
    out[i] = (x[i] - m) / (Math.sqrt(Math.max(0, v)) + 1e-9);
  }
  return [fromValues(X.dtype, X.shape, out)];
}

function lpNormalization(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const X = input(inputs, 0, ctx);
  requireFloat(X, ctx);
  const rank = X.shape.length;
  const axis = normalizeAxis(ctx.int("axis", -1), rank);
  const p = ctx.int("p", 2);
  if (p !== 1 && p !== 2) fail("UNSUPPORTED", F, `LpNormalization node '${ctx.nodeName}': p = ${p} (only 1 and 2 are defined)`);
  const outer = prod(X.shape, 0, axis);
  const n = X.shape[axis];
  const inner = prod(X.shape, axis + 1);
  const x = nums(X);
  const out = new Float64Array(x.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * n * inner + i;
      let acc = 0;
      for (let k = 0; k < n; k++) {
        const v = x[base + k * inner];
        acc += p === 1 ? Math.abs(v) : v * v;
      }
      const norm = p === 1 ? acc : Math.sqrt(acc);
      // A zero vector stays zero (onnx's reference divides only where the norm is non-zero).
      if (norm !== 0) for (let k = 0; k < n; k++) out[base + k * inner] = x[base + k * inner] / norm;
    }
  }
  return [fromValues(X.dtype, X.shape, out)];
}

/** LRN: y = x / (bias + alpha / size * sum of x^2 over channels [c - floor((size-1)/2), c + ceil((size-1)/2)])^beta. */
function lrn(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const X = input(inputs, 0, ctx);
  requireFloat(X, ctx);
  if (X.shape.length < 2) fail("CORRUPT", F, `LRN node '${ctx.nodeName}': input needs rank >= 2`);
  const alpha = ctx.float("alpha", 1e-4);
  const beta = ctx.float("beta", 0.75);
  const bias = ctx.float("bias", 1);
  const size = ctx.int("size");
  if (!(size >= 1)) fail("CORRUPT", F, `LRN node '${ctx.nodeName}': size ${size}`);
  const [N, C] = X.shape;
  const S = prod(X.shape, 2);
  const x: NumArray = nums(X);
  const out = new Float64Array(x.length);
  const lo = Math.floor((size - 1) / 2);
  const hi = Math.ceil((size - 1) / 2);
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const c0 = Math.max(0, c - lo);
      const c1 = Math.min(C - 1, c + hi);
      const base = (n * C + c) * S;
      for (let s = 0; s < S; s++) {
        let sq = 0;
        for (let j = c0; j <= c1; j++) {
          const v = x[(n * C + j) * S + s];
          sq += v * v;
        }
        out[base + s] = x[base + s] / (bias + (alpha / size) * sq) ** beta;
      }
    }
  }
  return [fromValues(X.dtype, X.shape, out)];
}

registerNnOps({
  LayerNormalization: axisNorm(false),
  RMSNormalization: axisNorm(true),
  MeanVarianceNormalization: meanVarianceNorm,
  LpNormalization: lpNormalization,
  LRN: lrn,
});
