import { describe, expect, it } from "vitest";
import { codecError, f32, runOp, t, values } from "./test-support.js";

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

describe("SwiGLU", () => {
  it("is a * sigmoid(alpha * a) * b", () => {
    const [y] = runOp("SwiGLU", [f32([2], [0, 2]), f32([2], [5, 3])], {}, 28);
    expect(values(y)[0]).toBe(0);
    expect(values(y)[1]).toBeCloseTo(2 * sigmoid(2) * 3, 5);
    const [h] = runOp("SwiGLU", [f32([1], [2]), f32([1], [1])], { alpha: 0.5 }, 28);
    expect(values(h)[0]).toBeCloseTo(2 * sigmoid(1), 5);
  });

  it("rounds float16 results to float16", () => {
    const [y] = runOp("SwiGLU", [t("float16", [1], [1]), t("float16", [1], [0.5])], {}, 28);
    expect(y.dtype).toBe("float16");
    // sigmoid(1) = 0.7310586 rounds to 0.73095703125 in float16; * 0.5 is exact.
    expect(values(y)[0]).toBe(0.365478515625);
  });

  it("rejects different shapes, dtypes and integer inputs", () => {
    expect(codecError(() => runOp("SwiGLU", [f32([2], [1, 2]), f32([1], [1])], {}, 28))).toBe("CORRUPT");
    expect(codecError(() => runOp("SwiGLU", [f32([1], [1]), t("float64", [1], [1])], {}, 28))).toBe("CORRUPT");
    expect(codecError(() => runOp("SwiGLU", [t("int32", [1], [1]), t("int32", [1], [1])], {}, 28))).toBe("UNSUPPORTED");
  });
});
