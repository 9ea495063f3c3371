/**
 * OneVsRestClassifier.predict and CalibratedClassifierCV.predict
 * (scikit-learn 1.2): classifiers built from one binary member per class.
 * One-vs-rest takes, per sample, the member with the highest score
 * (decision_function where the member has one, else the positive
 * probability; on ties the later member); calibration maps each member's
 * scores through its fitted sigmoid or isotonic calibrator, normalizes,
 * and averages over the cross-validation folds.
 */
import { fail } from "@codec/core";
import type { PyDict, PyValue } from "@codec/pickle";
import type { Members } from "./meta.js";
import { argmaxRows } from "./outputs.js";
import { classifierScores } from "./scores.js";
import { attr, classOf, F, items, type Matrix, matrix, num, optionalAttr, samples, shortName, stateOf, str } from "./state.js";

/**
 * scikit-learn's `_predict_binary` / calibration input: the member's
 * decision_function where it has one (linear models, boosting, LDA, QDA),
 * else predict_proba, as [n, columns] (one column for a binary member).
 */
function memberScores(m: Members, estimator: PyValue, x: Matrix, what: string): { s: Matrix; decision: boolean } {
  const kind = shortName(classOf(estimator) ?? "");
  const scores = kind === "Pipeline" ? null : classifierScores(kind, stateOf(estimator, what), estimator, x, what);
  const n = x.shape[0];
  if (scores !== null && (scores.kind === "decision" || scores.kind === "logit" || scores.kind === "ovr")) {
    return { s: scores.m.shape.length === 1 ? { data: scores.m.data, shape: [n, 1] } : scores.m, decision: true };
  }
  if (scores !== null && kind === "QuadraticDiscriminantAnalysis" && scores.m.shape[1] === 2) {
    return { s: { data: Float64Array.from({ length: n }, (_, i) => scores.m.data[2 * i + 1] - scores.m.data[2 * i]), shape: [n, 1] }, decision: true };
  }
  const p = m.proba(estimator, x, what);
  const k = p.shape[1];
  if (k === 2) return { s: { data: Float64Array.from({ length: n }, (_, i) => p.data[2 * i + 1]), shape: [n, 1] }, decision: false };
  return { s: p, decision: false };
}

/** OneVsRestClassifier: an index into classes_. */
export function oneVsRest(m: Members, state: PyDict, x: Matrix, what: string): Int32Array {
  const members = items(attr(state, "estimators_", what), `${what}.estimators_`);
  const binarizer = stateOf(attr(state, "label_binarizer_", what), `${what}.label_binarizer_`);
  const type = str(attr(binarizer, "y_type_", `${what}.label_binarizer_`), `${what}.label_binarizer_.y_type_`);
  const { n } = samples(x, null, what);
  if (type === "binary") {
    // One member for the positive class: decision values against 0, probabilities against 0.5.
    const { s, decision } = memberScores(m, members[0], x, `${what}.estimators_[0]`);
    const threshold = decision ? 0 : 0.5;
    return Int32Array.from({ length: n }, (_, i) => (s.data[i] > threshold ? 1 : 0));
  }
  if (type !== "multiclass") return fail("UNSUPPORTED", F, `${what}: ${type} targets`);
  const best = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  const out = new Int32Array(n);
  members.forEach((est, e) => {
    const { s } = memberScores(m, est, x, `${what}.estimators_[${e}]`);
    for (let i = 0; i < n; i++) {
      const v = s.data[i * s.shape[1] + (s.shape[1] - 1)];
      if (v >= best[i]) {
        best[i] = v;
        out[i] = e;
      }
    }
  });
  return out;
}

/** np.interp over increasing xs: clamped at both ends. */
function interpolate(xs: Float64Array, ys: Float64Array, v: number): number {
  if (v <= xs[0]) return ys[0];
  if (v >= xs[xs.length - 1]) return ys[ys.length - 1];
  let lo = 0;
  let hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= v) lo = mid;
    else hi = mid;
  }
  const t = (v - xs[lo]) / (xs[hi] - xs[lo]);
  return ys[lo] + t * (ys[hi] - ys[lo]);
}

function calibrate(calibrator: PyValue, v: Float64Array, what: string): Float64Array {
  const kind = shortName(classOf(calibrator) ?? "");
  const s = stateOf(calibrator, what);
  if (kind === "_SigmoidCalibration") {
    const a = num(attr(s, "a_", what), `${what}.a_`);
    const b = num(attr(s, "b_", what), `${what}.b_`);
    return v.map((t) => 1 / (1 + Math.exp(a * t + b)));
  }
  if (kind === "IsotonicRegression") {
    const xs = matrix(attr(s, "X_thresholds_", what), `${what}.X_thresholds_`).data;
    const ys = matrix(attr(s, "y_thresholds_", what), `${what}.y_thresholds_`).data;
    if (xs.length === 0 || xs.length !== ys.length) fail("CORRUPT", F, `${what}: ${xs.length} thresholds and ${ys.length} values`);
    if (optionalAttr(s, "out_of_bounds") === "nan") fail("UNSUPPORTED", F, `${what}: out_of_bounds='nan'`);
    return v.map((t) => (xs.length === 1 ? ys[0] : interpolate(xs, ys, t)));
  }
  return fail("UNSUPPORTED", F, `${what}: a ${kind} calibrator`);
}

/** CalibratedClassifierCV: classes_ index of the mean calibrated probability. */
export function calibratedClassifier(m: Members, state: PyDict, x: Matrix, what: string): Int32Array {
  const folds = items(attr(state, "calibrated_classifiers_", what), `${what}.calibrated_classifiers_`);
  const k = matrix(attr(state, "classes_", what), `${what}.classes_`).data.length;
  const { n } = samples(x, null, what);
  const mean = new Float64Array(n * k);
  folds.forEach((fold, q) => {
    const name = `${what}.calibrated_classifiers_[${q}]`;
    const s = stateOf(fold, name);
    const estimator = optionalAttr(s, "estimator") ?? attr(s, "base_estimator", name);
    const calibrators = items(attr(s, "calibrators", name), `${name}.calibrators`);
    const { s: scores } = memberScores(m, estimator, x, `${name}.estimator`);
    // The member's own classes_ (column c of its scores) are positions in classes_.
    const own = matrix(attr(stateOf(estimator, name), "classes_", name), `${name}.estimator.classes_`).data;
    const all = matrix(attr(state, "classes_", what), `${what}.classes_`).data;
    const proba = new Float64Array(n * k);
    calibrators.forEach((cal, c) => {
      let target = all.indexOf(own[c]);
      if (target < 0) fail("CORRUPT", F, `${name}: class ${own[c]} is not in classes_`);
      if (k === 2) target += 1;
      const col = Float64Array.from({ length: n }, (_, i) => scores.data[i * scores.shape[1] + c]);
      const p = calibrate(cal, col, `${name}.calibrators[${c}]`);
      for (let i = 0; i < n; i++) proba[i * k + target] = p[i];
    });
    for (let i = 0; i < n; i++) {
      if (k === 2) proba[i * 2] = 1 - proba[i * 2 + 1];
      else {
        let sum = 0;
        for (let c = 0; c < k; c++) sum += proba[i * k + c];
        for (let c = 0; c < k; c++) proba[i * k + c] = sum === 0 ? 1 / k : proba[i * k + c] / sum;
      }
      for (let c = 0; c < k; c++) {
        const v = proba[i * k + c];
        if (v > 1 && v <= 1 + 1e-5) proba[i * k + c] = 1;
        mean[i * k + c] += proba[i * k + c];
      }
    }
  });
  for (let i = 0; i < mean.length; i++) mean[i] /= folds.length;
  return argmaxRows(mean, n, k);
}
