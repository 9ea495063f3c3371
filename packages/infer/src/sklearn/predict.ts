/**
 * `predict()` (or `transform()` for transformers) of a decoded scikit-learn
 * estimator, for `codec run` (DESIGN.md section 6). The estimator is the
 * inert object @codec/pickle decodes: nothing is imported or executed, the
 * formulas are scikit-learn's, re-written over the fitted attributes.
 * Estimators outside this list are refused with their class named.
 */
import { DTYPES, fail, Tensor } from "@codec/core";
import { NdArray, type PyDict, type PyValue } from "@codec/pickle";
import { histGradientBoostingRaw } from "./hist-gradient-boosting.js";
import { linearDecision } from "./linear.js";
import { mlpForward } from "./mlp.js";
import { attr, classOf, F, items, type Matrix, matrix, num, optionalAttr, samples, shortName, stateOf, str, tensorMatrix } from "./state.js";
import { svmClassify, svmRegress } from "./svm.js";
import { transform } from "./transformers.js";
import { treeOf, treeProba, treeValues } from "./tree.js";

const LINEAR_REGRESSORS = new Set(["LinearRegression", "Ridge", "RidgeCV", "Lasso", "LassoCV", "ElasticNet", "ElasticNetCV", "Lars", "LarsCV", "LassoLars", "LassoLarsCV", "LassoLarsIC", "OrthogonalMatchingPursuit", "BayesianRidge", "ARDRegression", "SGDRegressor", "LinearSVR", "HuberRegressor", "TheilSenRegressor", "RANSACRegressor", "PassiveAggressiveRegressor", "QuantileRegressor"]);
const LINEAR_CLASSIFIERS = new Set(["LinearDiscriminantAnalysis", "LogisticRegression", "LogisticRegressionCV", "SGDClassifier", "LinearSVC", "RidgeClassifier", "RidgeClassifierCV", "Perceptron", "PassiveAggressiveClassifier"]);

/** Row-wise argmax of an [n, k] matrix. */
function argmaxRows(m: Float64Array, n: number, k: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (m[i * k + j] > m[i * k + best]) best = j;
    out[i] = best;
  }
  return out;
}

/** classes_[index] per sample, in classes_'s own dtype. */
function pickClasses(state: PyDict, index: Int32Array, what: string): Tensor {
  // RidgeClassifier keeps its labels on its label binarizer.
  const binarizer = optionalAttr(state, "_label_binarizer");
  const classes = optionalAttr(state, "classes_") ?? (binarizer !== undefined ? attr(stateOf(binarizer, `${what}._label_binarizer`), "classes_", what) : attr(state, "classes_", what));
  if (!(classes instanceof NdArray) || !classes.isTensor) return fail("UNSUPPORTED", F, `${what} has non-numeric class labels, which the .npy output here cannot hold`);
  const t = classes.tensor();
  const size = DTYPES[t.dtype].size;
  const src = t.bytes();
  const out = new Uint8Array(index.length * size);
  for (let i = 0; i < index.length; i++) {
    const c = index[i];
    if (!(c >= 0 && c < t.numel)) fail("CORRUPT", F, `${what}: class index ${c} is outside classes_`);
    out.set(src.subarray(c * size, (c + 1) * size), i * size);
  }
  return new Tensor({ dtype: t.dtype, shape: [index.length], data: out });
}

/** Decision values [n, k] -> classes: sign for one column, argmax otherwise. */
function classify(state: PyDict, d: Matrix, what: string): Tensor {
  const n = d.shape[0];
  const k = d.shape.length === 2 ? d.shape[1] : 1;
  const index = k === 1 ? Int32Array.from(d.data, (v) => (v > 0 ? 1 : 0)) : argmaxRows(d.data, n, k);
  return pickClasses(state, index, what);
}

function floatTensor(m: Matrix): Tensor {
  return new Tensor({ dtype: "float64", shape: m.shape, data: new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength) });
}

/** Mean of per-tree class probabilities (forests) or of per-tree values. */
function forest(state: PyDict, x: Matrix, classifier: boolean, what: string): Tensor {
  const trees = items(attr(state, "estimators_", what), `${what}.estimators_`);
  const { n, f } = samples(x, null, what);
  if (trees.length === 0) fail("CORRUPT", F, `${what} has no trees`);
  const first = treeOf(trees[0], `${what}.estimators_[0]`);
  if (classifier) {
    const proba = new Float64Array(n * first.classes);
    trees.forEach((t, k) => {
      treeProba(k === 0 ? first : treeOf(t, `${what}.estimators_[${k}]`), x, n, f, proba, 1 / trees.length);
    });
    return pickClasses(state, argmaxRows(proba, n, first.classes), what);
  }
  const values = new Float64Array(n * first.outputs);
  trees.forEach((t, k) => {
    treeValues(k === 0 ? first : treeOf(t, `${what}.estimators_[${k}]`), x, n, f, values, 1 / trees.length);
  });
  return floatTensor({ data: values, shape: first.outputs === 1 ? [n] : [n, first.outputs] });
}

/** GradientBoosting: init prediction + learning_rate * sum of the stage trees' values. */
function gradientBoosting(state: PyDict, x: Matrix, classifier: boolean, what: string): Tensor {
  const { n, f } = samples(x, null, what);
  const stages = attr(state, "estimators_", what);
  if (!(stages instanceof NdArray) || !Array.isArray(stages.data) || stages.shape.length !== 2) return fail("CORRUPT", F, `${what}.estimators_ is not a 2-D array of trees`);
  const [m, k] = stages.shape;
  const rate = num(attr(state, "learning_rate", what), `${what}.learning_rate`);
  const raw = new Float64Array(n * k);
  const init = optionalAttr(state, "init_");
  if (init !== undefined && init !== "zero") {
    const kind = shortName(classOf(init) ?? "");
    const s = stateOf(init, `${what}.init_`);
    if (kind === "DummyRegressor") {
      const c = matrix(attr(s, "constant_", `${what}.init_`), `${what}.init_.constant_`).data;
      for (let i = 0; i < n * k; i++) raw[i] = c[i % k] ?? c[0];
    } else if (kind === "DummyClassifier") {
      // Log-odds (binary) or log-priors (multiclass) of the class prior, as the loss's init does.
      const p = matrix(attr(s, "class_prior_", `${what}.init_`), `${what}.init_.class_prior_`).data;
      for (let i = 0; i < n; i++) {
        if (k === 1) raw[i] = Math.log(p[1] / p[0]);
        else for (let j = 0; j < k; j++) raw[i * k + j] = Math.log(p[j]);
      }
    } else fail("UNSUPPORTED", F, `${what}: an init_ estimator of class ${kind}`);
  }
  const col = new Float64Array(n);
  for (let s = 0; s < m; s++) {
    for (let j = 0; j < k; j++) {
      col.fill(0);
      treeValues(treeOf(stages.data[s * k + j], `${what}.estimators_[${s}, ${j}]`), x, n, f, col, 1);
      for (let i = 0; i < n; i++) raw[i * k + j] += rate * col[i];
    }
  }
  if (!classifier) return floatTensor({ data: raw, shape: [n] });
  return classify(state, { data: raw, shape: k === 1 ? [n] : [n, k] }, what);
}

function kNeighbors(state: PyDict, x: Matrix, classifier: boolean, what: string): Tensor {
  const fit = matrix(attr(state, "_fit_X", what), `${what}._fit_X`);
  const [m, f] = fit.shape;
  const { n } = samples(x, f, what);
  const k = num(attr(state, "n_neighbors", what), `${what}.n_neighbors`);
  const p = num(optionalAttr(state, "p") ?? 2, `${what}.p`);
  const metric = str(optionalAttr(state, "effective_metric_") ?? optionalAttr(state, "metric") ?? "minkowski", `${what}.metric`);
  const weights = str(optionalAttr(state, "weights") ?? "uniform", `${what}.weights`);
  if (!["minkowski", "euclidean", "manhattan"].includes(metric)) fail("UNSUPPORTED", F, `${what}: metric '${metric}'`);
  const power = metric === "euclidean" ? 2 : metric === "manhattan" ? 1 : p;
  const y = matrix(attr(state, "_y", what), `${what}._y`).data;
  const out = new Float64Array(n);
  const votes = new Int32Array(n);
  const dist = new Float64Array(m);
  const order = new Int32Array(m);
  const nClasses = classifier ? (attr(state, "classes_", what) as NdArray).numel : 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let c = 0; c < f; c++) s += Math.abs(x.data[i * f + c] - fit.data[j * f + c]) ** power;
      dist[j] = s ** (1 / power);
      order[j] = j;
    }
    // Stable sort by distance: ties keep training order, as scikit-learn's brute force does.
    const nearest = Array.from(order).sort((a, b) => dist[a] - dist[b] || a - b).slice(0, k);
    const w = nearest.map((j) => (weights === "distance" ? (dist[j] === 0 ? Number.POSITIVE_INFINITY : 1 / dist[j]) : 1));
    if (w.some((v) => v === Number.POSITIVE_INFINITY)) for (let q = 0; q < w.length; q++) w[q] = w[q] === Number.POSITIVE_INFINITY ? 1 : 0;
    if (classifier) {
      const score = new Float64Array(nClasses);
      nearest.forEach((j, q) => {
        score[y[j]] += w[q];
      });
      votes[i] = argmaxRows(score, 1, nClasses)[0];
    } else {
      let s = 0;
      let ws = 0;
      nearest.forEach((j, q) => {
        s += w[q] * y[j];
        ws += w[q];
      });
      out[i] = s / ws;
    }
  }
  return classifier ? pickClasses(state, votes, what) : floatTensor({ data: out, shape: [n] });
}

function gaussianNB(state: PyDict, x: Matrix, what: string): Tensor {
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
  return pickClasses(state, argmaxRows(jll, n, k), what);
}

/** MultinomialNB / BernoulliNB joint log likelihood (scikit-learn's _joint_log_likelihood), argmax over classes. */
function discreteNB(kind: string, state: PyDict, x: Matrix, what: string): Tensor {
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
  const jll = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      let s = prior[c];
      for (let j = 0; j < f; j++) {
        const v = xs[i * f + j];
        s += neg === null ? v * flp.data[c * f + j] : v * (flp.data[c * f + j] - neg[c * f + j]) + neg[c * f + j];
      }
      jll[i * k + c] = s;
    }
  }
  return pickClasses(state, argmaxRows(jll, n, k), what);
}

/** KMeans.predict: the nearest cluster centre (squared Euclidean; the first on ties), as int32 labels. */
function kMeans(state: PyDict, x: Matrix, what: string): Tensor {
  const centers = matrix(attr(state, "cluster_centers_", what), `${what}.cluster_centers_`);
  const [k, f] = centers.shape;
  const { n } = samples(x, f, what);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestD = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      let d = 0;
      for (let j = 0; j < f; j++) {
        const e = x.data[i * f + j] - centers.data[c * f + j];
        d += e * e;
      }
      if (d < bestD) {
        bestD = d;
        best = c;
      }
    }
    labels[i] = best;
  }
  return new Tensor({ dtype: "int32", shape: [n], data: new Uint8Array(labels.buffer) });
}

/**
 * The result of running `estimator` on x: predict() for predictors,
 * transform() for transformers, through Pipelines.
 */
export function predictSklearn(estimator: PyValue, x: Matrix): Tensor {
  const qualified = classOf(estimator);
  if (qualified === null || !qualified.startsWith("sklearn.")) return fail("UNSUPPORTED", F, `not a scikit-learn estimator (${qualified ?? typeof estimator})`);
  const kind = shortName(qualified);
  const what = kind;
  const state = stateOf(estimator, what);
  if (kind === "Pipeline") {
    const steps = items(attr(state, "steps", what), "Pipeline.steps").map((s) => items(s, "Pipeline step")[1]);
    let current = x;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i];
      if (step === null || step === "passthrough") continue;
      if (i === steps.length - 1) return predictSklearn(step, current);
      const name = shortName(classOf(step) ?? "?");
      const next = transform(name, stateOf(step, name), current, name);
      if (next === null) return fail("UNSUPPORTED", F, `Pipeline step ${name} is not a transformer this runner knows`);
      current = next;
    }
    return floatTensor(current);
  }
  if (LINEAR_REGRESSORS.has(kind)) return floatTensor(linearDecision(x, state, what));
  if (LINEAR_CLASSIFIERS.has(kind)) return classify(state, linearDecision(x, state, what), what);
  switch (kind) {
    case "DecisionTreeRegressor":
    case "ExtraTreeRegressor": {
      const t = treeOf(estimator, what);
      const { n, f } = samples(x, null, what);
      const values = new Float64Array(n * t.outputs);
      treeValues(t, x, n, f, values);
      return floatTensor({ data: values, shape: t.outputs === 1 ? [n] : [n, t.outputs] });
    }
    case "DecisionTreeClassifier":
    case "ExtraTreeClassifier": {
      const t = treeOf(estimator, what);
      const { n, f } = samples(x, null, what);
      const proba = new Float64Array(n * t.classes);
      treeProba(t, x, n, f, proba);
      return pickClasses(state, argmaxRows(proba, n, t.classes), what);
    }
    case "RandomForestRegressor":
    case "ExtraTreesRegressor":
      return forest(state, x, false, what);
    case "RandomForestClassifier":
    case "ExtraTreesClassifier":
      return forest(state, x, true, what);
    case "GradientBoostingRegressor":
      return gradientBoosting(state, x, false, what);
    case "GradientBoostingClassifier":
      return gradientBoosting(state, x, true, what);
    case "MLPRegressor":
      return floatTensor(mlpForward(state, x, what));
    case "MLPClassifier": {
      const out = mlpForward(state, x, what);
      return classify(state, { data: out.shape.length === 2 && out.shape[1] === 1 ? out.data.map((p) => p - 0.5) : out.data, shape: out.shape }, what);
    }
    case "KNeighborsRegressor":
      return kNeighbors(state, x, false, what);
    case "KNeighborsClassifier":
      return kNeighbors(state, x, true, what);
    case "GaussianNB":
      return gaussianNB(state, x, what);
    case "MultinomialNB":
    case "BernoulliNB":
      return discreteNB(kind, state, x, what);
    case "HistGradientBoostingRegressor": {
      const { raw } = histGradientBoostingRaw(state, x, what);
      return floatTensor({ data: raw, shape: [raw.length] });
    }
    case "HistGradientBoostingClassifier": {
      const { raw, k } = histGradientBoostingRaw(state, x, what);
      return classify(state, { data: raw, shape: k === 1 ? [raw.length] : [raw.length / k, k] }, what);
    }
    case "KMeans":
    case "MiniBatchKMeans":
      return kMeans(state, x, what);
    case "SVC":
    case "NuSVC":
      if (optionalAttr(state, "break_ties") === true) return fail("UNSUPPORTED", F, `${what} with break_ties=True`);
      return pickClasses(state, svmClassify(state, x, what), what);
    case "SVR":
    case "NuSVR":
      return floatTensor(svmRegress(state, x, what));
    default: {
      const t = transform(kind, state, x, what);
      if (t !== null) return floatTensor(t);
      return fail("UNSUPPORTED", F, `running scikit-learn ${qualified} is not implemented`);
    }
  }
}

/** A Tensor input as the float64 matrix predict works on. */
export function sklearnInput(t: Tensor): Matrix {
  return tensorMatrix(t);
}
