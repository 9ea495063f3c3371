import { describe, expect, it } from "vitest";
import { codecError, f32, runOp, t, values } from "./test-support.js";

// Box 0 and 1 overlap by IoU 0.5 / 1.5 = 1/3; box 2 is far away.
const boxes = f32([1, 3, 4], [0, 0, 1, 1, 0, 0.5, 1, 1.5, 5, 5, 6, 6]);
const scores = f32([1, 1, 3], [0.6, 0.9, 0.3]);
const i64 = (v: number) => t("int64", [1], [v]);

describe("NonMaxSuppression", () => {
  it("selects by descending score and suppresses overlaps above the IoU threshold", () => {
    const [y] = runOp("NonMaxSuppression", [boxes, scores, i64(10), f32([1], [0.3])], {}, 11);
    expect(y.dtype).toBe("int64");
    expect(y.shape).toEqual([2, 3]);
    expect(values(y)).toEqual([0, 0, 1, 0, 0, 2]);
  });

  it("keeps overlaps at or below the threshold, and applies the limit and score threshold", () => {
    const [all] = runOp("NonMaxSuppression", [boxes, scores, i64(10), f32([1], [0.34])], {}, 11);
    expect(values(all)).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 2]);
    const [two] = runOp("NonMaxSuppression", [boxes, scores, i64(2), f32([1], [0.34])], {}, 11);
    expect(values(two)).toEqual([0, 0, 1, 0, 0, 0]);
    const [scored] = runOp("NonMaxSuppression", [boxes, scores, i64(10), f32([1], [0.34]), f32([1], [0.6])], {}, 11);
    expect(values(scored)).toEqual([0, 0, 1]);
  });

  it("reads center-point boxes, and selects nothing without max_output_boxes_per_class", () => {
    const centred = f32([1, 2, 4], [0.5, 0.5, 1, 1, 0.5, 0.5, 1, 1]);
    const [y] = runOp("NonMaxSuppression", [centred, f32([1, 1, 2], [0.5, 0.7]), i64(5), f32([1], [0.5])], { center_point_box: 1 }, 11);
    expect(values(y)).toEqual([0, 0, 1]);
    const [none] = runOp("NonMaxSuppression", [boxes, scores], {}, 11);
    expect(none.shape).toEqual([0, 3]);
  });

  it("rejects mismatched shapes and non-float boxes", () => {
    expect(codecError(() => runOp("NonMaxSuppression", [f32([1, 3, 3], new Array(9).fill(0)), scores, i64(1)], {}, 11))).toBe("CORRUPT");
    expect(codecError(() => runOp("NonMaxSuppression", [boxes, f32([1, 1, 2], [1, 2]), i64(1)], {}, 11))).toBe("CORRUPT");
    expect(codecError(() => runOp("NonMaxSuppression", [t("int32", [1, 1, 4], [0, 0, 1, 1]), f32([1, 1, 1], [1])], {}, 11))).toBe("UNSUPPORTED");
    expect(codecError(() => runOp("NonMaxSuppression", [boxes, scores, t("int64", [2], [1, 2])], {}, 11))).toBe("CORRUPT");
  });
});
