/**
 * Attention (onnx Operators.md, opsets 23 and 24): scaled dot-product
 * attention with multi-head, grouped-query and multi-query layouts, an
 * optional mask (bool: true takes part; float: added to the scores), a
 * causal mask, a key/value cache (past_key/past_value, concatenated in
 * front of K/V and returned as present_key/present_value), softcap, and
 * (opset 24) nonpad_kv_seqlen, the count of valid keys per batch.
 *
 * Follows onnx's reference implementation where the prose is silent:
 * a mask shorter than the total key length is padded with "masked";
 * causal masking is offset-aligned (query i sees key j when
 * j <= i + offset, offset = past length, or nonpad_kv_seqlen[b] - q_len
 * without a past); the scores are softcapped before the mask is added;
 * qk_matmul_output is the (softcapped) scaled Q.K^T for modes 0 and 1,
 * the masked scores for mode 2 and the softmax for mode 3. A query row
 * whose keys are all masked gets probabilities 0 (so Y is 0 there), as
 * the fully-masked-row backend tests expect.
 * 3-D inputs are [batch, seq, heads * head_size] (q_num_heads and
 * kv_num_heads name the head counts); 4-D are [batch, heads, seq, size].
 */
import { fail } from "@codec/core";
import { nums, type NumArray, type RTensor } from "../../tensor.js";
import { input, type OpContext } from "../registry.js";
import { F, fromValues, registerNnOps } from "./util.js";

/** [B, H, S, D] float64 copy of a 3-D [B, S, H * D] or 4-D [B, H, S, D] input. */
function heads(t: RTensor, h: number | undefined, ctx: OpContext, what: string): { data: Float64Array; B: number; H: number; S: number; D: number } {
  const a = nums(t);
  if (t.shape.length === 4) {
    const [B, H, S, D] = t.shape;
    return { data: Float64Array.from(a), B, H, S, D };
  }
  if (t.shape.length !== 3) fail("CORRUPT", F, `Attention node '${ctx.nodeName}': ${what} has rank ${t.shape.length} (3 or 4 expected)`);
  if (h === undefined || !(h >= 1) || t.shape[2] % h !== 0) fail("CORRUPT", F, `Attention node '${ctx.nodeName}': 3-D ${what} of width ${t.shape[2]} needs a head count attribute that divides it`);
  const [B, S, W] = t.shape;
  const D = W / h;
  const data = new Float64Array(a.length);
  for (let b = 0; b < B; b++) for (let s = 0; s < S; s++) for (let hh = 0; hh < h; hh++) {
    const src = (b * S + s) * W + hh * D;
    const dst = ((b * h + hh) * S + s) * D;
    for (let d = 0; d < D; d++) data[dst + d] = a[src + d];
  }
  return { data, B, H: h, S, D };
}

/** past ++ current along the sequence axis of [B, H, S, D] arrays. */
function concatSeq(past: RTensor | undefined, cur: Float64Array, B: number, H: number, S: number, D: number, ctx: OpContext): { data: Float64Array; T: number } {
  if (past === undefined) return { data: cur, T: S };
  const p = nums(past);
  if (past.shape.length !== 4 || past.shape[0] !== B || past.shape[1] !== H || past.shape[3] !== D) fail("CORRUPT", F, `Attention node '${ctx.nodeName}': past cache of shape [${past.shape.join(", ")}] does not match [${B}, ${H}, *, ${D}]`);
  const P = past.shape[2];
  const T = P + S;
  const data = new Float64Array(B * H * T * D);
  for (let bh = 0; bh < B * H; bh++) {
    for (let i = 0; i < P * D; i++) data[bh * T * D + i] = p[bh * P * D + i];
    for (let i = 0; i < S * D; i++) data[bh * T * D + P * D + i] = cur[bh * S * D + i];
  }
  return { data, T };
}

/** Mask value at (b, h, i, j): 0 or -inf for bool masks, the value for float masks; -inf past the mask's last dim. */
interface MaskView {
  at(b: number, h: number, i: number, j: number): number;
}

function maskView(m: RTensor, ctx: OpContext): MaskView {
  const r = m.shape.length;
  if (r < 2 || r > 4) fail("CORRUPT", F, `Attention node '${ctx.nodeName}': attn_mask of rank ${r}`);
  const shape4 = [...new Array<number>(4 - r).fill(1), ...m.shape];
  const [mb, mh, mi, mj] = shape4;
  // Broadcast strides (0 along size-1 dims); the key dim is never broadcast, only padded.
  const sj = 1;
  const si = mi === 1 ? 0 : mj;
  const sh = mh === 1 ? 0 : mi * mj;
  const sb = mb === 1 ? 0 : mh * mi * mj;
  const a = nums(m);
  const isBool = m.dtype === "bool";
  return {
    at(b, h, i, j) {
      if (j >= mj) return Number.NEGATIVE_INFINITY;
      const v = a[b * sb + h * sh + i * si + j * sj];
      return isBool ? (v !== 0 ? 0 : Number.NEGATIVE_INFINITY) : v;
    },
  };
}

function attention(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const Qt = input(inputs, 0, ctx);
  const Kt = input(inputs, 1, ctx);
  const Vt = input(inputs, 2, ctx);
  const maskT = inputs[3];
  const pastK = inputs[4];
  const pastV = inputs[5];
  const nonpadT = inputs[6];
  const threeD = Qt.shape.length === 3;
  const qHeadsAttr = ctx.has("q_num_heads") ? ctx.int("q_num_heads") : undefined;
  const kvHeadsAttr = ctx.has("kv_num_heads") ? ctx.int("kv_num_heads") : undefined;
  const Q = heads(Qt, qHeadsAttr, ctx, "Q");
  const K = heads(Kt, kvHeadsAttr, ctx, "K");
  const V = heads(Vt, kvHeadsAttr, ctx, "V");
  const { B, H: Hq, S: Sq, D } = Q;
  const Hkv = K.H;
  const Dv = V.D;
  if (K.B !== B || V.B !== B || V.H !== Hkv || K.D !== D || V.S !== K.S) fail("CORRUPT", F, `Attention node '${ctx.nodeName}': Q, K and V shapes do not agree`);
  if (Hq % Hkv !== 0) fail("CORRUPT", F, `Attention node '${ctx.nodeName}': ${Hq} query heads are not a multiple of ${Hkv} key/value heads`);
  const P = pastK === undefined ? 0 : pastK.shape[2];
  const Kall = concatSeq(pastK, K.data, B, Hkv, K.S, D, ctx);
  const Vall = concatSeq(pastV, V.data, B, Hkv, V.S, Dv, ctx);
  const T = Kall.T;
  if (Vall.T !== T) fail("CORRUPT", F, `Attention node '${ctx.nodeName}': key and value caches differ in length`);
  const scale = ctx.has("scale") ? ctx.float("scale") : 1 / Math.sqrt(D);
  const softcap = ctx.float("softcap", 0);
  const causal = ctx.int("is_causal", 0) !== 0;
  const mode = ctx.int("qk_matmul_output_mode", 0);
  const mask = maskT === undefined ? undefined : maskView(maskT, ctx);
  const nonpad: NumArray | undefined = nonpadT === undefined ? undefined : nums(nonpadT);
  if (nonpad !== undefined && nonpad.length !== B) fail("CORRUPT", F, `Attention node '${ctx.nodeName}': nonpad_kv_seqlen has ${nonpad.length} values for batch ${B}`);
  const group = Hq / Hkv;
  const y = new Float64Array(B * Hq * Sq * Dv);
  const qk = new Float64Array(B * Hq * Sq * T);
  const scores = new Float64Array(T);
  for (let b = 0; b < B; b++) {
    // Causal frontier: query i sees key j when j <= i + offset.
    const offset = pastK !== undefined ? P : nonpad !== undefined ? nonpad[b] - Sq : 0;
    const valid = nonpad === undefined ? T : nonpad[b];
    for (let h = 0; h < Hq; h++) {
      const kvh = Math.floor(h / group);
      const kBase = (b * Hkv + kvh) * T * D;
      const vBase = (b * Hkv + kvh) * T * Dv;
      for (let i = 0; i < Sq; i++) {
        const qBase = ((b * Hq + h) * Sq + i) * D;
        const oBase = ((b * Hq + h) * Sq + i) * T;
        for (let j = 0; j < T; j++) {
          let dot = 0;
          for (let d = 0; d < D; d++) dot += Q.data[qBase + d] * Kall.data[kBase + j * D + d];
          let s = dot * scale;
          if (softcap > 0) s = softcap * Math.tanh(s / softcap);
          if (mode <= 1) qk[oBase + j] = s;
          let bias = mask === undefined ? 0 : mask.at(b, h, i, j);
          if (causal && j > i + offset) bias = Number.NEGATIVE_INFINITY;
          if (j >= valid) bias = Number.NEGATIVE_INFINITY;
          s += bias;
          if (mode === 2) qk[oBase + j] = s;
          scores[j] = s;
        }
        // Softmax over the keys; a fully masked row (every score -inf) attends to nothing: all 0, not NaN.
        let max = Number.NEGATIVE_INFINITY;
        for (let j = 0; j < T; j++) if (scores[j] > max || Number.isNaN(scores[j])) max = scores[j];
        if (max === Number.NEGATIVE_INFINITY) scores.fill(0);
        else {
          let sum = 0;
          for (let j = 0; j < T; j++) {
            scores[j] = Math.exp(scores[j] - max);
            sum += scores[j];
          }
          for (let j = 0; j < T; j++) scores[j] /= sum;
        }
        if (mode === 3) for (let j = 0; j < T; j++) qk[oBase + j] = scores[j];
        const yBase = ((b * Hq + h) * Sq + i) * Dv;
        for (let j = 0; j < T; j++) {
          const p = scores[j];
          for (let d = 0; d < Dv; d++) y[yBase + d] += p * Vall.data[vBase + j * Dv + d];
        }
      }
    }
  }
  let Y: RTensor;
  if (threeD) {
    // Back to [B, Sq, Hq * Dv].
    const y3 = new Float64Array(y.length);
    for (let b = 0; b < B; b++) for (let h = 0; h < Hq; h++) for (let i = 0; i < Sq; i++) {
      const src = ((b * Hq + h) * Sq + i) * Dv;
      const dst = (b * Sq + i) * Hq * Dv + h * Dv;
      for (let d = 0; d < Dv; d++) y3[dst + d] = y[src + d];
    }
    Y = fromValues(Qt.dtype, [B, Sq, Hq * Dv], y3);
  } else {
    Y = fromValues(Qt.dtype, [B, Hq, Sq, Dv], y);
  }
  return [Y, fromValues(Kt.dtype, [B, Hkv, T, D], Kall.data), fromValues(Vt.dtype, [B, Hkv, T, Dv], Vall.data), fromValues(Qt.dtype, [B, Hq, Sq, T], qk)];
}

registerNnOps({ Attention: attention });
