/**
 * Activation functions (ONNX operators spec, with their attribute defaults):
 * Sigmoid, HardSigmoid, HardSwish, Relu, LeakyRelu, Elu, Selu, Celu,
 * Softplus, Softsign, Mish, Gelu, Swish, ThresholdedRelu, Shrink, PRelu, Clip.
 */
import { fail } from "@codec/core";
import { broadcastShapes } from "../../broadcast.js";
import { nums, type RTensor } from "../../tensor.js";
import { input, type OpContext, type OpImpl, registerOps } from "../registry.js";
import { erf } from "./unary-math.js";
import { F, mapBinary, mapUnary, requireFloat, requireNumeric, result, sameDtype, unaryIO } from "./kernels.js";

/** An activation over float inputs whose kernel is built from the node's attributes. */
function floatAct(build: (ctx: OpContext) => (v: number) => number): OpImpl {
  return (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    requireFloat(x.dtype, ctx);
    return [mapUnary(x, build(ctx))];
  };
}

/** Logistic function without overflow for large |x|. */
export function sigmoid(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** log(1 + exp(v)) without overflow for large v. */
export function softplus(v: number): number {
  return v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
}

// Selu-6 defaults: the constants of Klambauer et al. as float32 values.
const SELU_ALPHA = Math.fround(1.6732632423543772);
const SELU_GAMMA = Math.fround(1.0507009873554805);
const SQRT_HALF = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** The scalar bound of Clip given as an input (Clip-11+), or undefined when omitted. */
function bound(t: RTensor | undefined, x: RTensor, ctx: OpContext): number | undefined {
  if (t === undefined) return undefined;
  const a = nums(t);
  if (a.length !== 1) return fail("CORRUPT", F, `Clip node '${ctx.nodeName}' has a ${t.shape.length}-d bound of ${a.length} elements; bounds are scalars`);
  if (t.dtype !== x.dtype) return fail("CORRUPT", F, `Clip node '${ctx.nodeName}' has a ${t.dtype} bound for ${x.dtype} input`);
  return a[0];
}

/**
 * PRelu-1/6 slopes are per channel: a [C] slope applies along axis 1 of X
 * (PRelu-6: "If Slope is of size 1, the value is shared across different
 * channels"). From PRelu-7 the slope broadcasts numpy-style instead.
 */
function prelu6Slope(x: RTensor, slope: RTensor, ctx: OpContext): RTensor {
  if (ctx.opset >= 7 || slope.shape.length !== 1 || x.shape.length < 2 || slope.shape[0] === 1 || slope.shape[0] !== x.shape[1]) return slope;
  return { dtype: slope.dtype, shape: [slope.shape[0], ...new Array<number>(x.shape.length - 2).fill(1)], data: slope.data };
}

registerOps({
  Sigmoid: (inputs, ctx) => {
    const { x, a, out } = unaryIO(inputs, ctx, true);
    for (let i = 0; i < a.length; i++) out[i] = sigmoid(a[i]);
    return [result(x.dtype, x.shape, out)];
  },
  HardSigmoid: floatAct((ctx) => {
    const alpha = ctx.float("alpha", 0.2);
    const beta = ctx.float("beta", 0.5);
    return (v) => Math.max(0, Math.min(1, alpha * v + beta));
  }),
  // HardSwish-14: x * max(0, min(1, x/6 + 1/2)).
  HardSwish: floatAct(() => (v) => v * Math.max(0, Math.min(1, v / 6 + 0.5))),
  Relu: (inputs, ctx) => {
    // Relu-14 also takes signed integer types. NaN stays NaN (numpy maximum(x, 0)).
    const { x, a, out } = unaryIO(inputs, ctx, false);
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      out[i] = v > 0 || Number.isNaN(v) ? v : 0;
    }
    return [result(x.dtype, x.shape, out)];
  },
  LeakyRelu: floatAct((ctx) => {
    const alpha = ctx.float("alpha", 0.01);
    return (v) => (v < 0 ? alpha * v : v);
  }),
  Elu: floatAct((ctx) => {
    const alpha = ctx.float("alpha", 1);
    return (v) => (v < 0 ? alpha * Math.expm1(v) : v);
  }),
  Selu: floatAct((ctx) => {
    const alpha = ctx.float("alpha", SELU_ALPHA);
    const gamma = ctx.float("gamma", SELU_GAMMA);
    return (v) => (v > 0 ? gamma * v : gamma * alpha * Math.expm1(v));
  }),
  Celu: floatAct((ctx) => {
    // Celu-12: max(0, x) + min(0, alpha * (exp(x / alpha) - 1)).
    const alpha = ctx.float("alpha", 1);
    return (v) => Math.max(0, v) + Math.min(0, alpha * Math.expm1(v / alpha));
  }),
  Softplus: floatAct(() => softplus),
  Softsign: floatAct(() => (v) => v / (1 + Math.abs(v))),
  // Mish-18: x * tanh(softplus(x)).
  Mish: floatAct(() => (v) => v * Math.tanh(softplus(v))),
  Gelu: (inputs, ctx) => {
    // Gelu-20: approximate="none" uses erf, "tanh" the tanh approximation.
    const approximate = ctx.string("approximate", "none");
    const { x, a, out } = unaryIO(inputs, ctx, true);
    if (approximate === "none") {
      for (let i = 0; i < a.length; i++) out[i] = 0.5 * a[i] * (1 + erf(a[i] * SQRT_HALF));
    } else if (approximate === "tanh") {
      for (let i = 0; i < a.length; i++) {
        const v = a[i];
        out[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)));
      }
    } else {
      return fail("UNSUPPORTED", F, `Gelu node '${ctx.nodeName}' has approximate='${approximate}'`);
    }
    return [result(x.dtype, x.shape, out)];
  },
  Swish: floatAct((ctx) => {
    // Swish-24: x * sigmoid(alpha * x).
    const alpha = ctx.float("alpha", 1);
    return (v) => v * sigmoid(alpha * v);
  }),
  ThresholdedRelu: floatAct((ctx) => {
    const alpha = ctx.float("alpha", 1);
    return (v) => (v > alpha ? v : 0);
  }),
  Shrink: (inputs, ctx) => {
    // Shrink-9 (numeric types): x+bias below -lambd, x-bias above lambd, else 0.
    const x = input(inputs, 0, ctx);
    requireNumeric(x.dtype, ctx);
    const lambd = ctx.float("lambd", 0.5);
    const bias = ctx.float("bias", 0);
    return [mapUnary(x, (v) => (v < -lambd ? v + bias : v > lambd ? v - bias : 0))];
  },
  PRelu: (inputs, ctx) => {
    // PRelu-9+: slope broadcasts unidirectionally to X (the result has X's shape).
    const x = input(inputs, 0, ctx);
    const slope = prelu6Slope(x, input(inputs, 1, ctx), ctx);
    const dtype = sameDtype([x, slope], ctx);
    requireNumeric(dtype, ctx);
    const shape = broadcastShapes(x.shape, slope.shape);
    if (shape.join() !== x.shape.join()) fail("CORRUPT", F, `PRelu node '${ctx.nodeName}': slope [${slope.shape}] does not broadcast to X [${x.shape}]`);
    return [mapBinary(x, slope, dtype, (v, s) => (v < 0 ? s * v : v))];
  },
  Clip: (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    requireNumeric(x.dtype, ctx);
    let lo: number | undefined;
    let hi: number | undefined;
    if (ctx.opset < 11) {
      // Clip-1/6: bounds are attributes (float; defaults are the float range).
      lo = ctx.has("min") ? ctx.float("min") : undefined;
      hi = ctx.has("max") ? ctx.float("max") : undefined;
    } else {
      lo = bound(inputs[1], x, ctx);
      hi = bound(inputs[2], x, ctx);
    }
    const l = lo ?? Number.NEGATIVE_INFINITY;
    const h = hi ?? Number.POSITIVE_INFINITY;
    // numpy.clip order: raise to min, then lower to max (so min > max gives max everywhere); NaN passes.
    return [mapUnary(x, (v) => {
      return Math.min(Math.max(v, l), h);
    })];
  },
});
