/**
 * MatMul (numpy.matmul semantics: 1-D operands promoted and the added
 * dimension removed, batch dimensions broadcast) and Gemm
 * (Y = alpha * A' * B' + beta * C, C broadcast unidirectionally to [M, N]).
 * Sums accumulate in float64 and are stored in the input dtype.
 */
import { fail } from "@codec/core";
import { broadcastIndex, broadcastShapes } from "../../broadcast.js";
import { nums, type NumArray } from "../../tensor.js";
import { input, registerOps } from "../registry.js";
import { F, fromValues, prod } from "./util.js";

/**
 * out[oOff + i*N + j] += sum_k a[aOff + i*K + k] * b[bOff + k*N + j]
 * (row-major, i-k-j order so the inner loop walks both b and out
 * contiguously; zeros in a are not skipped so NaN/Inf in b propagate).
 */
export function matmulAccumulate(a: ArrayLike<number>, aOff: number, b: ArrayLike<number>, bOff: number, out: Float64Array, oOff: number, M: number, K: number, N: number): void {
  for (let i = 0; i < M; i++) {
    const orow = oOff + i * N;
    const arow = aOff + i * K;
    for (let k = 0; k < K; k++) {
      const aik = a[arow + k];
      const brow = bOff + k * N;
      for (let j = 0; j < N; j++) out[orow + j] += aik * b[brow + j];
    }
  }
}

/** numpy.matmul over float64 accumulators: returns the output shape and values. */
export function matmul(aShape: readonly number[], a: NumArray, bShape: readonly number[], b: NumArray): { shape: number[]; values: Float64Array } {
  if (aShape.length === 0 || bShape.length === 0) fail("CORRUPT", F, "MatMul operands must have rank >= 1");
  const a2 = aShape.length === 1 ? [1, aShape[0]] : [...aShape];
  const b2 = bShape.length === 1 ? [bShape[0], 1] : [...bShape];
  const M = a2[a2.length - 2];
  const K = a2[a2.length - 1];
  const N = b2[b2.length - 1];
  if (b2[b2.length - 2] !== K) fail("CORRUPT", F, `MatMul inner dimensions differ: [${aShape.join(", ")}] x [${bShape.join(", ")}]`);
  const aBatch = a2.slice(0, -2);
  const bBatch = b2.slice(0, -2);
  const batch = broadcastShapes(aBatch, bBatch);
  const nb = prod(batch);
  const ai = broadcastIndex(aBatch, batch);
  const bi = broadcastIndex(bBatch, batch);
  const values = new Float64Array(nb * M * N);
  for (let t = 0; t < nb; t++) matmulAccumulate(a, ai[t] * M * K, b, bi[t] * K * N, values, t * M * N, M, K, N);
  const shape = [...batch];
  if (aShape.length > 1) shape.push(M);
  if (bShape.length > 1) shape.push(N);
  return { shape, values };
}

/** A row-major copy of the 2-D matrix `a` ([r, c]) transposed. */
function transpose2d(a: NumArray, r: number, c: number): Float64Array {
  const t = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t[j * r + i] = a[i * c + j];
  return t;
}

registerOps({
  MatMul: (inputs, ctx) => {
    const A = input(inputs, 0, ctx);
    const B = input(inputs, 1, ctx);
    if (A.dtype !== B.dtype) fail("CORRUPT", F, `MatMul node '${ctx.nodeName}' mixes ${A.dtype} and ${B.dtype}`);
    const { shape, values } = matmul(A.shape, nums(A), B.shape, nums(B));
    return [fromValues(A.dtype, shape, values)];
  },
  Gemm: (inputs, ctx) => {
    const A = input(inputs, 0, ctx);
    const B = input(inputs, 1, ctx);
    const C = inputs[2];
    if (A.shape.length !== 2 || B.shape.length !== 2) fail("CORRUPT", F, `Gemm node '${ctx.nodeName}' needs 2-D A and B, got [${A.shape.join(", ")}] and [${B.shape.join(", ")}]`);
    const transA = ctx.int("transA", 0) !== 0;
    const transB = ctx.int("transB", 0) !== 0;
    const alpha = ctx.float("alpha", 1);
    const beta = ctx.float("beta", 1);
    const [ar, ac] = A.shape;
    const [br, bc] = B.shape;
    const M = transA ? ac : ar;
    const K = transA ? ar : ac;
    const N = transB ? br : bc;
    if ((transB ? bc : br) !== K) fail("CORRUPT", F, `Gemm node '${ctx.nodeName}': inner dimensions differ ([${A.shape.join(", ")}] x [${B.shape.join(", ")}])`);
    const a = transA ? transpose2d(nums(A), ar, ac) : nums(A);
    const b = transB ? transpose2d(nums(B), br, bc) : nums(B);
    const values = new Float64Array(M * N);
    matmulAccumulate(a, 0, b, 0, values, 0, M, K, N);
    if (alpha !== 1) for (let i = 0; i < values.length; i++) values[i] *= alpha;
    if (C !== undefined && beta !== 0) {
      // Unidirectional broadcast of C to [M, N] (onnx Broadcasting.md).
      if (C.shape.length > 2 || broadcastShapes(C.shape, [M, N]).join() !== `${M},${N}`) fail("CORRUPT", F, `Gemm node '${ctx.nodeName}': C of shape [${C.shape.join(", ")}] does not broadcast to [${M}, ${N}]`);
      const c = nums(C);
      const ci = broadcastIndex(C.shape, [M, N]);
      for (let i = 0; i < values.length; i++) values[i] += beta * c[ci[i]];
    }
    return [fromValues(A.dtype, [M, N], values)];
  },
});
