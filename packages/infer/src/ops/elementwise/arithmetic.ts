/**
 * Binary arithmetic with numpy broadcasting (Add, Sub, Mul, Div, Pow, Mod)
 * and the variadic Max, Min, Sum, Mean (ONNX operators spec; Broadcasting.md).
 *
 * Integer results wrap like the fixed-width C types the reference computes
 * with: storing into an Int8Array/Uint16Array/... reduces modulo 2^bits,
 * and 32-bit products go through Math.imul so they stay exact. int64/uint64
 * are held as doubles (exact to 2^53, see ../../tensor.ts) and do not wrap.
 */
import { type DType, fail } from "@codec/core";
import { type NumArray, numel, type RTensor } from "../../tensor.js";
import { input, type OpContext, registerOps } from "../registry.js";
import { broadcastOperands, F, isInteger, legacyAligned, mapBinary, numArray, requireNumeric, result, sameDtype } from "./kernels.js";

function operands(inputs: readonly (RTensor | undefined)[], ctx: OpContext): { dtype: DType; shape: number[]; a: NumArray; b: NumArray; out: NumArray } {
  const x = input(inputs, 0, ctx);
  const y = legacyAligned(x, input(inputs, 1, ctx), ctx);
  const dtype = sameDtype([x, y], ctx);
  requireNumeric(dtype, ctx);
  const { shape, arrays } = broadcastOperands([x, y]);
  return { dtype, shape, a: arrays[0], b: arrays[1], out: numArray(dtype, numel(shape)) };
}

/** 32-bit integer types, whose products can leave the exact range of a double. */
function is32(dtype: DType): boolean {
  return dtype === "int32" || dtype === "uint32";
}

/** Floored modulo (Python/numpy `%`): the result takes the divisor's sign. */
function flooredMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

/**
 * Variadic elementwise folds (Max/Min/Sum/Mean, opset 8+: all inputs
 * broadcast together). `finish` maps the accumulated value (Mean divides).
 */
function variadic(inputs: readonly (RTensor | undefined)[], ctx: OpContext, fold: (acc: number, v: number) => number, finish?: (acc: number, count: number) => number): RTensor[] {
  const ts: RTensor[] = [];
  for (let i = 0; i < inputs.length; i++) ts.push(input(inputs, i, ctx));
  if (ts.length === 0) return fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}' has no inputs`);
  const dtype = sameDtype(ts, ctx);
  requireNumeric(dtype, ctx);
  const { shape, arrays } = broadcastOperands(ts);
  const n = numel(shape);
  // Accumulate in doubles so Sum/Mean of narrow types round once at the end.
  const acc = new Float64Array(n);
  acc.set(arrays[0]);
  for (let k = 1; k < arrays.length; k++) {
    const a = arrays[k];
    for (let i = 0; i < n; i++) acc[i] = fold(acc[i], a[i]);
  }
  const out = numArray(dtype, n);
  if (finish === undefined) out.set(acc);
  else for (let i = 0; i < n; i++) out[i] = finish(acc[i], arrays.length);
  return [result(dtype, shape, out)];
}

/** numpy maximum/minimum: NaN in either operand gives NaN. */
function max(a: number, b: number): number {
  return Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.max(a, b);
}
function min(a: number, b: number): number {
  return Number.isNaN(a) || Number.isNaN(b) ? Number.NaN : Math.min(a, b);
}

registerOps({
  Add: (inputs, ctx) => {
    const { dtype, shape, a, b, out } = operands(inputs, ctx);
    for (let i = 0; i < out.length; i++) out[i] = a[i] + b[i];
    return [result(dtype, shape, out)];
  },
  Sub: (inputs, ctx) => {
    const { dtype, shape, a, b, out } = operands(inputs, ctx);
    for (let i = 0; i < out.length; i++) out[i] = a[i] - b[i];
    return [result(dtype, shape, out)];
  },
  Mul: (inputs, ctx) => {
    const { dtype, shape, a, b, out } = operands(inputs, ctx);
    if (is32(dtype)) for (let i = 0; i < out.length; i++) out[i] = Math.imul(a[i], b[i]);
    else for (let i = 0; i < out.length; i++) out[i] = a[i] * b[i];
    return [result(dtype, shape, out)];
  },
  Div: (inputs, ctx) => {
    const { dtype, shape, a, b, out } = operands(inputs, ctx);
    if (isInteger(dtype)) {
      // Integer Div truncates toward zero (C semantics; test_div_int32_trunc).
      // Division by zero is undefined in ONNX; it yields 0 here rather than a non-integer.
      for (let i = 0; i < out.length; i++) out[i] = b[i] === 0 ? 0 : Math.trunc(a[i] / b[i]);
    } else {
      for (let i = 0; i < out.length; i++) out[i] = a[i] / b[i];
    }
    return [result(dtype, shape, out)];
  },
  Pow: (inputs, ctx) => {
    // Pow-12+: base and exponent may have different types; the result has the base's type.
    const x = input(inputs, 0, ctx);
    const y = legacyAligned(x, input(inputs, 1, ctx), ctx);
    requireNumeric(x.dtype, ctx);
    requireNumeric(y.dtype, ctx);
    if (isInteger(x.dtype)) return [mapBinary(x, y, x.dtype, (a, b) => Math.trunc(a ** b))];
    return [mapBinary(x, y, x.dtype, (a, b) => a ** b)];
  },
  Mod: (inputs, ctx) => {
    // fmod=0: the sign of the divisor (Python %); fmod=1: the sign of the dividend (C fmod).
    const fmod = ctx.int("fmod", 0);
    const { dtype, shape, a, b, out } = operands(inputs, ctx);
    const int = isInteger(dtype);
    if (fmod === 1) {
      for (let i = 0; i < out.length; i++) out[i] = int && b[i] === 0 ? 0 : a[i] % b[i];
    } else if (fmod === 0) {
      for (let i = 0; i < out.length; i++) out[i] = int && b[i] === 0 ? 0 : flooredMod(a[i], b[i]);
    } else {
      return fail("CORRUPT", F, `Mod node '${ctx.nodeName}' has fmod=${fmod}; it must be 0 or 1`);
    }
    return [result(dtype, shape, out)];
  },
  Max: (inputs, ctx) => variadic(inputs, ctx, max),
  Min: (inputs, ctx) => variadic(inputs, ctx, min),
  Sum: (inputs, ctx) => variadic(inputs, ctx, (s, v) => s + v),
  Mean: (inputs, ctx) => variadic(inputs, ctx, (s, v) => s + v, (s, count) => s / count),
});
