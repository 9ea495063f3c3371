/**
 * Newer sequence-model ops (onnx Operators.md; semantics as onnx's
 * reference implementations where the prose is brief):
 *
 * - RotaryEmbedding (opset 23): rotates pairs of each head's first
 *   rotary_embedding_dim features by position-dependent angles, the pairs
 *   being (i, i + dim/2) or, interleaved, (2i, 2i + 1); cos/sin come from
 *   caches indexed by position_ids (or given per [batch, seq]).
 * - CausalConvWithState: a depthwise 1-D convolution over the input
 *   prefixed with the carried state (zeros without one), optional fused
 *   SiLU, returning the last k - 1 padded positions as the next state.
 * - LinearAttention: the recurrent state S [B, H_kv, d_k, d_v] updated per
 *   step (decay: S *= exp(g); delta rule: v <- beta * (v - S^T k');
 *   S += k v^T) and read by each query head of the group: o = scale * q S.
 */
import { fail } from "@codec/core";
import { nums, type NumArray, type RTensor } from "../../tensor.js";
import { input, type OpContext } from "../registry.js";
import { convolve } from "./conv.js";
import { f64 } from "./matmul.js";
import { F, fromValues, registerNnOps, requireFloat } from "./util.js";

function rotaryEmbedding(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const X = input(inputs, 0, ctx);
  requireFloat(X, ctx);
  const cosT = input(inputs, 1, ctx);
  const sinT = input(inputs, 2, ctx);
  const posT = inputs[3];
  const four = X.shape.length === 4;
  if (!four && X.shape.length !== 3) fail("CORRUPT", F, `RotaryEmbedding node '${ctx.nodeName}': input of rank ${X.shape.length} (3 or 4 expected)`);
  const B = X.shape[0];
  const S = four ? X.shape[2] : X.shape[1];
  const H = four ? X.shape[1] : ctx.int("num_heads", 0);
  if (!(H >= 1) || (!four && X.shape[2] % H !== 0)) fail("CORRUPT", F, `RotaryEmbedding node '${ctx.nodeName}': 3-D input needs num_heads dividing its width`);
  const D = four ? X.shape[3] : X.shape[2] / H;
  const rot = ctx.int("rotary_embedding_dim", 0) || D;
  const half = rot / 2;
  if (!Number.isInteger(half) || rot > D) fail("CORRUPT", F, `RotaryEmbedding node '${ctx.nodeName}': rotary_embedding_dim ${rot} for head size ${D}`);
  const interleaved = ctx.int("interleaved", 0) !== 0;
  const cos = nums(cosT);
  const sin = nums(sinT);
  if (cosT.shape[cosT.shape.length - 1] !== half || sinT.shape[sinT.shape.length - 1] !== half) fail("CORRUPT", F, `RotaryEmbedding node '${ctx.nodeName}': cos/sin caches must end in ${half}`);
  const pos: NumArray | undefined = posT === undefined ? undefined : nums(posT);
  const cacheRows = cos.length / half;
  const x = nums(X);
  const out = Float64Array.from(x);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      // The cache row: position_ids[b, s], or [b, s] itself when the caches are per position already.
      const row = pos === undefined ? b * S + s : pos[b * S + s];
      if (!(row >= 0 && row < cacheRows && Number.isInteger(row))) fail("CORRUPT", F, `RotaryEmbedding node '${ctx.nodeName}': position ${row} is outside the cache of ${cacheRows} rows`);
      for (let h = 0; h < H; h++) {
        const base = four ? ((b * H + h) * S + s) * D : ((b * S + s) * H + h) * D;
        for (let i = 0; i < half; i++) {
          const c = cos[row * half + i];
          const sn = sin[row * half + i];
          const i1 = base + (interleaved ? 2 * i : i);
          const i2 = base + (interleaved ? 2 * i + 1 : i + half);
          out[i1] = c * x[i1] - sn * x[i2];
          out[i2] = sn * x[i1] + c * x[i2];
        }
      }
    }
  }
  return [fromValues(X.dtype, X.shape, out)];
}

function causalConvWithState(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const X = input(inputs, 0, ctx);
  const W = input(inputs, 1, ctx);
  requireFloat(X, ctx);
  const activation = ctx.string("activation", "none");
  if (activation !== "none" && activation !== "silu" && activation !== "swish") fail("UNSUPPORTED", F, `CausalConvWithState node '${ctx.nodeName}': activation '${activation}'`);
  if (X.shape.length !== 3 || W.shape.length !== 3) fail("CORRUPT", F, `CausalConvWithState node '${ctx.nodeName}': input and weight must be rank 3`);
  const [B, C, L] = X.shape;
  const k = W.shape[2];
  if (W.shape[0] !== C || W.shape[1] !== 1 || !(k >= 1)) fail("CORRUPT", F, `CausalConvWithState node '${ctx.nodeName}': weight [${W.shape.join(", ")}] should be [${C}, 1, k]`);
  const past = inputs[3];
  if (past !== undefined && past.shape.join() !== [B, C, k - 1].join()) fail("CORRUPT", F, `CausalConvWithState node '${ctx.nodeName}': past_state [${past.shape.join(", ")}] should be [${B}, ${C}, ${k - 1}]`);
  // Left-pad every (b, c) row with the carried state (zeros without one).
  const T = L + k - 1;
  const padded = new Float64Array(B * C * T);
  const x = nums(X);
  const p = past === undefined ? undefined : nums(past);
  for (let r = 0; r < B * C; r++) {
    if (p !== undefined) for (let j = 0; j < k - 1; j++) padded[r * T + j] = p[r * (k - 1) + j];
    for (let j = 0; j < L; j++) padded[r * T + k - 1 + j] = x[r * L + j];
  }
  // Depthwise, no padding: Conv's arithmetic with group = C on a node context that says so.
  const depthwise: OpContext = { ...ctx, int: (name, fallback) => (name === "group" ? C : ctx.int(name, fallback)), ints: (name, fallback) => (name === "kernel_shape" || name === "strides" || name === "dilations" || name === "pads" ? (fallback ?? []) : ctx.ints(name, fallback)), string: (name, fallback) => (name === "auto_pad" ? "NOTSET" : ctx.string(name, fallback)) };
  const bias = inputs[2] === undefined ? undefined : nums(inputs[2]);
  const { shape, values } = convolve(depthwise, [B, C, T], padded, W, f64(nums(W)), bias);
  if (activation !== "none") {
    // SiLU: x * sigmoid(x), on the convolution rounded to the input type (as the reference computes it).
    const conv = fromValues(X.dtype, shape, values);
    const a = nums(conv);
    for (let i = 0; i < values.length; i++) values[i] = a[i] / (1 + Math.exp(-a[i]));
  }
  const state = new Float64Array(B * C * (k - 1));
  for (let r = 0; r < B * C; r++) for (let j = 0; j < k - 1; j++) state[r * (k - 1) + j] = padded[r * T + L + j];
  return [fromValues(X.dtype, shape, values), fromValues(past?.dtype ?? X.dtype, [B, C, k - 1], state)];
}

function linearAttention(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const Q = input(inputs, 0, ctx);
  const K = input(inputs, 1, ctx);
  const V = input(inputs, 2, ctx);
  requireFloat(Q, ctx);
  const [past, decay, beta, erase] = [inputs[3], inputs[4], inputs[5], inputs[6]];
  const rule = ctx.string("update_rule", "gated_delta");
  if (rule !== "linear" && rule !== "gated" && rule !== "delta" && rule !== "gated_delta") fail("UNSUPPORTED", F, `LinearAttention node '${ctx.nodeName}': update_rule '${rule}'`);
  const gating = rule === "gated" || rule === "gated_delta";
  const delta = rule === "delta" || rule === "gated_delta";
  if (gating !== (decay !== undefined) || delta !== (beta !== undefined) || (erase !== undefined && !delta)) fail("CORRUPT", F, `LinearAttention node '${ctx.nodeName}': inputs do not match update_rule '${rule}'`);
  const Hq = ctx.int("q_num_heads");
  const Hkv = ctx.int("kv_num_heads");
  if (!(Hq >= 1 && Hkv >= 1) || Hq % Hkv !== 0) fail("CORRUPT", F, `LinearAttention node '${ctx.nodeName}': ${Hq} query heads, ${Hkv} key/value heads`);
  if (Q.shape.length !== 3 || K.shape.length !== 3 || V.shape.length !== 3) fail("CORRUPT", F, `LinearAttention node '${ctx.nodeName}': query, key and value must be rank 3`);
  const [B, T] = Q.shape;
  const dk = Q.shape[2] / Hq;
  const dv = V.shape[2] / Hkv;
  if (!Number.isInteger(dk) || !Number.isInteger(dv) || K.shape[2] !== Hkv * dk || K.shape[0] !== B || V.shape[0] !== B || K.shape[1] !== T || V.shape[1] !== T) {
    fail("CORRUPT", F, `LinearAttention node '${ctx.nodeName}': query/key/value shapes do not agree with the head counts`);
  }
  const group = Hq / Hkv;
  const scaleAttr = ctx.float("scale", 0);
  const scale = scaleAttr === 0 ? 1 / Math.sqrt(dk) : scaleAttr;
  const q = nums(Q);
  const kk = nums(K);
  const v = nums(V);
  // decay last dim: one per kv head, or one per (kv head, key feature); beta: per kv head or 1.
  const g = decay === undefined ? undefined : nums(decay);
  const gW = decay === undefined ? 0 : decay.shape[2];
  if (decay !== undefined && gW !== Hkv && gW !== Hkv * dk) fail("CORRUPT", F, `LinearAttention node '${ctx.nodeName}': decay last dim ${gW}`);
  const bt = beta === undefined ? undefined : nums(beta);
  const bW = beta === undefined ? 0 : beta.shape[2];
  if (beta !== undefined && bW !== Hkv && bW !== 1) fail("CORRUPT", F, `LinearAttention node '${ctx.nodeName}': beta last dim ${bW}`);
  const eg = erase === undefined ? undefined : nums(erase);
  const state = new Float64Array(B * Hkv * dk * dv);
  if (past !== undefined) {
    if (past.shape.join() !== [B, Hkv, dk, dv].join()) fail("CORRUPT", F, `LinearAttention node '${ctx.nodeName}': past_state [${past.shape.join(", ")}] should be [${B}, ${Hkv}, ${dk}, ${dv}]`);
    state.set(nums(past));
  }
  const out = new Float64Array(B * T * Hq * dv);
  const vt = new Float64Array(dv);
  const ke = new Float64Array(dk);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let h = 0; h < Hkv; h++) {
        const S0 = ((b * Hkv + h) * dk) * dv;
        const kOff = (b * T + t) * Hkv * dk + h * dk;
        const vOff = (b * T + t) * Hkv * dv + h * dv;
        if (g !== undefined) {
          for (let d = 0; d < dk; d++) {
            const e = Math.exp(gW === Hkv ? g[(b * T + t) * Hkv + h] : g[(b * T + t) * Hkv * dk + h * dk + d]);
            for (let m = 0; m < dv; m++) state[S0 + d * dv + m] *= e;
          }
        }
        for (let m = 0; m < dv; m++) vt[m] = v[vOff + m];
        if (bt !== undefined) {
          for (let d = 0; d < dk; d++) ke[d] = eg === undefined ? kk[kOff + d] : eg[kOff + d] * kk[kOff + d];
          const bv = bt[(b * T + t) * bW + (bW === 1 ? 0 : h)];
          for (let m = 0; m < dv; m++) {
            let got = 0;
            for (let d = 0; d < dk; d++) got += state[S0 + d * dv + m] * ke[d];
            vt[m] = bv * (vt[m] - got);
          }
        }
        for (let d = 0; d < dk; d++) {
          const kd = kk[kOff + d];
          for (let m = 0; m < dv; m++) state[S0 + d * dv + m] += kd * vt[m];
        }
        // Every query head of this kv head's group reads the updated state.
        for (let hq = h * group; hq < (h + 1) * group; hq++) {
          const qOff = (b * T + t) * Hq * dk + hq * dk;
          const oOff = (b * T + t) * Hq * dv + hq * dv;
          for (let m = 0; m < dv; m++) {
            let acc = 0;
            for (let d = 0; d < dk; d++) acc += q[qOff + d] * state[S0 + d * dv + m];
            out[oOff + m] = scale * acc;
          }
        }
      }
    }
  }
  return [fromValues(Q.dtype, [B, T, Hq * dv], out), fromValues(past?.dtype ?? Q.dtype, [B, Hkv, dk, dv], state)];
}

registerNnOps({
  RotaryEmbedding: rotaryEmbedding,
  CausalConvWithState: causalConvWithState,
  LinearAttention: linearAttention,
});
