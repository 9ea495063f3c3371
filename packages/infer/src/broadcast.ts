/**
 * Multidirectional (numpy-style) broadcasting, ONNX's Broadcasting.md:
 * shapes are right-aligned, each dimension equal or 1. Shared by every op
 * that broadcasts (arithmetic, comparisons, Where, Expand, ...).
 */
import { fail } from "@codec/core";
import { stridesOf } from "./tensor.js";

export function broadcastShapes(...shapes: (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const o = rank - s.length + i;
      const d = s[i];
      if (out[o] === 1) out[o] = d;
      else if (d !== 1 && d !== out[o]) fail("CORRUPT", "infer", `shapes [${shapes.map((x) => x.join(", ")).join("] and [")}] do not broadcast`);
    }
  }
  return out;
}

/**
 * For every element of `outShape` (C order), the index of the element of
 * `inShape` (broadcast to it) it reads. A fresh Int32Array; for same-shape
 * inputs callers skip this and index directly.
 */
export function broadcastIndex(inShape: readonly number[], outShape: readonly number[]): Int32Array {
  const rank = outShape.length;
  const n = outShape.reduce((a, b) => a * b, 1);
  const idx = new Int32Array(n);
  const inStrides = stridesOf(inShape);
  // Stride of each output axis in the input (0 where the input is broadcast along it).
  const st = new Array<number>(rank).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    const o = rank - inShape.length + i;
    st[o] = inShape[i] === 1 ? 0 : inStrides[i];
  }
  const counter = new Array<number>(rank).fill(0);
  let at = 0;
  for (let k = 0; k < n; k++) {
    idx[k] = at;
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      at += st[d];
      if (counter[d] < outShape[d]) break;
      at -= st[d] * outShape[d];
      counter[d] = 0;
    }
  }
  return idx;
}

/** An axis attribute in [-rank, rank) made non-negative. */
export function normalizeAxis(axis: number, rank: number, what = "axis"): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!(a >= 0 && a < rank)) fail("CORRUPT", "infer", `${what} ${axis} is out of range for rank ${rank}`);
  return a;
}
