import { describe, expect, it } from "vitest";
import { isCodecError } from "@codec/core";
import { type NumArray, type RTensor, tensor } from "../../tensor.js";
import { type Attr, runOp } from "../test-support.js";
import { castTensor, formatNumber, parseNumber } from "./cast.js";
import { gatherByAxisMaps } from "./common.js";
import { reshapeTarget } from "./dims.js";
import { sliceMap } from "./join.js";
import { padMap } from "./pad.js";
import { planAxis, type ResizeOptions } from "./resize.js";
import "./index.js";

function run(op: string, inputs: (RTensor | undefined)[], attrs: Record<string, Attr> = {}, opset = 21, outputs = 1): RTensor[] {
  return runOp(op, inputs, attrs, opset, outputs);
}

const f32 = (shape: number[], v: number[]): RTensor => tensor("float32", shape, Float32Array.from(v));
const i64 = (v: number[]): RTensor => tensor("int64", [v.length], Float64Array.from(v));
const vals = (t: RTensor): number[] => Array.from(t.data as NumArray);

describe("Cast", () => {
  it("rounds to float8 with saturation, or to NaN/inf without", () => {
    const x = f32([5], [1000, -1e6, Number.POSITIVE_INFINITY, 0.3, Number.NaN]);
    expect(vals(castTensor(x, "float8_e4m3fn", true)).slice(0, 3)).toEqual([448, -448, 448]);
    const e4 = vals(castTensor(x, "float8_e4m3fn", false));
    expect(e4.slice(0, 3).every(Number.isNaN)).toBe(true);
    expect(e4[3]).toBe(0.3125);
    expect(vals(castTensor(x, "float8_e5m2", true)).slice(0, 3)).toEqual([1024, -57344, 57344]);
    expect(vals(castTensor(x, "float8_e5m2", false)).slice(0, 3)).toEqual([1024, Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY]);
  });
  it("rounds to float16/bfloat16 nearest-even and truncates to integers", () => {
    expect(vals(castTensor(f32([2], [1.0009765625 + 2 ** -12, 65520]), "float16"))).toEqual([1.0009765625, Number.POSITIVE_INFINITY]);
    expect(vals(castTensor(f32([1], [1 + 2 ** -8]), "bfloat16"))).toEqual([1]);
    expect(vals(castTensor(f32([3], [-2.7, 2.7, 300]), "int8"))).toEqual([-2, 2, 44]);
    expect(vals(castTensor(f32([2], [-1.5, 0]), "bool"))).toEqual([1, 0]);
  });
  it("converts strings both ways", () => {
    expect(parseNumber(" -INF")).toBe(Number.NEGATIVE_INFINITY);
    expect(parseNumber("1e-3")).toBe(0.001);
    expect(() => parseNumber("abc")).toThrow();
    const s = tensor("string", [3], ["0.5", "NaN", "+INF"]);
    expect(vals(castTensor(s, "float32"))).toEqual([0.5, Number.NaN, Number.POSITIVE_INFINITY]);
    expect(formatNumber(Math.fround(0.1), "float32")).toBe("0.1");
    expect(formatNumber(1e-5, "float64")).toBe("1e-05");
    expect(formatNumber(3, "float32")).toBe("3.0");
    expect(formatNumber(7, "int32")).toBe("7");
  });
});

describe("shape arithmetic", () => {
  it("Reshape copies 0 dims unless allowzero, and infers -1", () => {
    expect(reshapeTarget([2, 3, 4], [0, -1], false)).toEqual([2, 12]);
    expect(reshapeTarget([0, 3], [3, 0], true)).toEqual([3, 0]);
    expect(() => reshapeTarget([2, 3], [-1, -1], false)).toThrow();
    expect(() => reshapeTarget([2, 3], [4, -1], false)).toThrow();
  });
  it("Slice clamps per the spec for both step signs", () => {
    expect(Array.from(sliceMap(5, 0, 1e18, 2))).toEqual([0, 2, 4]);
    expect(Array.from(sliceMap(5, -1, -1e18, -1))).toEqual([4, 3, 2, 1, 0]);
    expect(Array.from(sliceMap(5, 10, 0, -2))).toEqual([4, 2]);
    expect(Array.from(sliceMap(5, 3, 1, 1))).toEqual([]);
  });
  it("Pad maps every mode, negative pads crop", () => {
    expect(Array.from(padMap(3, 2, 2, "reflect"))).toEqual([2, 1, 0, 1, 2, 1, 0]);
    expect(Array.from(padMap(3, 2, 1, "edge"))).toEqual([0, 0, 0, 1, 2, 2]);
    expect(Array.from(padMap(3, 2, 1, "wrap"))).toEqual([1, 2, 0, 1, 2, 0]);
    expect(Array.from(padMap(3, 1, -1, "constant"))).toEqual([-1, 0, 1]);
    expect(Array.from(padMap(4, -1, 0, "constant"))).toEqual([1, 2, 3]);
  });
  it("gatherByAxisMaps fills outside positions", () => {
    const dst = new Float32Array(6);
    gatherByAxisMaps(Float32Array.from([1, 2, 3, 4]), [2, 1], [Int32Array.from([-1, 1]), Int32Array.from([1, 0, -1])], [2, 3], dst, 9);
    expect(Array.from(dst)).toEqual([9, 9, 9, 4, 3, 9]);
  });
});

describe("ops", () => {
  it("Split without sizes: equal parts from the output count, ceil chunks from num_outputs", () => {
    const x = f32([5], [1, 2, 3, 4, 5]);
    expect(run("Split", [x], { num_outputs: 3 }, 18, 3).map((t) => t.shape[0])).toEqual([2, 2, 1]);
    expect(run("Split", [f32([4], [1, 2, 3, 4])], {}, 13, 2).map(vals)).toEqual([[1, 2], [3, 4]]);
    expect(run("Split", [x, i64([1, 4])], {}, 13, 2).map(vals)).toEqual([[1], [2, 3, 4, 5]]);
  });
  it("Unsqueeze axes index the output; Squeeze with no axes drops every 1", () => {
    const x = f32([3, 1, 2], [1, 2, 3, 4, 5, 6]);
    expect(run("Unsqueeze", [x, i64([-1, 0])])[0].shape).toEqual([1, 3, 1, 2, 1]);
    expect(run("Unsqueeze", [x], { axes: [1] }, 11)[0].shape).toEqual([3, 1, 1, 2]);
    expect(run("Squeeze", [x])[0].shape).toEqual([3, 2]);
  });
  it("Gather with negative indices and GatherND with batch dims", () => {
    const x = f32([3, 2], [1, 2, 3, 4, 5, 6]);
    expect(vals(run("Gather", [x, i64([-1, 0])], { axis: 0 })[0])).toEqual([5, 6, 1, 2]);
    const idx = tensor("int64", [2, 1], Float64Array.from([1, 0]));
    const nd = run("GatherND", [f32([2, 2], [1, 2, 3, 4]), idx], { batch_dims: 1 })[0];
    expect(nd.shape).toEqual([2]);
    expect(vals(nd)).toEqual([2, 3]);
  });
  it("ScatterND reduces duplicates", () => {
    const idx = tensor("int64", [2, 1], Float64Array.from([1, 1]));
    expect(vals(run("ScatterND", [f32([3], [1, 1, 1]), idx, f32([2], [5, 7])], { reduction: "add" })[0])).toEqual([1, 13, 1]);
    expect(vals(run("ScatterND", [f32([3], [1, 1, 1]), idx, f32([2], [5, 7])], { reduction: "max" })[0])).toEqual([1, 7, 1]);
  });
  it("Concat, Tile, Expand and Transpose move string elements too", () => {
    const s = tensor("string", [2], ["a", "b"]);
    expect(run("Concat", [s, s], { axis: 0 })[0].data).toEqual(["a", "b", "a", "b"]);
    expect(run("Tile", [s, i64([2])])[0].data).toEqual(["a", "b", "a", "b"]);
    expect(run("Expand", [s, i64([2, 1])])[0].data).toEqual(["a", "b", "a", "b"]);
    const t = tensor("string", [2, 2], ["a", "b", "c", "d"]);
    expect(run("Transpose", [t])[0].data).toEqual(["a", "c", "b", "d"]);
  });
  it("NonZero lists coordinates per axis; OneHot wraps negative indices", () => {
    const nz = run("NonZero", [f32([2, 2], [1, 0, 0, 3])])[0];
    expect(nz.shape).toEqual([2, 2]);
    expect(vals(nz)).toEqual([0, 1, 0, 1]);
    const oh = run("OneHot", [i64([-1, 5]), i64([3]), f32([2], [0, 1])], { axis: -1 })[0];
    expect(vals(oh)).toEqual([0, 0, 1, 0, 0, 0]);
  });
  it("Unique sorts values and reports first indices, inverse and counts", () => {
    const [y, first, inverse, counts] = run("Unique", [f32([6], [2, 1, 1, 3, 4, 3])], { sorted: 1 }, 21, 4);
    expect(vals(y)).toEqual([1, 2, 3, 4]);
    expect(vals(first)).toEqual([1, 0, 3, 4]);
    expect(vals(inverse)).toEqual([1, 0, 0, 2, 3, 2]);
    expect(vals(counts)).toEqual([2, 1, 2, 1]);
  });
  it("fails with CodecErrors on bad indices", () => {
    try {
      run("Gather", [f32([2], [1, 2]), i64([2])]);
      expect.unreachable();
    } catch (e) {
      expect(isCodecError(e)).toBe(true);
    }
  });
});

describe("Resize taps", () => {
  const base: ResizeOptions = { mode: "linear", coord: "half_pixel", nearestMode: "round_prefer_floor", cubicA: -0.75, excludeOutside: false, extrapolation: 0, antialias: false };
  it("linear half_pixel upsampling by 2 weights the two neighbours 3:1", () => {
    const p = planAxis(2, 4, 2, base, [0, 1]);
    expect(p.n).toBe(2);
    expect(Array.from(p.idx.slice(2, 4))).toEqual([0, 1]);
    expect(Array.from(p.w.slice(2, 4))).toEqual([0.75, 0.25]);
  });
  it("antialiased downscaling widens the kernel by 1/scale", () => {
    const p = planAxis(8, 4, 0.5, { ...base, antialias: true }, [0, 1]);
    expect(p.n).toBe(4);
    const w = Array.from(p.w.slice(4, 8));
    expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1);
  });
  it("nearest modes round the mapped coordinate", () => {
    const p = planAxis(2, 4, 2, { ...base, mode: "nearest", coord: "asymmetric", nearestMode: "ceil" }, [0, 1]);
    expect(Array.from(p.idx)).toEqual([0, 1, 1, 1]);
  });
});
