/**
 * TensorScatter (onnx Operators.md, opset 24): a KV-cache update. The
 * output is past_cache [batch, ..., max_seq, ...] with `update` [batch,
 * ..., seq, ...] (same shape except along `axis`, default -2, never the
 * batch axis) written along `axis` starting at write_indices[batch]
 * (default 0). mode "linear" (default) requires the write to fit;
 * "circular" wraps positions modulo max_seq. Any dtype, strings included.
 */
import { fail } from "@codec/core";
import { arrayFor, nums, type RTensor, tensor } from "../tensor.js";
import { registerNnOps } from "./nn/util.js";
import type { Elems } from "./shape/common.js";
import { input, type OpContext } from "./registry.js";

function tensorScatter(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const past = input(inputs, 0, ctx);
  const update = input(inputs, 1, ctx);
  const where = `${ctx.opType} node '${ctx.nodeName}'`;
  const rank = past.shape.length;
  if (rank < 2) fail("CORRUPT", "infer", `${where}: past_cache has rank ${rank}, needs at least 2`);
  if (update.dtype !== past.dtype) fail("CORRUPT", "infer", `${where}: update is ${update.dtype}, past_cache ${past.dtype}`);
  let axis = ctx.int("axis", -2);
  if (axis < 0) axis += rank;
  if (!(axis >= 1 && axis < rank)) fail("CORRUPT", "infer", `${where}: axis ${ctx.int("axis", -2)} must name a non-batch axis of rank ${rank}`);
  const maxSeq = past.shape[axis];
  const seq = update.shape[axis];
  if (update.shape.length !== rank || update.shape.some((d, i) => i !== axis && d !== past.shape[i]) || seq > maxSeq) {
    fail("CORRUPT", "infer", `${where}: update [${update.shape.join(", ")}] does not fit past_cache [${past.shape.join(", ")}] along axis ${axis}`);
  }
  const mode = ctx.string("mode", "linear");
  if (mode !== "linear" && mode !== "circular") fail("CORRUPT", "infer", `${where}: mode '${mode}'`);
  const batch = past.shape[0];
  const wi = inputs[2] === undefined ? new Float64Array(batch) : nums(inputs[2]);
  if (wi.length !== batch) fail("CORRUPT", "infer", `${where}: ${wi.length} write_indices for batch ${batch}`);
  for (let b = 0; b < batch; b++) {
    const w = wi[b];
    if (!(Number.isInteger(w) && w >= 0 && (mode === "circular" || w + seq <= maxSeq))) {
      fail("CORRUPT", "infer", `${where}: write index ${w} for ${seq} positions in a cache of ${maxSeq}`);
    }
  }
  // Copy, then overwrite: rows of `inner` contiguous elements at each (prefix, position).
  // Same dtype on both sides, so numbers go to typed arrays and strings to string arrays.
  const src: Elems = past.data;
  const upd: Elems = update.data;
  const data = arrayFor(past.dtype, src.length);
  const out: Elems = data;
  for (let i = 0; i < src.length; i++) out[i] = src[i];
  let inner = 1;
  for (let d = axis + 1; d < rank; d++) inner *= past.shape[d];
  let prefix = 1;
  for (let d = 1; d < axis; d++) prefix *= past.shape[d];
  for (let b = 0; b < batch; b++) {
    for (let p = 0; p < prefix; p++) {
      const outer = b * prefix + p;
      for (let s = 0; s < seq; s++) {
        const pos = (wi[b] + s) % maxSeq;
        const to = (outer * maxSeq + pos) * inner;
        const from = (outer * seq + s) * inner;
        for (let k = 0; k < inner; k++) out[to + k] = upd[from + k];
      }
    }
  }
  return [tensor(past.dtype, past.shape, data)];
}

registerNnOps({ TensorScatter: tensorScatter });
