/**
 * Helpers shared by the shape operators: element arrays of any dtype
 * (typed arrays and string[] alike), integer lists read from tensors, and
 * one strided gather that Transpose, Slice, Expand, Tile, Pad,
 * CenterCropPad and nearest Resize all reduce to.
 */
import { fail } from "@codec/core";
import type { OpContext } from "../registry.js";
import { arrayFor, numel, type RTensor, tensor, toNumbers } from "../../tensor.js";

/** Any tensor's elements, read and written by index (numbers or strings). */
export interface Elems {
  [i: number]: number | string;
  readonly length: number;
}

export const elems = (t: RTensor): Elems => t.data;

import { checkedNumel, MAX_ELEMENTS } from "../../tensor.js";

export { checkedNumel, MAX_ELEMENTS };

/** A fresh tensor of `t`'s dtype (or `dtype`) and the given shape. */
export function like(t: RTensor, shape: readonly number[], dtype = t.dtype): RTensor {
  return tensor(dtype, shape, arrayFor(dtype, checkedNumel(shape)));
}

/**
 * The same elements under another shape. The data array is shared: ops
 * never write into their inputs, so a view is safe (and Reshape/Squeeze
 * cost nothing).
 */
export function reshaped(t: RTensor, shape: readonly number[]): RTensor {
  if (numel(shape) !== t.data.length) fail("CORRUPT", "infer", `cannot view ${t.data.length} elements as [${shape.join(", ")}]`);
  return { dtype: t.dtype, shape: [...shape], data: t.data };
}

/** Integer values of a 1-D (or scalar) tensor: shapes, axes, pads, indices. */
export function intList(t: RTensor): number[] {
  return toNumbers(t).map((v) => Math.trunc(v));
}

export function int64(shape: readonly number[], values: ArrayLike<number>): RTensor {
  return tensor("int64", shape, Float64Array.from(values));
}

/**
 * An int-list operand that moved from an attribute to an input at some
 * opset (axes, pads, starts, ...): the input when given, else the
 * attribute, else undefined.
 */
export function listFrom(inputs: readonly (RTensor | undefined)[], i: number, ctx: OpContext, attr: string): number[] | undefined {
  const t = inputs[i];
  if (t !== undefined) return intList(t);
  if (ctx.has(attr)) return ctx.ints(attr);
  return undefined;
}

/** Axes made non-negative against `rank`, rejecting out-of-range and repeated ones. */
export function normalizeAxes(axes: readonly number[], rank: number, what = "axes"): number[] {
  const out = axes.map((a) => (a < 0 ? a + rank : a));
  for (let k = 0; k < out.length; k++) {
    const a = out[k];
    if (!(a >= 0 && a < rank)) fail("CORRUPT", "infer", `${what} value ${axes[k]} is out of range for rank ${rank}`);
    if (out.indexOf(a) !== k) fail("CORRUPT", "infer", `${what} repeats axis ${axes[k]}`);
  }
  return out;
}

/** A shape read from a tensor, checked to be non-negative whole numbers. */
export function shapeFrom(t: RTensor, what: string): number[] {
  const s = intList(t);
  for (const d of s) if (!(d >= 0 && Number.isFinite(d))) fail("CORRUPT", "infer", `${what} has an invalid dimension ${d}`);
  return s;
}

/**
 * dst (C order over `outShape`) gets src[sum_d maps[d][i_d] * strides[d]]
 * for each output index (i_0, ..., i_r-1); any map entry below 0 means
 * "outside the source" and writes `fill` instead. Per axis maps express
 * slicing (start + i * step), broadcasting (0), tiling (i mod n), padding
 * (-1 or a reflected/clamped index) and transposing (permuted strides).
 */
export function gatherByAxisMaps(
  src: Elems,
  strides: readonly number[],
  maps: readonly Int32Array[],
  outShape: readonly number[],
  dst: Elems,
  fill: number | string,
): void {
  const rank = outShape.length;
  const n = numel(outShape);
  if (n === 0) return;
  if (rank === 0) {
    dst[0] = src[0];
    return;
  }
  const last = rank - 1;
  const len = outShape[last];
  // Offsets along the innermost axis, -1 for fill. Int32 is enough: tensors hold at most MAX_ELEMENTS elements.
  const inner = new Int32Array(len);
  let anyFill = false;
  let contiguous = true;
  for (let j = 0; j < len; j++) {
    const m = maps[last][j];
    inner[j] = m < 0 ? -1 : m * strides[last];
    if (m < 0) anyFill = true;
    if (inner[j] !== inner[0] + j) contiguous = false;
  }
  const blockCopy = contiguous && !anyFill && len > 16 && ArrayBuffer.isView(src) && ArrayBuffer.isView(dst);
  const idx = new Int32Array(rank);
  // base[d]: offset contributed by axes before d (-1 when one of them is outside).
  const base = new Int32Array(rank);
  const recompute = (from: number): void => {
    for (let e = from; e < last; e++) {
      const m = maps[e][idx[e]];
      base[e + 1] = base[e] < 0 || m < 0 ? -1 : base[e] + m * strides[e];
    }
  };
  recompute(0);
  let o = 0;
  for (;;) {
    const b = base[last];
    if (b < 0) {
      for (let j = 0; j < len; j++) dst[o++] = fill;
    } else if (blockCopy) {
      copyRange(src, b + inner[0], dst, o, len);
      o += len;
    } else if (!anyFill) {
      for (let j = 0; j < len; j++) dst[o++] = src[b + inner[j]];
    } else {
      for (let j = 0; j < len; j++) {
        const off = inner[j];
        dst[o++] = off < 0 ? fill : src[b + off];
      }
    }
    let d = last - 1;
    while (d >= 0) {
      idx[d]++;
      if (idx[d] < outShape[d]) break;
      idx[d] = 0;
      d--;
    }
    if (d < 0) return;
    recompute(d);
  }
}

/** The identity map 0..n-1 (an axis copied as is). */
export function identityMap(n: number): Int32Array {
  const m = new Int32Array(n);
  for (let i = 0; i < n; i++) m[i] = i;
  return m;
}

/** The fill value of a dtype's "nothing here" (0, or "" for strings). */
export function zeroOf(t: RTensor): number | string {
  return t.dtype === "string" ? "" : 0;
}

/** Copies src[s, s + len) to dst[d, ...): a typed-array block copy when both are typed arrays (they share the dtype), else a loop. */
export function copyRange(src: Elems, s: number, dst: Elems, d: number, len: number): void {
  if (ArrayBuffer.isView(src) && ArrayBuffer.isView(dst)) {
    (dst as Float64Array).set((src as Float64Array).subarray(s, s + len), d);
    return;
  }
  for (let j = 0; j < len; j++) dst[d + j] = src[s + j];
}
