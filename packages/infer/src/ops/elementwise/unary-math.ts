/**
 * One-input math functions (ONNX operators spec): Abs, Neg, Sign (numeric
 * types), Exp, Log, Sqrt, Reciprocal, Floor, Ceil, Round, the trigonometric
 * and hyperbolic functions and their inverses, and Erf (float types).
 */
import type { RTensor } from "../../tensor.js";
import { input, type OpContext, type OpImpl, registerOps } from "../registry.js";
import { mapUnary, requireFloat, requireNumeric, result, unaryIO } from "./kernels.js";

/** An op over any numeric type. */
function numeric(f: (v: number) => number): OpImpl {
  return (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    requireNumeric(x.dtype, ctx);
    return [mapUnary(x, f)];
  };
}

/** An op defined only for float types. */
function floating(f: (v: number) => number): OpImpl {
  return (inputs: readonly (RTensor | undefined)[], ctx: OpContext) => {
    const x = input(inputs, 0, ctx);
    requireFloat(x.dtype, ctx);
    return [mapUnary(x, f)];
  };
}

/**
 * Round half to even (Round-11: "halfway cases round to the nearest even
 * integer", like numpy.round / IEEE roundeven).
 */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  const r = d < 0.5 ? f : d > 0.5 ? f + 1 : f % 2 === 0 ? f : f + 1;
  // Negative values that round to zero give -0, as numpy.round does.
  return r === 0 && x < 0 ? -0 : r;
}

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/**
 * The error function to double precision. For |x| < 6 the series
 * erf(x) = 2/sqrt(pi) * exp(-x^2) * sum_n 2^n x^(2n+1) / (1*3*...*(2n+1))
 * (Abramowitz & Stegun 7.1.6) has only positive terms, so no cancellation;
 * beyond 6, 1 - |erf(x)| is below double resolution.
 */
export function erf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const ax = Math.abs(x);
  if (ax >= 6) return x > 0 ? 1 : -1;
  const x2 = ax * ax;
  let term = ax;
  let sum = ax;
  for (let n = 0; n < 500; n++) {
    term *= (2 * x2) / (2 * n + 3);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  const r = TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
  return x < 0 ? -r : r;
}

registerOps({
  Abs: numeric(Math.abs),
  Neg: numeric((v) => -v),
  Sign: numeric(Math.sign),
  Exp: (inputs, ctx) => {
    const { x, a, out } = unaryIO(inputs, ctx, true);
    for (let i = 0; i < a.length; i++) out[i] = Math.exp(a[i]);
    return [result(x.dtype, x.shape, out)];
  },
  Log: floating(Math.log),
  Sqrt: floating(Math.sqrt),
  Reciprocal: floating((v) => 1 / v),
  Floor: floating(Math.floor),
  Ceil: floating(Math.ceil),
  Round: floating(roundHalfEven),
  Sin: floating(Math.sin),
  Cos: floating(Math.cos),
  Tan: floating(Math.tan),
  Asin: floating(Math.asin),
  Acos: floating(Math.acos),
  Atan: floating(Math.atan),
  Sinh: floating(Math.sinh),
  Cosh: floating(Math.cosh),
  Tanh: (inputs, ctx) => {
    const { x, a, out } = unaryIO(inputs, ctx, true);
    for (let i = 0; i < a.length; i++) out[i] = Math.tanh(a[i]);
    return [result(x.dtype, x.shape, out)];
  },
  Asinh: floating(Math.asinh),
  Acosh: floating(Math.acosh),
  Atanh: floating(Math.atanh),
  Erf: (inputs, ctx) => {
    // Erf-13 is defined for every numeric type.
    const { x, a, out } = unaryIO(inputs, ctx, false);
    for (let i = 0; i < a.length; i++) out[i] = erf(a[i]);
    return [result(x.dtype, x.shape, out)];
  },
});
