/**
 * MLPClassifier / MLPRegressor forward pass (scikit-learn's
 * BaseMultilayerPerceptron._forward_pass_fast): hidden layers apply
 * `activation`, the output layer `out_activation_` (identity, logistic or
 * softmax).
 */
import { fail } from "@codec/core";
import type { PyDict } from "@codec/pickle";
import { attr, F, items, type Matrix, matrix, samples, str } from "./state.js";

function activate(kind: string, a: Float64Array, n: number, k: number, what: string): void {
  switch (kind) {
    case "identity":
      return;
    case "relu":
      for (let i = 0; i < a.length; i++) if (a[i] < 0) a[i] = 0;
      return;
    case "tanh":
      for (let i = 0; i < a.length; i++) a[i] = Math.tanh(a[i]);
      return;
    case "logistic":
      for (let i = 0; i < a.length; i++) a[i] = 1 / (1 + Math.exp(-a[i]));
      return;
    case "softmax":
      for (let i = 0; i < n; i++) {
        let max = Number.NEGATIVE_INFINITY;
        for (let j = 0; j < k; j++) max = Math.max(max, a[i * k + j]);
        let sum = 0;
        for (let j = 0; j < k; j++) sum += a[i * k + j] = Math.exp(a[i * k + j] - max);
        for (let j = 0; j < k; j++) a[i * k + j] /= sum;
      }
      return;
    default:
      fail("UNSUPPORTED", F, `${what}: activation '${kind}'`);
  }
}

/** The network's output [n, n_outputs] (a regressor with one output gives [n]). */
export function mlpForward(state: PyDict, x: Matrix, what: string): Matrix {
  const coefs = items(attr(state, "coefs_", what), `${what}.coefs_`).map((c, i) => matrix(c, `${what}.coefs_[${i}]`));
  const intercepts = items(attr(state, "intercepts_", what), `${what}.intercepts_`).map((c, i) => matrix(c, `${what}.intercepts_[${i}]`));
  const hidden = str(attr(state, "activation", what), `${what}.activation`);
  const outAct = str(attr(state, "out_activation_", what), `${what}.out_activation_`);
  const { n, f: features } = samples(x, coefs[0]?.shape[0] ?? null, what);
  let f = features;
  let a = x.data;
  coefs.forEach((w, layer) => {
    const [inputs, outputs] = w.shape;
    if (inputs !== f) fail("CORRUPT", F, `${what}: layer ${layer} takes ${inputs} inputs, gets ${f}`);
    const b = intercepts[layer].data;
    const z = new Float64Array(n * outputs);
    for (let i = 0; i < n; i++) {
      for (let o = 0; o < outputs; o++) z[i * outputs + o] = b[o];
      for (let c = 0; c < inputs; c++) {
        const v = a[i * inputs + c];
        if (v === 0) continue;
        for (let o = 0; o < outputs; o++) z[i * outputs + o] += v * w.data[c * outputs + o];
      }
    }
    activate(layer === coefs.length - 1 ? outAct : hidden, z, n, outputs, what);
    a = z;
    f = outputs;
  });
  const regressorOneOutput = what === "MLPRegressor" && f === 1;
  return { data: a, shape: regressorOneOutput ? [n] : [n, f] };
}
