/**
 * Pad (constant, reflect, edge, wrap; negative pads crop) and
 * CenterCropPad (onnx/defs/tensor/defs.cc). Both build one index map per
 * axis (-1 = outside the input, i.e. the fill value) for the shared
 * strided gather.
 */
import { fail } from "@codec/core";
import { input, registerOps } from "../registry.js";
import { type RTensor, stridesOf } from "../../tensor.js";
import { checkedNumel, elems, gatherByAxisMaps, identityMap, intList, like, listFrom, normalizeAxes, zeroOf } from "./common.js";

/** Output position j along an axis of size n padded by `before`: the source index, or -1 for the constant. */
export function padMap(n: number, before: number, after: number, mode: string): Int32Array {
  const len = n + before + after;
  if (len < 0) fail("CORRUPT", "infer", `Pad crops more than the dimension ${n}`);
  checkedNumel([len]);
  if (mode !== "constant" && n === 0 && len > 0) fail("CORRUPT", "infer", `Pad mode '${mode}' cannot pad an empty axis`);
  const m = new Int32Array(len);
  const period = 2 * (n - 1);
  for (let j = 0; j < len; j++) {
    const s = j - before;
    switch (mode) {
      case "constant":
        m[j] = s >= 0 && s < n ? s : -1;
        break;
      case "edge":
        m[j] = Math.min(Math.max(s, 0), n - 1);
        break;
      case "reflect": {
        // Mirror about the first and last elements without repeating them (numpy 'reflect').
        if (n === 1) {
          m[j] = 0;
          break;
        }
        const r = ((s % period) + period) % period;
        m[j] = r < n ? r : period - r;
        break;
      }
      case "wrap":
        m[j] = ((s % n) + n) % n;
        break;
      default:
        return fail("UNSUPPORTED", "infer", `Pad mode '${mode}'`);
    }
  }
  return m;
}

export function pad(x: RTensor, pads: readonly number[], axesIn: readonly number[] | undefined, mode: string, value: number | string): RTensor {
  const r = x.shape.length;
  const axes = axesIn === undefined ? x.shape.map((_, i) => i) : normalizeAxes(axesIn, r, "Pad axes");
  if (pads.length !== 2 * axes.length) fail("CORRUPT", "infer", `Pad has ${pads.length} pads for ${axes.length} axes`);
  const maps = x.shape.map(identityMap);
  axes.forEach((a, k) => {
    maps[a] = padMap(x.shape[a], pads[k], pads[k + axes.length], mode);
  });
  const outShape = maps.map((m) => m.length);
  const out = like(x, outShape);
  gatherByAxisMaps(elems(x), stridesOf(x.shape), maps, outShape, elems(out), value);
  return out;
}

/** CenterCropPad: each listed axis becomes the target size, cropped or zero-padded symmetrically (the extra one at the end). */
function centerCropPad(x: RTensor, sizes: readonly number[], axesIn: readonly number[] | undefined): RTensor {
  const r = x.shape.length;
  const axes = axesIn === undefined ? x.shape.map((_, i) => i) : normalizeAxes(axesIn, r, "CenterCropPad axes");
  if (sizes.length !== axes.length) fail("CORRUPT", "infer", `CenterCropPad has ${sizes.length} sizes for ${axes.length} axes`);
  const maps = x.shape.map(identityMap);
  axes.forEach((a, k) => {
    const n = x.shape[a];
    const t = sizes[k];
    if (!(t >= 0)) fail("CORRUPT", "infer", `CenterCropPad size ${t}`);
    checkedNumel([t]);
    const m = new Int32Array(t);
    if (t <= n) {
      const start = Math.floor((n - t) / 2);
      for (let j = 0; j < t; j++) m[j] = start + j;
    } else {
      const before = Math.floor((t - n) / 2);
      for (let j = 0; j < t; j++) m[j] = j >= before && j < before + n ? j - before : -1;
    }
    maps[a] = m;
  });
  const outShape = maps.map((m) => m.length);
  const out = like(x, outShape);
  gatherByAxisMaps(elems(x), stridesOf(x.shape), maps, outShape, elems(out), zeroOf(x));
  return out;
}

registerOps({
  Pad: (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    const mode = ctx.string("mode", "constant");
    if (ctx.opset < 11) {
      // Pad-1 called them `paddings`; Pad-2 `pads`; the fill was the float attribute `value`.
      const pads = ctx.has("pads") ? ctx.ints("pads") : ctx.ints("paddings");
      return [pad(x, pads, undefined, mode, ctx.float("value", 0))];
    }
    const pads = intList(input(inputs, 1, ctx));
    const cv = inputs[2];
    const value = cv === undefined || cv.data.length === 0 ? zeroOf(x) : cv.data[0];
    return [pad(x, pads, inputs[3] === undefined ? undefined : intList(inputs[3]), mode, value)];
  },
  CenterCropPad: (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    return [centerCropPad(x, intList(input(inputs, 1, ctx)), listFrom([], 0, ctx, "axes"))];
  },
});
