/**
 * Pooling (onnx Operators.md): MaxPool (with the optional Indices
 * output) and its inverse MaxUnpool, AveragePool, LpPool, and the global
 * forms GlobalMaxPool, GlobalAveragePool, GlobalLpPool. Window geometry is shared with Conv
 * (window.ts); padding never contributes a value: MaxPool ignores it,
 * AveragePool divides by the taps inside the input (count_include_pad=0)
 * or inside input plus explicit pads (count_include_pad=1), and LpPool
 * treats it as zeros.
 */
import { fail } from "@codec/core";
import { nums, type RTensor, tensor } from "../../tensor.js";
import { input, type OpContext } from "../registry.js";
import { F, fromValues, prod, requireFloat, registerNnOps } from "./util.js";
import { type WindowGeometry, windowGeometry, windowIndex } from "./window.js";

interface Pooling {
  X: RTensor;
  g: WindowGeometry;
  /** Kernel taps and output positions per plane. */
  K: number;
  P: number;
  Pin: number;
  planes: number;
  idx: Int32Array;
}

function setup(inputs: (RTensor | undefined)[], ctx: OpContext): Pooling {
  const X = input(inputs, 0, ctx);
  if (X.shape.length < 3) fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}': input of shape [${X.shape.join(", ")}] needs rank >= 3`);
  const kernel = ctx.ints("kernel_shape");
  const inDims = X.shape.slice(2);
  if (kernel.length !== inDims.length) fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}': kernel_shape has ${kernel.length} values for ${inDims.length} spatial dimensions`);
  const g = windowGeometry(ctx, inDims, kernel, ctx.int("ceil_mode", 0) !== 0);
  return { X, g, K: prod(kernel), P: prod(g.outDims), Pin: prod(inDims), planes: X.shape[0] * X.shape[1], idx: windowIndex(g) };
}

function maxPool(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const { X, g, K, P, Pin, planes, idx } = setup(inputs, ctx);
  if (X.dtype === "string" || X.dtype === "bool") fail("UNSUPPORTED", F, `MaxPool node '${ctx.nodeName}': ${X.dtype} input`);
  const x = nums(X);
  const out = new Float64Array(planes * P);
  const arg = new Float64Array(planes * P);
  const storageOrder = ctx.int("storage_order", 0);
  // Column-major indices (storage_order 1) renumber the spatial position.
  const colMajor = storageOrder === 1 ? columnMajorIndex(g.inDims) : undefined;
  for (let pl = 0; pl < planes; pl++) {
    const xb = pl * Pin;
    const ob = pl * P;
    out.fill(Number.NEGATIVE_INFINITY, ob, ob + P);
    arg.fill(-1, ob, ob + P);
    for (let k = 0; k < K; k++) {
      const kb = k * P;
      for (let p = 0; p < P; p++) {
        const s = idx[kb + p];
        if (s < 0) continue;
        const v = x[xb + s];
        // Strictly greater: the first maximum in window order wins (as onnx's reference and PyTorch pick).
        if (v > out[ob + p] || arg[ob + p] < 0) {
          out[ob + p] = v;
          arg[ob + p] = s;
        }
      }
    }
    for (let p = 0; p < P; p++) {
      const s = arg[ob + p];
      arg[ob + p] = s < 0 ? -1 : pl * Pin + (colMajor === undefined ? s : colMajor[s]);
    }
  }
  const shape = [X.shape[0], X.shape[1], ...g.outDims];
  return [fromValues(X.dtype, shape, out), tensor("int64", shape, arg)];
}

/** For each row-major spatial index, the same position's column-major index. */
function columnMajorIndex(dims: readonly number[]): Int32Array {
  const n = prod(dims);
  const t = new Int32Array(n);
  const coords = new Array<number>(dims.length);
  for (let i = 0; i < n; i++) {
    let rest = i;
    for (let d = dims.length - 1; d >= 0; d--) {
      coords[d] = rest % dims[d];
      rest = Math.floor(rest / dims[d]);
    }
    // Column-major: the first dimension varies fastest.
    let cm = 0;
    let mul = 1;
    for (let d = 0; d < dims.length; d++) {
      cm += coords[d] * mul;
      mul *= dims[d];
    }
    t[i] = cm;
  }
  return t;
}

/**
 * Per output position, how many taps count towards the average: the
 * taps inside the input, or (count_include_pad) inside input plus the
 * explicit/auto pads (a ceil_mode window running past the end padding
 * does not count its overhang, as PyTorch and onnx's reference do).
 */
function averageDivisors(g: WindowGeometry, idx: Int32Array, K: number, P: number, includePad: boolean): Float64Array {
  const div = new Float64Array(P);
  if (!includePad) {
    for (let k = 0; k < K; k++) for (let p = 0; p < P; p++) if (idx[k * P + p] >= 0) div[p]++;
    return div;
  }
  const n = g.inDims.length;
  // Per dimension and output coordinate: taps within [-pb, in + pe).
  const perDim: Int32Array[] = [];
  for (let d = 0; d < n; d++) {
    const t = new Int32Array(g.outDims[d]);
    for (let o = 0; o < g.outDims[d]; o++) {
      for (let k = 0; k < g.kernel[d]; k++) {
        const c = o * g.strides[d] - g.padsBegin[d] + k * g.dilations[d];
        if (c >= -g.padsBegin[d] && c < g.inDims[d] + g.padsEnd[d]) t[o]++;
      }
    }
    perDim.push(t);
  }
  const oc = new Array<number>(n).fill(0);
  for (let p = 0; p < P; p++) {
    let c = 1;
    for (let d = 0; d < n; d++) c *= perDim[d][oc[d]];
    div[p] = c;
    for (let d = n - 1; d >= 0; d--) {
      if (++oc[d] < g.outDims[d]) break;
      oc[d] = 0;
    }
  }
  return div;
}

function averagePool(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const { X, g, K, P, Pin, planes, idx } = setup(inputs, ctx);
  requireFloat(X, ctx);
  const x = nums(X);
  const div = averageDivisors(g, idx, K, P, ctx.int("count_include_pad", 0) !== 0);
  const out = new Float64Array(planes * P);
  for (let pl = 0; pl < planes; pl++) {
    const xb = pl * Pin;
    const ob = pl * P;
    for (let k = 0; k < K; k++) {
      const kb = k * P;
      for (let p = 0; p < P; p++) {
        const s = idx[kb + p];
        if (s >= 0) out[ob + p] += x[xb + s];
      }
    }
    for (let p = 0; p < P; p++) out[ob + p] /= div[p];
  }
  return [fromValues(X.dtype, [X.shape[0], X.shape[1], ...g.outDims], out)];
}

function lpPool(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const { X, g, K, P, Pin, planes, idx } = setup(inputs, ctx);
  requireFloat(X, ctx);
  const x = nums(X);
  const pw = ctx.int("p", 2);
  const out = new Float64Array(planes * P);
  for (let pl = 0; pl < planes; pl++) {
    const xb = pl * Pin;
    const ob = pl * P;
    for (let k = 0; k < K; k++) {
      const kb = k * P;
      for (let p = 0; p < P; p++) {
        const s = idx[kb + p];
        if (s >= 0) out[ob + p] += Math.abs(x[xb + s]) ** pw;
      }
    }
    for (let p = 0; p < P; p++) out[ob + p] = out[ob + p] ** (1 / pw);
  }
  return [fromValues(X.dtype, [X.shape[0], X.shape[1], ...g.outDims], out)];
}

type Reducer = "max" | "avg" | "lp";

/** Global pooling: one value per (n, c) over all spatial positions; spatial dims kept as 1. */
function globalPool(kind: Reducer) {
  return (inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] => {
    const X = input(inputs, 0, ctx);
    if (X.shape.length < 2) fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}': input of shape [${X.shape.join(", ")}] needs rank >= 2`);
    if (kind !== "max") requireFloat(X, ctx);
    const x = nums(X);
    const planes = X.shape[0] * X.shape[1];
    const S = prod(X.shape, 2);
    const pw = kind === "lp" ? ctx.int("p", 2) : 1;
    const out = new Float64Array(planes);
    for (let pl = 0; pl < planes; pl++) {
      const b = pl * S;
      let acc = kind === "max" ? Number.NEGATIVE_INFINITY : 0;
      for (let i = 0; i < S; i++) {
        const v = x[b + i];
        if (kind === "max") acc = v > acc || Number.isNaN(v) ? v : acc;
        else if (kind === "avg") acc += v;
        else acc += Math.abs(v) ** pw;
      }
      out[pl] = kind === "avg" ? acc / S : kind === "lp" ? acc ** (1 / pw) : acc;
    }
    return [fromValues(X.dtype, [X.shape[0], X.shape[1], ...X.shape.slice(2).map(() => 1)], out)];
  };
}

/**
 * MaxUnpool: scatters X into zeros at the flat indices I (as MaxPool's
 * Indices output gives them); the output shape is the output_shape input
 * or, per spatial dim, (in - 1) * stride + kernel - pad_begin - pad_end.
 */
function maxUnpool(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const X = input(inputs, 0, ctx);
  const I = input(inputs, 1, ctx);
  const shapeT = inputs[2];
  if (X.shape.length < 3 || I.shape.join() !== X.shape.join()) fail("CORRUPT", F, `MaxUnpool node '${ctx.nodeName}': X [${X.shape.join(", ")}] and indices [${I.shape.join(", ")}] need the same shape of rank >= 3`);
  const n = X.shape.length - 2;
  const kernel = ctx.ints("kernel_shape");
  const strides = ctx.ints("strides", new Array<number>(n).fill(1));
  const pads = ctx.ints("pads", new Array<number>(2 * n).fill(0));
  if (kernel.length !== n || strides.length !== n || pads.length !== 2 * n) fail("CORRUPT", F, `MaxUnpool node '${ctx.nodeName}': kernel_shape/strides/pads do not match ${n} spatial dimensions`);
  // Indices address the default unpooled shape, (in - 1) * stride + kernel - pads per spatial dim.
  const natural = [X.shape[0], X.shape[1], ...X.shape.slice(2).map((d, i) => (d - 1) * strides[i] + kernel[i] - pads[i] - pads[i + n])];
  const total = prod(natural);
  const out = new Float64Array(total);
  const x = nums(X);
  const idx = nums(I);
  for (let i = 0; i < x.length; i++) {
    const j = idx[i];
    if (!(Number.isInteger(j) && j >= 0 && j < total)) fail("CORRUPT", F, `MaxUnpool node '${ctx.nodeName}': index ${j} is outside an output of ${total} elements`);
    out[j] = x[i];
  }
  if (shapeT === undefined) return [fromValues(X.dtype, natural, out)];
  // An explicit output_shape keeps every element at its coordinates, padding (zeros) at the end of each dim.
  const outShape = Array.from(nums(shapeT));
  if (outShape.length !== X.shape.length || outShape[0] !== X.shape[0] || outShape[1] !== X.shape[1] || outShape.some((d, i) => !(Number.isInteger(d) && d >= natural[i]))) {
    fail("CORRUPT", F, `MaxUnpool node '${ctx.nodeName}': output_shape [${outShape.join(", ")}] is smaller than the unpooled [${natural.join(", ")}]`);
  }
  const big = new Float64Array(prod(outShape));
  const rank = natural.length;
  const coord = new Array<number>(rank).fill(0);
  for (let i = 0; i < total; i++) {
    let j = 0;
    for (let d = 0; d < rank; d++) j = j * outShape[d] + coord[d];
    big[j] = out[i];
    for (let d = rank - 1; d >= 0; d--) {
      if (++coord[d] < natural[d]) break;
      coord[d] = 0;
    }
  }
  return [fromValues(X.dtype, outShape, big)];
}

registerNnOps({
  MaxPool: maxPool,
  MaxUnpool: maxUnpool,
  AveragePool: averagePool,
  LpPool: lpPool,
  GlobalMaxPool: globalPool("max"),
  GlobalAveragePool: globalPool("avg"),
  GlobalLpPool: globalPool("lp"),
});
