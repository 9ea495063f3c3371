/**
 * `predict()` (or `transform()` for transformers) of a decoded scikit-learn
 * estimator, for `codec run` (DESIGN.md section 6). The estimator is the
 * inert object @codec/pickle decodes: nothing is imported or executed, the
 * formulas are scikit-learn's, re-written over the fitted attributes.
 * Estimators outside this list are refused with their class named.
 */
import { fail, Tensor } from "@codec/core";
import type { PyDict, PyValue } from "@codec/pickle";
import { pipelineSteps, transformAny } from "./composite.js";
import { forest, gradientBoostingRaw } from "./ensemble.js";
import { histGradientBoostingRaw } from "./hist-gradient-boosting.js";
import { gaussianMixture } from "./gaussian-mixture.js";
import { isolationForest } from "./isolation-forest.js";
import { kernelRidge } from "./kernel-ridge.js";
import { linearDecision } from "./linear.js";
import { type Members, metaClassifier, metaRegressor } from "./meta.js";
import { mlpForward } from "./mlp.js";
import { kNeighbors, nearestCenter } from "./neighbors.js";
import { floatTensor, pickClasses } from "./outputs.js";
import { classifierIndex, classifierProba } from "./scores.js";
import { attr, classOf, F, items, type Matrix, matrix, samples, shortName, stateOf, tensorMatrix } from "./state.js";
import { svmRegress } from "./svm.js";
import { treeOf, treeValues } from "./tree.js";

const LINEAR_REGRESSORS = new Set(["LinearRegression", "Ridge", "RidgeCV", "Lasso", "LassoCV", "ElasticNet", "ElasticNetCV", "Lars", "LarsCV", "LassoLars", "LassoLarsCV", "LassoLarsIC", "OrthogonalMatchingPursuit", "BayesianRidge", "ARDRegression", "SGDRegressor", "LinearSVR", "HuberRegressor", "TheilSenRegressor", "RANSACRegressor", "PassiveAggressiveRegressor", "QuantileRegressor"]);

/** Classifiers with predict_proba here (Bagging votes with the others). */
const PROBA_CLASSIFIERS = new Set(["DecisionTreeClassifier", "ExtraTreeClassifier", "RandomForestClassifier", "ExtraTreesClassifier", "GradientBoostingClassifier", "HistGradientBoostingClassifier", "MLPClassifier", "KNeighborsClassifier", "GaussianNB", "MultinomialNB", "BernoulliNB", "ComplementNB", "QuadraticDiscriminantAnalysis", "DummyClassifier", "LogisticRegression", "LogisticRegressionCV", "LinearDiscriminantAnalysis"]);

/** A regressor's predict() as float64, or null when `kind` is not a regressor known here. */
function regressorValues(kind: string, state: PyDict, estimator: PyValue, x: Matrix, what: string): Matrix | null {
  if (LINEAR_REGRESSORS.has(kind)) return linearDecision(x, state, what);
  switch (kind) {
    case "DecisionTreeRegressor":
    case "ExtraTreeRegressor": {
      const t = treeOf(estimator, what);
      const { n, f } = samples(x, null, what);
      const values = new Float64Array(n * t.outputs);
      treeValues(t, x, n, f, values);
      return { data: values, shape: t.outputs === 1 ? [n] : [n, t.outputs] };
    }
    case "RandomForestRegressor":
    case "ExtraTreesRegressor":
      return forest(state, x, false, what);
    case "GradientBoostingRegressor":
      return gradientBoostingRaw(state, x, what);
    case "HistGradientBoostingRegressor": {
      const { raw } = histGradientBoostingRaw(state, x, what);
      return { data: raw, shape: [raw.length] };
    }
    case "MLPRegressor":
      return mlpForward(state, x, what);
    case "KNeighborsRegressor":
      return kNeighbors(state, x, false, what);
    case "SVR":
    case "NuSVR":
      return svmRegress(state, x, what);
    case "KernelRidge":
      return kernelRidge(state, x, what);
    case "DummyRegressor": {
      const c = matrix(attr(state, "constant_", what), `${what}.constant_`).data;
      const { n } = samples(x, null, what);
      const outputs = c.length;
      const out = new Float64Array(n * outputs);
      for (let i = 0; i < n; i++) out.set(c, i * outputs);
      return { data: out, shape: outputs === 1 ? [n] : [n, outputs] };
    }
    default:
      return metaRegressor(kind, MEMBERS, state, x, what);
  }
}

/** KMeans.predict: the nearest cluster centre (squared Euclidean; the first on ties), as int32 labels. */
function kMeans(state: PyDict, x: Matrix, what: string): Tensor {
  const labels = nearestCenter(matrix(attr(state, "cluster_centers_", what), `${what}.cluster_centers_`), x, false, what);
  return new Tensor({ dtype: "int32", shape: [labels.length], data: new Uint8Array(labels.buffer) });
}

interface Resolved {
  kind: string;
  state: PyDict;
  estimator: PyValue;
  x: Matrix;
  what: string;
}

/** The estimator that predicts, after running x through a Pipeline's transformers. */
function resolve(estimator: PyValue, x: Matrix, what: string): Resolved {
  const qualified = classOf(estimator);
  if (qualified === null || !qualified.startsWith("sklearn.")) return fail("UNSUPPORTED", F, `${what}: not a scikit-learn estimator (${qualified ?? typeof estimator})`);
  const kind = shortName(qualified);
  const state = stateOf(estimator, what);
  if (kind !== "Pipeline") return { kind, state, estimator, x, what };
  const { x: inner, last } = pipelineSteps(state, x, what, false);
  if (last === null) return fail("UNSUPPORTED", F, `${what}: a Pipeline without a final estimator`);
  return resolve(last, inner, shortName(classOf(last) ?? "?"));
}

function classIndex(r: Resolved): Int32Array | null {
  return metaClassifier(r.kind, MEMBERS, r.state, r.x, r.what) ?? classifierIndex(r.estimator, r.x, r.what);
}

const MEMBERS: Members = {
  values(estimator, x, what) {
    const r = resolve(estimator, x, what);
    const v = regressorValues(r.kind, r.state, r.estimator, r.x, r.what);
    if (v === null) return fail("UNSUPPORTED", F, `${what}: ${r.kind} is not a regressor this runner knows`);
    return v;
  },
  index(estimator, x, what) {
    const r = resolve(estimator, x, what);
    const i = classIndex(r);
    if (i === null) return fail("UNSUPPORTED", F, `${what}: ${r.kind} is not a classifier this runner knows`);
    return i;
  },
  proba(estimator, x, what) {
    const r = resolve(estimator, x, what);
    return classifierProba(r.estimator, r.x, r.what);
  },
  hasProba(estimator) {
    let e = estimator;
    while (shortName(classOf(e) ?? "") === "Pipeline") {
      const steps = items(attr(stateOf(e, "Pipeline"), "steps", "Pipeline"), "Pipeline.steps");
      e = steps.length === 0 ? null : items(steps[steps.length - 1], "Pipeline step")[1];
    }
    const kind = shortName(classOf(e) ?? "");
    if (kind === "SGDClassifier") {
      const loss = stateOf(e, kind).get("loss");
      return loss === "log_loss" || loss === "log";
    }
    return PROBA_CLASSIFIERS.has(kind);
  },
};

/**
 * The result of running `estimator` on x: predict() for predictors,
 * transform() for transformers, through Pipelines.
 */
export function predictSklearn(estimator: PyValue, x: Matrix): Tensor {
  const top = classOf(estimator);
  const r = resolve(estimator, x, shortName(top ?? "estimator"));
  if (r.kind === "KMeans" || r.kind === "MiniBatchKMeans") return kMeans(r.state, r.x, r.what);
  if (r.kind === "IsolationForest") return isolationForest(r.state, r.x, r.what);
  if (r.kind === "GaussianMixture") return gaussianMixture(r.state, r.x, r.what);
  if (r.kind === "OneClassSVM") {
    // libsvm's one-class prediction: the sign of the decision function, as numpy intp.
    const d = svmRegress(r.state, r.x, r.what).data;
    return new Tensor({ dtype: "int64", shape: [d.length], data: new Uint8Array(BigInt64Array.from(d, (v) => (v > 0 ? 1n : -1n)).buffer) });
  }
  const index = classIndex(r);
  if (index !== null) return pickClasses(r.state, index, r.what);
  const values = regressorValues(r.kind, r.state, r.estimator, r.x, r.what);
  if (values !== null) return floatTensor(values);
  const transformed = transformAny(r.estimator, r.x, r.what);
  if (transformed !== null) return floatTensor(transformed);
  return fail("UNSUPPORTED", F, `running scikit-learn ${top} is not implemented`);
}

/** A Tensor input as the float64 matrix predict works on. */
export function sklearnInput(t: Tensor): Matrix {
  return tensorMatrix(t);
}
