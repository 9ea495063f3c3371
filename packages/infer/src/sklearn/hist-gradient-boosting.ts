/**
 * HistGradientBoostingRegressor / Classifier: `_baseline_prediction` plus,
 * per iteration and per class, the value of the leaf each TreePredictor
 * (`nodes`: value, feature_idx, num_threshold, missing_go_to_left, left,
 * right, is_leaf, is_categorical) sends the sample to; the learning rate is
 * already folded into the leaf values. A sample goes left when
 * x <= num_threshold, or when it is NaN and missing_go_to_left.
 */
import { fail } from "@codec/core";
import { NdArray, type PyDict } from "@codec/pickle";
import { attr, F, items, type Matrix, matrix, samples, stateOf } from "./state.js";
import { structuredField } from "./tree.js";


/** Raw predictions [n, k] (k = 1 for regression and binary classification). */
export function histGradientBoostingRaw(state: PyDict, x: Matrix, what: string): { raw: Float64Array; k: number } {
  const { n, f } = samples(x, null, what);
  const baseline = matrix(attr(state, "_baseline_prediction", what), `${what}._baseline_prediction`).data;
  const iterations = items(attr(state, "_predictors", what), `${what}._predictors`);
  const k = baseline.length;
  const raw = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let c = 0; c < k; c++) raw[i * k + c] = baseline[c];
  iterations.forEach((perClass, it) => {
    items(perClass, `${what}._predictors[${it}]`).forEach((predictor, c) => {
      const nodes = attr(stateOf(predictor, `${what} TreePredictor`), "nodes", what);
      if (!(nodes instanceof NdArray) || nodes.dtype.fields === null) fail("CORRUPT", F, `${what}: predictor nodes are not a structured array`);
      const value = structuredField(nodes, "value");
      const feature = structuredField(nodes, "feature_idx");
      const threshold = structuredField(nodes, "num_threshold");
      const missingLeft = structuredField(nodes, "missing_go_to_left");
      const left = structuredField(nodes, "left");
      const right = structuredField(nodes, "right");
      const leaf = structuredField(nodes, "is_leaf");
      const categorical = nodes.dtype.fields.some((d) => d.name === "is_categorical") ? structuredField(nodes, "is_categorical") : null;
      for (let i = 0; i < n; i++) {
        let node = 0;
        for (let steps = 0; leaf[node] === 0; steps++) {
          if (steps > value.length) fail("CORRUPT", F, `${what}: predictor nodes form a cycle`);
          if (categorical !== null && categorical[node] !== 0) fail("UNSUPPORTED", F, `${what}: categorical splits`);
          const j = feature[node];
          if (!(j >= 0 && j < f)) fail("CORRUPT", F, `${what}: a split on feature ${j} of ${f}`);
          const v = x.data[i * f + j];
          node = (Number.isNaN(v) ? missingLeft[node] !== 0 : v <= threshold[node]) ? left[node] : right[node];
          if (!(node >= 0 && node < value.length)) fail("CORRUPT", F, `${what}: child index ${node} out of range`);
        }
        raw[i * k + c] += value[node];
      }
    });
  });
  return { raw, k };
}
