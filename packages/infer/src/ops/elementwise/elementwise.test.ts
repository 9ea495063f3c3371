import type { DType } from "@codec/core";
import { describe, expect, it } from "vitest";
import { tensor, type NumArray, type RTensor } from "../../tensor.js";
import { type Attr, runOp } from "../test-support.js";
import { broadcastIndex } from "../../broadcast.js";
import { expandTo } from "./kernels.js";
import { erf, roundHalfEven } from "./unary-math.js";
import "./index.js";

function run(opType: string, inputs: (RTensor | undefined)[], attrs: Record<string, Attr> = {}, opset = 21): RTensor {
  return runOp(opType, inputs, attrs, opset)[0];
}

function t(dtype: DType, shape: number[], values: number[]): RTensor {
  const r = tensor(dtype, shape);
  (r.data as NumArray).set(values);
  return r;
}

const f32 = (shape: number[], values: number[]) => t("float32", shape, values);
const values = (r: RTensor): number[] => Array.from(r.data as NumArray);

describe("expandTo", () => {
  it("lays inputs out over the broadcast shape like broadcastIndex does", () => {
    // Deterministic shape pairs covering leading, middle, inner and repeated size-1 axes.
    const cases: [number[], number[]][] = [
      [[3], [2, 3]],
      [[2, 1], [2, 4]],
      [[1, 3, 1], [2, 3, 4]],
      [[4, 1, 2], [3, 4, 5, 2]],
      [[1, 1], [3, 2]],
      [[2, 1, 3], [2, 0, 3]],
      [[5], [5]],
    ];
    for (const [inShape, outShape] of cases) {
      const n = inShape.reduce((a, b) => a * b, 1);
      const data = Float64Array.from({ length: n }, (_, i) => i + 1);
      const idx = broadcastIndex(inShape, outShape);
      expect(Array.from(expandTo(data, inShape, outShape))).toEqual(Array.from(idx, (k) => data[k]));
    }
  });
});

describe("arithmetic", () => {
  it("wraps narrow integer results like fixed-width C types", () => {
    expect(values(run("Add", [t("uint8", [2], [250, 1]), t("uint8", [2], [10, 2])]))).toEqual([4, 3]);
    expect(values(run("Sub", [t("int8", [1], [-128]), t("int8", [1], [1])]))).toEqual([127]);
    // 65536 * 65536 = 2^32 wraps to 0; 46341^2 overflows int32.
    expect(values(run("Mul", [t("int32", [2], [65536, 46341]), t("int32", [2], [65536, 46341])]))).toEqual([0, -2147479015]);
  });

  it("truncates integer division toward zero", () => {
    expect(values(run("Div", [t("int32", [4], [7, -7, 7, -7]), t("int32", [4], [2, 2, -2, -2])]))).toEqual([3, -3, -3, 3]);
  });

  it("Mod takes the divisor's sign, or the dividend's with fmod=1", () => {
    const a = t("int32", [4], [-4, 7, 5, -7]);
    const b = t("int32", [4], [3, -3, 8, 3]);
    expect(values(run("Mod", [a, b]))).toEqual([2, -2, 5, 2]);
    expect(values(run("Mod", [a, b], { fmod: 1 }))).toEqual([-1, 1, 5, -1]);
    const fa = f32([2], [-4.5, 4.5]);
    const fb = f32([2], [2, -2]);
    expect(values(run("Mod", [fa, fb], { fmod: 1 }))).toEqual([-0.5, 0.5]);
  });

  it("Pow keeps the base's type", () => {
    const r = run("Pow", [t("int64", [3], [1, 2, 3]), f32([3], [4, 5, 0.5])]);
    expect(r.dtype).toBe("int64");
    expect(values(r)).toEqual([1, 32, 1]);
  });

  it("broadcasts numpy-style", () => {
    const r = run("Add", [f32([2, 1], [10, 20]), f32([3], [1, 2, 3])]);
    expect(r.shape).toEqual([2, 3]);
    expect(values(r)).toEqual([11, 12, 13, 21, 22, 23]);
  });

  it("aligns B at `axis` for opset < 7 broadcast=1", () => {
    const a = f32([2, 3, 2], new Array(12).fill(0));
    const r = run("Add", [a, f32([3], [1, 2, 3])], { broadcast: 1, axis: 1 }, 6);
    expect(values(r)).toEqual([1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3]);
  });

  it("refuses results too large to allocate with LIMIT, not a RangeError", () => {
    const a = f32([100000, 1], new Array(100000).fill(0));
    const b = f32([1, 100000], new Array(100000).fill(0));
    expect(() => run("Add", [a, b])).toThrow(expect.objectContaining({ code: "LIMIT" }));
  });

  it("rounds float16 results to float16", () => {
    // The float16 spacing at 1 is 2^-10, so 1 + 1e-4 rounds back to 1.
    expect(values(run("Add", [t("float16", [1], [1]), t("float16", [1], [1e-4])]))).toEqual([1]);
  });

  it("variadic Max/Min propagate NaN; Sum and Mean broadcast every input", () => {
    expect(values(run("Max", [f32([3], [1, Number.NaN, 3]), f32([3], [2, 0, 1])]))).toEqual([2, Number.NaN, 3]);
    expect(values(run("Min", [f32([3], [1, 5, 3]), f32([1], [2])]))).toEqual([1, 2, 2]);
    expect(values(run("Sum", [f32([2], [1, 2]), f32([1], [10]), f32([2, 1], [100, 200])]))).toEqual([111, 112, 211, 212]);
    expect(values(run("Mean", [f32([2], [1, 2]), f32([2], [3, 5])]))).toEqual([2, 3.5]);
  });
});

describe("unary math and activations", () => {
  it("Round halves to even", () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6].map(roundHalfEven)).toEqual([0, 2, 2, -0, -2, -2, 2, -3]);
  });

  it("erf matches reference values to double precision", () => {
    expect(erf(0)).toBe(0);
    expect(erf(0.5)).toBeCloseTo(0.5204998778130465, 15);
    expect(erf(-2)).toBeCloseTo(-0.9953222650189527, 15);
    expect(erf(3.5)).toBeCloseTo(0.9999992569016276, 14);
    expect(erf(1e-8)).toBeCloseTo(1.1283791670955126e-8, 22);
    expect(erf(10)).toBe(1);
    expect(Number.isNaN(erf(Number.NaN))).toBe(true);
  });

  it("Gelu exact and tanh forms", () => {
    const x = f32([3], [-1, 0, 1]);
    const exact = values(run("Gelu", [x]));
    expect(exact[0]).toBeCloseTo(-0.15865526, 6);
    expect(exact[2]).toBeCloseTo(0.84134474, 6);
    const tanh = values(run("Gelu", [x], { approximate: "tanh" }));
    expect(tanh[0]).toBeCloseTo(-0.158808, 5);
  });

  it("Clip: min > max gives max; omitted bounds do not clip; opset 6 reads attributes", () => {
    const x = f32([3], [-2, 0, 2]);
    expect(values(run("Clip", [x, f32([], [1]), f32([], [0])]))).toEqual([0, 0, 0]);
    expect(values(run("Clip", [t("int8", [2], [-128, 127]), undefined, t("int8", [], [5])]))).toEqual([-128, 5]);
    expect(values(run("Clip", [x], { min: -1, max: 1 }, 6))).toEqual([-1, 0, 1]);
  });

  it("Sigmoid and Softplus do not overflow", () => {
    expect(values(run("Sigmoid", [t("float64", [2], [-1000, 1000])]))).toEqual([0, 1]);
    expect(values(run("Softplus", [t("float64", [2], [-1000, 1000])]))).toEqual([0, 1000]);
  });

  it("PRelu-6 applies a [C] slope per channel (axis 1)", () => {
    const x = f32([1, 2, 2], [-1, -1, -1, 1]);
    expect(values(run("PRelu", [x, f32([2], [0.5, 0.25])], {}, 6))).toEqual([-0.5, -0.5, -0.25, 1]);
  });
});

describe("comparisons, logic and bits", () => {
  it("Equal compares strings with broadcasting", () => {
    const r = run("Equal", [tensor("string", [2], ["a", "b"]), tensor("string", [1], ["b"])]);
    expect(r.dtype).toBe("bool");
    expect(values(r)).toEqual([0, 1]);
  });

  it("Where selects strings and numbers with three-way broadcasting", () => {
    const c = t("bool", [2, 1], [1, 0]);
    expect(run("Where", [c, tensor("string", [2], ["x", "y"]), tensor("string", [], ["z"])]).data).toEqual(["x", "y", "z", "z"]);
    expect(values(run("Where", [c, f32([1], [1]), f32([2], [7, 8])]))).toEqual([1, 1, 7, 8]);
  });

  it("IsInf honours detect_positive/detect_negative", () => {
    const x = f32([3], [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0]);
    expect(values(run("IsInf", [x]))).toEqual([1, 1, 0]);
    expect(values(run("IsInf", [x], { detect_negative: 0 }))).toEqual([1, 0, 0]);
  });

  it("BitShift drops bits past the width", () => {
    expect(values(run("BitShift", [t("uint8", [3], [200, 1, 255]), t("uint8", [3], [1, 8, 4])], { direction: "LEFT" }))).toEqual([144, 0, 240]);
    expect(values(run("BitShift", [t("uint32", [2], [0xffffffff, 0x80000000]), t("uint32", [2], [4, 31])], { direction: "LEFT" }))).toEqual([0xfffffff0, 0]);
    expect(values(run("BitShift", [t("uint64", [2], [2 ** 40, 5]), t("uint64", [2], [8, 1])], { direction: "RIGHT" }))).toEqual([2 ** 32, 2]);
  });

  it("bitwise ops on 64-bit values use both words", () => {
    const a = t("int64", [2], [-1, 2 ** 40 + 3]);
    const b = t("int64", [2], [5, 2 ** 40 + 5]);
    expect(values(run("BitwiseAnd", [a, b]))).toEqual([5, 2 ** 40 + 1]);
    expect(values(run("BitwiseOr", [a, b]))).toEqual([-1, 2 ** 40 + 7]);
    expect(values(run("BitwiseXor", [a, b]))).toEqual([-6, 6]);
    expect(values(run("BitwiseOr", [t("uint64", [1], [2 ** 63]), t("uint64", [1], [1])]))).toEqual([2 ** 63]);
    expect(values(run("BitwiseNot", [t("int64", [2], [5, -1])]))).toEqual([-6, 0]);
    expect(values(run("BitwiseNot", [t("uint8", [1], [37])]))).toEqual([218]);
  });
});

describe("reductions", () => {
  const x = f32([2, 3], [1, 2, 3, 4, 5, 6]);

  it("reads axes from the attribute (old opsets) or the input (new)", () => {
    expect(values(run("ReduceSum", [x], { axes: [1], keepdims: 0 }, 11))).toEqual([6, 15]);
    const r = run("ReduceSum", [x, t("int64", [1], [-2])], {}, 13);
    expect(r.shape).toEqual([1, 3]);
    expect(values(r)).toEqual([5, 7, 9]);
    expect(values(run("ReduceMean", [x, t("int64", [1], [1])], { keepdims: 0 }, 18))).toEqual([2, 5]);
  });

  it("reduces contiguous and non-contiguous axis sets alike", () => {
    const y = f32([2, 3, 2], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(values(run("ReduceSum", [y, t("int64", [2], [0, 2])], { keepdims: 0 }))).toEqual([1 + 2 + 7 + 8, 3 + 4 + 9 + 10, 5 + 6 + 11 + 12]);
    expect(values(run("ReduceSum", [y, t("int64", [2], [2, 1])], { keepdims: 0 }))).toEqual([21, 57]);
    expect(values(run("ReduceMax", [y, t("int64", [1], [1])], { keepdims: 0 }))).toEqual([5, 6, 11, 12]);
  });

  it("no axes reduces everything unless noop_with_empty_axes", () => {
    expect(run("ReduceSum", [x, t("int64", [0], [])], {}, 13).shape).toEqual([1, 1]);
    const noop = run("ReduceSum", [x, t("int64", [0], [])], { noop_with_empty_axes: 1 }, 13);
    expect(noop.shape).toEqual([2, 3]);
    expect(values(noop)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("an empty set reduces to the identity of the reduction", () => {
    const empty = f32([2, 0, 2], []);
    const axis1 = t("int64", [1], [1]);
    expect(values(run("ReduceSum", [empty, axis1]))).toEqual([0, 0, 0, 0]);
    expect(values(run("ReduceProd", [empty, axis1]))).toEqual([1, 1, 1, 1]);
    expect(values(run("ReduceMax", [empty, axis1]))[0]).toBe(Number.NEGATIVE_INFINITY);
    expect(values(run("ReduceMin", [t("int32", [0], []), t("int64", [1], [0])]))).toEqual([2147483647]);
    expect(values(run("ReduceLogSumExp", [empty, axis1]))[0]).toBe(Number.NEGATIVE_INFINITY);
  });

  it("ReduceLogSumExp is stable for large values; L1/L2/SumSquare/LogSum", () => {
    const big = t("float64", [2], [1000, 1000]);
    expect(values(run("ReduceLogSumExp", [big], { keepdims: 0 }, 13))[0]).toBeCloseTo(1000 + Math.LN2, 10);
    const y = f32([2], [3, -4]);
    expect(values(run("ReduceL1", [y]))).toEqual([7]);
    expect(values(run("ReduceL2", [y]))).toEqual([5]);
    expect(values(run("ReduceSumSquare", [y]))).toEqual([25]);
    expect(values(run("ReduceLogSum", [f32([2], [1, 1])]))[0]).toBeCloseTo(Math.LN2, 6);
  });

  it("ReduceMax/ReduceMin take bool (any / all)", () => {
    const b = t("bool", [2, 2], [1, 0, 0, 0]);
    const axis = t("int64", [1], [1]);
    expect(values(run("ReduceMax", [b, axis], { keepdims: 0 }, 20))).toEqual([1, 0]);
    expect(values(run("ReduceMin", [b, axis], { keepdims: 0 }, 20))).toEqual([0, 0]);
  });
});

describe("ArgMax/ArgMin and cumulative ops", () => {
  it("select_last_index picks the last of equal extremes", () => {
    const x = f32([2, 3], [2, 5, 5, 1, 1, 0]);
    expect(values(run("ArgMax", [x], { axis: 1, keepdims: 0 }))).toEqual([1, 0]);
    expect(values(run("ArgMax", [x], { axis: 1, keepdims: 0, select_last_index: 1 }))).toEqual([2, 1]);
    const r = run("ArgMin", [x], { axis: -1, select_last_index: 1 });
    expect(r.dtype).toBe("int64");
    expect(r.shape).toEqual([2, 1]);
    expect(values(r)).toEqual([0, 2]);
  });

  it("NaN wins ArgMax/ArgMin (first NaN)", () => {
    expect(values(run("ArgMin", [f32([3], [1, Number.NaN, 0])]))).toEqual([1]);
  });

  it("CumSum/CumProd exclusive and reverse", () => {
    const x = t("int32", [4], [1, 2, 3, 4]);
    const axis = t("int32", [], [0]);
    expect(values(run("CumSum", [x, axis]))).toEqual([1, 3, 6, 10]);
    expect(values(run("CumSum", [x, axis], { exclusive: 1 }))).toEqual([0, 1, 3, 6]);
    expect(values(run("CumSum", [x, axis], { reverse: 1 }))).toEqual([10, 9, 7, 4]);
    expect(values(run("CumSum", [x, axis], { reverse: 1, exclusive: 1 }))).toEqual([9, 7, 4, 0]);
    expect(values(run("CumProd", [x, axis], { exclusive: 1 }))).toEqual([1, 1, 2, 6]);
    const m = f32([2, 2], [1, 2, 3, 4]);
    expect(values(run("CumSum", [m, t("int64", [], [-1])]))).toEqual([1, 3, 3, 7]);
  });
});
