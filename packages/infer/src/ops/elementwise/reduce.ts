/**
 * The Reduce* family (ReduceSum, ReduceMean, ReduceMax, ReduceMin,
 * ReduceProd, ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp,
 * ReduceSumSquare). Axes are an attribute up to ReduceSum-11 / others-17
 * and an optional int64 input from ReduceSum-13 / others-18; keepdims
 * (default 1) keeps reduced axes as size 1; noop_with_empty_axes=1 with no
 * axes reduces nothing. Reducing an empty set gives the reduction's
 * identity (0 for sums, 1 for products, -inf / the type's minimum for Max,
 * +inf / the type's maximum for Min, -inf for the logarithmic sums).
 */
import { type DType, fail } from "@codec/core";
import { broadcastIndex, normalizeAxis } from "../../broadcast.js";
import { nums, numel, type RTensor, toNumbers } from "../../tensor.js";
import { input, type OpContext, type OpImpl, registerOps } from "../registry.js";
import { F, numArray, result } from "./kernels.js";

type Kind = "sum" | "mean" | "max" | "min" | "prod" | "l1" | "l2" | "logsum" | "logsumexp" | "sumsquare";

/** Lowest and highest value of a dtype (what Max/Min of an empty set give for types without infinities). */
export function dtypeRange(dtype: DType): [number, number] {
  switch (dtype) {
    case "bool":
    case "uint8":
      return dtype === "bool" ? [0, 1] : [0, 255];
    case "int8":
      return [-128, 127];
    case "int16":
      return [-32768, 32767];
    case "uint16":
      return [0, 65535];
    case "int32":
      return [-2147483648, 2147483647];
    case "uint32":
      return [0, 4294967295];
    case "int64":
      return [-(2 ** 63), 2 ** 63 - 1];
    case "uint64":
      return [0, 2 ** 64 - 1];
    default:
      return [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
  }
}

/** The sorted, distinct, non-negative axes to reduce, or null for "reduce nothing". */
function reductionAxes(inputs: readonly (RTensor | undefined)[], ctx: OpContext, rank: number): number[] | null {
  let axes: number[];
  const given = inputs[1];
  if (given !== undefined) axes = toNumbers(given);
  else axes = ctx.ints("axes", []);
  if (axes.length === 0) {
    if (ctx.int("noop_with_empty_axes", 0) !== 0) return null;
    return Array.from({ length: rank }, (_, i) => i);
  }
  const set = new Set<number>();
  for (const a of axes) set.add(normalizeAxis(a, rank, "reduction axis"));
  return [...set].sort((p, q) => p - q);
}

/**
 * For every input element, the index of the output element it reduces
 * into. When the reduced axes are one contiguous run (a single axis, the
 * trailing axes, all axes: nearly every real model) the input is
 * [outer, reduced, inner] and the map is filled by three plain loops;
 * otherwise broadcastIndex walks the kept shape over the input.
 */
function reductionMap(shape: readonly number[], keptShape: readonly number[], axes: readonly number[]): Int32Array {
  if (axes.length === 0 || axes[axes.length - 1] - axes[0] !== axes.length - 1) return broadcastIndex(keptShape, shape);
  let outer = 1;
  let r = 1;
  let inner = 1;
  for (let i = 0; i < shape.length; i++) {
    if (i < axes[0]) outer *= shape[i];
    else if (i <= axes[axes.length - 1]) r *= shape[i];
    else inner *= shape[i];
  }
  const map = new Int32Array(outer * r * inner);
  let at = 0;
  for (let o = 0; o < outer; o++) {
    const base = o * inner;
    for (let j = 0; j < r; j++) {
      for (let k = 0; k < inner; k++) map[at++] = base + k;
    }
  }
  return map;
}

/** Sums of x, |x| or x^2 into the output slots `map` assigns (the finishing map is applied by the caller). */
function reduceSumLike(x: Float64Array | ArrayLike<number>, map: Int32Array, acc: Float64Array, kind: Kind): void {
  const n = x.length;
  switch (kind) {
    case "l1":
      for (let i = 0; i < n; i++) acc[map[i]] += Math.abs(x[i]);
      break;
    case "l2":
    case "sumsquare":
      for (let i = 0; i < n; i++) acc[map[i]] += x[i] * x[i];
      break;
    default:
      for (let i = 0; i < n; i++) acc[map[i]] += x[i];
      break;
  }
}

function reduce(kind: Kind): OpImpl {
  return (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    // ReduceMax/ReduceMin-20 also take bool (max is "any", min is "all").
    if (x.dtype === "string" || (x.dtype === "bool" && kind !== "max" && kind !== "min")) {
      fail("UNSUPPORTED", F, `${ctx.opType} node '${ctx.nodeName}' has ${x.dtype} input`);
    }
    const rank = x.shape.length;
    const axes = reductionAxes(inputs, ctx, rank);
    const keep = ctx.int("keepdims", 1) !== 0;
    const reduced = new Set(axes ?? []);
    // The reduced shape with size-1 axes kept: it broadcasts back onto the input,
    // so broadcastIndex maps every input element to its output element.
    const keptShape = x.shape.map((d, i) => (reduced.has(i) ? 1 : d));
    const outShape = keep ? keptShape : x.shape.filter((_, i) => !reduced.has(i));
    const data = nums(x);
    const m = numel(keptShape);
    const count = m === 0 ? 0 : data.length / m;
    const map = reductionMap(x.shape, keptShape, axes ?? []);
    const acc = new Float64Array(m);
    switch (kind) {
      case "max":
      case "min": {
        const [lo, hi] = dtypeRange(x.dtype);
        acc.fill(kind === "max" ? lo : hi);
        // NaN is sticky (numpy max/min): once acc is NaN neither comparison replaces it.
        if (kind === "max") {
          for (let i = 0; i < data.length; i++) {
            const v = data[i];
            const o = map[i];
            if (v > acc[o] || Number.isNaN(v)) acc[o] = v;
          }
        } else {
          for (let i = 0; i < data.length; i++) {
            const v = data[i];
            const o = map[i];
            if (v < acc[o] || Number.isNaN(v)) acc[o] = v;
          }
        }
        break;
      }
      case "prod":
        acc.fill(1);
        for (let i = 0; i < data.length; i++) acc[map[i]] *= data[i];
        break;
      case "logsumexp": {
        // Stable: max + log(sum(exp(x - max))); an empty or all -inf slice gives -inf.
        const top = new Float64Array(m).fill(Number.NEGATIVE_INFINITY);
        for (let i = 0; i < data.length; i++) if (data[i] > top[map[i]] || Number.isNaN(data[i])) top[map[i]] = data[i];
        for (let i = 0; i < data.length; i++) {
          const t = top[map[i]];
          if (Number.isFinite(t)) acc[map[i]] += Math.exp(data[i] - t);
        }
        for (let o = 0; o < m; o++) acc[o] = Number.isFinite(top[o]) ? top[o] + Math.log(acc[o]) : top[o];
        break;
      }
      default:
        reduceSumLike(data, map, acc, kind);
        if (kind === "mean") for (let o = 0; o < m; o++) acc[o] /= count;
        else if (kind === "l2") for (let o = 0; o < m; o++) acc[o] = Math.sqrt(acc[o]);
        else if (kind === "logsum") for (let o = 0; o < m; o++) acc[o] = Math.log(acc[o]);
        break;
    }
    const out = numArray(x.dtype, m);
    out.set(acc);
    return [result(x.dtype, outShape, out)];
  };
}

registerOps({
  ReduceSum: reduce("sum"),
  ReduceMean: reduce("mean"),
  ReduceMax: reduce("max"),
  ReduceMin: reduce("min"),
  ReduceProd: reduce("prod"),
  ReduceL1: reduce("l1"),
  ReduceL2: reduce("l2"),
  ReduceLogSum: reduce("logsum"),
  ReduceLogSumExp: reduce("logsumexp"),
  ReduceSumSquare: reduce("sumsquare"),
});
