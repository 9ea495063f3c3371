/**
 * Sliding-window geometry shared by Conv and the pooling ops: kernel,
 * strides, dilations and pads from the node's attributes, the output
 * spatial size, and per-dimension input-coordinate tables.
 *
 * onnx Operators.md (Conv, MaxPool, AveragePool): with auto_pad NOTSET
 * the explicit `pads` ([x1_begin, x2_begin, ..., x1_end, x2_end, ...])
 * apply and out = floor((in + pb + pe - ((k - 1) * d + 1)) / s) + 1
 * (ceil instead of floor under ceil_mode, where a last window that would
 * start inside the end padding is dropped, as PyTorch and onnx's
 * reference implementation do). SAME_UPPER/SAME_LOWER give
 * out = ceil(in / s) and split the needed padding with the odd element at
 * the end (UPPER) or the beginning (LOWER); VALID pads nothing.
 */
import { fail } from "@codec/core";
import type { OpContext } from "../registry.js";
import { F } from "./util.js";

export interface WindowGeometry {
  /** Input spatial sizes. */
  inDims: number[];
  kernel: number[];
  strides: number[];
  dilations: number[];
  padsBegin: number[];
  padsEnd: number[];
  outDims: number[];
}

function checkLength(ctx: OpContext, name: string, v: number[], n: number): number[] {
  if (v.length !== n) fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}': ${name} has ${v.length} values for ${n / (name === "pads" ? 2 : 1)} spatial dimensions`);
  return v;
}

/**
 * The window geometry of a Conv/pool node over input spatial sizes
 * `inDims`; `kernel` comes from the attribute or (Conv) the weights.
 */
export function windowGeometry(ctx: OpContext, inDims: readonly number[], kernel: readonly number[], ceilMode: boolean): WindowGeometry {
  const n = inDims.length;
  const strides = checkLength(ctx, "strides", ctx.ints("strides", new Array<number>(n).fill(1)), n);
  const dilations = checkLength(ctx, "dilations", ctx.ints("dilations", new Array<number>(n).fill(1)), n);
  const autoPad = ctx.string("auto_pad", "NOTSET");
  const padsBegin = new Array<number>(n).fill(0);
  const padsEnd = new Array<number>(n).fill(0);
  const outDims = new Array<number>(n).fill(0);
  for (let i = 0; i < n; i++) {
    if (!(strides[i] >= 1) || !(dilations[i] >= 1) || !(kernel[i] >= 1)) fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}': kernel ${kernel[i]}, stride ${strides[i]} and dilation ${dilations[i]} must be >= 1`);
  }
  if (autoPad === "NOTSET") {
    const pads = checkLength(ctx, "pads", ctx.ints("pads", new Array<number>(2 * n).fill(0)), 2 * n);
    for (let i = 0; i < n; i++) {
      padsBegin[i] = pads[i];
      padsEnd[i] = pads[i + n];
      const span = inDims[i] + padsBegin[i] + padsEnd[i] - ((kernel[i] - 1) * dilations[i] + 1);
      let out = (ceilMode ? Math.ceil(span / strides[i]) : Math.floor(span / strides[i])) + 1;
      // Under ceil_mode a window starting in the end padding is not produced.
      if (ceilMode && out > 1 && (out - 1) * strides[i] >= inDims[i] + padsBegin[i]) out--;
      outDims[i] = Math.max(0, out);
    }
  } else if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") {
    for (let i = 0; i < n; i++) {
      const out = Math.ceil(inDims[i] / strides[i]);
      const total = Math.max(0, (out - 1) * strides[i] + (kernel[i] - 1) * dilations[i] + 1 - inDims[i]);
      const small = Math.floor(total / 2);
      padsBegin[i] = autoPad === "SAME_UPPER" ? small : total - small;
      padsEnd[i] = total - padsBegin[i];
      outDims[i] = out;
    }
  } else if (autoPad === "VALID") {
    for (let i = 0; i < n; i++) {
      const span = inDims[i] - ((kernel[i] - 1) * dilations[i] + 1);
      outDims[i] = Math.max(0, (ceilMode ? Math.ceil(span / strides[i]) : Math.floor(span / strides[i])) + 1);
    }
  } else {
    fail("UNSUPPORTED", F, `${ctx.opType} node '${ctx.nodeName}': auto_pad '${autoPad}'`);
  }
  return { inDims: [...inDims], kernel: [...kernel], strides, dilations, padsBegin, padsEnd, outDims };
}

/**
 * For every kernel position (C order over the kernel dims) and every
 * output position (C order over outDims), the flat input spatial index
 * the window reads there, or -1 where it falls in the padding.
 * Returned as one Int32Array of kernel-size x output-size entries.
 */
export function windowIndex(g: WindowGeometry): Int32Array {
  const n = g.inDims.length;
  let K = 1;
  let P = 1;
  for (let i = 0; i < n; i++) {
    K *= g.kernel[i];
    P *= g.outDims[i];
  }
  const idx = new Int32Array(K * P);
  // Per dimension: coord[d][k * out_d + o] = o * s - pb + k * dil, or -1 outside the input.
  const coord: Int32Array[] = [];
  for (let d = 0; d < n; d++) {
    const t = new Int32Array(g.kernel[d] * g.outDims[d]);
    for (let k = 0; k < g.kernel[d]; k++) {
      for (let o = 0; o < g.outDims[d]; o++) {
        const c = o * g.strides[d] - g.padsBegin[d] + k * g.dilations[d];
        t[k * g.outDims[d] + o] = c >= 0 && c < g.inDims[d] ? c : -1;
      }
    }
    coord.push(t);
  }
  const kc = new Array<number>(n).fill(0);
  const oc = new Array<number>(n).fill(0);
  for (let kp = 0; kp < K; kp++) {
    oc.fill(0);
    for (let p = 0; p < P; p++) {
      let flat = 0;
      for (let d = 0; d < n; d++) {
        const c = coord[d][kc[d] * g.outDims[d] + oc[d]];
        if (c < 0) {
          flat = -1;
          break;
        }
        flat = flat * g.inDims[d] + c;
      }
      idx[kp * P + p] = flat;
      for (let d = n - 1; d >= 0; d--) {
        if (++oc[d] < g.outDims[d]) break;
        oc[d] = 0;
      }
    }
    for (let d = n - 1; d >= 0; d--) {
      if (++kc[d] < g.kernel[d]) break;
      kc[d] = 0;
    }
  }
  return idx;
}
