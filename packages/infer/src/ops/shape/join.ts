/**
 * Ops that cut a tensor into parts or join parts: Concat, Split, Slice,
 * Compress, ReverseSequence (onnx/defs/tensor/defs.cc).
 */
import { fail } from "@codec/core";
import { normalizeAxis } from "../../broadcast.js";
import { type OpContext, input, registerOps } from "../registry.js";
import { numel, nums, type RTensor, stridesOf } from "../../tensor.js";
import { MAX_ELEMENTS, copyRange, elems, gatherByAxisMaps, identityMap, intList, like, normalizeAxes, zeroOf } from "./common.js";

export function concat(parts: readonly RTensor[], axisAttr: number): RTensor {
  if (parts.length === 0) fail("CORRUPT", "infer", "Concat has no inputs");
  const first = parts[0];
  const r = first.shape.length;
  const axis = normalizeAxis(axisAttr, r, "Concat axis");
  let total = 0;
  for (const p of parts) {
    if (p.shape.length !== r || p.shape.some((d, i) => i !== axis && d !== first.shape[i]) || p.dtype !== first.dtype) {
      fail("CORRUPT", "infer", `Concat inputs [${first.shape.join(", ")}] ${first.dtype} and [${p.shape.join(", ")}] ${p.dtype} do not match off axis ${axis}`);
    }
    total += p.shape[axis];
  }
  const outShape = first.shape.map((d, i) => (i === axis ? total : d));
  const out = like(first, outShape);
  const dst = elems(out);
  const outer = numel(first.shape.slice(0, axis));
  const inner = numel(first.shape.slice(axis + 1));
  const rowOut = total * inner;
  let at = 0;
  for (const p of parts) {
    const src = elems(p);
    const block = p.shape[axis] * inner;
    for (let o = 0; o < outer; o++) {
      const s = o * block;
      copyRange(src, s, dst, o * rowOut + at, block);
    }
    at += block;
  }
  return out;
}

/** Parts of `x` along `axis` with the given sizes. */
export function splitAlong(x: RTensor, axis: number, sizes: readonly number[]): RTensor[] {
  const dim = x.shape[axis];
  if (sizes.some((s) => s < 0) || sizes.reduce((a, b) => a + b, 0) !== dim) {
    fail("CORRUPT", "infer", `Split sizes [${sizes.join(", ")}] do not add up to dimension ${dim}`);
  }
  const outer = numel(x.shape.slice(0, axis));
  const inner = numel(x.shape.slice(axis + 1));
  const src = elems(x);
  let at = 0;
  return sizes.map((size) => {
    const out = like(x, x.shape.map((d, i) => (i === axis ? size : d)));
    const dst = elems(out);
    const block = size * inner;
    for (let o = 0; o < outer; o++) {
      const s = o * dim * inner + at * inner;
      copyRange(src, s, dst, o * block, block);
    }
    at += size;
    return out;
  });
}

/**
 * How many outputs the node declares. The OpContext of onnx-runner.ts does
 * not carry it yet; a runner that adds `outputCount` makes Split without
 * sizes (opset < 18) work.
 */
function outputCount(ctx: OpContext): number | undefined {
  return (ctx as OpContext & { readonly outputCount?: number }).outputCount;
}

function splitSizes(inputs: readonly (RTensor | undefined)[], ctx: OpContext, dim: number): number[] {
  // Sizes: input 1 from opset 13, attribute `split` before.
  if (ctx.opset >= 13 && inputs[1] !== undefined) return intList(inputs[1]);
  if (ctx.opset < 13 && ctx.has("split")) return ctx.ints("split");
  // Opset 2-12 also accepted the sizes as a second input (opset 1).
  if (inputs[1] !== undefined) return intList(inputs[1]);
  let n: number | undefined;
  let ceilChunks = false;
  if (ctx.opset >= 18 && ctx.has("num_outputs")) {
    n = ctx.int("num_outputs");
    // Opset 18: when not evenly divisible, every chunk is ceil(dim / n) but the last.
    ceilChunks = true;
  } else {
    n = outputCount(ctx);
  }
  if (n === undefined) return fail("UNSUPPORTED", "infer", `Split node '${ctx.nodeName}' without sizes needs the node's output count, which the runner does not give ops`);
  if (!(n >= 1)) return fail("CORRUPT", "infer", `Split into ${n} parts`);
  if (!ceilChunks && dim % n !== 0) return fail("CORRUPT", "infer", `Split of dimension ${dim} into ${n} equal parts`);
  const chunk = Math.ceil(dim / n);
  const last = dim - chunk * (n - 1);
  if (last < 0 || n > MAX_ELEMENTS) return fail("CORRUPT", "infer", `Split of dimension ${dim} into ${n} parts leaves a negative last part`);
  const sizes = new Array<number>(n).fill(chunk);
  sizes[n - 1] = last;
  return sizes;
}

/** Slice's per-axis index map (spec clamping: [0, dim] for step > 0, [-1, dim - 1] for step < 0). */
export function sliceMap(dim: number, start: number, end: number, step: number): Int32Array {
  if (step === 0) fail("CORRUPT", "infer", "Slice step is 0");
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  let count: number;
  if (step > 0) {
    s = Math.min(Math.max(s, 0), dim);
    e = Math.min(Math.max(e, 0), dim);
    count = Math.max(0, Math.ceil((e - s) / step));
  } else {
    s = Math.min(Math.max(s, 0), dim - 1);
    e = Math.min(Math.max(e, -1), dim - 1);
    count = Math.max(0, Math.ceil((s - e) / -step));
  }
  const m = new Int32Array(count);
  for (let i = 0; i < count; i++) m[i] = s + i * step;
  return m;
}

export function slice(x: RTensor, starts: readonly number[], ends: readonly number[], axesIn: readonly number[] | undefined, stepsIn: readonly number[] | undefined): RTensor {
  const r = x.shape.length;
  const axes = normalizeAxes(axesIn ?? starts.map((_, i) => i), r, "Slice axes");
  const steps = stepsIn ?? starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
    fail("CORRUPT", "infer", "Slice starts, ends, axes and steps differ in length");
  }
  const maps = x.shape.map(identityMap);
  axes.forEach((a, k) => {
    maps[a] = sliceMap(x.shape[a], starts[k], ends[k], steps[k]);
  });
  const outShape = maps.map((m) => m.length);
  const out = like(x, outShape);
  gatherByAxisMaps(elems(x), stridesOf(x.shape), maps, outShape, elems(out), zeroOf(x));
  return out;
}

function compress(x: RTensor, cond: RTensor, axisAttr: number | undefined): RTensor {
  const c = nums(cond);
  // Without an axis the input is flattened first.
  const src = axisAttr === undefined ? { ...x, shape: [x.data.length] } : x;
  const axis = normalizeAxis(axisAttr ?? 0, src.shape.length, "Compress axis");
  const dim = src.shape[axis];
  if (c.length > dim) fail("CORRUPT", "infer", `Compress condition has ${c.length} entries for dimension ${dim}`);
  const keep: number[] = [];
  for (let i = 0; i < c.length; i++) if (c[i] !== 0) keep.push(i);
  const maps = src.shape.map(identityMap);
  maps[axis] = Int32Array.from(keep);
  const outShape = maps.map((m) => m.length);
  const out = like(x, outShape);
  gatherByAxisMaps(elems(x), stridesOf(src.shape), maps, outShape, elems(out), zeroOf(x));
  return out;
}

/** ReverseSequence: for batch b, the first seq_lens[b] steps along time_axis are reversed. */
function reverseSequence(x: RTensor, lens: readonly number[], batchAxis: number, timeAxis: number): RTensor {
  const r = x.shape.length;
  const ba = normalizeAxis(batchAxis, r, "ReverseSequence batch_axis");
  const ta = normalizeAxis(timeAxis, r, "ReverseSequence time_axis");
  if (lens.length !== x.shape[ba]) fail("CORRUPT", "infer", `ReverseSequence has ${lens.length} lengths for batch size ${x.shape[ba]}`);
  const steps = x.shape[ta];
  for (const l of lens) if (!(l >= 0 && l <= steps)) fail("CORRUPT", "infer", `ReverseSequence length ${l} is outside [0, ${steps}]`);
  const out = like(x, x.shape);
  const src = elems(x);
  const dst = elems(out);
  const strides = stridesOf(x.shape);
  const idx = new Array<number>(r).fill(0);
  for (let i = 0; i < src.length; i++) {
    const t = idx[ta];
    const len = lens[idx[ba]];
    dst[i] = t < len ? src[i + (len - 1 - 2 * t) * strides[ta]] : src[i];
    for (let d = r - 1; d >= 0; d--) {
      idx[d]++;
      if (idx[d] < x.shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

registerOps({
  Concat: (inputs, ctx) => {
    const parts = inputs.filter((t): t is RTensor => t !== undefined);
    // Concat-1 had an optional axis defaulting to 1.
    return [concat(parts, ctx.int("axis", ctx.opset < 4 ? 1 : undefined))];
  },
  Split: (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    const axis = normalizeAxis(ctx.int("axis", 0), x.shape.length, "Split axis");
    return splitAlong(x, axis, splitSizes(inputs, ctx, x.shape[axis]));
  },
  Slice: (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    if (ctx.opset < 10) {
      // Slice-1: starts, ends and optional axes are attributes; no steps.
      return [slice(x, ctx.ints("starts"), ctx.ints("ends"), ctx.has("axes") ? ctx.ints("axes") : undefined, undefined)];
    }
    const starts = intList(input(inputs, 1, ctx));
    const ends = intList(input(inputs, 2, ctx));
    const axes = inputs[3] === undefined ? undefined : intList(inputs[3]);
    const steps = inputs[4] === undefined ? undefined : intList(inputs[4]);
    return [slice(x, starts, ends, axes, steps)];
  },
  Compress: (inputs, ctx) => [compress(input(inputs, 0, ctx), input(inputs, 1, ctx), ctx.has("axis") ? ctx.int("axis") : undefined)],
  ReverseSequence: (inputs, ctx) =>
    [reverseSequence(input(inputs, 0, ctx), intList(input(inputs, 1, ctx)), ctx.int("batch_axis", 1), ctx.int("time_axis", 0))],
});
