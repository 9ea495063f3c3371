/**
 * Naive Bayes joint log likelihoods (scikit-learn's `_joint_log_likelihood`),
 * [n, n_classes]: predict() is their argmax, predict_proba() their softmax.
 */
import type { PyDict } from "@codec/pickle";
import { attr, type Matrix, matrix, num, optionalAttr, samples } from "./state.js";

/** GaussianNB: log prior plus the Gaussian log density of each feature. */
export function gaussianLogLikelihood(state: PyDict, x: Matrix, what: string): Matrix {
  const theta = matrix(attr(state, "theta_", what), `${what}.theta_`);
  const variance = matrix(optionalAttr(state, "var_") ?? attr(state, "sigma_", what), `${what}.var_`).data;
  const prior = matrix(attr(state, "class_prior_", what), `${what}.class_prior_`).data;
  const [k, f] = theta.shape;
  const { n } = samples(x, f, what);
  const jll = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let s = Math.log(prior[c]);
      for (let j = 0; j < f; j++) {
        const v = variance[c * f + j];
        const d = x.data[i * f + j] - theta.data[c * f + j];
        s -= 0.5 * Math.log(2 * Math.PI * v) + (d * d) / (2 * v);
      }
      jll[i * k + c] = s;
    }
  }
  return { data: jll, shape: [n, k] };
}

/**
 * MultinomialNB / ComplementNB (X . feature_log_prob_^T, plus the class
 * log prior; ComplementNB adds it only with a single class) and
 * BernoulliNB (binarized X, with the log of 1 - p for absent features).
 */
export function discreteLogLikelihood(kind: string, state: PyDict, x: Matrix, what: string): Matrix {
  const flp = matrix(attr(state, "feature_log_prob_", what), `${what}.feature_log_prob_`);
  const prior = matrix(attr(state, "class_log_prior_", what), `${what}.class_log_prior_`).data;
  const [k, f] = flp.shape;
  const { n } = samples(x, f, what);
  let xs = x.data;
  let neg: Float64Array | null = null;
  if (kind === "BernoulliNB") {
    const threshold = optionalAttr(state, "binarize");
    if (threshold !== null && threshold !== undefined) {
      const t = num(threshold, `${what}.binarize`);
      xs = x.data.map((v) => (v > t ? 1 : 0));
    }
    neg = flp.data.map((v) => Math.log(1 - Math.exp(v)));
  }
  const addPrior = kind !== "ComplementNB" || k === 1;
  const jll = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let s = addPrior ? prior[c] : 0;
      for (let j = 0; j < f; j++) {
        const v = xs[i * f + j];
        s += neg === null ? v * flp.data[c * f + j] : v * (flp.data[c * f + j] - neg[c * f + j]) + neg[c * f + j];
      }
      jll[i * k + c] = s;
    }
  }
  return { data: jll, shape: [n, k] };
}
