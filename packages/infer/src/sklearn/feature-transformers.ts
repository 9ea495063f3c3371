/**
 * Feature-engineering transformers' `transform` (scikit-learn 1.2, numeric
 * input): PolynomialFeatures, SimpleImputer (with its missing indicator),
 * OneHotEncoder, OrdinalEncoder, KBinsDiscretizer and the univariate and
 * variance feature selectors. Sparse outputs come out dense: .npy holds
 * dense arrays.
 */
import { fail } from "@codec/core";
import { NdArray, type PyDict, type PyValue } from "@codec/pickle";
import { attr, F, items, type Matrix, matrix, num, optionalAttr, samples, stateOf, str } from "./state.js";

/** PolynomialFeatures: the dense algorithm of scikit-learn (each degree's terms are the previous degree's times one feature). */
function polynomial(state: PyDict, x: Matrix, what: string): Matrix {
  const f = num(attr(state, "n_features_in_", what), `${what}.n_features_in_`);
  const { n } = samples(x, f, what);
  const maxDegree = num(optionalAttr(state, "_max_degree") ?? attr(state, "degree", what), `${what}._max_degree`);
  const minDegree = num(optionalAttr(state, "_min_degree") ?? 0, `${what}._min_degree`);
  const bias = optionalAttr(state, "include_bias") !== false;
  const interaction = optionalAttr(state, "interaction_only") === true;
  const outputs = num(attr(state, "n_output_features_", what), `${what}.n_output_features_`);
  // Column-major while building: a term is a column of n values.
  const cols: Float64Array[] = [];
  if (bias) cols.push(new Float64Array(n).fill(1));
  if (maxDegree >= 1) {
    for (let j = 0; j < f; j++) cols.push(Float64Array.from({ length: n }, (_, i) => x.data[i * f + j]));
  }
  const first = bias ? 1 : 0;
  let index = Array.from({ length: f + 1 }, (_, j) => first + j);
  for (let d = 2; d <= maxDegree; d++) {
    const next: number[] = [];
    const end = index[index.length - 1];
    for (let j = 0; j < f; j++) {
      let start = index[j];
      next.push(cols.length);
      if (interaction) start += index[j + 1] - index[j];
      if (end <= start) break;
      for (let c = start; c < end; c++) cols.push(Float64Array.from(cols[c], (v, i) => v * x.data[i * f + j]));
    }
    next.push(cols.length);
    index = next;
  }
  let kept = cols;
  if (minDegree > 1) kept = bias ? [cols[0], ...cols.slice(cols.length - outputs + 1)] : cols.slice(cols.length - outputs);
  if (kept.length !== outputs) fail("CORRUPT", F, `${what}: ${kept.length} terms, n_output_features_ is ${outputs}`);
  const out = new Float64Array(n * outputs);
  kept.forEach((c, j) => {
    for (let i = 0; i < n; i++) out[i * outputs + j] = c[i];
  });
  return { data: out, shape: [n, outputs] };
}

/** Whether v is the imputer's missing-value marker (NaN matches NaN). */
function missingMatcher(marker: PyValue, what: string): (v: number) => boolean {
  const m = num(marker, `${what}.missing_values`);
  return Number.isNaN(m) ? (v) => Number.isNaN(v) : (v) => v === m;
}

function simpleImputer(state: PyDict, x: Matrix, what: string): Matrix {
  const stats = matrix(attr(state, "statistics_", what), `${what}.statistics_`).data;
  const { n, f } = samples(x, stats.length, what);
  const isMissing = missingMatcher(optionalAttr(state, "missing_values") ?? Number.NaN, what);
  const keepAll = str(optionalAttr(state, "strategy") ?? "mean", `${what}.strategy`) === "constant" || optionalAttr(state, "keep_empty_features") === true;
  // Features whose statistic is NaN (all missing at fit time) are dropped.
  const keep: number[] = [];
  for (let j = 0; j < f; j++) if (keepAll || !Number.isNaN(stats[j])) keep.push(j);
  const indicator = optionalAttr(state, "indicator_");
  const flagged = indicator === undefined || indicator === null ? [] : Array.from(matrix(attr(stateOf(indicator, `${what}.indicator_`), "features_", `${what}.indicator_`), `${what}.indicator_.features_`).data);
  const width = keep.length + flagged.length;
  const out = new Float64Array(n * width);
  for (let i = 0; i < n; i++) {
    keep.forEach((j, q) => {
      const v = x.data[i * f + j];
      out[i * width + q] = isMissing(v) ? stats[j] : v;
    });
    flagged.forEach((j, q) => {
      out[i * width + keep.length + q] = isMissing(x.data[i * f + j]) ? 1 : 0;
    });
  }
  return { data: out, shape: [n, width] };
}

/** categories_ as one numeric array per feature. */
function categoriesOf(state: PyDict, what: string): Float64Array[] {
  return items(attr(state, "categories_", what), `${what}.categories_`).map((c, j) => {
    if (c instanceof NdArray && !c.isTensor) fail("UNSUPPORTED", F, `${what}: feature ${j} has non-numeric categories, which a numeric .npy input cannot match`);
    return matrix(c, `${what}.categories_[${j}]`).data;
  });
}

/** The index of v among the categories (NaN matches a NaN category), or -1. */
function categoryIndex(cats: Float64Array, v: number): number {
  if (Number.isNaN(v)) {
    for (let c = 0; c < cats.length; c++) if (Number.isNaN(cats[c])) return c;
    return -1;
  }
  return cats.indexOf(v);
}

function oneHot(state: PyDict, x: Matrix, what: string): Matrix {
  const cats = categoriesOf(state, what);
  const { n, f } = samples(x, cats.length, what);
  if (optionalAttr(state, "_infrequent_enabled") === true) fail("UNSUPPORTED", F, `${what} with infrequent categories`);
  const unknown = str(optionalAttr(state, "handle_unknown") ?? "error", `${what}.handle_unknown`);
  const dropValue = optionalAttr(state, "drop_idx_");
  const drops = dropValue === undefined || dropValue === null ? cats.map(() => -1) : items(dropValue, `${what}.drop_idx_`).map((d) => (d === null ? -1 : num(d, `${what}.drop_idx_`)));
  const widths = cats.map((c, j) => c.length - (drops[j] >= 0 ? 1 : 0));
  const width = widths.reduce((a, b) => a + b, 0);
  const out = new Float64Array(n * width);
  for (let i = 0; i < n; i++) {
    let at = 0;
    for (let j = 0; j < f; j++) {
      const c = categoryIndex(cats[j], x.data[i * f + j]);
      if (c < 0 && unknown === "error") fail("USAGE", F, `${what}: row ${i} has the unknown category ${x.data[i * f + j]} in feature ${j}`);
      if (c >= 0 && c !== drops[j]) out[i * width + at + (drops[j] >= 0 && c > drops[j] ? c - 1 : c)] = 1;
      at += widths[j];
    }
  }
  return { data: out, shape: [n, width] };
}

function ordinal(state: PyDict, x: Matrix, what: string): Matrix {
  const cats = categoriesOf(state, what);
  const { n, f } = samples(x, cats.length, what);
  const unknown = str(optionalAttr(state, "handle_unknown") ?? "error", `${what}.handle_unknown`);
  const unknownValue = unknown === "use_encoded_value" ? num(attr(state, "unknown_value", what), `${what}.unknown_value`) : Number.NaN;
  const missingValue = num(optionalAttr(state, "encoded_missing_value") ?? Number.NaN, `${what}.encoded_missing_value`);
  const out = new Float64Array(n * f);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < f; j++) {
      const v = x.data[i * f + j];
      const c = categoryIndex(cats[j], v);
      if (c >= 0) out[i * f + j] = Number.isNaN(v) ? missingValue : c;
      else if (unknown === "use_encoded_value") out[i * f + j] = unknownValue;
      else fail("USAGE", F, `${what}: row ${i} has the unknown category ${v} in feature ${j}`);
    }
  }
  return { data: out, shape: [n, f] };
}

/** KBinsDiscretizer: searchsorted(bin_edges[j][1:-1], x, side='right'), then one-hot unless encode='ordinal'. */
function kBins(state: PyDict, x: Matrix, what: string): Matrix {
  const edges = items(attr(state, "bin_edges_", what), `${what}.bin_edges_`).map((e, j) => matrix(e, `${what}.bin_edges_[${j}]`).data);
  const { n, f } = samples(x, edges.length, what);
  const ordinalOut = new Float64Array(n * f);
  for (let j = 0; j < f; j++) {
    const inner = edges[j].subarray(1, Math.max(1, edges[j].length - 1));
    for (let i = 0; i < n; i++) {
      const v = x.data[i * f + j];
      let lo = 0;
      let hi = inner.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (inner[mid] <= v) lo = mid + 1;
        else hi = mid;
      }
      // NaN sorts after every edge in numpy's searchsorted.
      ordinalOut[i * f + j] = Number.isNaN(v) ? inner.length : lo;
    }
  }
  const encode = str(optionalAttr(state, "encode") ?? "onehot", `${what}.encode`);
  if (encode === "ordinal") return { data: ordinalOut, shape: [n, f] };
  const encoder = attr(state, "_encoder", what);
  return oneHot(stateOf(encoder, `${what}._encoder`), { data: ordinalOut, shape: [n, f] }, `${what}._encoder`);
}

/** numpy.percentile's default linear interpolation (with numpy's two-sided lerp). */
function percentile(values: Float64Array, q: number): number {
  const sorted = Float64Array.from(values).sort();
  const at = (q / 100) * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const t = at - lo;
  const a = sorted[lo];
  const b = sorted[hi];
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

/** The kept-feature mask of a fitted selector, or null for classes that are not selectors known here. */
function selectorMask(kind: string, state: PyDict, what: string): boolean[] | null {
  const cleanScores = (): Float64Array => matrix(attr(state, "scores_", what), `${what}.scores_`).data.map((v) => (Number.isNaN(v) ? -Number.MAX_VALUE : v));
  switch (kind) {
    case "VarianceThreshold": {
      const threshold = num(optionalAttr(state, "threshold") ?? 0, `${what}.threshold`);
      return Array.from(matrix(attr(state, "variances_", what), `${what}.variances_`).data, (v) => v > threshold);
    }
    case "SelectKBest": {
      const scores = cleanScores();
      const k = optionalAttr(state, "k") ?? 10;
      if (k === "all") return Array.from(scores, () => true);
      const count = num(k, `${what}.k`);
      // A stable ascending sort; the last k are kept.
      const order = Array.from(scores.keys()).sort((a, b) => scores[a] - scores[b] || a - b);
      const mask = Array.from(scores, () => false);
      for (const j of order.slice(Math.max(0, order.length - count))) mask[j] = true;
      if (count === 0) return mask.fill(false);
      return mask;
    }
    case "SelectPercentile": {
      const p = num(optionalAttr(state, "percentile") ?? 10, `${what}.percentile`);
      const scores = cleanScores();
      if (p === 100) return Array.from(scores, () => true);
      if (p === 0) return Array.from(scores, () => false);
      const threshold = percentile(scores, 100 - p);
      const mask = Array.from(scores, (v) => v > threshold);
      let budget = Math.trunc((scores.length * p) / 100) - mask.filter(Boolean).length;
      for (let j = 0; j < scores.length && budget > 0; j++) {
        if (scores[j] === threshold) {
          mask[j] = true;
          budget--;
        }
      }
      return mask;
    }
    case "SelectFpr":
    case "SelectFdr":
    case "SelectFwe":
    case "GenericUnivariateSelect":
      return fail("UNSUPPORTED", F, `${what}: ${kind}`);
    default:
      return null;
  }
}

function selectColumns(x: Matrix, mask: boolean[], what: string): Matrix {
  const { n, f } = samples(x, mask.length, what);
  const keep = mask.flatMap((m, j) => (m ? [j] : []));
  const out = new Float64Array(n * keep.length);
  for (let i = 0; i < n; i++) {
    for (let q = 0; q < keep.length; q++) out[i * keep.length + q] = x.data[i * f + keep[q]];
  }
  return { data: out, shape: [n, keep.length] };
}

/** transform() of the transformers in this file, or null for other classes. */
export function featureTransform(kind: string, state: PyDict, x: Matrix, what: string): Matrix | null {
  switch (kind) {
    case "PolynomialFeatures":
      return polynomial(state, x, what);
    case "SimpleImputer":
      return simpleImputer(state, x, what);
    case "OneHotEncoder":
      return oneHot(state, x, what);
    case "OrdinalEncoder":
      return ordinal(state, x, what);
    case "KBinsDiscretizer":
      return kBins(state, x, what);
    default: {
      const mask = selectorMask(kind, state, what);
      return mask === null ? null : selectColumns(x, mask, what);
    }
  }
}
