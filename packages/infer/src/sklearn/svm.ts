/**
 * Kernel SVMs (SVC, NuSVC, SVR, NuSVR) as libsvm predicts them, from the
 * attributes scikit-learn keeps for it: `support_vectors_`, `_dual_coef_`,
 * `_intercept_` (libsvm's -rho, not the sign-flipped public `intercept_`),
 * `_n_support`, `_gamma`. Classification is libsvm's one-vs-one vote: for
 * classes i < j the decision is sum_k coef * K(sv_k, x) + intercept, class
 * i wins when it is positive, and the first class with the most votes is
 * the prediction.
 */
import { fail } from "@codec/core";
import type { PyDict } from "@codec/pickle";
import { attr, F, type Matrix, matrix, num, optionalAttr, samples, str } from "./state.js";

export type Kernel = (a: Float64Array, ai: number, b: Float64Array, bi: number, f: number) => number;

function kernelOf(state: PyDict, what: string): Kernel {
  const kernel = str(attr(state, "kernel", what), `${what}.kernel`);
  const gamma = num(optionalAttr(state, "_gamma") ?? attr(state, "gamma", what), `${what}._gamma`);
  const coef0 = num(optionalAttr(state, "coef0") ?? 0, `${what}.coef0`);
  const degree = num(optionalAttr(state, "degree") ?? 3, `${what}.degree`);
  return kernelFunction(kernel, gamma, coef0, degree, what);
}

/** scikit-learn's pairwise kernels by name (linear, rbf, poly, sigmoid, laplacian, cosine), with their parameters resolved. */
export function kernelFunction(kernel: string, gamma: number, coef0: number, degree: number, what: string): Kernel {
  const dot = (a: Float64Array, ai: number, b: Float64Array, bi: number, f: number) => {
    let s = 0;
    for (let c = 0; c < f; c++) s += a[ai + c] * b[bi + c];
    return s;
  };
  switch (kernel) {
    case "linear":
      return dot;
    case "rbf":
      return (a, ai, b, bi, f) => {
        let s = 0;
        for (let c = 0; c < f; c++) {
          const d = a[ai + c] - b[bi + c];
          s += d * d;
        }
        return Math.exp(-gamma * s);
      };
    case "poly":
      return (a, ai, b, bi, f) => (gamma * dot(a, ai, b, bi, f) + coef0) ** degree;
    case "sigmoid":
      return (a, ai, b, bi, f) => Math.tanh(gamma * dot(a, ai, b, bi, f) + coef0);
    case "laplacian":
      return (a, ai, b, bi, f) => {
        let s = 0;
        for (let c = 0; c < f; c++) s += Math.abs(a[ai + c] - b[bi + c]);
        return Math.exp(-gamma * s);
      };
    case "cosine":
      return (a, ai, b, bi, f) => {
        const na = Math.sqrt(dot(a, ai, a, ai, f));
        const nb = Math.sqrt(dot(b, bi, b, bi, f));
        return na === 0 || nb === 0 ? 0 : dot(a, ai, b, bi, f) / (na * nb);
      };
    default:
      return fail("UNSUPPORTED", F, `${what}: kernel '${kernel}'`);
  }
}

/** K(sv_k, x_i) for every support vector k and sample i: [n, nSV]. */
function kernelMatrix(state: PyDict, x: Matrix, what: string): { k: Float64Array; nsv: number; n: number } {
  const sv = matrix(attr(state, "support_vectors_", what), `${what}.support_vectors_`);
  const [nsv, f] = sv.shape;
  const { n } = samples(x, f, what);
  const kernel = kernelOf(state, what);
  const k = new Float64Array(n * nsv);
  for (let i = 0; i < n; i++) for (let s = 0; s < nsv; s++) k[i * nsv + s] = kernel(x.data, i * f, sv.data, s * f, f);
  return { k, nsv, n };
}

/** SVR / NuSVR (and OneClassSVM's decision function): sum_k coef_k K(sv_k, x) + intercept. */
export function svmRegress(state: PyDict, x: Matrix, what: string): Matrix {
  const { k, nsv, n } = kernelMatrix(state, x, what);
  const coef = matrix(optionalAttr(state, "_dual_coef_") ?? attr(state, "dual_coef_", what), `${what}._dual_coef_`).data;
  const b = matrix(optionalAttr(state, "_intercept_") ?? attr(state, "intercept_", what), `${what}._intercept_`).data[0];
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b;
    for (let j = 0; j < nsv; j++) s += coef[j] * k[i * nsv + j];
    out[i] = s;
  }
  return { data: out, shape: [n] };
}

/** SVC / NuSVC: the index into classes_ that libsvm's one-vs-one vote picks, per sample. */
export function svmClassify(state: PyDict, x: Matrix, what: string): Int32Array {
  const { k, nsv, n } = kernelMatrix(state, x, what);
  const coef = matrix(optionalAttr(state, "_dual_coef_") ?? attr(state, "dual_coef_", what), `${what}._dual_coef_`);
  const intercept = matrix(optionalAttr(state, "_intercept_") ?? attr(state, "intercept_", what), `${what}._intercept_`).data;
  const counts = matrix(optionalAttr(state, "_n_support") ?? attr(state, "n_support_", what), `${what}._n_support`).data;
  const classes = counts.length;
  if (coef.shape[0] !== classes - 1 || coef.shape[1] !== nsv) fail("CORRUPT", F, `${what}: dual coefficients of shape [${coef.shape}] for ${classes} classes and ${nsv} support vectors`);
  const start = new Int32Array(classes);
  for (let c = 1; c < classes; c++) start[c] = start[c - 1] + counts[c - 1];
  const out = new Int32Array(n);
  const votes = new Int32Array(classes);
  for (let s = 0; s < n; s++) {
    votes.fill(0);
    let pair = 0;
    for (let i = 0; i < classes; i++) {
      for (let j = i + 1; j < classes; j++, pair++) {
        let d = intercept[pair];
        for (let q = 0; q < counts[i]; q++) d += coef.data[(j - 1) * nsv + start[i] + q] * k[s * nsv + start[i] + q];
        for (let q = 0; q < counts[j]; q++) d += coef.data[i * nsv + start[j] + q] * k[s * nsv + start[j] + q];
        votes[d > 0 ? i : j]++;
      }
    }
    let best = 0;
    for (let c = 1; c < classes; c++) if (votes[c] > votes[best]) best = c;
    out[s] = best;
  }
  return out;
}
