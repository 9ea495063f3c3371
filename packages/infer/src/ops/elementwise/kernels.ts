/**
 * Loop helpers shared by the elementwise modules: broadcasting an input's
 * elements out to the result shape, elementwise maps over typed arrays,
 * and rounding float16/bfloat16 results back to their storage precision
 * (the runner holds them in Float32Array, see ../../tensor.ts; ONNX
 * computes such ops in the narrow type, so every result is representable
 * in it and the next op must see the rounded value).
 */
import { roundToDType } from "../../round.js";
import { type DType, DTYPES, fail } from "@codec/core";
import { broadcastIndex, broadcastShapes } from "../../broadcast.js";
import { arrayFor, MAX_ELEMENTS, type NumArray, nums, numel, type RTensor, tensor } from "../../tensor.js";
import type { OpContext } from "../registry.js";

export const F = "infer";

/** Fails with LIMIT for a result the runner cannot allocate (the shared MAX_ELEMENTS bound). */
function checkCount(n: number, shape: readonly number[]): void {
  if (!(n <= MAX_ELEMENTS)) fail("LIMIT", F, `a result of shape [${shape.join(", ")}] is too large for the runner`);
}

/**
 * `data` (of shape `inShape`) laid out over `outShape` (numpy broadcasting):
 * the same array when nothing is broadcast, else a gathered copy of the
 * same array type, so kernels index every operand with one counter.
 */
export function expandTo<T extends NumArray | string[]>(data: T, inShape: readonly number[], outShape: readonly number[]): T {
  const n = numel(outShape);
  if (data.length === n && inShape.length === outShape.length) return data;
  checkCount(n, outShape);
  if (Array.isArray(data)) {
    const idx = broadcastIndex(inShape, outShape);
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = data[idx[i]];
    return out as T;
  }
  const make = data.constructor as new (n: number) => NumArray;
  if (data.length === 1) {
    const out = new make(n);
    out.fill(data[0]);
    return out as T;
  }
  if (n === 0) return new make(0) as T;
  // Repeat blocks axis by axis from the innermost: every broadcast axis
  // copies whole contiguous runs with TypedArray.set (no per-element index).
  const rank = outShape.length;
  const shape = [...new Array<number>(rank - inShape.length).fill(1), ...inShape];
  let cur: NumArray = data;
  let inner = 1;
  for (let d = rank - 1; d >= 0; d--) {
    const reps = outShape[d];
    if (shape[d] === 1 && reps !== 1) {
      const outer = cur.length / inner;
      const next = new make(cur.length * reps);
      if (inner === 1) {
        for (let o = 0; o < outer; o++) next.fill(cur[o], o * reps, (o + 1) * reps);
        cur = next;
        inner *= reps;
        continue;
      }
      for (let o = 0; o < outer; o++) {
        const block = cur.subarray(o * inner, (o + 1) * inner);
        for (let r = 0; r < reps; r++) next.set(block as never, (o * reps + r) * inner);
      }
      cur = next;
    }
    inner *= reps;
  }
  return cur as T;
}

/** The numeric operands of a broadcasting op, expanded to the common shape. */
export function broadcastOperands(ts: readonly RTensor[]): { shape: number[]; arrays: NumArray[] } {
  const shape = broadcastShapes(...ts.map((t) => t.shape));
  return { shape, arrays: ts.map((t) => expandTo(nums(t), t.shape, shape)) };
}

/** Fails unless all tensors share one dtype (ONNX type constraint T). */
export function sameDtype(ts: readonly RTensor[], ctx: OpContext): DType {
  const d = ts[0].dtype;
  for (const t of ts) if (t.dtype !== d) fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}' mixes ${d} and ${t.dtype} inputs`);
  return d;
}

/** Rounds float16/bfloat16/float8 results held in a Float32Array to the dtype (round to nearest even; float8 without saturation). */
export function roundToDtype(dtype: DType, a: NumArray): NumArray {
  roundToDType(a, dtype, false);
  return a;
}

/** A new tensor of `dtype` over `data` with results rounded to the dtype. */
export function result(dtype: DType, shape: readonly number[], data: NumArray): RTensor {
  return tensor(dtype, shape, roundToDtype(dtype, data));
}

/** A fresh numeric array for `n` elements of `dtype`. */
export function numArray(dtype: DType, n: number): NumArray {
  checkCount(n, [n]);
  const a = arrayFor(dtype, n);
  if (Array.isArray(a)) return fail("UNSUPPORTED", F, "string tensors have no arithmetic");
  return a;
}

/** Elementwise map of one tensor through `f`, keeping its dtype. */
export function mapUnary(x: RTensor, f: (v: number) => number): RTensor {
  const a = nums(x);
  const out = numArray(x.dtype, a.length);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i]);
  return result(x.dtype, x.shape, out);
}

/** Elementwise map of two broadcast tensors through `f`, into `dtype`. */
export function mapBinary(x: RTensor, y: RTensor, dtype: DType, f: (a: number, b: number) => number): RTensor {
  const { shape, arrays } = broadcastOperands([x, y]);
  const [a, b] = arrays;
  const out = numArray(dtype, numel(shape));
  for (let i = 0; i < out.length; i++) out[i] = f(a[i], b[i]);
  return result(dtype, shape, out);
}

/** True for the integer dtypes (int64/uint64 are held as exact numbers up to 2^53). */
export function isInteger(dtype: DType): boolean {
  const kind = DTYPES[dtype].kind;
  return kind === "int" || kind === "uint";
}

/** Fails (UNSUPPORTED) unless `dtype` is numeric (not string, not bool) for `ctx.opType`. */
export function requireNumeric(dtype: DType, ctx: OpContext): void {
  if (dtype === "string" || dtype === "bool") fail("UNSUPPORTED", F, `${ctx.opType} node '${ctx.nodeName}' has ${dtype} inputs, which it does not take`);
}

/** Fails (UNSUPPORTED) unless `dtype` is a float type (ops defined only on tensor(float*)). */
export function requireFloat(dtype: DType, ctx: OpContext): void {
  switch (dtype) {
    case "float32":
    case "float64":
    case "float16":
    case "bfloat16":
      return;
    default:
      fail("UNSUPPORTED", F, `${ctx.opType} node '${ctx.nodeName}' has ${dtype} inputs; it is defined for float types`);
  }
}

/**
 * Before opset 7, binary ops (Add, Sub, Mul, Div, Pow, the comparisons and
 * logic ops) broadcast only with broadcast=1, B onto A, and `axis` says
 * where B's dimensions start in A (Add-6 and siblings). Numpy-style right
 * alignment covers the no-axis case; with an axis, B gets trailing 1s so
 * the same broadcasting code lines it up.
 */
export function legacyAligned(a: RTensor, b: RTensor, ctx: OpContext): RTensor {
  if (ctx.opset >= 7 || ctx.int("broadcast", 0) === 0 || !ctx.has("axis")) return b;
  const rank = a.shape.length;
  const axis = ctx.int("axis");
  const start = axis < 0 ? axis + rank : axis;
  const trailing = rank - start - b.shape.length;
  if (start < 0 || trailing < 0) return fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}': axis ${axis} does not place B [${b.shape}] inside A [${a.shape}]`);
  return { dtype: b.dtype, shape: [...b.shape, ...new Array<number>(trailing).fill(1)], data: b.data };
}

/**
 * Input 0, its elements and a fresh output array of its dtype: for ops that
 * write their own loop (the hot activations), so the per-element function
 * is called from a call site of its own that the JIT can inline, instead of
 * the shared, megamorphic one in mapUnary.
 */
export function unaryIO(inputs: readonly (RTensor | undefined)[], ctx: OpContext, floatOnly: boolean): { x: RTensor; a: NumArray; out: NumArray } {
  const x = inputs[0];
  if (x === undefined) return fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}' is missing input 0`);
  if (floatOnly) requireFloat(x.dtype, ctx);
  else requireNumeric(x.dtype, ctx);
  const a = nums(x);
  return { x, a, out: numArray(x.dtype, a.length) };
}
