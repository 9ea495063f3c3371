/**
 * NonMaxSuppression (onnx Operators.md, opset 10/11): boxes [batch,
 * spatial, 4], scores [batch, classes, spatial], then optional scalars
 * max_output_boxes_per_class (default 0: nothing is selected),
 * iou_threshold (default 0) and score_threshold (default: none). For every
 * batch and class, boxes are taken greedily in descending score order
 * (ties by box index), skipping ones whose score is not above
 * score_threshold and ones overlapping an already selected box by an IoU
 * above iou_threshold, until max_output_boxes_per_class are selected.
 * Output: int64 [num_selected, 3] rows (batch, class, box), batch-major,
 * then class, then selection order.
 *
 * center_point_box 0: a box is [y1, x1, y2, x2], any diagonal pair of
 * corners (flipped coordinates are allowed); 1: [x_center, y_center,
 * width, height].
 */
import { fail } from "@codec/core";
import { isFloat, nums, type RTensor, tensor } from "../tensor.js";
import { asFloat64, registerNnOps } from "./nn/util.js";
import { input, type OpContext } from "./registry.js";

const F = "infer";

/** An optional one-element input as a number. */
function optionalScalar(t: RTensor | undefined, ctx: OpContext, what: string): number | undefined {
  if (t === undefined) return undefined;
  const a = nums(t);
  if (a.length === 0) return undefined;
  if (a.length !== 1) fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}': ${what} has ${a.length} elements, needs one`);
  return a[0];
}

/** Boxes as [ymin, xmin, ymax, xmax] per box, in float64. */
function corners(boxes: Float64Array, centerPoint: boolean): Float64Array {
  const out = new Float64Array(boxes.length);
  for (let i = 0; i < boxes.length; i += 4) {
    if (centerPoint) {
      const [xc, yc, w, h] = [boxes[i], boxes[i + 1], boxes[i + 2], boxes[i + 3]];
      out[i] = yc - h / 2;
      out[i + 1] = xc - w / 2;
      out[i + 2] = yc + h / 2;
      out[i + 3] = xc + w / 2;
    } else {
      out[i] = Math.min(boxes[i], boxes[i + 2]);
      out[i + 1] = Math.min(boxes[i + 1], boxes[i + 3]);
      out[i + 2] = Math.max(boxes[i], boxes[i + 2]);
      out[i + 3] = Math.max(boxes[i + 1], boxes[i + 3]);
    }
  }
  return out;
}

/** Intersection over union of boxes a and b (offsets into `c`); 0 when either has no area. */
function iou(c: Float64Array, a: number, b: number): number {
  const h = Math.min(c[a + 2], c[b + 2]) - Math.max(c[a], c[b]);
  const w = Math.min(c[a + 3], c[b + 3]) - Math.max(c[a + 1], c[b + 1]);
  if (!(h > 0 && w > 0)) return 0;
  const inter = h * w;
  const union = (c[a + 2] - c[a]) * (c[a + 3] - c[a + 1]) + (c[b + 2] - c[b]) * (c[b + 3] - c[b + 1]) - inter;
  return union > 0 ? inter / union : 0;
}

function nonMaxSuppression(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const boxesT = input(inputs, 0, ctx);
  const scoresT = input(inputs, 1, ctx);
  const where = `${ctx.opType} node '${ctx.nodeName}'`;
  if (!isFloat(boxesT.dtype) || !isFloat(scoresT.dtype)) fail("UNSUPPORTED", F, `${where}: boxes and scores must be floating point`);
  if (boxesT.shape.length !== 3 || boxesT.shape[2] !== 4) fail("CORRUPT", F, `${where}: boxes shape [${boxesT.shape.join(", ")}] is not [batch, spatial, 4]`);
  const [batches, spatial] = boxesT.shape;
  if (scoresT.shape.length !== 3 || scoresT.shape[0] !== batches || scoresT.shape[2] !== spatial) {
    fail("CORRUPT", F, `${where}: scores shape [${scoresT.shape.join(", ")}] does not match boxes [${boxesT.shape.join(", ")}]`);
  }
  const classes = scoresT.shape[1];
  const maxPerClass = optionalScalar(inputs[2], ctx, "max_output_boxes_per_class") ?? 0;
  const iouThreshold = optionalScalar(inputs[3], ctx, "iou_threshold") ?? 0;
  const scoreThreshold = optionalScalar(inputs[4], ctx, "score_threshold");
  const centerPoint = ctx.int("center_point_box", 0) !== 0;
  const boxes = corners(asFloat64(boxesT), centerPoint);
  const scores = nums(scoresT);
  const selected: number[] = [];
  const order = new Int32Array(spatial);
  const picked = new Int32Array(spatial);
  // A class never selects more boxes than it has; a huge (or negative) limit needs no allocation.
  const limit = Math.min(Math.max(0, Math.floor(maxPerClass)), spatial);
  // (No boxes, or a limit of 0, selects nothing: the loops below are skipped whatever the batch and class counts.)
  for (let b = 0; b < batches && limit > 0; b++) {
    for (let c = 0; c < classes; c++) {
      const s0 = (b * classes + c) * spatial;
      let candidates = 0;
      // A NaN score has no rank and is never selected.
      for (let i = 0; i < spatial; i++) {
        const v = scores[s0 + i];
        if (!Number.isNaN(v) && (scoreThreshold === undefined || v > scoreThreshold)) order[candidates++] = i;
      }
      const cand = order.subarray(0, candidates);
      cand.sort((p, q) => scores[s0 + q] - scores[s0 + p] || p - q);
      let count = 0;
      for (let k = 0; k < candidates && count < limit; k++) {
        const i = cand[k];
        let keep = true;
        for (let j = 0; j < count && keep; j++) if (iou(boxes, (b * spatial + i) * 4, (b * spatial + picked[j]) * 4) > iouThreshold) keep = false;
        if (!keep) continue;
        picked[count++] = i;
        selected.push(b, c, i);
      }
    }
  }
  const rows = selected.length / 3;
  return [tensor("int64", [rows, 3], Float64Array.from(selected))];
}

registerNnOps({ NonMaxSuppression: nonMaxSuppression });
