/**
 * Dropout (inference) and TopK (onnx Operators.md).
 *
 * Dropout outside training is the identity, with a mask of all true
 * (bool from opset 10, the input's type before). Training mode with a
 * non-zero ratio draws random numbers; a reference runner has no
 * reproducible answer for that, so it is UNSUPPORTED.
 *
 * TopK returns the k largest (or smallest) elements along `axis` and
 * their int64 indices, sorted, ties broken by the lower index (as
 * onnx's reference implementation, a stable sort, does).
 */
import { fail } from "@codec/core";
import { normalizeAxis } from "../../broadcast.js";
import { arrayFor, nums, type NumArray, tensor } from "../../tensor.js";
import { input, registerOps } from "../registry.js";
import { F, prod, scalarInput } from "./util.js";

registerOps({
  Dropout: (inputs, ctx) => {
    const X = input(inputs, 0, ctx);
    let training = false;
    let ratio = 0.5;
    if (ctx.opset >= 12) {
      ratio = scalarInput(inputs[1], 0.5);
      training = scalarInput(inputs[2], 0) !== 0;
    } else {
      ratio = ctx.float("ratio", 0.5);
      // Opsets 1-6 ran in training mode unless is_test was set.
      if (ctx.opset < 7) training = ctx.int("is_test", 0) === 0;
    }
    if (training && ratio !== 0) fail("UNSUPPORTED", F, `Dropout node '${ctx.nodeName}' in training mode (ratio ${ratio}) is random; only inference is implemented`);
    const mask = ctx.opset >= 10 ? tensor("bool", X.shape, new Uint8Array(prod(X.shape)).fill(1)) : tensor(X.dtype, X.shape, (arrayFor(X.dtype, prod(X.shape)) as NumArray).fill(1));
    return [X, mask];
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
