import { fail } from "./errors.js";
import { numelOf } from "./shape.js";

/**
 * Gather a strided view into a fresh C-contiguous buffer. Strides and offset
 * are in elements, as torch and numpy (divided by itemsize) report them.
 * Every index the view can touch is checked against `src` first, so a
 * hostile header cannot make this read out of bounds.
 */
export function stridedToContiguous(
  src: Uint8Array,
  itemSize: number,
  shape: readonly number[],
  strides: readonly number[],
  offset = 0,
  format = "core",
): Uint8Array {
  const n = numelOf(shape, format);
  const rank = shape.length;
  if (strides.length !== rank) fail("CORRUPT", format, `stride rank ${strides.length} does not match shape rank ${rank}`);
  if (!Number.isSafeInteger(offset) || offset < 0) fail("CORRUPT", format, `invalid storage offset ${offset}`);
  if (n === 0) return new Uint8Array(0);
  // Bounds of the element indices the view touches.
  let lo = offset;
  let hi = offset;
  for (let d = 0; d < rank; d++) {
    const s = strides[d];
    if (!Number.isSafeInteger(s)) fail("CORRUPT", format, `invalid stride ${s}`);
    const span = s * (shape[d] - 1);
    if (span < 0) lo += span;
    else hi += span;
  }
  if (lo < 0 || (hi + 1) * itemSize > src.length) {
    fail("CORRUPT", format, `strided view [${shape.join(", ")}] with strides [${strides.join(", ")}] exceeds its storage`);
  }
  // Allocate only after the bounds check: shape and strides come from headers.
  const out = new Uint8Array(n * itemSize);
  if (rank === 0) {
    out.set(src.subarray(offset * itemSize, offset * itemSize + itemSize));
    return out;
  }
  // Copy runs along the innermost dimension; iterate the outer ones with an odometer.
  const inner = shape[rank - 1];
  const innerStride = strides[rank - 1];
  const idx = new Array<number>(rank).fill(0);
  let base = offset;
  let o = 0;
  const outer = n / inner;
  for (let k = 0; k < outer; k++) {
    if (innerStride === 1) {
      const b = base * itemSize;
      out.set(src.subarray(b, b + inner * itemSize), o);
      o += inner * itemSize;
    } else {
      let p = base;
      for (let i = 0; i < inner; i++, p += innerStride) {
        const b = p * itemSize;
        for (let j = 0; j < itemSize; j++) out[o++] = src[b + j];
      }
    }
    for (let d = rank - 2; d >= 0; d--) {
      idx[d]++;
      base += strides[d];
      if (idx[d] < shape[d]) break;
      base -= strides[d] * shape[d];
      idx[d] = 0;
    }
  }
  return out;
}

/** Fortran-order (column-major) data of `shape` to C order. */
export function fortranToC(src: Uint8Array, itemSize: number, shape: readonly number[], format = "core"): Uint8Array {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = 0; i < shape.length; i++) {
    strides[i] = s;
    s *= shape[i];
  }
  return stridedToContiguous(src, itemSize, shape, strides, 0, format);
}

/** C-order data of `shape` to Fortran order (for writers that must emit it). */
export function cToFortran(src: Uint8Array, itemSize: number, shape: readonly number[], format = "core"): Uint8Array {
  const rev = [...shape].reverse();
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[shape.length - 1 - i] = s;
    s *= shape[i];
  }
  // Reading C data with reversed shape and transposed strides yields Fortran order.
  return stridedToContiguous(src, itemSize, rev, strides, 0, format);
}
