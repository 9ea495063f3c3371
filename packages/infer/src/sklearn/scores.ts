/**
 * Classifiers' per-class scores: what predict() takes the argmax of and
 * predict_proba() normalizes, for every classifier this runner knows. The
 * meta-estimators (meta.ts) combine their members through these.
 */
import { fail } from "@codec/core";
import { NdArray, type PyDict, type PyValue } from "@codec/pickle";
import { forest, gradientBoostingRaw } from "./ensemble.js";
import { histGradientBoostingRaw } from "./hist-gradient-boosting.js";
import { linearDecision } from "./linear.js";
import { mlpForward } from "./mlp.js";
import { discreteLogLikelihood, gaussianLogLikelihood } from "./naive-bayes.js";
import { kNeighbors, nearestCentroid } from "./neighbors.js";
import { argmaxRows, classesOf, decisionIndex } from "./outputs.js";
import { quadraticDiscriminant } from "./quadratic-discriminant.js";
import { attr, classOf, F, type Matrix, matrix, optionalAttr, samples, shortName, stateOf, str } from "./state.js";
import { svmClassify } from "./svm.js";
import { treeOf, treeProba } from "./tree.js";

/**
 * How to read a score matrix ([n, k], or [n] / [n, 1] for a binary decision):
 * - proba: probabilities already;
 * - votes: non-negative weights, normalized per row;
 * - log: log-probabilities up to a per-row constant (softmax);
 * - logit: binary -> sigmoid, k classes -> softmax (logistic and boosting losses);
 * - ovr: binary -> sigmoid, k classes -> sigmoid each, normalized (one-vs-rest);
 * - decision: margins only, no probabilities.
 */
export type ScoreKind = "proba" | "votes" | "log" | "logit" | "ovr" | "decision";

export interface Scores {
  m: Matrix;
  kind: ScoreKind;
}

export const LINEAR_CLASSIFIERS = new Set(["LinearDiscriminantAnalysis", "LogisticRegression", "LogisticRegressionCV", "SGDClassifier", "LinearSVC", "RidgeClassifier", "RidgeClassifierCV", "Perceptron", "PassiveAggressiveClassifier"]);

function classCount(state: PyDict, what: string): number {
  const c = classesOf(state, what);
  return c instanceof NdArray ? c.numel : 0;
}

/** LogisticRegression's predict_proba rule (scikit-learn 1.2): one-vs-rest or multinomial. */
function logisticKind(state: PyDict, d: Matrix, what: string): Scores {
  const multi = str(optionalAttr(state, "multi_class") ?? "auto", `${what}.multi_class`);
  const solver = str(optionalAttr(state, "solver") ?? "lbfgs", `${what}.solver`);
  const classes = classCount(state, what);
  const ovr = multi === "ovr" || multi === "warn" || (multi === "auto" && (classes <= 2 || solver === "liblinear"));
  const k = d.shape.length === 2 ? d.shape[1] : 1;
  if (ovr || k > 1) return { m: d, kind: ovr ? "ovr" : "log" };
  // Binary multinomial: softmax over [-d, d].
  const n = d.shape[0];
  const two = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    two[2 * i] = -d.data[i];
    two[2 * i + 1] = d.data[i];
  }
  return { m: { data: two, shape: [n, 2] }, kind: "log" };
}

function dummyScores(state: PyDict, x: Matrix, what: string): Scores {
  const strategy = str(optionalAttr(state, "strategy") ?? "prior", `${what}.strategy`);
  if (strategy !== "prior" && strategy !== "most_frequent") fail("UNSUPPORTED", F, `${what}: strategy '${strategy}' (random or constant predictions)`);
  const prior = matrix(attr(state, "class_prior_", what), `${what}.class_prior_`).data;
  const n = x.shape[0];
  const k = prior.length;
  const best = argmaxRows(prior, 1, k)[0];
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    if (strategy === "prior") out.set(prior, i * k);
    else out[i * k + best] = 1;
  }
  return { m: { data: out, shape: [n, k] }, kind: "proba" };
}

/** The scores of a classifier of class `kind`, or null when it has none (index-only classifiers, or not a classifier). */
export function classifierScores(kind: string, state: PyDict, estimator: PyValue, x: Matrix, what: string): Scores | null {
  if (LINEAR_CLASSIFIERS.has(kind)) {
    const d = linearDecision(x, state, what);
    if (kind === "LogisticRegression" || kind === "LogisticRegressionCV") return logisticKind(state, d, what);
    if (kind === "LinearDiscriminantAnalysis") return { m: d, kind: "logit" };
    const loss = str(optionalAttr(state, "loss") ?? "", `${what}.loss`);
    if (kind === "SGDClassifier" && (loss === "log_loss" || loss === "log")) return { m: d, kind: "ovr" };
    return { m: d, kind: "decision" };
  }
  switch (kind) {
    case "DecisionTreeClassifier":
    case "ExtraTreeClassifier": {
      const t = treeOf(estimator, what);
      const { n, f } = samples(x, null, what);
      const proba = new Float64Array(n * t.classes);
      treeProba(t, x, n, f, proba);
      return { m: { data: proba, shape: [n, t.classes] }, kind: "proba" };
    }
    case "RandomForestClassifier":
    case "ExtraTreesClassifier":
      return { m: forest(state, x, true, what), kind: "proba" };
    case "GradientBoostingClassifier":
      return { m: gradientBoostingRaw(state, x, what), kind: "logit" };
    case "HistGradientBoostingClassifier": {
      const { raw, k } = histGradientBoostingRaw(state, x, what);
      return { m: { data: raw, shape: k === 1 ? [raw.length] : [raw.length / k, k] }, kind: "logit" };
    }
    case "MLPClassifier": {
      const out = mlpForward(state, x, what);
      const k = out.shape[1];
      if (k === 1) {
        const n = out.shape[0];
        const two = new Float64Array(2 * n);
        for (let i = 0; i < n; i++) {
          two[2 * i] = 1 - out.data[i];
          two[2 * i + 1] = out.data[i];
        }
        return { m: { data: two, shape: [n, 2] }, kind: "proba" };
      }
      if (str(attr(state, "out_activation_", what), `${what}.out_activation_`) !== "softmax") fail("UNSUPPORTED", F, `${what}: multilabel output`);
      return { m: out, kind: "proba" };
    }
    case "KNeighborsClassifier":
      return { m: kNeighbors(state, x, true, what), kind: "votes" };
    case "GaussianNB":
      return { m: gaussianLogLikelihood(state, x, what), kind: "log" };
    case "MultinomialNB":
    case "BernoulliNB":
    case "ComplementNB":
      return { m: discreteLogLikelihood(kind, state, x, what), kind: "log" };
    case "QuadraticDiscriminantAnalysis":
      return { m: quadraticDiscriminant(state, x, what), kind: "log" };
    case "DummyClassifier":
      return dummyScores(state, x, what);
    default:
      return null;
  }
}

/** Classifiers that give an index into classes_ without scores. */
function indexOnly(kind: string, state: PyDict, x: Matrix, what: string): Int32Array | null {
  switch (kind) {
    case "SVC":
    case "NuSVC":
      if (optionalAttr(state, "break_ties") === true) return fail("UNSUPPORTED", F, `${what} with break_ties=True`);
      return svmClassify(state, x, what);
    case "NearestCentroid":
      return nearestCentroid(state, x, what);
    default:
      return null;
  }
}

/** The predicted index into classes_ per sample, or null when `estimator` is not a classifier known here. */
export function classifierIndex(estimator: PyValue, x: Matrix, what: string): Int32Array | null {
  const kind = shortName(classOf(estimator) ?? "");
  const state = stateOf(estimator, what);
  const scores = classifierScores(kind, state, estimator, x, what);
  if (scores !== null) return decisionIndex(scores.m);
  return indexOnly(kind, state, x, what);
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** Scores as probabilities [n, k]. */
export function scoresProba(s: Scores, what: string): Matrix {
  const { m, kind } = s;
  const n = m.shape[0];
  const k = m.shape.length === 2 ? m.shape[1] : 1;
  if (kind === "decision") return fail("UNSUPPORTED", F, `${what} has no predict_proba`);
  if (k === 1) {
    if (kind !== "logit" && kind !== "ovr") return fail("CORRUPT", F, `${what}: one score column`);
    const out = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      const p = sigmoid(m.data[i]);
      out[2 * i] = 1 - p;
      out[2 * i + 1] = p;
    }
    return { data: out, shape: [n, 2] };
  }
  const out = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const row = m.data.subarray(i * k, (i + 1) * k);
    let max = Number.NEGATIVE_INFINITY;
    for (const v of row) max = Math.max(max, v);
    let sum = 0;
    for (let j = 0; j < k; j++) {
      const v = kind === "proba" || kind === "votes" ? row[j] : kind === "ovr" ? sigmoid(row[j]) : Math.exp(row[j] - max);
      out[i * k + j] = v;
      sum += v;
    }
    if (kind !== "proba") for (let j = 0; j < k; j++) out[i * k + j] /= sum;
  }
  return { data: out, shape: [n, k] };
}

/** predict_proba of a classifier known here. */
export function classifierProba(estimator: PyValue, x: Matrix, what: string): Matrix {
  const kind = shortName(classOf(estimator) ?? "");
  const scores = classifierScores(kind, stateOf(estimator, what), estimator, x, what);
  if (scores === null) return fail("UNSUPPORTED", F, `${what} (${kind || "not an estimator"}) has no predict_proba here`);
  return scoresProba(scores, `${what} (${kind})`);
}
