/**
 * Fitted transformers' `transform` (scikit-learn's formulas): scalers,
 * PCA/TruncatedSVD projections and Normalizer. Each returns a new matrix.
 */
import { fail } from "@codec/core";
import type { PyDict } from "@codec/pickle";
import { attr, F, type Matrix, matrix, num, optionalAttr, samples, str } from "./state.js";

function perFeature(state: PyDict, name: string, what: string, f: number): Float64Array | null {
  const v = optionalAttr(state, name);
  if (v === undefined || v === null) return null;
  const m = matrix(v, `${what}.${name}`).data;
  if (m.length !== f) fail("CORRUPT", F, `${what}.${name} has ${m.length} values for ${f} features`);
  return m;
}

/** (x - offset) / scale column by column, either part optional. */
function affine(x: Matrix, offset: Float64Array | null, scale: Float64Array | null, multiply: boolean): Matrix {
  const [n, f] = x.shape;
  const out = new Float64Array(x.data.length);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < f; c++) {
      let v = x.data[i * f + c];
      if (offset !== null) v -= offset[c];
      if (scale !== null) v = multiply ? v * scale[c] : v / scale[c];
      out[i * f + c] = v;
    }
  }
  return { data: out, shape: [n, f] };
}

export function transform(kind: string, state: PyDict, x: Matrix, what: string): Matrix | null {
  switch (kind) {
    case "StandardScaler": {
      const { f } = samples(x, null, what);
      return affine(x, perFeature(state, "mean_", what, f), perFeature(state, "scale_", what, f), false);
    }
    case "RobustScaler": {
      const { f } = samples(x, null, what);
      return affine(x, perFeature(state, "center_", what, f), perFeature(state, "scale_", what, f), false);
    }
    case "MaxAbsScaler": {
      const { f } = samples(x, null, what);
      return affine(x, null, perFeature(state, "scale_", what, f), false);
    }
    case "MinMaxScaler": {
      // X * scale_ + min_ (then clipped to feature_range when clip=True).
      const { n, f } = samples(x, null, what);
      const scale = perFeature(state, "scale_", what, f) as Float64Array;
      const min = perFeature(state, "min_", what, f) as Float64Array;
      const out = new Float64Array(n * f);
      const clip = optionalAttr(state, "clip") === true;
      const range = clip ? matrix(attr(state, "feature_range", what), `${what}.feature_range`).data : null;
      for (let i = 0; i < n * f; i++) {
        let v = x.data[i] * scale[i % f] + min[i % f];
        if (range !== null) v = Math.min(Math.max(v, range[0]), range[1]);
        out[i] = v;
      }
      return { data: out, shape: [n, f] };
    }
    case "PCA":
    case "IncrementalPCA":
    case "TruncatedSVD": {
      const components = matrix(attr(state, "components_", what), `${what}.components_`);
      const [k, f] = components.shape;
      const { n } = samples(x, f, what);
      const mean = kind === "TruncatedSVD" ? null : perFeature(state, "mean_", what, f);
      const whiten = optionalAttr(state, "whiten") === true;
      const variance = whiten ? matrix(attr(state, "explained_variance_", what), `${what}.explained_variance_`).data : null;
      const out = new Float64Array(n * k);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < k; j++) {
          let s = 0;
          for (let c = 0; c < f; c++) s += (x.data[i * f + c] - (mean === null ? 0 : mean[c])) * components.data[j * f + c];
          out[i * k + j] = variance === null ? s : s / Math.sqrt(variance[j]);
        }
      }
      return { data: out, shape: [n, k] };
    }
    case "Normalizer": {
      const { n, f } = samples(x, null, what);
      const norm = str(optionalAttr(state, "norm") ?? "l2", `${what}.norm`);
      const out = new Float64Array(n * f);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let c = 0; c < f; c++) {
          const v = x.data[i * f + c];
          s = norm === "l1" ? s + Math.abs(v) : norm === "max" ? Math.max(s, Math.abs(v)) : s + v * v;
        }
        if (norm === "l2") s = Math.sqrt(s);
        for (let c = 0; c < f; c++) out[i * f + c] = s === 0 ? x.data[i * f + c] : x.data[i * f + c] / s;
      }
      return { data: out, shape: [n, f] };
    }
    case "Binarizer": {
      const threshold = num(optionalAttr(state, "threshold") ?? 0, `${what}.threshold`);
      return { data: x.data.map((v) => (v > threshold ? 1 : 0)), shape: [...x.shape] };
    }
    default:
      return null;
  }
}
