import { describe, expect, it } from "vitest";
import { f32, iota, runOp, t, values } from "./test-support.js";

describe("quantized and integer ops", () => {
  it("MatMulInteger subtracts per-row / per-column zero points exactly", () => {
    const A = t("uint8", [2, 2], [10, 11, 20, 22]);
    const B = t("uint8", [2, 1], [3, 4]);
    const [y] = runOp("MatMulInteger", [A, B, t("uint8", [2], [10, 20]), t("uint8", [], [3])]);
    expect(y.dtype).toBe("int32");
    // rows minus [10, 20]: [0, 1], [0, 2]; column minus 3: [0, 1].
    expect(values(y)).toEqual([1, 2]);
  });

  it("QLinearMatMul rounds half to even and saturates to the output type", () => {
    const one = f32([], [1]);
    const run = (a: number, scale: number) =>
      values(runOp("QLinearMatMul", [t("int8", [1, 1], [a]), f32([], [scale]), t("int8", [], [0]), t("int8", [1, 1], [1]), one, t("int8", [], [0]), one, t("int8", [], [0])])[0])[0];
    expect(run(5, 0.5)).toBe(2); // 2.5 -> 2
    expect(run(7, 0.5)).toBe(4); // 3.5 -> 4
    expect(run(100, 2)).toBe(127); // 200 saturates
    expect(run(-100, 2)).toBe(-128);
  });
});

describe("Col2Im", () => {
  it("sums overlapping blocks back into the image", () => {
    // 1-channel 1x3 image, 1x2 blocks at stride 1: two blocks, the middle pixel is covered twice.
    const cols = f32([1, 2, 2], [1, 2, 3, 4]); // rows: tap 0 for blocks 0,1; tap 1 for blocks 0,1
    const [y] = runOp("Col2Im", [cols, t("int64", [2], [1, 3]), t("int64", [2], [1, 2])]);
    expect(y.shape).toEqual([1, 1, 1, 3]);
    expect(values(y)).toEqual([1, 2 + 3, 4]);
  });
});

describe("RotaryEmbedding", () => {
  it("rotates (i, i + d/2) pairs, or (2i, 2i + 1) when interleaved, by the cached angle", () => {
    const x = f32([1, 1, 1, 4], [1, 2, 3, 4]); // [B, H, S, D]
    const cos = f32([1, 2], [0, 1]);
    const sin = f32([1, 2], [1, 0]);
    const pos = t("int64", [1, 1], [0]);
    // Pair 0 turns by 90 degrees, pair 1 by 0.
    expect(values(runOp("RotaryEmbedding", [x, cos, sin, pos])[0])).toEqual([-3, 2, 1, 4]);
    expect(values(runOp("RotaryEmbedding", [x, cos, sin, pos], { interleaved: 1 })[0])).toEqual([-2, 1, 3, 4]);
  });
});

describe("DeformConv", () => {
  it("with zero offsets equals Conv; a half-pixel offset interpolates", () => {
    const x = iota([1, 1, 3, 3]);
    const w = f32([1, 1, 2, 2], [1, 0, 0, 0]);
    const zero = f32([1, 8, 2, 2], new Array<number>(32).fill(0));
    expect(values(runOp("DeformConv", [x, w, zero])[0])).toEqual(values(runOp("Conv", [x, w])[0]));
    const dx = new Array<number>(32).fill(0);
    for (let p = 0; p < 4; p++) dx[4 + p] = 0.5; // tap (0, 0), x offset of every output position
    expect(values(runOp("DeformConv", [x, w, f32([1, 8, 2, 2], dx)])[0])).toEqual([0.5, 1.5, 3.5, 4.5]);
  });
});

describe("CausalConvWithState", () => {
  it("continues a sequence from the carried state exactly", () => {
    const w = f32([1, 1, 3], [1, 2, 3]);
    const whole = runOp("CausalConvWithState", [f32([1, 1, 4], [1, 2, 3, 4]), w])[0];
    const [first, state] = runOp("CausalConvWithState", [f32([1, 1, 2], [1, 2]), w]);
    const [second] = runOp("CausalConvWithState", [f32([1, 1, 2], [3, 4]), w, undefined, state]);
    expect([...values(first), ...values(second)]).toEqual(values(whole));
    expect(state.shape).toEqual([1, 1, 2]);
  });
});

describe("AffineGrid + GridSample", () => {
  it("an identity theta samples every pixel centre back (2-D and 3-D, any mode)", () => {
    for (const align of [0, 1]) {
      const x2 = iota([1, 2, 3, 4]);
      const [g2] = runOp("AffineGrid", [f32([1, 2, 3], [1, 0, 0, 0, 1, 0]), t("int64", [4], [1, 2, 3, 4])], { align_corners: align }, 20);
      expect(g2.shape).toEqual([1, 3, 4, 2]);
      for (const mode of ["linear", "nearest", "cubic"]) {
        const [y] = runOp("GridSample", [x2, g2], { align_corners: align, mode }, 20);
        values(y).forEach((v, i) => {
          expect(v).toBeCloseTo(i, 4);
        });
      }
      const x3 = iota([1, 1, 2, 2, 3]);
      const [g3] = runOp("AffineGrid", [f32([1, 3, 4], [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0]), t("int64", [5], [1, 1, 2, 2, 3])], { align_corners: align }, 20);
      values(runOp("GridSample", [x3, g3], { align_corners: align }, 20)[0]).forEach((v, i) => {
        expect(v).toBeCloseTo(i, 4);
      });
    }
  });

  it("padding modes: zeros, border and reflection outside the image", () => {
    const x = f32([1, 1, 1, 2], [10, 20]);
    // x = 2 (normalized, align_corners 1) is one pixel past the right edge; y = 0 is the only row.
    const grid = f32([1, 1, 1, 2], [3, -1]);
    const at = (padding_mode: string) => values(runOp("GridSample", [x, grid], { align_corners: 1, padding_mode, mode: "nearest" }, 20)[0])[0];
    expect(at("zeros")).toBe(0);
    expect(at("border")).toBe(20);
    expect(at("reflection")).toBe(10);
  });
});
