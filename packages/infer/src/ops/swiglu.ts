/**
 * SwiGLU (onnx Operators.md, opset 28): Y = Swish_alpha(A) * B with
 * Swish_alpha(a) = a * Sigmoid(alpha * a), alpha default 1. A and B have
 * identical shapes (no broadcasting). Computed in float64 per element; for
 * float16/bfloat16/float8 each step of the spec's function body (alpha * a,
 * Sigmoid, the two Mul) is rounded to the dtype as that body would round it.
 */
import { fail } from "@codec/core";
import { roundToDType } from "../round.js";
import { type NumArray, nums, type RTensor, tensor } from "../tensor.js";
import { registerNnOps, requireFloat } from "./nn/util.js";
import { input, type OpContext } from "./registry.js";

function swiglu(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const a = input(inputs, 0, ctx);
  const b = input(inputs, 1, ctx);
  requireFloat(a, ctx, "A");
  if (a.dtype !== b.dtype) fail("CORRUPT", "infer", `${ctx.opType} node '${ctx.nodeName}': A is ${a.dtype}, B is ${b.dtype}`);
  if (a.shape.join() !== b.shape.join()) fail("CORRUPT", "infer", `${ctx.opType} node '${ctx.nodeName}': A [${a.shape.join(", ")}] and B [${b.shape.join(", ")}] differ in shape`);
  const alpha = ctx.float("alpha", 1);
  const x = nums(a);
  const y = nums(b);
  const n = x.length;
  const narrow = a.dtype !== "float32" && a.dtype !== "float64";
  const out: NumArray = a.dtype === "float64" ? new Float64Array(n) : new Float32Array(n);
  if (!narrow) {
    for (let i = 0; i < n; i++) out[i] = (x[i] / (1 + Math.exp(-alpha * x[i]))) * y[i];
    return [tensor(a.dtype, a.shape, out)];
  }
  // Step by step, rounding after each as the function body's ops would.
  const s = new Float32Array(n);
  for (let i = 0; i < n; i++) s[i] = alpha * x[i];
  roundToDType(s, a.dtype);
  for (let i = 0; i < n; i++) s[i] = 1 / (1 + Math.exp(-s[i]));
  roundToDType(s, a.dtype);
  for (let i = 0; i < n; i++) s[i] = x[i] * s[i];
  roundToDType(s, a.dtype);
  for (let i = 0; i < n; i++) out[i] = s[i] * y[i];
  roundToDType(out, a.dtype);
  return [tensor(a.dtype, a.shape, out)];
}

registerNnOps({ SwiGLU: swiglu });
