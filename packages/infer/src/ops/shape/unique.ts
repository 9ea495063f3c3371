/**
 * Unique (opset 11, onnx/defs/tensor/defs.cc): the distinct elements (no
 * axis: of the flattened input) or distinct slices along `axis`, in
 * ascending order (sorted=1, numpy.unique's order: slices compare
 * lexicographically) or in order of first occurrence (sorted=0). Outputs
 * Y, the first-occurrence indices, the inverse indices and the counts.
 */
import { normalizeAxis } from "../../broadcast.js";
import { input, registerOps } from "../registry.js";
import { numel, type RTensor, stridesOf } from "../../tensor.js";
import { elems, gatherByAxisMaps, identityMap, int64, like, zeroOf } from "./common.js";

function compareSlices(src: { [i: number]: number | string }, a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = src[a[i]];
    const y = src[b[i]];
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
}

function unique(x: RTensor, axisAttr: number | undefined, sorted: boolean): RTensor[] {
  // Without an axis the input is treated as 1-D.
  const shape = axisAttr === undefined ? [x.data.length] : x.shape;
  const axis = axisAttr === undefined ? 0 : normalizeAxis(axisAttr, shape.length, "Unique axis");
  const count = shape[axis];
  const strides = stridesOf(shape);
  const outer = numel(shape.slice(0, axis));
  const inner = numel(shape.slice(axis + 1));
  const src = elems(x);
  // Element offsets of slice k (outer-major, then inner), so equal slices have equal offset-wise values.
  const sliceOffsets = (k: number): number[] => {
    const offs: number[] = [];
    for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) offs.push(o * count * inner + k * strides[axis] + i);
    return offs;
  };
  const slices = Array.from({ length: count }, (_, k) => sliceOffsets(k));
  // First occurrences in input order, each with the input slices equal to it.
  const groups = new Map<string, number>();
  const firsts: number[] = [];
  const inverseFirst = new Int32Array(count);
  const counts: number[] = [];
  for (let k = 0; k < count; k++) {
    const key = JSON.stringify(slices[k].map((p) => src[p]));
    let g = groups.get(key);
    if (g === undefined) {
      g = firsts.length;
      groups.set(key, g);
      firsts.push(k);
      counts.push(0);
    }
    counts[g]++;
    inverseFirst[k] = g;
  }
  const order = firsts.map((_, g) => g);
  if (sorted) order.sort((a, b) => compareSlices(src, slices[firsts[a]], slices[firsts[b]]));
  const rank = new Int32Array(order.length);
  order.forEach((g, pos) => {
    rank[g] = pos;
  });
  const picked = Int32Array.from(order.map((g) => firsts[g]));
  const maps = shape.map(identityMap);
  maps[axis] = picked;
  const outShape = maps.map((m) => m.length);
  const y = like(x, outShape);
  gatherByAxisMaps(src, strides, maps, outShape, elems(y), zeroOf(x));
  const n = order.length;
  return [
    y,
    int64([n], Array.from(picked)),
    int64([count], Array.from(inverseFirst, (g) => rank[g])),
    int64([n], order.map((g) => counts[g])),
  ];
}

registerOps({
  Unique: (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    return unique(x, ctx.has("axis") ? ctx.int("axis") : undefined, ctx.int("sorted", 1) !== 0);
  },
});
