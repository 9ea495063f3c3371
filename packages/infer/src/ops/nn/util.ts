/**
 * Helpers shared by the nn operators: float results computed in float64
 * and stored in the working array of the output dtype (16-bit and 8-bit
 * floats rounded to their precision by src/round.ts, as a runtime
 * computing in that type would store them), dtype checks, optional scalar
 * inputs, and the family's guarded registerOps.
 */
import { type DType, fail } from "@codec/core";
import { roundToDType } from "../../round.js";
import { arrayFor, isFloat, type NumArray, nums, type RTensor, tensor } from "../../tensor.js";
import { type OpContext, type OpImpl, registerOps } from "../registry.js";

export const F = "infer";

/** A tensor of `dtype` holding `values` (converted to its working array, rounded for the 16- and 8-bit floats). */
export function fromValues(dtype: DType, shape: readonly number[], values: ArrayLike<number>): RTensor {
  const out = arrayFor(dtype, values.length) as NumArray;
  if (out instanceof Float64Array || out instanceof Float32Array) {
    out.set(values);
    roundToDType(out, dtype);
  } else {
    // Integer outputs (MatMul on ints, MaxPool on uint8): the typed array wraps like the C types do.
    for (let i = 0; i < values.length; i++) out[i] = values[i];
  }
  return tensor(dtype, shape, out);
}

/** The elements as float64 (a copy), for ops that accumulate. */
export function asFloat64(t: RTensor): Float64Array {
  const a = nums(t);
  return a instanceof Float64Array ? a.slice() : Float64Array.from(a);
}

/** Fails unless `t` holds floating-point elements (ops whose ONNX type constraint is float only). */
export function requireFloat(t: RTensor, ctx: OpContext, what = "input"): void {
  if (!isFloat(t.dtype)) fail("UNSUPPORTED", F, `${ctx.opType} node '${ctx.nodeName}': ${what} of dtype ${t.dtype} (only floating point is defined)`);
}

/** Fails unless `t` has exactly `rank` dimensions (or at least `min` when rank is given as [min]). */
export function requireRank(t: RTensor, ctx: OpContext, min: number, what = "input"): void {
  if (t.shape.length < min) fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}': ${what} has rank ${t.shape.length}, needs at least ${min}`);
}

/** The first element of an optional scalar input as a number, or `fallback`. */
export function scalarInput(t: RTensor | undefined, fallback: number): number {
  if (t === undefined) return fallback;
  const a = nums(t);
  return a.length > 0 ? a[0] : fallback;
}

/** Product of `shape[from..to)`. */
export function prod(shape: readonly number[], from = 0, to = shape.length): number {
  let n = 1;
  for (let i = from; i < to; i++) n *= shape[i];
  return n;
}

/**
 * registerOps for this family, with one guard: an output or work buffer
 * too large for the engine (a RangeError from a typed-array allocation,
 * from shapes a model declares) becomes a LIMIT CodecError naming the
 * node, so running a hostile model never fails with a bare engine error.
 */
export function registerNnOps(ops: Record<string, OpImpl>): void {
  const guarded: Record<string, OpImpl> = {};
  for (const [name, impl] of Object.entries(ops)) {
    guarded[name] = (inputs, ctx) => {
      try {
        return impl(inputs, ctx);
      } catch (e) {
        if (e instanceof RangeError) fail("LIMIT", F, `${ctx.opType} node '${ctx.nodeName}': ${e.message}`);
        throw e;
      }
    };
  }
  registerOps(guarded);
}
