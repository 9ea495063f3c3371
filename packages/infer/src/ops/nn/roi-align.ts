/**
 * RoiAlign (onnx Operators.md, opsets 10 and 16): each region of
 * interest [x1, y1, x2, y2] (times spatial_scale, shifted by -0.5 under
 * half_pixel) is split into output_height x output_width bins; each bin
 * averages (or, mode "max", takes the largest of) bilinear samples on a
 * sampling_ratio x sampling_ratio grid (ceil(bin size) when 0).
 *
 * Follows onnx's reference (and onnxruntime) in the details: samples
 * more than one pixel outside the map contribute 0, coordinates are
 * clamped into the map otherwise, output_half_pixel rois are at least
 * 1x1, and max mode takes the largest weighted corner term of each sample.
 */
import { fail } from "@codec/core";
import { nums, type RTensor } from "../../tensor.js";
import { input, type OpContext } from "../registry.js";
import { F, fromValues, registerNnOps, requireFloat } from "./util.js";

function roiAlign(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const X = input(inputs, 0, ctx);
  const rois = input(inputs, 1, ctx);
  const batchT = input(inputs, 2, ctx);
  requireFloat(X, ctx);
  if (X.shape.length !== 4 || rois.shape.length !== 2 || rois.shape[1] !== 4) fail("CORRUPT", F, `RoiAlign node '${ctx.nodeName}': X [${X.shape.join(", ")}] must be 4-D and rois [num_rois, 4]`);
  const [N, C, height, width] = X.shape;
  const R = rois.shape[0];
  const batch = nums(batchT);
  if (batch.length !== R) fail("CORRUPT", F, `RoiAlign node '${ctx.nodeName}': ${batch.length} batch indices for ${R} rois`);
  const mode = ctx.string("mode", "avg").toLowerCase();
  if (mode !== "avg" && mode !== "max") fail("UNSUPPORTED", F, `RoiAlign node '${ctx.nodeName}': mode '${mode}'`);
  const halfPixel = ctx.string("coordinate_transformation_mode", ctx.opset >= 16 ? "half_pixel" : "output_half_pixel").toLowerCase() === "half_pixel";
  const PH = ctx.int("output_height", 1);
  const PW = ctx.int("output_width", 1);
  const ratio = ctx.int("sampling_ratio", 0);
  const scale = ctx.float("spatial_scale", 1);
  const x = nums(X);
  const r = nums(rois);
  const out = new Float64Array(R * C * PH * PW);
  const shift = halfPixel ? 0.5 : 0;
  for (let n = 0; n < R; n++) {
    const b = batch[n];
    if (!(Number.isInteger(b) && b >= 0 && b < N)) fail("CORRUPT", F, `RoiAlign node '${ctx.nodeName}': batch index ${b} of a batch of ${N}`);
    const x1 = r[n * 4] * scale - shift;
    const y1 = r[n * 4 + 1] * scale - shift;
    let rw = r[n * 4 + 2] * scale - shift - x1;
    let rh = r[n * 4 + 3] * scale - shift - y1;
    if (!halfPixel) {
      rw = Math.max(rw, 1);
      rh = Math.max(rh, 1);
    }
    const bh = rh / PH;
    const bw = rw / PW;
    const gh = ratio > 0 ? ratio : Math.ceil(rh / PH);
    const gw = ratio > 0 ? ratio : Math.ceil(rw / PW);
    const count = Math.max(gh * gw, 1);
    // Per bin and sample: four corner positions and weights, shared by every channel.
    const S = PH * PW * gh * gw;
    const pos = new Int32Array(S * 4);
    const wt = new Float64Array(S * 4);
    let k = 0;
    for (let ph = 0; ph < PH; ph++) for (let pw = 0; pw < PW; pw++) for (let iy = 0; iy < gh; iy++) {
      const yy = y1 + ph * bh + ((iy + 0.5) * bh) / gh;
      for (let ix = 0; ix < gw; ix++, k++) {
        const xx = x1 + pw * bw + ((ix + 0.5) * bw) / gw;
        if (yy < -1 || yy > height || xx < -1 || xx > width) continue;
        let y = Math.max(yy, 0);
        let xv = Math.max(xx, 0);
        let yl = Math.trunc(y);
        let xl = Math.trunc(xv);
        let yh = yl + 1;
        let xh = xl + 1;
        if (yl >= height - 1) {
          yl = yh = height - 1;
          y = yl;
        }
        if (xl >= width - 1) {
          xl = xh = width - 1;
          xv = xl;
        }
        const ly = y - yl;
        const lx = xv - xl;
        const q = k * 4;
        pos[q] = yl * width + xl;
        pos[q + 1] = yl * width + xh;
        pos[q + 2] = yh * width + xl;
        pos[q + 3] = yh * width + xh;
        wt[q] = (1 - ly) * (1 - lx);
        wt[q + 1] = (1 - ly) * lx;
        wt[q + 2] = ly * (1 - lx);
        wt[q + 3] = ly * lx;
      }
    }
    for (let c = 0; c < C; c++) {
      const plane = (b * C + c) * height * width;
      const oBase = (n * C + c) * PH * PW;
      for (let bin = 0; bin < PH * PW; bin++) {
        let acc = mode === "avg" ? 0 : Number.NEGATIVE_INFINITY;
        for (let s = bin * gh * gw; s < (bin + 1) * gh * gw; s++) {
          const q = s * 4;
          if (mode === "avg") {
            acc += wt[q] * x[plane + pos[q]] + wt[q + 1] * x[plane + pos[q + 1]] + wt[q + 2] * x[plane + pos[q + 2]] + wt[q + 3] * x[plane + pos[q + 3]];
          } else {
            const v = Math.max(wt[q] * x[plane + pos[q]], wt[q + 1] * x[plane + pos[q + 1]], wt[q + 2] * x[plane + pos[q + 2]], wt[q + 3] * x[plane + pos[q + 3]]);
            acc = Math.max(acc, v);
          }
        }
        out[oBase + bin] = mode === "avg" ? acc / count : gh * gw === 0 ? 0 : acc;
      }
    }
  }
  return [fromValues(X.dtype, [R, C, PH, PW], out)];
}

registerNnOps({ RoiAlign: roiAlign });
