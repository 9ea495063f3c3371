/**
 * Det (onnx Operators.md, opset 11/22): the determinant of each square
 * matrix in the last two dimensions of [*, M, M]; output shape [*].
 * Gaussian elimination with partial pivoting (LU), in float64, then
 * rounded to the input dtype: det = (-1)^swaps * product of the pivots.
 */
import { fail } from "@codec/core";
import type { RTensor } from "../tensor.js";
import { asFloat64, fromValues, registerNnOps, requireFloat } from "./nn/util.js";
import { input, type OpContext } from "./registry.js";

/** The determinant of the m x m matrix at `a[off..]`, factored in place. */
export function determinant(a: Float64Array, off: number, m: number): number {
  let det = 1;
  for (let c = 0; c < m; c++) {
    let p = c;
    let best = Math.abs(a[off + c * m + c]);
    for (let r = c + 1; r < m; r++) {
      const v = Math.abs(a[off + r * m + c]);
      if (v > best) {
        best = v;
        p = r;
      }
    }
    const pivot = a[off + p * m + c];
    if (pivot === 0) return 0;
    if (p !== c) {
      for (let k = c; k < m; k++) {
        const t = a[off + c * m + k];
        a[off + c * m + k] = a[off + p * m + k];
        a[off + p * m + k] = t;
      }
      det = -det;
    }
    det *= pivot;
    for (let r = c + 1; r < m; r++) {
      const f = a[off + r * m + c] / pivot;
      if (f === 0) continue;
      for (let k = c + 1; k < m; k++) a[off + r * m + k] -= f * a[off + c * m + k];
    }
  }
  return det;
}

function det(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const x = input(inputs, 0, ctx);
  requireFloat(x, ctx);
  const r = x.shape.length;
  if (r < 2 || x.shape[r - 1] !== x.shape[r - 2]) fail("CORRUPT", "infer", `${ctx.opType} node '${ctx.nodeName}': input shape [${x.shape.join(", ")}] is not [*, M, M]`);
  const m = x.shape[r - 1];
  const a = asFloat64(x);
  const outShape = x.shape.slice(0, r - 2);
  let batch = 1;
  for (const d of outShape) batch *= d;
  const out = new Float64Array(batch);
  // A 0 x 0 matrix has determinant 1 (the empty product).
  for (let b = 0; b < batch; b++) out[b] = m === 0 ? 1 : determinant(a, b * m * m, m);
  return [fromValues(x.dtype, outShape, out)];
}

registerNnOps({ Det: det });
