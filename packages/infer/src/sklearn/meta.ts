/**
 * Meta-estimators that combine fitted members (scikit-learn 1.2):
 * AdaBoost (SAMME / SAMME.R classifiers, the weighted-median regressor),
 * Bagging (feature subsets per member; probabilities averaged, or votes
 * for members without predict_proba), Voting (hard / soft, weights) and
 * Stacking (the members' stack_method_ outputs into final_estimator_).
 * Members are run through `Members`, so a member can be anything the
 * runner knows (a pipeline, another ensemble).
 */
import { fail } from "@codec/core";
import { NdArray, type PyDict, type PyValue } from "@codec/pickle";
import { hstack } from "./composite.js";
import { calibratedClassifier, oneVsRest } from "./one-vs-rest.js";
import { argmaxRows, classesOf } from "./outputs.js";
import { classifierScores } from "./scores.js";
import { transformedTarget } from "./target-transform.js";
import { attr, classOf, F, items, type Matrix, matrix, num, optionalAttr, samples, shortName, stateOf, str } from "./state.js";

/** How meta-estimators run their members. */
export interface Members {
  /** predict() of a regressor, as float64 [n] (or [n, outputs]). */
  values(estimator: PyValue, x: Matrix, what: string): Matrix;
  /** predict() of a classifier as an index into its own classes_. */
  index(estimator: PyValue, x: Matrix, what: string): Int32Array;
  /** predict_proba() of a classifier, [n, k]; fails for classifiers without one. */
  proba(estimator: PyValue, x: Matrix, what: string): Matrix;
  /** Whether the classifier has predict_proba (Bagging votes otherwise). */
  hasProba(estimator: PyValue): boolean;
}

/** A member's predicted labels as numbers: classes_[index] (members of these ensembles are fitted on encoded labels 0..k-1). */
function memberLabels(m: Members, estimator: PyValue, x: Matrix, what: string): Float64Array {
  const index = m.index(estimator, x, what);
  const labels = matrix(classesOf(stateOf(estimator, what), what), `${what}.classes_`).data;
  return Float64Array.from(index, (i) => labels[i]);
}

/** X[:, features] for a member fitted on a feature subset. */
function columns(x: Matrix, features: PyValue | undefined, what: string): Matrix {
  if (features === undefined || features === null) return x;
  const cols = matrix(features, what).data;
  const [n, f] = x.shape;
  const out = new Float64Array(n * cols.length);
  for (const c of cols) if (!(c >= 0 && c < f)) fail("CORRUPT", F, `${what}: feature ${c} of ${f}`);
  for (let i = 0; i < n; i++) for (let j = 0; j < cols.length; j++) out[i * cols.length + j] = x.data[i * f + cols[j]];
  return { data: out, shape: [n, cols.length] };
}

const EPS = 2.220446049250313e-16; // np.finfo(np.float64).eps, the floor SAMME.R puts under probabilities

/** AdaBoostClassifier.predict via decision_function. */
function adaBoostClassifier(m: Members, state: PyDict, x: Matrix, what: string): Int32Array {
  const members = items(attr(state, "estimators_", what), `${what}.estimators_`);
  const weights = matrix(attr(state, "estimator_weights_", what), `${what}.estimator_weights_`).data;
  const k = num(attr(state, "n_classes_", what), `${what}.n_classes_`);
  const algorithm = str(optionalAttr(state, "algorithm") ?? "SAMME.R", `${what}.algorithm`);
  const { n } = samples(x, null, what);
  const pred = new Float64Array(n * k);
  members.forEach((est, e) => {
    const name = `${what}.estimators_[${e}]`;
    if (algorithm === "SAMME.R") {
      const p = m.proba(est, x, name);
      if (p.shape[1] !== k) fail("UNSUPPORTED", F, `${name} predicts ${p.shape[1]} classes of ${k}`);
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (let c = 0; c < k; c++) sum += Math.log(Math.max(p.data[i * k + c], EPS));
        for (let c = 0; c < k; c++) pred[i * k + c] += (k - 1) * (Math.log(Math.max(p.data[i * k + c], EPS)) - sum / k);
      }
    } else if (algorithm === "SAMME") {
      const index = m.index(est, x, name);
      for (let i = 0; i < n; i++) pred[i * k + index[i]] += weights[e];
    } else fail("UNSUPPORTED", F, `${what}: algorithm '${algorithm}'`);
  });
  let total = 0;
  for (const w of weights) total += w;
  for (let i = 0; i < pred.length; i++) pred[i] /= total;
  if (k === 2) return Int32Array.from({ length: n }, (_, i) => (pred[2 * i + 1] - pred[2 * i] > 0 ? 1 : 0));
  return argmaxRows(pred, n, k);
}

/** AdaBoostRegressor.predict: the weighted median of the members' predictions. */
function adaBoostRegressor(m: Members, state: PyDict, x: Matrix, what: string): Matrix {
  const members = items(attr(state, "estimators_", what), `${what}.estimators_`);
  const weights = matrix(attr(state, "estimator_weights_", what), `${what}.estimator_weights_`).data;
  const { n } = samples(x, null, what);
  const preds = members.map((est, e) => m.values(est, x, `${what}.estimators_[${e}]`).data);
  const out = new Float64Array(n);
  const order = members.map((_, e) => e);
  for (let i = 0; i < n; i++) {
    order.sort((a, b) => preds[a][i] - preds[b][i]);
    let total = 0;
    for (const e of order) total += weights[e];
    let cdf = 0;
    let pick = order[order.length - 1];
    for (const e of order) {
      cdf += weights[e];
      if (cdf >= 0.5 * total) {
        pick = e;
        break;
      }
    }
    out[i] = preds[pick][i];
  }
  return { data: out, shape: [n] };
}

/** BaggingClassifier: mean member probabilities over their feature subsets (votes for members without predict_proba). */
function baggingClassifier(m: Members, state: PyDict, x: Matrix, what: string): Int32Array {
  const members = items(attr(state, "estimators_", what), `${what}.estimators_`);
  const features = items(attr(state, "estimators_features_", what), `${what}.estimators_features_`);
  const k = num(attr(state, "n_classes_", what), `${what}.n_classes_`);
  const { n } = samples(x, null, what);
  const proba = new Float64Array(n * k);
  members.forEach((est, e) => {
    const name = `${what}.estimators_[${e}]`;
    const xs = columns(x, features[e], `${what}.estimators_features_[${e}]`);
    // Members are fitted on encoded labels: their classes_ are column numbers (a subset when a bootstrap missed a class).
    const cls = matrix(classesOf(stateOf(est, name), name), `${name}.classes_`).data;
    if (m.hasProba(est)) {
      const p = m.proba(est, xs, name);
      const kk = p.shape[1];
      for (let i = 0; i < n; i++) for (let c = 0; c < kk; c++) proba[i * k + cls[c]] += p.data[i * kk + c];
    } else {
      const index = m.index(est, xs, name);
      for (let i = 0; i < n; i++) proba[i * k + cls[index[i]]] += 1;
    }
  });
  return argmaxRows(proba, n, k);
}

function baggingRegressor(m: Members, state: PyDict, x: Matrix, what: string): Matrix {
  const members = items(attr(state, "estimators_", what), `${what}.estimators_`);
  const features = items(attr(state, "estimators_features_", what), `${what}.estimators_features_`);
  const { n } = samples(x, null, what);
  const out = new Float64Array(n);
  members.forEach((est, e) => {
    const v = m.values(est, columns(x, features[e], `${what}.estimators_features_[${e}]`), `${what}.estimators_[${e}]`).data;
    for (let i = 0; i < n; i++) out[i] += v[i];
  });
  for (let i = 0; i < n; i++) out[i] /= members.length;
  return { data: out, shape: [n] };
}

/** Voting weights of the fitted members: `weights` without the entries of dropped estimators (None: equal). */
function votingWeights(state: PyDict, count: number, what: string): Float64Array {
  const w = optionalAttr(state, "weights");
  if (w === undefined || w === null) return new Float64Array(count).fill(1);
  const all = matrix(w, `${what}.weights`).data;
  const declared = items(attr(state, "estimators", what), `${what}.estimators`);
  const kept: number[] = [];
  declared.forEach((pair, i) => {
    if (items(pair, `${what}.estimators[${i}]`)[1] !== "drop") kept.push(all[i]);
  });
  if (kept.length !== count) fail("CORRUPT", F, `${what}: ${kept.length} weights for ${count} fitted estimators`);
  return Float64Array.from(kept);
}

function votingClassifier(m: Members, state: PyDict, x: Matrix, what: string): Int32Array {
  const members = items(attr(state, "estimators_", what), `${what}.estimators_`);
  const w = votingWeights(state, members.length, what);
  const encoder = stateOf(attr(state, "le_", what), `${what}.le_`);
  const labels = attr(encoder, "classes_", `${what}.le_`);
  const k = labels instanceof NdArray ? labels.numel : 0;
  const { n } = samples(x, null, what);
  const score = new Float64Array(n * k);
  const voting = str(optionalAttr(state, "voting") ?? "hard", `${what}.voting`);
  members.forEach((est, e) => {
    const name = `${what}.estimators_[${e}]`;
    if (voting === "soft") {
      const p = m.proba(est, x, name);
      if (p.shape[1] !== k) fail("CORRUPT", F, `${name} predicts ${p.shape[1]} classes of ${k}`);
      for (let i = 0; i < n * k; i++) score[i] += w[e] * p.data[i];
    } else {
      const v = memberLabels(m, est, x, name);
      for (let i = 0; i < n; i++) score[i * k + v[i]] += w[e];
    }
  });
  // le_.classes_ is classes_.
  return argmaxRows(score, n, k);
}

function votingRegressor(m: Members, state: PyDict, x: Matrix, what: string): Matrix {
  const members = items(attr(state, "estimators_", what), `${what}.estimators_`);
  const w = votingWeights(state, members.length, what);
  const { n } = samples(x, null, what);
  const out = new Float64Array(n);
  let total = 0;
  members.forEach((est, e) => {
    const v = m.values(est, x, `${what}.estimators_[${e}]`).data;
    for (let i = 0; i < n; i++) out[i] += w[e] * v[i];
    total += w[e];
  });
  for (let i = 0; i < n; i++) out[i] /= total;
  return { data: out, shape: [n] };
}

/** The stacked features: each member's stack_method_ output (binary probabilities without their first column), then X with passthrough. */
function stackedFeatures(m: Members, state: PyDict, x: Matrix, classes: number, what: string): Matrix {
  const members = items(attr(state, "estimators_", what), `${what}.estimators_`).filter((e) => e !== "drop");
  const methods = items(attr(state, "stack_method_", what), `${what}.stack_method_`).map((s, i) => str(s, `${what}.stack_method_[${i}]`));
  const { n } = samples(x, null, what);
  const blocks: Matrix[] = [];
  members.forEach((est, e) => {
    const name = `${what}.estimators_[${e}]`;
    const method = methods[e];
    if (method === "predict_proba") {
      const p = m.proba(est, x, name);
      blocks.push(classes === 2 ? columns(p, [1], name) : p);
    } else if (method === "decision_function") {
      const kind = shortName(classOf(est) ?? "");
      const scores = classifierScores(kind, stateOf(est, name), est, x, name);
      if (scores === null || scores.kind === "proba" || scores.kind === "votes") fail("UNSUPPORTED", F, `${name}: decision_function of ${kind}`);
      else blocks.push(scores.m);
    } else if (method === "predict") {
      blocks.push(classes > 0 ? { data: memberLabels(m, est, x, name), shape: [n] } : m.values(est, x, name));
    } else fail("UNSUPPORTED", F, `${what}: stack method '${method}'`);
  });
  if (optionalAttr(state, "passthrough") === true) blocks.push(x);
  return hstack(blocks, n);
}

function stackingClassifier(m: Members, state: PyDict, x: Matrix, what: string): Int32Array {
  const encoder = stateOf(attr(state, "_label_encoder", what), `${what}._label_encoder`);
  const labels = attr(encoder, "classes_", `${what}._label_encoder`);
  const k = labels instanceof NdArray ? labels.numel : 0;
  const meta = stackedFeatures(m, state, x, k, what);
  const final = attr(state, "final_estimator_", what);
  const v = memberLabels(m, final, meta, `${what}.final_estimator_`);
  for (const c of v) if (!(c >= 0 && c < k)) fail("CORRUPT", F, `${what}: final estimator predicted class ${c} of ${k}`);
  // _label_encoder.classes_ is classes_.
  return Int32Array.from(v);
}

function stackingRegressor(m: Members, state: PyDict, x: Matrix, what: string): Matrix {
  return m.values(attr(state, "final_estimator_", what), stackedFeatures(m, state, x, 0, what), `${what}.final_estimator_`);
}

/** predict() of a meta-classifier as an index into its classes_, or null when `kind` is none. */
export function metaClassifier(kind: string, m: Members, state: PyDict, x: Matrix, what: string): Int32Array | null {
  switch (kind) {
    case "AdaBoostClassifier":
      return adaBoostClassifier(m, state, x, what);
    case "BaggingClassifier":
      return baggingClassifier(m, state, x, what);
    case "VotingClassifier":
      return votingClassifier(m, state, x, what);
    case "StackingClassifier":
      return stackingClassifier(m, state, x, what);
    case "OneVsRestClassifier":
      return oneVsRest(m, state, x, what);
    case "CalibratedClassifierCV":
      return calibratedClassifier(m, state, x, what);
    default:
      return null;
  }
}

/** predict() of a meta-regressor, or null when `kind` is none. */
export function metaRegressor(kind: string, m: Members, state: PyDict, x: Matrix, what: string): Matrix | null {
  switch (kind) {
    case "AdaBoostRegressor":
      return adaBoostRegressor(m, state, x, what);
    case "BaggingRegressor":
      return baggingRegressor(m, state, x, what);
    case "VotingRegressor":
      return votingRegressor(m, state, x, what);
    case "StackingRegressor":
      return stackingRegressor(m, state, x, what);
    case "TransformedTargetRegressor":
      return transformedTarget(m, state, x, what);
    default:
      return null;
  }
}
