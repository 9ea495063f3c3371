/**
 * Tree ensembles: random forests / extra trees (the mean of the trees'
 * class probabilities or values) and gradient boosting (the init
 * estimator's raw prediction plus learning_rate times the stage trees'
 * values; scikit-learn's `_raw_predict`).
 */
import { fail } from "@codec/core";
import { NdArray, type PyDict } from "@codec/pickle";
import { attr, classOf, F, items, type Matrix, matrix, num, optionalAttr, samples, shortName, stateOf } from "./state.js";
import { treeOf, treeProba, treeValues } from "./tree.js";

/** Forest classifiers: mean class probabilities [n, k]; regressors: mean values [n] or [n, outputs]. */
export function forest(state: PyDict, x: Matrix, classifier: boolean, what: string): Matrix {
  const trees = items(attr(state, "estimators_", what), `${what}.estimators_`);
  const { n, f } = samples(x, null, what);
  if (trees.length === 0) fail("CORRUPT", F, `${what} has no trees`);
  const first = treeOf(trees[0], `${what}.estimators_[0]`);
  if (classifier) {
    const proba = new Float64Array(n * first.classes);
    trees.forEach((t, k) => {
      treeProba(k === 0 ? first : treeOf(t, `${what}.estimators_[${k}]`), x, n, f, proba, 1 / trees.length);
    });
    return { data: proba, shape: [n, first.classes] };
  }
  const values = new Float64Array(n * first.outputs);
  trees.forEach((t, k) => {
    treeValues(k === 0 ? first : treeOf(t, `${what}.estimators_[${k}]`), x, n, f, values, 1 / trees.length);
  });
  return { data: values, shape: first.outputs === 1 ? [n] : [n, first.outputs] };
}

/** GradientBoosting raw predictions: [n] for regression and binary classification, [n, k] for k classes. */
export function gradientBoostingRaw(state: PyDict, x: Matrix, what: string): Matrix {
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
  return { data: raw, shape: k === 1 ? [n] : [n, k] };
}
