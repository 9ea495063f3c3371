/**
 * IsolationForest.predict (scikit-learn 1.2): the mean path length of a
 * sample over the trees, each leaf's length extended by the expected
 * length of an unbuilt subtree over its n_node_samples, gives the score
 * 2^(-mean / c(max_samples_)); samples whose -score - offset_ is below 0
 * are outliers (-1), the others inliers (1), as int64.
 */
import { fail, Tensor } from "@codec/core";
import { NdArray, type PyDict } from "@codec/pickle";
import { attr, F, items, type Matrix, matrix, num, samples, stateOf } from "./state.js";
import { leafOf, structuredField, treeOf } from "./tree.js";

const EULER_GAMMA = 0.5772156649015329;

/** scikit-learn's _average_path_length: the expected depth of an unsuccessful search among n samples. */
function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
}

export function isolationForest(state: PyDict, x: Matrix, what: string): Tensor {
  const trees = items(attr(state, "estimators_", what), `${what}.estimators_`);
  const features = items(attr(state, "estimators_features_", what), `${what}.estimators_features_`);
  const maxSamples = num(attr(state, "max_samples_", what), `${what}.max_samples_`);
  const offset = num(attr(state, "offset_", what), `${what}.offset_`);
  const { n, f } = samples(x, null, what);
  const sums = new Float64Array(n);
  const depths = new Int32Array(n);
  for (let e = 0; e < trees.length; e++) {
    const estimator = trees[e];
    const name = `${what}.estimators_[${e}]`;
    const t = treeOf(estimator, name);
    const nodes = attr(stateOf(attr(stateOf(estimator, name), "tree_", name), `${name}.tree_`), "nodes", name);
    if (!(nodes instanceof NdArray)) fail("CORRUPT", F, `${name}.tree_.nodes is not an array`);
    const leafSamples = structuredField(nodes, "n_node_samples");
    const cols = matrix(features[e], `${what}.estimators_features_[${e}]`).data;
    const sub = new Float64Array(n * cols.length);
    for (const c of cols) if (!(c >= 0 && c < f)) fail("CORRUPT", F, `${what}: feature ${c} of ${f}`);
    for (let i = 0; i < n; i++) for (let j = 0; j < cols.length; j++) sub[i * cols.length + j] = x.data[i * f + cols[j]];
    const xs: Matrix = { data: sub, shape: [n, cols.length] };
    for (let i = 0; i < n; i++) {
      const leaf = leafOf(t, xs, i, cols.length, depths);
      // decision_path counts the nodes on the path: edges + 1.
      sums[i] += depths[i] + 1 + averagePathLength(leafSamples[leaf]) - 1;
    }
  }
  const denominator = trees.length * averagePathLength(maxSamples);
  const out = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const score = 2 ** -(denominator !== 0 ? sums[i] / denominator : 1);
    out[i] = -score - offset < 0 ? -1n : 1n;
  }
  return new Tensor({ dtype: "int64", shape: [n], data: new Uint8Array(out.buffer) });
}
