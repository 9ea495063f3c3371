/**
 * Ops along one axis: ArgMax/ArgMin (int64 indices; keepdims,
 * select_last_index) and the running CumSum/CumProd (axis as a scalar
 * input; exclusive, reverse). The tensor is viewed as [outer, len, inner]
 * around the axis so each op is three plain loops.
 */
import { fail } from "@codec/core";
import { normalizeAxis } from "../../broadcast.js";
import { nums, tensor } from "../../tensor.js";
import { input, type OpImpl, registerOps } from "../registry.js";
import { F, numArray, requireNumeric, result } from "./kernels.js";

/** Sizes before, along and after `axis`. */
function around(shape: readonly number[], axis: number): [number, number, number] {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i];
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i];
  return [outer, shape[axis], inner];
}

/**
 * ArgMax/ArgMin-13: the first (or with select_last_index=1 the last) index
 * of the extreme value. NaN counts as the extreme (numpy argmax/argmin
 * return the first NaN).
 */
function argExtreme(isMax: boolean): OpImpl {
  return (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    requireNumeric(x.dtype, ctx);
    const rank = x.shape.length;
    if (rank === 0) return fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}' has a scalar input`);
    const axis = normalizeAxis(ctx.int("axis", 0), rank);
    const keep = ctx.int("keepdims", 1) !== 0;
    const last = ctx.int("select_last_index", 0) !== 0;
    const [outer, len, inner] = around(x.shape, axis);
    if (len === 0) return fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}' reduces an empty axis`);
    const data = nums(x);
    const out = new Float64Array(outer * inner);
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < inner; k++) {
        const base = o * len * inner + k;
        let best = data[base];
        let at = 0;
        for (let j = 1; j < len && !Number.isNaN(best); j++) {
          const v = data[base + j * inner];
          const better = Number.isNaN(v) || (isMax ? (last ? v >= best : v > best) : last ? v <= best : v < best);
          if (better) {
            best = v;
            at = j;
          }
        }
        out[o * inner + k] = at;
      }
    }
    const shape = keep ? x.shape.map((d, i) => (i === axis ? 1 : d)) : x.shape.filter((_, i) => i !== axis);
    return [tensor("int64", shape, out)];
  };
}

/** CumSum-14 / CumProd-26: running sum or product along the axis given as input 1. */
function cumulative(isProduct: boolean): OpImpl {
  return (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    requireNumeric(x.dtype, ctx);
    const axisT = nums(input(inputs, 1, ctx));
    if (axisT.length !== 1) return fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}' axis must be a scalar, has ${axisT.length} elements`);
    const rank = x.shape.length;
    const axis = normalizeAxis(axisT[0], rank);
    const exclusive = ctx.int("exclusive", 0) !== 0;
    const reverse = ctx.int("reverse", 0) !== 0;
    const [outer, len, inner] = around(x.shape, axis);
    const data = nums(x);
    const out = numArray(x.dtype, data.length);
    const start = isProduct ? 1 : 0;
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < inner; k++) {
        const base = o * len * inner + k;
        let acc = start;
        for (let s = 0; s < len; s++) {
          const at = base + (reverse ? len - 1 - s : s) * inner;
          const v = data[at];
          // Exclusive: each element gets the running value of the elements before it.
          if (exclusive) {
            out[at] = acc;
            acc = isProduct ? acc * v : acc + v;
          } else {
            acc = isProduct ? acc * v : acc + v;
            out[at] = acc;
          }
        }
      }
    }
    return [result(x.dtype, x.shape, out)];
  };
}

registerOps({
  ArgMax: argExtreme(true),
  ArgMin: argExtreme(false),
  CumSum: cumulative(false),
  CumProd: cumulative(true),
});
