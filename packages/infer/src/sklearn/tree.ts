/**
 * Decision trees as scikit-learn pickles them: `tree_` is a
 * sklearn.tree._tree.Tree whose state holds `nodes` (a structured array:
 * left_child, right_child, feature, threshold, ...) and `values`
 * ([node_count, n_outputs, max_n_classes]). A sample goes left when
 * X[feature] <= threshold, until a leaf (left_child == -1, TREE_LEAF);
 * missing values (NaN) follow `missing_go_to_left` where the tree has it.
 */
import { fail } from "@codec/core";
import { NdArray, type PyValue } from "@codec/pickle";
import { attr, F, type Matrix, matrix, stateOf, tensorMatrix } from "./state.js";

export interface Tree {
  left: Float64Array;
  right: Float64Array;
  feature: Float64Array;
  threshold: Float64Array;
  missingLeft: Float64Array | null;
  /** values[node * stride + output * classes + c]. */
  values: Float64Array;
  outputs: number;
  classes: number;
}

/** A field of a structured array (tree nodes) as float64 values. */
export function structuredField(nodes: NdArray, name: string): Float64Array {
  return tensorMatrix(nodes.field(name)).data;
}

/** The Tree of a fitted tree estimator (its `tree_`). */
export function treeOf(estimator: PyValue, what: string): Tree {
  const tree = attr(stateOf(estimator, what), "tree_", what);
  const s = stateOf(tree, `${what}.tree_`);
  const nodes = attr(s, "nodes", `${what}.tree_`);
  if (!(nodes instanceof NdArray) || nodes.dtype.fields === null) return fail("CORRUPT", F, `${what}.tree_.nodes is not a structured array`);
  const values = matrix(attr(s, "values", `${what}.tree_`), `${what}.tree_.values`);
  if (values.shape.length !== 3) fail("CORRUPT", F, `${what}.tree_.values has shape [${values.shape.join(", ")}]`);
  const hasMissing = nodes.dtype.fields.some((f) => f.name === "missing_go_to_left");
  return {
    left: structuredField(nodes, "left_child"),
    right: structuredField(nodes, "right_child"),
    feature: structuredField(nodes, "feature"),
    threshold: structuredField(nodes, "threshold"),
    missingLeft: hasMissing ? structuredField(nodes, "missing_go_to_left") : null,
    values: values.data,
    outputs: values.shape[1],
    classes: values.shape[2],
  };
}

/**
 * The leaf a sample (row `i` of x, f features) reaches; with `depths`, the
 * number of edges on its path goes to depths[i]. The sample is compared in
 * float32, as scikit-learn's trees convert X to float32 before predicting.
 */
export function leafOf(t: Tree, x: Matrix, i: number, f: number, depths?: Int32Array): number {
  let node = 0;
  const limit = t.left.length;
  let steps = 0;
  for (; t.left[node] !== -1; steps++) {
    if (steps > limit) fail("CORRUPT", F, "tree nodes form a cycle");
    const feature = t.feature[node];
    if (!(feature >= 0 && feature < f)) fail("CORRUPT", F, `tree node ${node} splits on feature ${feature} of ${f}`);
    const v = Math.fround(x.data[i * f + feature]);
    const goLeft = Number.isNaN(v) ? t.missingLeft !== null && t.missingLeft[node] !== 0 : v <= t.threshold[node];
    node = goLeft ? t.left[node] : t.right[node];
    if (!(node >= 0 && node < limit)) fail("CORRUPT", F, `tree child index ${node} is out of range`);
  }
  if (depths !== undefined) depths[i] = steps;
  return node;
}

/** Per-sample class probabilities of output 0 (values normalised per leaf, as predict_proba does). */
export function treeProba(t: Tree, x: Matrix, n: number, f: number, into: Float64Array, weight = 1): void {
  const stride = t.outputs * t.classes;
  for (let i = 0; i < n; i++) {
    const leaf = leafOf(t, x, i, f);
    let sum = 0;
    for (let c = 0; c < t.classes; c++) sum += t.values[leaf * stride + c];
    for (let c = 0; c < t.classes; c++) into[i * t.classes + c] += (weight * t.values[leaf * stride + c]) / (sum === 0 ? 1 : sum);
  }
}

/** Per-sample regression values [n, outputs]. */
export function treeValues(t: Tree, x: Matrix, n: number, f: number, into: Float64Array, weight = 1): void {
  const stride = t.outputs * t.classes;
  for (let i = 0; i < n; i++) {
    const leaf = leafOf(t, x, i, f);
    for (let o = 0; o < t.outputs; o++) into[i * t.outputs + o] += weight * t.values[leaf * stride + o * t.classes];
  }
}
