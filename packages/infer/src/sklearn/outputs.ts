/**
 * What `predict()` returns, built from the arithmetic's float64 results:
 * regressors' values as float64, classifiers' labels as `classes_[index]`
 * in the dtype of `classes_` (numbers), or as strings when scikit-learn
 * kept the labels in an object array of str (a classifier fitted on text
 * labels).
 */
import { DTYPES, fail, Tensor, utf32Decode } from "@codec/core";
import { NdArray, type PyDict, type PyValue } from "@codec/pickle";
import { attr, F, type Matrix, optionalAttr, stateOf } from "./state.js";

/** Row-wise argmax of an [n, k] matrix (the first maximum, as numpy's argmax). */
export function argmaxRows(m: Float64Array, n: number, k: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (m[i * k + j] > m[i * k + best]) best = j;
    out[i] = best;
  }
  return out;
}

export function floatTensor(m: Matrix): Tensor {
  return new Tensor({ dtype: "float64", shape: m.shape, data: new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength) });
}

/** The `classes_` of a classifier (RidgeClassifier keeps them on its label binarizer). */
export function classesOf(state: PyDict, what: string): PyValue {
  const binarizer = optionalAttr(state, "_label_binarizer");
  return optionalAttr(state, "classes_") ?? (binarizer !== undefined ? attr(stateOf(binarizer, `${what}._label_binarizer`), "classes_", what) : attr(state, "classes_", what));
}

/** The strings of a numpy unicode array ('<U' / '>U'): fixed-width UTF-32 items whose trailing NULs numpy strips. */
function unicodeItems(bytes: Uint8Array, itemsize: number, bigEndian: boolean): string[] {
  const count = itemsize === 0 ? 0 : Math.floor(bytes.length / itemsize);
  return Array.from({ length: count }, (_, i) => utf32Decode(bytes.subarray(i * itemsize, (i + 1) * itemsize), bigEndian).replace(/\0+$/, ""));
}

/** labels[index] per sample, for a numeric array, a unicode array or an object array of str. */
export function takeLabels(labels: PyValue, index: Int32Array, what: string): Tensor {
  if (!(labels instanceof NdArray)) return fail("CORRUPT", F, `${what}: classes_ is not an array`);
  const count = labels.numel;
  const check = (c: number): void => {
    if (!(c >= 0 && c < count)) fail("CORRUPT", F, `${what}: class index ${c} is outside classes_`);
  };
  if (labels.isTensor) {
    const t = labels.tensor();
    const size = DTYPES[t.dtype].size;
    const src = t.bytes();
    const out = new Uint8Array(index.length * size);
    for (let i = 0; i < index.length; i++) {
      check(index[i]);
      out.set(src.subarray(index[i] * size, (index[i] + 1) * size), i * size);
    }
    return new Tensor({ dtype: t.dtype, shape: [index.length], data: out });
  }
  const items = labels.data instanceof Uint8Array && labels.dtype.char === "U" ? unicodeItems(labels.data, labels.dtype.itemsize, labels.dtype.bigEndian) : labels.data;
  if (Array.isArray(items) && items.every((s) => typeof s === "string")) {
    const out = new Array<string>(index.length);
    for (let i = 0; i < index.length; i++) {
      check(index[i]);
      out[i] = items[index[i]] as string;
    }
    return new Tensor({ dtype: "string", shape: [index.length], data: out });
  }
  return fail("UNSUPPORTED", F, `${what} has class labels that are neither numbers nor strings`);
}

/** classes_[index] per sample. */
export function pickClasses(state: PyDict, index: Int32Array, what: string): Tensor {
  return takeLabels(classesOf(state, what), index, what);
}

/** Decision values [n, k] -> classes: sign for one column, argmax otherwise. */
export function decisionIndex(d: Matrix): Int32Array {
  const n = d.shape[0];
  const k = d.shape.length === 2 ? d.shape[1] : 1;
  return k === 1 ? Int32Array.from(d.data, (v) => (v > 0 ? 1 : 0)) : argmaxRows(d.data, n, k);
}
