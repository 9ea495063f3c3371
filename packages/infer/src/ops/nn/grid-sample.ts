/**
 * GridSample (opsets 16 and 20) and AffineGrid (opset 20), onnx
 * Operators.md; details as onnx's reference (after PyTorch's
 * grid_sampler).
 *
 * GridSample reads X [N, C, D1..Dk] at the normalized coordinates of
 * grid [N, O1..Om, k] (last component = last spatial dim, x), mapped to
 * pixels by align_corners (-1/1 are pixel centres 0 and d-1) or not
 * (-1/1 are the outer edges -0.5 and d-0.5). Coordinates outside are
 * clamped (border) or mirrored (reflection) first; taps then read 0
 * outside the image (zeros), the edge pixel (border) or the mirrored
 * pixel (reflection). Modes: nearest (round half to even, in every
 * rank, as the volumetric backend tests expect), linear (2 taps per dim)
 * and cubic (4 taps, Keys' kernel with a = -0.75), separable over dims.
 *
 * AffineGrid maps the normalized output coordinates (x, y[, z], 1)
 * through theta [N, k, k + 1] into a grid for GridSample.
 */
import { fail } from "@codec/core";
import { nums, type RTensor } from "../../tensor.js";
import { input, type OpContext } from "../registry.js";
import { F, fromValues, prod, registerNnOps, requireFloat } from "./util.js";

/** Mirrors x into [lo, hi] by repeated reflection at the nearer border. */
function reflect(x: number, lo: number, hi: number): number {
  const range = hi - lo;
  if (range <= 0) return lo;
  if (x < lo) {
    const dx = lo - x;
    const n = Math.trunc(dx / range);
    const r = dx - n * range;
    return n % 2 === 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    const dx = x - hi;
    const n = Math.trunc(dx / range);
    const r = dx - n * range;
    return n % 2 === 0 ? hi - r : lo + r;
  }
  return x;
}

function cubicCoeffs(t: number, out: Float64Array, at: number): void {
  const a = -0.75;
  const x = Math.abs(t);
  out[at] = ((a * (x + 1) - 5 * a) * (x + 1) + 8 * a) * (x + 1) - 4 * a;
  out[at + 1] = ((a + 2) * x - (a + 3)) * x * x + 1;
  out[at + 2] = ((a + 2) * (1 - x) - (a + 3)) * (1 - x) * (1 - x) + 1;
  out[at + 3] = ((a * (2 - x) - 5 * a) * (2 - x) + 8 * a) * (2 - x) - 4 * a;
}

/** numpy.rint: round half to even. */
const rint = (v: number) => (Math.abs(v - Math.trunc(v)) === 0.5 ? 2 * Math.round(v / 2) : Math.round(v));

function gridSample(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const X = input(inputs, 0, ctx);
  const G = input(inputs, 1, ctx);
  requireFloat(X, ctx);
  const k = X.shape.length - 2;
  if (k < 1 || G.shape.length !== k + 2 || G.shape[0] !== X.shape[0] || G.shape[k + 1] !== k) fail("CORRUPT", F, `GridSample node '${ctx.nodeName}': X [${X.shape.join(", ")}] and grid [${G.shape.join(", ")}] do not agree`);
  const rawMode = ctx.string("mode", ctx.opset >= 20 ? "linear" : "bilinear");
  const mode = rawMode === "bilinear" ? "linear" : rawMode === "bicubic" ? "cubic" : rawMode;
  if (mode !== "linear" && mode !== "nearest" && mode !== "cubic") fail("UNSUPPORTED", F, `GridSample node '${ctx.nodeName}': mode '${rawMode}'`);
  const padding = ctx.string("padding_mode", "zeros");
  if (padding !== "zeros" && padding !== "border" && padding !== "reflection") fail("UNSUPPORTED", F, `GridSample node '${ctx.nodeName}': padding_mode '${padding}'`);
  const align = ctx.int("align_corners", 0) !== 0;
  const [N, C] = X.shape;
  const dims = X.shape.slice(2);
  const outDims = G.shape.slice(1, k + 1);
  const P = prod(outDims);
  const S = prod(dims);
  const x = nums(X);
  const g = nums(G);
  const T = mode === "nearest" ? 1 : mode === "linear" ? 2 : 4;
  // Per dim and tap: resolved input index (-1 reads 0) and weight.
  const tapIdx = new Int32Array(k * T);
  const tapW = new Float64Array(k * T);
  const strides = new Array<number>(k);
  for (let d = k - 1, s = 1; d >= 0; d--) {
    strides[d] = s;
    s *= dims[d];
  }
  const lo = dims.map(() => (align ? 0 : -0.5));
  const hi = dims.map((d) => (align ? d - 1 : d - 0.5));
  const resolve = (i: number, d: number): number => {
    const size = dims[d];
    if (padding === "zeros") return i >= 0 && i < size ? i : -1;
    if (padding === "border") return Math.min(size - 1, Math.max(0, i));
    return Math.trunc(reflect(i, lo[d], hi[d]));
  };
  const out = new Float64Array(N * C * P);
  const counter = new Int32Array(k);
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < P; p++) {
      // Grid components run x (last dim) first; pixel coordinates, in float32 as the reference keeps them.
      for (let d = 0; d < k; d++) {
        const nv = g[(n * P + p) * k + (k - 1 - d)];
        let v = Math.fround(align ? ((nv + 1) / 2) * (dims[d] - 1) : ((nv + 1) * dims[d] - 1) / 2);
        if (mode === "nearest") v = rint(v);
        if (v < lo[d] || v > hi[d]) {
          if (padding === "border") v = Math.min(dims[d] - 1, Math.max(0, v));
          else if (padding === "reflection") v = reflect(v, lo[d], hi[d]);
        }
        if (mode === "nearest") {
          tapIdx[d] = resolve(Math.trunc(v), d);
          tapW[d] = 1;
        } else {
          const f = Math.floor(v);
          const t = v - f;
          if (mode === "linear") {
            tapW[d * 2] = 1 - t;
            tapW[d * 2 + 1] = t;
            tapIdx[d * 2] = resolve(f, d);
            tapIdx[d * 2 + 1] = resolve(f + 1, d);
          } else {
            cubicCoeffs(t, tapW, d * 4);
            for (let q = 0; q < 4; q++) tapIdx[d * 4 + q] = resolve(f - 1 + q, d);
          }
        }
      }
      for (let c = 0; c < C; c++) {
        const plane = (n * C + c) * S;
        let acc = 0;
        counter.fill(0);
        // Every combination of one tap per dim (T^k), weights multiplied.
        for (;;) {
          let w = 1;
          let at = 0;
          for (let d = 0; d < k; d++) {
            const q = d * T + counter[d];
            const i = tapIdx[q];
            if (i < 0) {
              at = -1;
              break;
            }
            w *= tapW[q];
            at += i * strides[d];
          }
          if (at >= 0) acc += w * x[plane + at];
          let d = k - 1;
          for (; d >= 0; d--) {
            if (++counter[d] < T) break;
            counter[d] = 0;
          }
          if (d < 0) break;
        }
        out[(n * C + c) * P + p] = acc;
      }
    }
  }
  return [fromValues(X.dtype, [N, C, ...outDims], out)];
}

function affineGrid(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const theta = input(inputs, 0, ctx);
  requireFloat(theta, ctx);
  const size = Array.from(nums(input(inputs, 1, ctx)));
  const k = size.length - 2;
  if ((k !== 2 && k !== 3) || theta.shape.length !== 3 || theta.shape[0] !== size[0] || theta.shape[1] !== k || theta.shape[2] !== k + 1) {
    fail("CORRUPT", F, `AffineGrid node '${ctx.nodeName}': theta [${theta.shape.join(", ")}] does not fit size [${size.join(", ")}]`);
  }
  const align = ctx.int("align_corners", 0) !== 0;
  const N = size[0];
  const spatial = size.slice(2);
  const P = prod(spatial);
  const th = nums(theta);
  // Normalized coordinate of index i of n along one dim.
  const coord = (i: number, n: number) => (align ? (n === 1 ? 0 : -1 + (2 * i) / (n - 1)) : -1 + (2 * i + 1) / n);
  const out = new Float64Array(N * P * k);
  const base = new Float64Array(k + 1);
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < P; p++) {
      // base = (x, y[, z], 1): x is the last spatial dim.
      let rest = p;
      for (let d = k - 1; d >= 0; d--) {
        const i = rest % spatial[d];
        rest = Math.floor(rest / spatial[d]);
        base[k - 1 - d] = coord(i, spatial[d]);
      }
      base[k] = 1;
      for (let r = 0; r < k; r++) {
        let acc = 0;
        for (let q = 0; q <= k; q++) acc += th[(n * k + r) * (k + 1) + q] * base[q];
        out[(n * P + p) * k + r] = acc;
      }
    }
  }
  return [fromValues(theta.dtype, [N, ...spatial, k], out)];
}

registerNnOps({ GridSample: gridSample, AffineGrid: affineGrid });
