/**
 * GaussianMixture.predict (scikit-learn 1.2):
 * the component with the largest weighted log probability, from
 * means_, weights_ and precisions_cholesky_ for each covariance_type
 * (full, tied, diag, spherical), as _estimate_log_gaussian_prob computes
 * it. Labels are int64.
 */
import { fail, Tensor } from "@codec/core";
import type { PyDict } from "@codec/pickle";
import { argmaxRows } from "./outputs.js";
import { attr, F, type Matrix, matrix, optionalAttr, samples, str } from "./state.js";

export function gaussianMixture(state: PyDict, x: Matrix, what: string): Tensor {
  const means = matrix(attr(state, "means_", what), `${what}.means_`);
  const weights = matrix(attr(state, "weights_", what), `${what}.weights_`).data;
  const chol = matrix(attr(state, "precisions_cholesky_", what), `${what}.precisions_cholesky_`);
  const type = str(optionalAttr(state, "covariance_type") ?? "full", `${what}.covariance_type`);
  const [k, f] = means.shape;
  const { n } = samples(x, f, what);
  const log = new Float64Array(n * k);
  const constant = f * Math.log(2 * Math.PI);
  const y = new Float64Array(f);
  for (let c = 0; c < k; c++) {
    // The precision Cholesky factor of component c: [f, f] (full, tied), [f] (diag) or a scalar (spherical).
    let logDet = 0;
    if (type === "full" || type === "tied") {
      const base = type === "full" ? c * f * f : 0;
      if (chol.data.length < base + f * f) fail("CORRUPT", F, `${what}: precisions_cholesky_ of shape [${chol.shape}]`);
      for (let j = 0; j < f; j++) logDet += Math.log(chol.data[base + j * f + j]);
      for (let i = 0; i < n; i++) {
        // y = (x - mean) . P, P upper-triangular from numpy's Cholesky of the precision.
        let s = 0;
        for (let q = 0; q < f; q++) {
          let v = 0;
          for (let j = 0; j < f; j++) v += (x.data[i * f + j] - means.data[c * f + j]) * chol.data[base + j * f + q];
          y[q] = v;
          s += v * v;
        }
        log[i * k + c] = -0.5 * (constant + s) + logDet + Math.log(weights[c]);
      }
    } else if (type === "diag" || type === "spherical") {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < f; j++) {
          const p = type === "diag" ? chol.data[c * f + j] : chol.data[c];
          const d = (x.data[i * f + j] - means.data[c * f + j]) * p;
          s += d * d;
        }
        log[i * k + c] = s;
      }
      if (type === "diag") for (let j = 0; j < f; j++) logDet += Math.log(chol.data[c * f + j]);
      else logDet = f * Math.log(chol.data[c]);
      for (let i = 0; i < n; i++) log[i * k + c] = -0.5 * (constant + log[i * k + c]) + logDet + Math.log(weights[c]);
    } else fail("UNSUPPORTED", F, `${what}: covariance_type '${type}'`);
  }
  const labels = argmaxRows(log, n, k);
  const out = BigInt64Array.from(labels, (v) => BigInt(v));
  return new Tensor({ dtype: "int64", shape: [n], data: new Uint8Array(out.buffer) });
}
