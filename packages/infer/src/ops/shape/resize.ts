/**
 * Resize (opset 10-19) and Upsample (opset 7-9), onnx/defs/tensor/defs.cc.
 * Every mode is separable, so the tensor is resized one axis at a time:
 * for each output coordinate an axis gets a list of (source index,
 * weight) taps, or is marked "outside" (tf_crop_and_resize's
 * extrapolation value). The taps follow the reference implementation's
 * neighbour rule: n taps nearest to the mapped coordinate x (ties to the
 * smaller index), edge-clamped, weighted by the kernel at the distance,
 * stretched by 1/scale when antialiasing a downscale (opset 18).
 */
import { fail } from "@codec/core";
import { type OpContext, input, registerOps } from "../registry.js";
import { arrayFor, type NumArray, numel, nums, type RTensor, tensor } from "../../tensor.js";
import { roundToDType } from "./cast.js";
import { checkedNumel, normalizeAxes } from "./common.js";

export interface ResizeOptions {
  mode: string; // nearest | linear | cubic
  coord: string; // coordinate_transformation_mode
  nearestMode: string;
  cubicA: number;
  excludeOutside: boolean;
  extrapolation: number;
  antialias: boolean;
}

/** One axis: taps per output coordinate (flattened, `n` per coordinate); an index of -1 marks the extrapolation value. */
interface AxisPlan {
  n: number;
  idx: Int32Array;
  w: Float64Array;
}

/** Output coordinate -> input coordinate (the spec's coordinate_transformation_mode formulas). */
function sourceCoord(x: number, inLen: number, outLen: number, scale: number, o: ResizeOptions, roi: [number, number]): number {
  // The reference uses the real-valued resized length (input * scale) in these formulas.
  const outW = scale * inLen;
  switch (o.coord) {
    case "half_pixel":
      return (x + 0.5) / scale - 0.5;
    case "half_pixel_symmetric": {
      const adjustment = outLen / outW;
      const center = inLen / 2;
      const offset = center * (1 - adjustment);
      return offset + (x + 0.5) / scale - 0.5;
    }
    case "pytorch_half_pixel":
      return outW !== 1 ? (x + 0.5) / scale - 0.5 : -0.5;
    case "align_corners":
      return outW === 1 ? 0 : (x * (inLen - 1)) / (outW - 1);
    case "asymmetric":
      return x / scale;
    case "tf_half_pixel_for_nn":
      return (x + 0.5) / scale;
    case "tf_crop_and_resize":
      return outW !== 1 ? roi[0] * (inLen - 1) + (x * (roi[1] - roi[0]) * (inLen - 1)) / (outW - 1) : ((roi[0] + roi[1]) * (inLen - 1)) / 2;
    default:
      return fail("UNSUPPORTED", "infer", `Resize coordinate_transformation_mode '${o.coord}'`);
  }
}

function nearestIndex(x: number, mode: string): number {
  switch (mode) {
    case "round_prefer_floor":
      return x - Math.floor(x) === 0.5 ? Math.floor(x) : Math.round(x);
    case "round_prefer_ceil":
      return x - Math.floor(x) === 0.5 ? Math.ceil(x) : Math.round(x);
    case "floor":
      return Math.floor(x);
    case "ceil":
      return Math.ceil(x);
    default:
      return fail("UNSUPPORTED", "infer", `Resize nearest_mode '${mode}'`);
  }
}

function kernel(mode: string, a: number, t: number): number {
  const x = Math.abs(t);
  if (mode === "linear") return Math.max(0, 1 - x);
  // Keys' cubic convolution kernel with coefficient A.
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

export function planAxis(inLen: number, outLen: number, scale: number, o: ResizeOptions, roi: [number, number]): AxisPlan {
  const support = o.mode === "cubic" ? 2 : 1;
  const s = o.antialias && o.mode !== "nearest" ? Math.min(scale, 1) : 1;
  const n = o.mode === "nearest" ? 1 : 2 - 2 * (Math.floor(-support / s) + 1);
  const idx = new Int32Array(outLen * n);
  const w = new Float64Array(outLen * n);
  for (let j = 0; j < outLen; j++) {
    const x = sourceCoord(j, inLen, outLen, scale, o, roi);
    const at = j * n;
    if (o.coord === "tf_crop_and_resize" && (x < 0 || x > inLen - 1)) {
      idx.fill(-1, at, at + n);
      continue;
    }
    if (o.mode === "nearest") {
      idx[at] = Math.min(Math.max(nearestIndex(x, o.nearestMode), 0), inLen - 1);
      w[at] = 1;
      continue;
    }
    // ratio in (0, 1]: an integral x counts as 1 past the index below it.
    const base = Math.floor(x);
    const ratio = x === base ? 1 : x - base;
    const x0 = x - ratio;
    let sum = 0;
    for (let k = 0; k < n; k++) {
      const off = k + 1 - n / 2;
      const src = x0 + off;
      let wk = kernel(o.mode, o.cubicA, (off - ratio) * s);
      if (o.excludeOutside && (src < 0 || src >= inLen)) wk = 0;
      idx[at + k] = Math.min(Math.max(src, 0), inLen - 1);
      w[at + k] = wk;
      sum += wk;
    }
    if (sum !== 0) for (let k = 0; k < n; k++) w[at + k] /= sum;
  }
  return { n, idx, w };
}

/** Applies one axis plan: [outer, inLen, inner] -> [outer, outLen, inner]. */
function applyAxis(src: Float64Array, outer: number, inLen: number, inner: number, plan: AxisPlan, outLen: number, extrapolation: number): Float64Array {
  const dst = new Float64Array(outer * outLen * inner);
  const { n, idx, w } = plan;
  for (let a = 0; a < outer; a++) {
    const sBase = a * inLen * inner;
    for (let j = 0; j < outLen; j++) {
      const dBase = (a * outLen + j) * inner;
      const t0 = j * n;
      if (idx[t0] < 0) {
        dst.fill(extrapolation, dBase, dBase + inner);
        continue;
      }
      for (let k = 0; k < n; k++) {
        const wk = w[t0 + k];
        if (wk === 0) continue;
        const s = sBase + idx[t0 + k] * inner;
        for (let i = 0; i < inner; i++) dst[dBase + i] += wk * src[s + i];
      }
    }
  }
  return dst;
}

export function resize(x: RTensor, outShape: readonly number[], scales: readonly number[], roi: readonly number[] | undefined, o: ResizeOptions): RTensor {
  const r = x.shape.length;
  checkedNumel(outShape);
  let cur: Float64Array = Float64Array.from(nums(x));
  const shape = [...x.shape];
  for (let d = 0; d < r; d++) {
    const inLen = shape[d];
    const outLen = outShape[d];
    const box: [number, number] = roi === undefined ? [0, 1] : [roi[d], roi[d + r]];
    const identity = outLen === inLen && scales[d] === 1 && (o.coord !== "tf_crop_and_resize" || (box[0] === 0 && box[1] === 1));
    if (identity) continue;
    if (inLen === 0) fail("CORRUPT", "infer", `Resize cannot resize an empty axis ${d} to ${outLen}`);
    const plan = planAxis(inLen, outLen, scales[d], o, box);
    cur = applyAxis(cur, numel(shape.slice(0, d)), inLen, numel(shape.slice(d + 1)), plan, outLen, o.extrapolation);
    shape[d] = outLen;
  }
  const out = arrayFor(x.dtype, cur.length) as NumArray;
  const integral = !(x.dtype.startsWith("float") || x.dtype === "bfloat16");
  // Integer outputs round to nearest (ties away from zero is what onnxruntime does); floats round to the dtype.
  for (let i = 0; i < cur.length; i++) out[i] = integral && o.mode !== "nearest" ? Math.round(cur[i]) : cur[i];
  roundToDType(out, x.dtype);
  return tensor(x.dtype, shape, out);
}

/** A given, non-empty optional input (opset 11-12 wrote absent ones as empty tensors). */
function present(t: RTensor | undefined): RTensor | undefined {
  return t !== undefined && t.data.length > 0 ? t : undefined;
}

function resizeOp(inputs: readonly (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const x = input(inputs, 0, ctx);
  const r = x.shape.length;
  const v10 = ctx.opset < 11;
  const roiT = v10 ? undefined : present(inputs[1]);
  const scalesT = present(inputs[v10 ? 1 : 2]);
  const sizesT = v10 ? undefined : present(inputs[3]);
  const axes = ctx.has("axes") ? normalizeAxes(ctx.ints("axes"), r, "Resize axes") : x.shape.map((_, i) => i);
  const o: ResizeOptions = {
    mode: ctx.string("mode", "nearest"),
    // Resize-10 maps coordinates like Upsample: x / scale, nearest rounds down.
    coord: v10 ? "asymmetric" : ctx.string("coordinate_transformation_mode", "half_pixel"),
    nearestMode: v10 ? "floor" : ctx.string("nearest_mode", "round_prefer_floor"),
    cubicA: ctx.float("cubic_coeff_a", -0.75),
    excludeOutside: ctx.int("exclude_outside", 0) !== 0,
    extrapolation: ctx.float("extrapolation_value", 0),
    antialias: ctx.int("antialias", 0) !== 0,
  };
  if (o.mode !== "nearest" && o.mode !== "linear" && o.mode !== "cubic") return fail("UNSUPPORTED", "infer", `Resize mode '${o.mode}'`);
  const scales = x.shape.map(() => 1);
  const outShape = [...x.shape];
  if (sizesT !== undefined) {
    const sizes = nums(sizesT);
    if (sizes.length !== axes.length) fail("CORRUPT", "infer", `Resize has ${sizes.length} sizes for ${axes.length} axes`);
    const policy = ctx.string("keep_aspect_ratio_policy", "stretch");
    if (policy === "stretch") {
      axes.forEach((a, k) => {
        outShape[a] = sizes[k];
        scales[a] = sizes[k] / x.shape[a];
      });
    } else {
      // not_larger / not_smaller: one scale for all the axes, the output rounded from it.
      const ratios = axes.map((a, k) => sizes[k] / x.shape[a]);
      const s = policy === "not_larger" ? Math.min(...ratios) : policy === "not_smaller" ? Math.max(...ratios) : fail("UNSUPPORTED", "infer", `Resize keep_aspect_ratio_policy '${policy}'`);
      for (const a of axes) {
        scales[a] = s;
        outShape[a] = Math.round(s * x.shape[a]);
      }
    }
  } else if (scalesT !== undefined) {
    const sc = nums(scalesT);
    if (sc.length !== axes.length) fail("CORRUPT", "infer", `Resize has ${sc.length} scales for ${axes.length} axes`);
    axes.forEach((a, k) => {
      if (!(sc[k] > 0)) fail("CORRUPT", "infer", `Resize scale ${sc[k]} is not positive`);
      scales[a] = sc[k];
      outShape[a] = Math.floor(x.shape[a] * sc[k]);
    });
  } else {
    return fail("CORRUPT", "infer", `Resize node '${ctx.nodeName}' has neither scales nor sizes`);
  }
  let roi: number[] | undefined;
  if (roiT !== undefined && o.coord === "tf_crop_and_resize") {
    const given = Array.from(nums(roiT));
    if (given.length !== 2 * axes.length) fail("CORRUPT", "infer", `Resize roi has ${given.length} values for ${axes.length} axes`);
    const box = [...x.shape.map(() => 0), ...x.shape.map(() => 1)];
    axes.forEach((a, k) => {
      box[a] = given[k];
      box[a + r] = given[k + axes.length];
    });
    roi = box;
  }
  return [resize(x, outShape, scales, roi, o)];
}

registerOps({
  Resize: resizeOp,
  Upsample: (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    // Upsample-7 has a `scales` attribute, Upsample-9 a scales input.
    const scales = ctx.has("scales") ? ctx.floats("scales") : Array.from(nums(input(inputs, 1, ctx)));
    if (scales.length !== x.shape.length) fail("CORRUPT", "infer", `Upsample has ${scales.length} scales for rank ${x.shape.length}`);
    const outShape = x.shape.map((d, i) => Math.floor(d * scales[i]));
    const o: ResizeOptions = {
      mode: ctx.string("mode", "nearest"),
      coord: "asymmetric",
      nearestMode: "floor",
      cubicA: -0.75,
      excludeOutside: false,
      extrapolation: 0,
      antialias: false,
    };
    if (o.mode === "bilinear") o.mode = "linear";
    return [resize(x, outShape, scales, undefined, o)];
  },
});
