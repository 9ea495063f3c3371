/**
 * Linear models: decision = X @ coef_.T + intercept_ (scikit-learn's
 * LinearModel._decision_function / LinearClassifierMixin). Regressors
 * return it; classifiers pick classes_ by its sign (one column) or argmax.
 */
import type { PyDict } from "@codec/pickle";
import { attr, type Matrix, matrix, optionalAttr, samples } from "./state.js";

/** X @ coef.T + intercept as [n, k] (k = rows of a 2-D coef_, 1 for a 1-D one). */
export function linearDecision(x: Matrix, state: PyDict, what: string): Matrix {
  const coef = matrix(attr(state, "coef_", what), `${what}.coef_`);
  const k = coef.shape.length === 2 ? coef.shape[0] : 1;
  const f = coef.shape.length === 2 ? coef.shape[1] : coef.shape[0];
  const { n } = samples(x, f, what);
  const interceptValue = optionalAttr(state, "intercept_");
  const intercept = interceptValue === undefined ? new Float64Array(k) : matrix(interceptValue, `${what}.intercept_`).data;
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      let s = intercept.length === 1 ? intercept[0] : intercept[j];
      const row = i * f;
      const w = j * f;
      for (let c = 0; c < f; c++) s += x.data[row + c] * coef.data[w + c];
      out[i * k + j] = s;
    }
  }
  // A 1-D coef_ (single-target regressors) predicts a 1-D result.
  return { data: out, shape: coef.shape.length === 2 ? [n, k] : [n] };
}
