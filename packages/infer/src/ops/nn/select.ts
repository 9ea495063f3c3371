/**
 * Dropout (inference) and TopK (onnx Operators.md).
 *
 * Dropout outside training is the identity, with a mask of all true
 * (bool from opset 10, the input's type before). In training mode it
 * zeroes elements at random (uniform draw < ratio) and scales the rest by
 * 1 / (1 - ratio); with the `seed` attribute the draws are numpy's for
 * that seed, so the result is reproducible and equals onnx's reference.
 *
 * TopK returns the k largest (or smallest) elements along `axis` and
 * their int64 indices, sorted, ties broken by the lower index (as
 * onnx's reference implementation, a stable sort, does).
 */
import { fail } from "@codec/core";
import { normalizeAxis } from "../../broadcast.js";
import { arrayFor, nums, type NumArray, tensor } from "../../tensor.js";
import { input } from "../registry.js";
import { MT19937 } from "./mt19937.js";
import { F, fromValues, prod, requireFloat, scalarInput, registerNnOps } from "./util.js";

registerNnOps({
  Dropout: (inputs, ctx) => {
    const X = input(inputs, 0, ctx);
    // From opset 12 ratio and training_mode are inputs; before, ratio is an attribute and there is no
    // training switch (opsets 1-6 had is_test, default training; like onnxruntime, an inference
    // runner treats those models as inference).
    const training = ctx.opset >= 12 && scalarInput(inputs[2], 0) !== 0;
    const ratio = ctx.opset >= 12 ? scalarInput(inputs[1], 0.5) : ctx.float("ratio", 0.5);
    const n = prod(X.shape);
    if (!training || ratio === 0) {
      const mask = ctx.opset >= 10 ? tensor("bool", X.shape, new Uint8Array(n).fill(1)) : tensor(X.dtype, X.shape, (arrayFor(X.dtype, n) as NumArray).fill(1));
      return [X, mask];
    }
    if (!(ratio > 0 && ratio < 1)) fail("CORRUPT", F, `Dropout node '${ctx.nodeName}': ratio ${ratio} is outside [0, 1)`);
    requireFloat(X, ctx);
    // Training: keep an element when a uniform draw in [0, 1) is >= ratio, scaled by 1 / (1 - ratio).
    // The draws follow onnx's reference (numpy's legacy generator seeded with `seed`), one per element in C order.
    const seed = ctx.has("seed") ? ctx.int("seed") : Math.floor(Math.random() * 2 ** 32);
    const rng = new MT19937(seed);
    const x = nums(X);
    const scale = 1 / (1 - ratio);
    const keep = new Uint8Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      if (rng.nextDouble() >= ratio) {
        keep[i] = 1;
        y[i] = x[i] * scale;
      }
    }
    const mask = ctx.opset >= 10 ? tensor("bool", X.shape, keep) : fromValues(X.dtype, X.shape, keep);
    return [fromValues(X.dtype, X.shape, y), mask];
  },
  TopK: (inputs, ctx) => {
    const X = input(inputs, 0, ctx);
    if (X.dtype === "string" || X.dtype === "bool") fail("UNSUPPORTED", F, `TopK node '${ctx.nodeName}': ${X.dtype} input`);
    const rank = X.shape.length;
    const axis = normalizeAxis(ctx.int("axis", -1), rank);
    const k = ctx.opset >= 10 ? scalarInput(input(inputs, 1, ctx), -1) : ctx.int("k");
    const largest = ctx.int("largest", 1) !== 0;
    const n = X.shape[axis];
    if (!(k >= 0 && k <= n)) fail("CORRUPT", F, `TopK node '${ctx.nodeName}': k = ${k} for an axis of ${n}`);
    const outer = prod(X.shape, 0, axis);
    const inner = prod(X.shape, axis + 1);
    const x = nums(X);
    const outShape = X.shape.map((d, i) => (i === axis ? k : d));
    const values = arrayFor(X.dtype, outer * k * inner) as NumArray;
    const indices = new Float64Array(outer * k * inner);
    const order = new Int32Array(n);
    const row = new Float64Array(n);
    // NaN sorts as the largest value (numpy's order).
    const cmp = largest
      ? (a: number, b: number) => {
          const va = row[a];
          const vb = row[b];
          if (va !== vb && !(Number.isNaN(va) && Number.isNaN(vb))) return Number.isNaN(va) ? -1 : Number.isNaN(vb) ? 1 : vb - va;
          return a - b;
        }
      : (a: number, b: number) => {
          const va = row[a];
          const vb = row[b];
          if (va !== vb && !(Number.isNaN(va) && Number.isNaN(vb))) return Number.isNaN(va) ? 1 : Number.isNaN(vb) ? -1 : va - vb;
          return a - b;
        };
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        const base = o * n * inner + i;
        for (let j = 0; j < n; j++) {
          row[j] = x[base + j * inner];
          order[j] = j;
        }
        order.sort(cmp);
        const ob = o * k * inner + i;
        for (let j = 0; j < k; j++) {
          values[ob + j * inner] = row[order[j]];
          indices[ob + j * inner] = order[j];
        }
      }
    }
    return [tensor(X.dtype, outShape, values), tensor("int64", outShape, indices)];
  },
});
