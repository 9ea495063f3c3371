/**
 * Ops that move elements to new positions by a fixed index pattern:
 * Transpose, Expand, Tile, DepthToSpace, SpaceToDepth, Trilu
 * (onnx/defs/tensor/defs.cc). All but Trilu are one strided gather
 * (common.ts gatherByAxisMaps).
 */
import { fail } from "@codec/core";
import { broadcastShapes, normalizeAxis } from "../../broadcast.js";
import { input, registerOps } from "../registry.js";
import { numel, type RTensor, stridesOf } from "../../tensor.js";
import { elems, gatherByAxisMaps, identityMap, intList, like, reshaped, shapeFrom, zeroOf } from "./common.js";

/** Transpose: output axis i is input axis perm[i]. */
export function transpose(x: RTensor, perm: readonly number[]): RTensor {
  const r = x.shape.length;
  if (perm.length !== r || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    fail("CORRUPT", "infer", `Transpose perm [${perm.join(", ")}] is not a permutation of rank ${r}`);
  }
  const inStrides = stridesOf(x.shape);
  const outShape = perm.map((p) => x.shape[p]);
  const out = like(x, outShape);
  gatherByAxisMaps(elems(x), perm.map((p) => inStrides[p]), outShape.map(identityMap), outShape, elems(out), zeroOf(x));
  return out;
}

/** Expand: numpy broadcasting of the input against the given shape (either may be the larger). */
export function expand(x: RTensor, shape: readonly number[]): RTensor {
  const outShape = broadcastShapes(x.shape, shape);
  const out = like(x, outShape);
  const r = outShape.length;
  const off = r - x.shape.length;
  const inStrides = stridesOf(x.shape);
  const strides = outShape.map((_, i) => (i < off ? 0 : inStrides[i - off]));
  const maps = outShape.map((n, i) => (i < off || x.shape[i - off] === 1 ? new Int32Array(n) : identityMap(n)));
  gatherByAxisMaps(elems(x), strides, maps, outShape, elems(out), zeroOf(x));
  return out;
}

/** Tile: output index i along an axis reads input index i mod n. */
export function tile(x: RTensor, repeats: readonly number[]): RTensor {
  const r = x.shape.length;
  if (repeats.length !== r) fail("CORRUPT", "infer", `Tile repeats has ${repeats.length} values for rank ${r}`);
  for (const k of repeats) if (k < 0) fail("CORRUPT", "infer", `Tile repeat ${k} is negative`);
  const outShape = x.shape.map((d, i) => d * repeats[i]);
  const out = like(x, outShape);
  const maps = outShape.map((n, i) => {
    const m = new Int32Array(n);
    for (let j = 0; j < n; j++) m[j] = j % x.shape[i];
    return m;
  });
  gatherByAxisMaps(elems(x), stridesOf(x.shape), maps, outShape, elems(out), zeroOf(x));
  return out;
}

/**
 * DepthToSpace per the spec's reshape/transpose/reshape: DCR reads the
 * depth as [b, b, C/b^2], CRD as [C/b^2, b, b].
 */
function depthToSpace(x: RTensor, b: number, mode: string): RTensor {
  if (x.shape.length !== 4) fail("CORRUPT", "infer", `DepthToSpace needs a 4-D input, got rank ${x.shape.length}`);
  const [n, c, h, w] = x.shape;
  if (!(b > 0) || c % (b * b) !== 0) fail("CORRUPT", "infer", `DepthToSpace channels ${c} do not divide by blocksize^2 (${b * b})`);
  const cc = c / (b * b);
  let t: RTensor;
  if (mode === "DCR") t = transpose(reshaped(x, [n, b, b, cc, h, w]), [0, 3, 4, 1, 5, 2]);
  else if (mode === "CRD") t = transpose(reshaped(x, [n, cc, b, b, h, w]), [0, 1, 4, 2, 5, 3]);
  else return fail("UNSUPPORTED", "infer", `DepthToSpace mode '${mode}'`);
  return reshaped(t, [n, cc, h * b, w * b]);
}

function spaceToDepth(x: RTensor, b: number): RTensor {
  if (x.shape.length !== 4) fail("CORRUPT", "infer", `SpaceToDepth needs a 4-D input, got rank ${x.shape.length}`);
  const [n, c, h, w] = x.shape;
  if (!(b > 0) || h % b !== 0 || w % b !== 0) fail("CORRUPT", "infer", `SpaceToDepth spatial size ${h}x${w} does not divide by blocksize ${b}`);
  const t = transpose(reshaped(x, [n, c, h / b, b, w / b, b]), [0, 3, 5, 1, 2, 4]);
  return reshaped(t, [n, c * b * b, h / b, w / b]);
}

/** Trilu: keep the upper (j - i >= k) or lower (j - i <= k) triangle of the last two axes, zero the rest. */
function trilu(x: RTensor, k: number, upper: boolean): RTensor {
  const r = x.shape.length;
  if (r < 2) fail("CORRUPT", "infer", `Trilu needs rank >= 2, got ${r}`);
  const rows = x.shape[r - 2];
  const cols = x.shape[r - 1];
  const out = like(x, x.shape);
  const src = elems(x);
  const dst = elems(out);
  const mats = numel(x.shape) / Math.max(1, rows * cols) || 0;
  for (let m = 0; m < mats; m++) {
    const base = m * rows * cols;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const keep = upper ? j - i >= k : j - i <= k;
        if (keep) dst[base + i * cols + j] = src[base + i * cols + j];
      }
    }
  }
  return out;
}

registerOps({
  Transpose: (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    const r = x.shape.length;
    // Default perm reverses the axes.
    const perm = ctx.ints("perm", Array.from({ length: r }, (_, i) => r - 1 - i));
    return [transpose(x, perm)];
  },
  Expand: (inputs, ctx) => [expand(input(inputs, 0, ctx), shapeFrom(input(inputs, 1, ctx), "Expand shape"))],
  Tile: (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    if (ctx.opset < 6) {
      // Tile-1: (input, tiles, axis): repeat `tiles` times along one axis.
      const reps = x.shape.map(() => 1);
      reps[normalizeAxis(intList(input(inputs, 2, ctx))[0], x.shape.length, "Tile axis")] = intList(input(inputs, 1, ctx))[0];
      return [tile(x, reps)];
    }
    return [tile(x, intList(input(inputs, 1, ctx)))];
  },
  DepthToSpace: (inputs, ctx) => [depthToSpace(input(inputs, 0, ctx), ctx.int("blocksize"), ctx.string("mode", "DCR"))],
  SpaceToDepth: (inputs, ctx) => [spaceToDepth(input(inputs, 0, ctx), ctx.int("blocksize"))],
  Trilu: (inputs, ctx) => {
    const k = inputs[1] === undefined ? 0 : intList(inputs[1])[0];
    return [trilu(input(inputs, 0, ctx), k, ctx.int("upper", 1) !== 0)];
  },
});
