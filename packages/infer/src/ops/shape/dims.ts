/**
 * Ops that read or rewrite a shape without moving elements, and ops that
 * make a tensor from a shape: Shape, Size, Reshape, Flatten, Squeeze,
 * Unsqueeze, ConstantOfShape, EyeLike, Range, NonZero
 * (onnx/defs/tensor/defs.cc, onnx/defs/generator/defs.cc).
 */
import { fail } from "@codec/core";
import { fromTensor } from "../../convert.js";
import { input, registerOps } from "../registry.js";
import { arrayFor, type NumArray, numel, nums, tensor } from "../../tensor.js";
import { dtypeOfCode, roundToDType } from "./cast.js";
import { checkedNumel, elems, int64, intList, like, listFrom, normalizeAxes, reshaped, shapeFrom } from "./common.js";

/**
 * Reshape's target shape: 0 copies the input's dimension (unless
 * allowzero, opset 14, makes it a literal 0), one -1 is inferred.
 */
export function reshapeTarget(inShape: readonly number[], spec: readonly number[], allowZero: boolean): number[] {
  const out = spec.map((d, i) => {
    if (d === 0 && !allowZero) {
      if (i >= inShape.length) fail("CORRUPT", "infer", `Reshape copies dimension ${i}, which the input (rank ${inShape.length}) lacks`);
      return inShape[i];
    }
    return d;
  });
  const infer = out.indexOf(-1);
  if (out.lastIndexOf(-1) !== infer) fail("CORRUPT", "infer", "Reshape shape has more than one -1");
  for (const d of out) if (d < -1) fail("CORRUPT", "infer", `Reshape shape has dimension ${d}`);
  const total = numel(inShape);
  if (infer >= 0) {
    let known = 1;
    out.forEach((d, i) => {
      if (i !== infer) known *= d;
    });
    if (known === 0 ? total !== 0 : total % known !== 0) fail("CORRUPT", "infer", `cannot reshape [${inShape.join(", ")}] to [${spec.join(", ")}]`);
    out[infer] = known === 0 ? 0 : total / known;
  }
  if (numel(out) !== total) fail("CORRUPT", "infer", `cannot reshape [${inShape.join(", ")}] (${total} elements) to [${out.join(", ")}]`);
  return out;
}

/** Shape's start/end (opset 15): clamped slice bounds of the dimension list. */
function shapeSlice(shape: readonly number[], start: number, end: number): number[] {
  const r = shape.length;
  const clamp = (v: number): number => Math.min(r, Math.max(0, v < 0 ? v + r : v));
  return shape.slice(clamp(start), Math.max(clamp(start), clamp(end)));
}

registerOps({
  Shape: (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    const dims = shapeSlice(x.shape, ctx.int("start", 0), ctx.int("end", x.shape.length));
    return [int64([dims.length], dims)];
  },
  Size: (inputs, ctx) => [int64([], [input(inputs, 0, ctx).data.length])],
  Reshape: (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    // Opset 1-4 took the shape as an attribute, later versions as input 1.
    const spec = ctx.opset < 5 ? ctx.ints("shape") : intList(input(inputs, 1, ctx));
    return [reshaped(x, reshapeTarget(x.shape, spec, ctx.int("allowzero", 0) !== 0))];
  },
  Flatten: (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    const r = x.shape.length;
    let axis = ctx.int("axis", 1);
    if (axis < 0) axis += r;
    if (!(axis >= 0 && axis <= r)) fail("CORRUPT", "infer", `Flatten axis ${ctx.int("axis", 1)} is out of range for rank ${r}`);
    const outer = numel(x.shape.slice(0, axis));
    return [reshaped(x, [outer, numel(x.shape.slice(axis))])];
  },
  Squeeze: (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    const given = listFrom(inputs, 1, ctx, "axes");
    const axes = given === undefined ? x.shape.flatMap((d, i) => (d === 1 ? [i] : [])) : normalizeAxes(given, x.shape.length);
    for (const a of axes) if (x.shape[a] !== 1) fail("CORRUPT", "infer", `Squeeze axis ${a} has size ${x.shape[a]}, not 1`);
    return [reshaped(x, x.shape.filter((_, i) => !axes.includes(i)))];
  },
  Unsqueeze: (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    const given = listFrom(inputs, 1, ctx, "axes");
    if (given === undefined) return fail("CORRUPT", "infer", `Unsqueeze node '${ctx.nodeName}' has no axes`);
    // Axes index the output, whose rank is the input's plus the number of axes.
    const rank = x.shape.length + given.length;
    const axes = normalizeAxes(given, rank);
    const out: number[] = [];
    let k = 0;
    for (let i = 0; i < rank; i++) out.push(axes.includes(i) ? 1 : x.shape[k++]);
    return [reshaped(x, out)];
  },
  ConstantOfShape: (inputs, ctx) => {
    const shape = shapeFrom(input(inputs, 0, ctx), "ConstantOfShape shape");
    const v = ctx.tensor("value");
    // Default value: a float32 zero.
    const value = v === undefined ? tensor("float32", [], new Float32Array(1)) : fromTensor(v);
    if (value.data.length !== 1) fail("CORRUPT", "infer", "ConstantOfShape value must hold one element");
    const out = like(value, shape);
    const d = elems(out);
    const fill = value.data[0];
    if (Array.isArray(out.data)) out.data.fill(fill as string);
    else if (fill !== 0) for (let i = 0; i < d.length; i++) d[i] = fill;
    return [out];
  },
  EyeLike: (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    if (x.shape.length !== 2) fail("CORRUPT", "infer", `EyeLike needs a 2-D input, got rank ${x.shape.length}`);
    const dtype = ctx.has("dtype") ? dtypeOfCode(ctx.int("dtype"), "EyeLike dtype") : x.dtype;
    const [rows, cols] = x.shape;
    const k = ctx.int("k", 0);
    const out = like(x, [rows, cols], dtype);
    const d = nums(out);
    for (let i = 0; i < rows; i++) {
      const j = i + k;
      if (j >= 0 && j < cols) d[i * cols + j] = 1;
    }
    return [out];
  },
  Range: (inputs, ctx) => {
    const start = input(inputs, 0, ctx);
    const [s] = nums(start);
    const [limit] = nums(input(inputs, 1, ctx));
    const [delta] = nums(input(inputs, 2, ctx));
    if (delta === 0) fail("CORRUPT", "infer", "Range delta is 0");
    const n = Math.max(0, Math.ceil((limit - s) / delta));
    if (!Number.isFinite(n)) fail("CORRUPT", "infer", "Range has an infinite number of elements");
    checkedNumel([n]);
    const out = arrayFor(start.dtype, n) as NumArray;
    // numpy.arange (the reference): element i is start + i * delta, stored in the tensor's type.
    for (let i = 0; i < n; i++) out[i] = s + i * delta;
    roundToDType(out, start.dtype);
    return [tensor(start.dtype, [n], out)];
  },
  NonZero: (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    const src = elems(x);
    const r = x.shape.length;
    let count = 0;
    for (let i = 0; i < src.length; i++) if (src[i] !== 0 && src[i] !== "") count++;
    // Output [rank, count]: the coordinates of each non-zero element in C order (a scalar counts as rank 1, as numpy does).
    const rows = Math.max(r, 1);
    const out = new Float64Array(rows * count);
    const idx = new Array<number>(r).fill(0);
    let k = 0;
    for (let i = 0; i < src.length; i++) {
      if (src[i] !== 0 && src[i] !== "") {
        for (let d = 0; d < r; d++) out[d * count + k] = idx[d];
        k++;
      }
      for (let d = r - 1; d >= 0; d--) {
        idx[d]++;
        if (idx[d] < x.shape[d]) break;
        idx[d] = 0;
      }
    }
    return [tensor("int64", [rows, count], out)];
  },
});
