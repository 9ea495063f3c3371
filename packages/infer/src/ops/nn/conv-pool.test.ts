import { describe, expect, it } from "vitest";
import { type Attr, f32, iota, runOp, t, values } from "./test-support.js";

/** Deterministic pseudo-random values in [-1, 1). */
function noise(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

/** Direct N-d convolution by the definition (Operators.md Conv), for comparison. */
function naiveConv(x: number[], xs: number[], w: number[], ws: number[], group: number, strides: number[], dil: number[], pads: number[]): { y: number[]; shape: number[] } {
  const nd = xs.length - 2;
  const [N, C] = xs;
  const M = ws[0];
  const Cg = C / group;
  const inD = xs.slice(2);
  const k = ws.slice(2);
  const outD = inD.map((v, i) => Math.floor((v + pads[i] + pads[i + nd] - ((k[i] - 1) * dil[i] + 1)) / strides[i]) + 1);
  const shape = [N, M, ...outD];
  const size = (d: number[]) => d.reduce((a, b) => a * b, 1);
  const y = new Array<number>(size(shape)).fill(0);
  const unflat = (i: number, dims: number[]) => {
    const c: number[] = [];
    for (let d = dims.length - 1; d >= 0; d--) {
      c.unshift(i % dims[d]);
      i = Math.floor(i / dims[d]);
    }
    return c;
  };
  const flat = (c: number[], dims: number[]) => c.reduce((a, v, i) => a * dims[i] + v, 0);
  for (let n = 0; n < N; n++) for (let m = 0; m < M; m++) for (let p = 0; p < size(outD); p++) {
    const o = unflat(p, outD);
    const g = Math.floor(m / (M / group));
    let acc = 0;
    for (let c = 0; c < Cg; c++) for (let q = 0; q < size(k); q++) {
      const kk = unflat(q, k);
      const ii = o.map((ov, d) => ov * strides[d] - pads[d] + kk[d] * dil[d]);
      if (ii.some((v, d) => v < 0 || v >= inD[d])) continue;
      acc += x[(n * C + g * Cg + c) * size(inD) + flat(ii, inD)] * w[(m * Cg + c) * size(k) + q];
    }
    y[(n * M + m) * size(outD) + p] = acc;
  }
  return { y, shape };
}

describe("Conv", () => {
  const cases: { xs: number[]; ws: number[]; group: number; strides: number[]; dil: number[]; pads: number[] }[] = [
    { xs: [1, 2, 7], ws: [3, 2, 3], group: 1, strides: [2], dil: [1], pads: [1, 0] },
    { xs: [2, 4, 6, 5], ws: [4, 2, 3, 2], group: 2, strides: [1, 2], dil: [2, 1], pads: [1, 2, 0, 1] },
    { xs: [1, 3, 5, 5], ws: [3, 1, 3, 3], group: 3, strides: [1, 1], dil: [1, 1], pads: [1, 1, 1, 1] },
    { xs: [1, 2, 4, 5, 3], ws: [2, 2, 2, 3, 1], group: 1, strides: [1, 2, 1], dil: [1, 1, 2], pads: [0, 1, 0, 1, 0, 0] },
    { xs: [1, 4, 3, 3], ws: [2, 4, 1, 1], group: 1, strides: [1, 1], dil: [1, 1], pads: [0, 0, 0, 0] },
  ];
  for (const [i, c] of cases.entries()) {
    it(`matches the direct definition (case ${i}: ${c.xs.length - 2}-D, group ${c.group})`, () => {
      const x = noise(c.xs.reduce((a, b) => a * b), 1 + i);
      const w = noise(c.ws.reduce((a, b) => a * b), 100 + i);
      const want = naiveConv(x, c.xs, w, c.ws, c.group, c.strides, c.dil, c.pads);
      const [y] = runOp("Conv", [f32(c.xs, x), f32(c.ws, w)], { group: c.group, strides: c.strides, dilations: c.dil, pads: c.pads });
      expect(y.shape).toEqual(want.shape);
      const got = values(y);
      want.y.forEach((v, j) => {
        expect(got[j]).toBeCloseTo(v, 5);
      });
    });
  }

  it("SAME_UPPER puts the odd padding at the end, SAME_LOWER at the start", () => {
    const x = iota([1, 1, 4]);
    const w = f32([1, 1, 2], [1, 10]);
    // Total padding 1: UPPER reads [x0,x1]..[x3,pad]; LOWER reads [pad,x0]..[x2,x3].
    expect(values(runOp("Conv", [x, w], { auto_pad: "SAME_UPPER" })[0])).toEqual([10, 21, 32, 3]);
    expect(values(runOp("Conv", [x, w], { auto_pad: "SAME_LOWER" })[0])).toEqual([0, 10, 21, 32]);
  });

  it("adds the bias per output channel", () => {
    const [y] = runOp("Conv", [iota([1, 1, 2]), f32([2, 1, 1], [1, 2]), f32([2], [10, 20])]);
    expect(values(y)).toEqual([10, 11, 20, 22]);
  });
});

describe("ConvTranspose", () => {
  it("is the adjoint of Conv: <conv(x), y> == <x, convT(y)>", () => {
    const xs = [1, 2, 5, 4];
    const ws = [3, 2, 3, 2];
    const attrs: Record<string, Attr> = { strides: [2, 1], dilations: [1, 2], pads: [1, 0, 0, 1] };
    const x = noise(40, 7);
    const w = noise(36, 8);
    const [cx] = runOp("Conv", [f32(xs, x), f32(ws, w)], attrs);
    const y = noise(cx.shape.reduce((a, b) => a * b), 9);
    // ConvTranspose weights are [C_in, C_out / group, ...]: Conv's [M, C / group, ...] as they stand.
    // output_padding recovers the input size the stride rounded away.
    const [ty] = runOp("ConvTranspose", [f32(cx.shape as number[], y), f32(ws, w)], { ...attrs, output_padding: [1, 0] });
    expect(ty.shape).toEqual(xs);
    const lhs = values(cx).reduce((a, v, i) => a + v * y[i], 0);
    const rhs = values(ty).reduce((a, v, i) => a + v * x[i], 0);
    expect(lhs).toBeCloseTo(rhs, 4);
  });

  it("computes the output size from strides, output_padding and pads", () => {
    const [y] = runOp("ConvTranspose", [iota([1, 1, 3]), f32([1, 1, 2], [1, 1])], { strides: [2], output_padding: [1] });
    // Full size 2 * (3 - 1) + 1 + 2 = 7; each input lands at 2i and 2i + 1.
    expect(values(y)).toEqual([0, 0, 1, 1, 2, 2, 0]);
  });
});

describe("pools", () => {
  const x = iota([1, 1, 4, 4]);

  it("MaxPool returns values and flat indices (row- or column-major)", () => {
    const [y, idx] = runOp("MaxPool", [x], { kernel_shape: [2, 2], strides: [2, 2] });
    expect(values(y)).toEqual([5, 7, 13, 15]);
    expect(values(idx)).toEqual([5, 7, 13, 15]);
    expect(idx.dtype).toBe("int64");
    const [, cm] = runOp("MaxPool", [x], { kernel_shape: [2, 2], strides: [2, 2], storage_order: 1 });
    expect(values(cm)).toEqual([5, 13, 7, 15]);
  });

  it("MaxPool indices count the batch and channel offset", () => {
    const [, idx] = runOp("MaxPool", [iota([2, 1, 1, 2])], { kernel_shape: [1, 2] });
    expect(values(idx)).toEqual([1, 3]);
  });

  it("ceil_mode adds a partial window, but not one starting in the padding", () => {
    const x5 = iota([1, 1, 5]);
    expect(values(runOp("MaxPool", [x5], { kernel_shape: [2], strides: [2], ceil_mode: 1 })[0])).toEqual([1, 3, 4]);
    expect(values(runOp("MaxPool", [x5], { kernel_shape: [2], strides: [2] })[0])).toEqual([1, 3]);
    // in 4, pads [1, 1], k 2, s 2: ceil gives 3 windows, but the third would start in the end pad.
    expect(runOp("MaxPool", [iota([1, 1, 4])], { kernel_shape: [2], strides: [2], pads: [1, 1], ceil_mode: 1 })[0].shape).toEqual([1, 1, 3]);
    expect(runOp("MaxPool", [iota([1, 1, 4])], { kernel_shape: [2], strides: [2], pads: [0, 1], ceil_mode: 1 })[0].shape).toEqual([1, 1, 2]);
  });

  it("AveragePool divides by the taps inside the input, or inside input + pads", () => {
    const x3 = f32([1, 1, 3], [3, 6, 9]);
    const attrs = { kernel_shape: [2], pads: [1, 1] };
    expect(values(runOp("AveragePool", [x3], attrs)[0])).toEqual([3, 4.5, 7.5, 9]);
    expect(values(runOp("AveragePool", [x3], { ...attrs, count_include_pad: 1 })[0])).toEqual([1.5, 4.5, 7.5, 4.5]);
  });

  it("LpPool is the p-norm of each window", () => {
    const [y] = runOp("LpPool", [f32([1, 1, 2], [3, 4])], { kernel_shape: [2], p: 2 });
    expect(values(y)[0]).toBeCloseTo(5, 6);
  });

  it("global pools keep the spatial dims as 1", () => {
    const [avg] = runOp("GlobalAveragePool", [iota([1, 2, 2, 2])]);
    expect(avg.shape).toEqual([1, 2, 1, 1]);
    expect(values(avg)).toEqual([1.5, 5.5]);
    expect(values(runOp("GlobalMaxPool", [iota([1, 2, 2, 2])])[0])).toEqual([3, 7]);
  });

  it("MaxPool works on uint8 and keeps the dtype", () => {
    const [y] = runOp("MaxPool", [t("uint8", [1, 1, 3], [7, 200, 3])], { kernel_shape: [2] });
    expect(y.dtype).toBe("uint8");
    expect(values(y)).toEqual([200, 200]);
  });
});
