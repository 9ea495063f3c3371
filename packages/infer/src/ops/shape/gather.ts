/**
 * Index-driven reads and writes: Gather, GatherElements, GatherND,
 * ScatterElements (and its deprecated name Scatter), ScatterND, OneHot
 * (onnx/defs/tensor/defs.cc). Negative indices count from the end of
 * their axis; anything outside [-n, n) is a CORRUPT model.
 */
import { fail } from "@codec/core";
import { normalizeAxis } from "../../broadcast.js";
import { input, registerOps } from "../registry.js";
import { numel, nums, type RTensor, stridesOf } from "../../tensor.js";
import { copyRange, type Elems, elems, like } from "./common.js";

function index(v: number, n: number, what: string): number {
  const i = v < 0 ? v + n : v;
  if (!(i >= 0 && i < n)) fail("CORRUPT", "infer", `${what} index ${v} is out of range for size ${n}`);
  return i;
}

export function gather(data: RTensor, indices: RTensor, axisAttr: number): RTensor {
  const r = data.shape.length;
  const axis = normalizeAxis(axisAttr, r, "Gather axis");
  const idx = nums(indices);
  const n = data.shape[axis];
  const outer = numel(data.shape.slice(0, axis));
  const inner = numel(data.shape.slice(axis + 1));
  const outShape = [...data.shape.slice(0, axis), ...indices.shape, ...data.shape.slice(axis + 1)];
  const out = like(data, outShape);
  const src = elems(data);
  const dst = elems(out);
  const k = idx.length;
  const pos = new Int32Array(k);
  for (let j = 0; j < k; j++) pos[j] = index(idx[j], n, "Gather");
  let o = 0;
  for (let a = 0; a < outer; a++) {
    for (let j = 0; j < k; j++) {
      const s = (a * n + pos[j]) * inner;
      if (inner === 1) dst[o] = src[s];
      else copyRange(src, s, dst, o, inner);
      o += inner;
    }
  }
  return out;
}

/**
 * Visits every element of `indices` (same rank as data) with the flat
 * offset in data it addresses: its own coordinates with the one along
 * `axis` replaced by the index value. Shared by GatherElements and
 * ScatterElements.
 */
function forEachElementIndex(dataShape: readonly number[], indices: RTensor, axis: number, what: string, visit: (k: number, at: number) => void): void {
  const r = dataShape.length;
  if (indices.shape.length !== r) fail("CORRUPT", "infer", `${what} indices rank ${indices.shape.length} differs from data rank ${r}`);
  const idx = nums(indices);
  const strides = stridesOf(dataShape);
  const coord = new Array<number>(r).fill(0);
  const n = dataShape[axis];
  for (let k = 0; k < idx.length; k++) {
    let at = 0;
    for (let d = 0; d < r; d++) {
      if (d !== axis && coord[d] >= dataShape[d]) fail("CORRUPT", "infer", `${what} indices shape exceeds the data shape on axis ${d}`);
      at += (d === axis ? index(idx[k], n, what) : coord[d]) * strides[d];
    }
    visit(k, at);
    for (let d = r - 1; d >= 0; d--) {
      coord[d]++;
      if (coord[d] < indices.shape[d]) break;
      coord[d] = 0;
    }
  }
}

function gatherElements(data: RTensor, indices: RTensor, axisAttr: number): RTensor {
  const axis = normalizeAxis(axisAttr, data.shape.length, "GatherElements axis");
  const out = like(data, indices.shape);
  const src = elems(data);
  const dst = elems(out);
  forEachElementIndex(data.shape, indices, axis, "GatherElements", (k, at) => {
    dst[k] = src[at];
  });
  return out;
}

type Reduce = (old: number | string, upd: number | string) => number | string;

function reducer(name: string): Reduce | undefined {
  switch (name) {
    case "none":
      return undefined;
    case "add":
      return (a, b) => (a as number) + (b as number);
    case "mul":
      return (a, b) => (a as number) * (b as number);
    case "max":
      return (a, b) => Math.max(a as number, b as number);
    case "min":
      return (a, b) => Math.min(a as number, b as number);
    default:
      return fail("UNSUPPORTED", "infer", `scatter reduction '${name}'`);
  }
}

/** Writes `v` at `at`, combining with what is there when there is a reduction. */
function put(dst: Elems, at: number, v: number | string, reduce: Reduce | undefined): void {
  dst[at] = reduce === undefined ? v : reduce(dst[at], v);
}

function scatterElements(data: RTensor, indices: RTensor, updates: RTensor, axisAttr: number, reduction: string): RTensor {
  const axis = normalizeAxis(axisAttr, data.shape.length, "ScatterElements axis");
  if (updates.shape.join() !== indices.shape.join()) fail("CORRUPT", "infer", "ScatterElements updates and indices differ in shape");
  const reduce = reducer(reduction);
  const out = like(data, data.shape);
  const dst = elems(out);
  const src = elems(data);
  for (let i = 0; i < src.length; i++) dst[i] = src[i];
  const upd = elems(updates);
  forEachElementIndex(data.shape, indices, axis, "ScatterElements", (k, at) => put(dst, at, upd[k], reduce));
  return out;
}

/**
 * GatherND/ScatterND addressing: the last axis of `indices` (length q)
 * picks a slice of data after `batch` leading batch axes. Returns the
 * flat offsets of the addressed slices (relative to the start of data)
 * and the slice size.
 */
function ndOffsets(dataShape: readonly number[], indices: RTensor, batch: number, what: string): { offsets: Float64Array; slice: number; batchSize: number } {
  const ir = indices.shape.length;
  if (ir < 1) fail("CORRUPT", "infer", `${what} indices must have rank >= 1`);
  const q = indices.shape[ir - 1];
  if (batch < 0 || (batch > 0 && batch >= Math.min(ir, dataShape.length)) || q > dataShape.length - batch) {
    fail("CORRUPT", "infer", `${what} indices of shape [${indices.shape.join(", ")}] do not fit data [${dataShape.join(", ")}] with batch_dims ${batch}`);
  }
  for (let d = 0; d < batch; d++) if (indices.shape[d] !== dataShape[d]) fail("CORRUPT", "infer", `${what} batch dimension ${d} differs`);
  const idx = nums(indices);
  const strides = stridesOf(dataShape);
  const batchSize = numel(dataShape.slice(0, batch));
  const batchStride = batch === 0 ? numel(dataShape) : strides[batch - 1];
  const slice = numel(dataShape.slice(batch + q));
  const tuples = q === 0 ? numel(indices.shape.slice(0, ir - 1)) : idx.length / q;
  const perBatch = tuples / Math.max(1, batchSize);
  const offsets = new Float64Array(tuples);
  for (let t = 0; t < tuples; t++) {
    let at = Math.floor(t / perBatch) * batchStride;
    for (let j = 0; j < q; j++) at += index(idx[t * q + j], dataShape[batch + j], what) * strides[batch + j];
    offsets[t] = at;
  }
  return { offsets, slice, batchSize };
}

function gatherND(data: RTensor, indices: RTensor, batch: number): RTensor {
  const { offsets, slice } = ndOffsets(data.shape, indices, batch, "GatherND");
  const q = indices.shape[indices.shape.length - 1];
  const outShape = [...indices.shape.slice(0, -1), ...data.shape.slice(batch + q)];
  const out = like(data, outShape);
  const src = elems(data);
  const dst = elems(out);
  let o = 0;
  for (let t = 0; t < offsets.length; t++) for (let j = 0; j < slice; j++) dst[o++] = src[offsets[t] + j];
  return out;
}

function scatterND(data: RTensor, indices: RTensor, updates: RTensor, reduction: string): RTensor {
  const { offsets, slice } = ndOffsets(data.shape, indices, 0, "ScatterND");
  if (updates.data.length !== offsets.length * slice) fail("CORRUPT", "infer", "ScatterND updates do not match indices and data");
  const reduce = reducer(reduction);
  const out = like(data, data.shape);
  const dst = elems(out);
  const src = elems(data);
  for (let i = 0; i < src.length; i++) dst[i] = src[i];
  const upd = elems(updates);
  let u = 0;
  for (let t = 0; t < offsets.length; t++) for (let j = 0; j < slice; j++) put(dst, offsets[t] + j, upd[u++], reduce);
  return out;
}

/** OneHot: a new axis of size depth; off value everywhere, on value at each index (negative ones wrap, others outside are all-off). */
function oneHot(indices: RTensor, depthT: RTensor, values: RTensor, axisAttr: number): RTensor {
  const depth = Math.trunc(nums(depthT)[0]);
  if (!(depth >= 1)) fail("CORRUPT", "infer", `OneHot depth ${depth}`);
  if (values.data.length !== 2) fail("CORRUPT", "infer", "OneHot values must hold [off, on]");
  const r = indices.shape.length + 1;
  const axis = normalizeAxis(axisAttr, r, "OneHot axis");
  const outShape = [...indices.shape.slice(0, axis), depth, ...indices.shape.slice(axis)];
  const out = like(values, outShape);
  const dst = elems(out);
  const [off, on] = [elems(values)[0], elems(values)[1]];
  for (let i = 0; i < dst.length; i++) dst[i] = off;
  const idx = nums(indices);
  const inner = numel(indices.shape.slice(axis));
  for (let k = 0; k < idx.length; k++) {
    let v = Math.trunc(idx[k]);
    if (v < 0) v += depth;
    if (v < 0 || v >= depth) continue;
    const o = Math.floor(k / inner);
    const i = k % inner;
    dst[(o * depth + v) * inner + i] = on;
  }
  return out;
}

registerOps({
  Gather: (inputs, ctx) => [gather(input(inputs, 0, ctx), input(inputs, 1, ctx), ctx.int("axis", 0))],
  GatherElements: (inputs, ctx) => [gatherElements(input(inputs, 0, ctx), input(inputs, 1, ctx), ctx.int("axis", 0))],
  GatherND: (inputs, ctx) => [gatherND(input(inputs, 0, ctx), input(inputs, 1, ctx), ctx.int("batch_dims", 0))],
  ScatterElements: (inputs, ctx) =>
    [scatterElements(input(inputs, 0, ctx), input(inputs, 1, ctx), input(inputs, 2, ctx), ctx.int("axis", 0), ctx.string("reduction", "none"))],
  Scatter: (inputs, ctx) => [scatterElements(input(inputs, 0, ctx), input(inputs, 1, ctx), input(inputs, 2, ctx), ctx.int("axis", 0), "none")],
  ScatterND: (inputs, ctx) => [scatterND(input(inputs, 0, ctx), input(inputs, 1, ctx), input(inputs, 2, ctx), ctx.string("reduction", "none"))],
  OneHot: (inputs, ctx) => [oneHot(input(inputs, 0, ctx), input(inputs, 1, ctx), input(inputs, 2, ctx), ctx.int("axis", -1))],
});
