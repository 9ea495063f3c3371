/**
 * MatMul (numpy.matmul semantics: 1-D operands promoted and the added
 * dimension removed, batch dimensions broadcast) and Gemm
 * (Y = alpha * A' * B' + beta * C, C broadcast unidirectionally to [M, N]).
 * Sums accumulate in float64 and are stored in the input dtype.
 */
import { fail } from "@codec/core";
import { broadcastIndex, broadcastShapes } from "../../broadcast.js";
import { nums, type NumArray } from "../../tensor.js";
import { input } from "../registry.js";
import { F, fromValues, prod, registerNnOps } from "./util.js";

/** Column and depth tile sizes: a KB x JB tile of b (256 KiB of float64) stays in L2 while rows of a sweep it. */
const JB = 256;
const KB = 128;

/**
 * out[oOff + i*N + j] += sum_k a[aOff + i*K + k] * b[bOff + k*N + j]
 * (row-major). Tiled over j and k so a tile of b is reused from cache,
 * four rows of a at a time so each loaded b element feeds four products;
 * float64 throughout (one typed-array type keeps the loops monomorphic).
 * Zeros in a are not skipped, so NaN/Inf in b propagate as in numpy.
 */
export function matmulAccumulate(a: Float64Array, aOff: number, b: Float64Array, bOff: number, out: Float64Array, oOff: number, M: number, K: number, N: number): void {
  for (let j0 = 0; j0 < N; j0 += JB) {
    const j1 = Math.min(N, j0 + JB);
    for (let k0 = 0; k0 < K; k0 += KB) {
      const k1 = Math.min(K, k0 + KB);
      let i = 0;
      for (; i + 4 <= M; i += 4) {
        const o0 = oOff + i * N;
        const o1 = o0 + N;
        const o2 = o1 + N;
        const o3 = o2 + N;
        const r0 = aOff + i * K;
        for (let k = k0; k < k1; k++) {
          const a0 = a[r0 + k];
          const a1 = a[r0 + K + k];
          const a2 = a[r0 + 2 * K + k];
          const a3 = a[r0 + 3 * K + k];
          const br = bOff + k * N;
          for (let j = j0; j < j1; j++) {
            const bv = b[br + j];
            out[o0 + j] += a0 * bv;
            out[o1 + j] += a1 * bv;
            out[o2 + j] += a2 * bv;
            out[o3 + j] += a3 * bv;
          }
        }
      }
      for (; i < M; i++) {
        const o0 = oOff + i * N;
        const r0 = aOff + i * K;
        for (let k = k0; k < k1; k++) {
          const a0 = a[r0 + k];
          const br = bOff + k * N;
          for (let j = j0; j < j1; j++) out[o0 + j] += a0 * b[br + j];
        }
      }
    }
  }
}

/** The elements as a Float64Array: the array itself when it already is one (read only), else a widened copy. */
export function f64(a: NumArray): Float64Array {
  return a instanceof Float64Array ? a : Float64Array.from(a);
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
  const af = f64(a);
  const bf = f64(b);
  for (let t = 0; t < nb; t++) matmulAccumulate(af, ai[t] * M * K, bf, bi[t] * K * N, values, t * M * N, M, K, N);
  const shape = [...batch];
  if (aShape.length > 1) shape.push(M);
  if (bShape.length > 1) shape.push(N);
  return { shape, values };
}

/** A row-major float64 copy of the 2-D matrix `a` ([r, c]) transposed. */
function transpose2d(a: NumArray, r: number, c: number): Float64Array {
  const t = new Float64Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) t[j * r + i] = a[i * c + j];
  return t;
}

registerNnOps({
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
    const values = new Float64Array(M * N);
    if (M === 1 && transB) {
      // A row vector times B^T (a Linear layer on one sample): dot products with B's rows, no transpose.
      const a = f64(nums(A));
      const b = f64(nums(B));
      for (let j = 0; j < N; j++) {
        let acc = 0;
        const row = j * K;
        for (let k = 0; k < K; k++) acc += a[k] * b[row + k];
        values[j] = acc;
      }
    } else {
      const a = transA ? transpose2d(nums(A), ar, ac) : f64(nums(A));
      const b = transB ? transpose2d(nums(B), br, bc) : f64(nums(B));
      matmulAccumulate(a, 0, b, 0, values, 0, M, K, N);
    }
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
