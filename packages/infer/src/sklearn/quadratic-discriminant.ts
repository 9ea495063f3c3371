/**
 * QuadraticDiscriminantAnalysis's decision function (scikit-learn 1.2
 * `_decision_function`): per class, the squared norm of
 * (x - means_[c]) . rotations_[c] * scalings_[c]^-1/2, plus the log
 * determinant, as -0.5 * (norm2 + sum(log scalings)) + log(priors).
 */
import { fail } from "@codec/core";
import type { PyDict } from "@codec/pickle";
import { attr, F, items, type Matrix, matrix, samples } from "./state.js";

export function quadraticDiscriminant(state: PyDict, x: Matrix, what: string): Matrix {
  const means = matrix(attr(state, "means_", what), `${what}.means_`);
  const priors = matrix(attr(state, "priors_", what), `${what}.priors_`).data;
  const rotations = items(attr(state, "rotations_", what), `${what}.rotations_`).map((r, c) => matrix(r, `${what}.rotations_[${c}]`));
  const scalings = items(attr(state, "scalings_", what), `${what}.scalings_`).map((s, c) => matrix(s, `${what}.scalings_[${c}]`).data);
  const [k, f] = means.shape;
  const { n } = samples(x, f, what);
  if (rotations.length !== k || scalings.length !== k || priors.length !== k) fail("CORRUPT", F, `${what}: ${k} classes but ${rotations.length} rotations, ${scalings.length} scalings, ${priors.length} priors`);
  const out = new Float64Array(n * k);
  const centered = new Float64Array(f);
  for (let c = 0; c < k; c++) {
    const r = rotations[c];
    const s = scalings[c];
    const rank = r.shape[1];
    if (r.shape[0] !== f || s.length !== rank) fail("CORRUPT", F, `${what}: rotation [${r.shape}] and ${s.length} scalings for ${f} features`);
    let logDet = 0;
    for (const v of s) logDet += Math.log(v);
    const logPrior = Math.log(priors[c]);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < f; j++) centered[j] = x.data[i * f + j] - means.data[c * f + j];
      let norm2 = 0;
      for (let q = 0; q < rank; q++) {
        let v = 0;
        for (let j = 0; j < f; j++) v += centered[j] * r.data[j * rank + q];
        v *= s[q] ** -0.5;
        norm2 += v * v;
      }
      out[i * k + c] = -0.5 * (norm2 + logDet) + logPrior;
    }
  }
  return { data: out, shape: [n, k] };
}
