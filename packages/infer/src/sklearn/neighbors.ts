/**
 * Neighbor-based models by brute force: KNeighborsClassifier/Regressor
 * (scikit-learn's `_fit_X`, `_y`, n_neighbors, weights, Minkowski metrics)
 * and NearestCentroid.
 */
import { fail } from "@codec/core";
import type { NdArray, PyDict } from "@codec/pickle";
import { attr, F, type Matrix, matrix, num, optionalAttr, samples, str } from "./state.js";

function minkowskiPower(state: PyDict, what: string): number {
  const p = num(optionalAttr(state, "p") ?? 2, `${what}.p`);
  const metric = str(optionalAttr(state, "effective_metric_") ?? optionalAttr(state, "metric") ?? "minkowski", `${what}.metric`);
  if (!["minkowski", "euclidean", "manhattan"].includes(metric)) fail("UNSUPPORTED", F, `${what}: metric '${metric}'`);
  return metric === "euclidean" ? 2 : metric === "manhattan" ? 1 : p;
}

/**
 * KNeighbors: per sample, the k nearest training rows (ties keep training
 * order, as the brute-force search does) weighted uniformly or by inverse
 * distance (exact matches take all the weight). The classifier gives the
 * weighted class votes (predict is their first maximum, as weighted_mode
 * picks the smallest label; predict_proba divides them by their row sum);
 * the regressor the weighted mean of the targets.
 */
export function kNeighbors(state: PyDict, x: Matrix, classifier: boolean, what: string): Matrix {
  const fit = matrix(attr(state, "_fit_X", what), `${what}._fit_X`);
  const [m, f] = fit.shape;
  const { n } = samples(x, f, what);
  const k = num(attr(state, "n_neighbors", what), `${what}.n_neighbors`);
  const power = minkowskiPower(state, what);
  const weights = str(optionalAttr(state, "weights") ?? "uniform", `${what}.weights`);
  if (weights !== "uniform" && weights !== "distance") fail("UNSUPPORTED", F, `${what}: weights '${weights}'`);
  const y = matrix(attr(state, "_y", what), `${what}._y`).data;
  const nClasses = classifier ? (attr(state, "classes_", what) as NdArray).numel : 0;
  const out = new Float64Array(classifier ? n * nClasses : n);
  const dist = new Float64Array(m);
  const order = new Int32Array(m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let c = 0; c < f; c++) s += Math.abs(x.data[i * f + c] - fit.data[j * f + c]) ** power;
      dist[j] = s ** (1 / power);
      order[j] = j;
    }
    const nearest = Array.from(order)
      .sort((a, b) => dist[a] - dist[b] || a - b)
      .slice(0, k);
    const w = nearest.map((j) => (weights === "distance" ? (dist[j] === 0 ? Number.POSITIVE_INFINITY : 1 / dist[j]) : 1));
    if (w.some((v) => v === Number.POSITIVE_INFINITY)) for (let q = 0; q < w.length; q++) w[q] = w[q] === Number.POSITIVE_INFINITY ? 1 : 0;
    if (classifier) {
      nearest.forEach((j, q) => {
        out[i * nClasses + y[j]] += w[q];
      });
    } else {
      let s = 0;
      let total = 0;
      nearest.forEach((j, q) => {
        s += w[q] * y[j];
        total += w[q];
      });
      out[i] = s / total;
    }
  }
  return { data: out, shape: classifier ? [n, nClasses] : [n] };
}

/**
 * The index of the nearest row of `centers` [k, f] to each sample (squared
 * Euclidean or Manhattan distance; the first on ties, as argmin does):
 * NearestCentroid's and KMeans's predict.
 */
export function nearestCenter(centers: Matrix, x: Matrix, manhattan: boolean, what: string): Int32Array {
  const [k, f] = centers.shape;
  const { n } = samples(x, f, what);
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestD = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      let d = 0;
      for (let j = 0; j < f; j++) {
        const e = x.data[i * f + j] - centers.data[c * f + j];
        d += manhattan ? Math.abs(e) : e * e;
      }
      if (d < bestD) {
        bestD = d;
        best = c;
      }
    }
    out[i] = best;
  }
  return out;
}

/** NearestCentroid: the index of the nearest centroid (Euclidean or Manhattan). */
export function nearestCentroid(state: PyDict, x: Matrix, what: string): Int32Array {
  const metric = str(optionalAttr(state, "metric") ?? "euclidean", `${what}.metric`);
  if (metric !== "euclidean" && metric !== "manhattan") fail("UNSUPPORTED", F, `${what}: metric '${metric}'`);
  return nearestCenter(matrix(attr(state, "centroids_", what), `${what}.centroids_`), x, metric === "manhattan", what);
}
