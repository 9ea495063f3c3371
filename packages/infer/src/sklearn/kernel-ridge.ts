/**
 * KernelRidge.predict (scikit-learn 1.2): K(X, X_fit_) . dual_coef_, the
 * kernel from sklearn.metrics.pairwise with gamma defaulting to
 * 1 / n_features (rbf, laplacian, poly, sigmoid), degree 3 and coef0 1.
 */
import { fail } from "@codec/core";
import type { PyDict } from "@codec/pickle";
import { attr, F, type Matrix, matrix, num, optionalAttr, samples, str } from "./state.js";
import { kernelFunction } from "./svm.js";

export function kernelRidge(state: PyDict, x: Matrix, what: string): Matrix {
  const fit = matrix(attr(state, "X_fit_", what), `${what}.X_fit_`);
  const coef = matrix(attr(state, "dual_coef_", what), `${what}.dual_coef_`);
  const [m, f] = fit.shape;
  const { n } = samples(x, f, what);
  const params = optionalAttr(state, "kernel_params");
  if (params !== undefined && params !== null) fail("UNSUPPORTED", F, `${what} with kernel_params`);
  const kernelName = optionalAttr(state, "kernel") ?? "linear";
  if (typeof kernelName !== "string") return fail("UNSUPPORTED", F, `${what}: a callable kernel`);
  const gammaValue = optionalAttr(state, "gamma");
  const gamma = gammaValue === undefined || gammaValue === null ? 1 / f : num(gammaValue, `${what}.gamma`);
  const kernel = kernelFunction(str(kernelName, `${what}.kernel`), gamma, num(optionalAttr(state, "coef0") ?? 1, `${what}.coef0`), num(optionalAttr(state, "degree") ?? 3, `${what}.degree`), what);
  const outputs = coef.shape.length === 2 ? coef.shape[1] : 1;
  if (coef.shape[0] !== m) fail("CORRUPT", F, `${what}: ${coef.shape[0]} dual coefficients for ${m} training rows`);
  const out = new Float64Array(n * outputs);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const k = kernel(x.data, i * f, fit.data, j * f, f);
      for (let o = 0; o < outputs; o++) out[i * outputs + o] += k * coef.data[j * outputs + o];
    }
  }
  return { data: out, shape: coef.shape.length === 2 ? [n, outputs] : [n] };
}
