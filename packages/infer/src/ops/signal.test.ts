import { describe, expect, it } from "vitest";
import { dft } from "./signal.js";
import { codecError, f32, runOp, t, values } from "./test-support.js";

function close(actual: number[], expected: number[], tol = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i] - expected[i])).toBeLessThanOrEqual(tol * (1 + Math.abs(expected[i])));
}

/** The definition, summed directly: X[k] = sum_t x[t] e^(sign 2 pi i k t / n). */
function naive(re: number[], im: number[], sign: number): number[] {
  const n = re.length;
  const out: number[] = [];
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let j = 0; j < n; j++) {
      const a = (sign * 2 * Math.PI * k * j) / n;
      sr += re[j] * Math.cos(a) - im[j] * Math.sin(a);
      si += re[j] * Math.sin(a) + im[j] * Math.cos(a);
    }
    out.push(sr, si);
  }
  return out;
}

describe("FFT kernel", () => {
  it("agrees with the direct sum for power-of-two, small and Bluestein lengths", () => {
    for (const n of [8, 12, 97, 100, 128]) {
      const re = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.7) + i / n);
      const im = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 1.3));
      for (const sign of [-1, 1]) {
        const [yr, yi] = dft(re, im, sign);
        const got: number[] = [];
        for (let k = 0; k < n; k++) got.push(yr[k], yi[k]);
        close(got, naive(Array.from(re), Array.from(im), sign), 1e-9);
      }
    }
  });
});

describe("DFT", () => {
  const x = f32([1, 4, 1], [1, 2, 3, 4]);

  it("transforms a real signal along axis 1 (opset 17 attribute)", () => {
    const [y] = runOp("DFT", [x], { axis: 1 }, 17);
    expect(y.shape).toEqual([1, 4, 2]);
    close(values(y), [10, 0, -2, 2, -2, 0, -2, -2]);
  });

  it("keeps floor(n/2)+1 bins when onesided, and takes the axis as input 2 from opset 20", () => {
    const [y] = runOp("DFT", [x, undefined, t("int64", [], [-2])], { onesided: 1 }, 20);
    expect(y.shape).toEqual([1, 3, 2]);
    close(values(y), [10, 0, -2, 2, -2, 0]);
  });

  it("inverts a full complex spectrum and an onesided one (IRFFT)", () => {
    const [full] = runOp("DFT", [f32([1, 4, 2], [10, 0, -2, 2, -2, 0, -2, -2])], { axis: 1, inverse: 1 }, 17);
    close(values(full), [1, 0, 2, 0, 3, 0, 4, 0]);
    const [real] = runOp("DFT", [f32([1, 3, 2], [10, 0, -2, 2, -2, 0])], { axis: 1, inverse: 1, onesided: 1 }, 17);
    expect(real.shape).toEqual([1, 4, 1]);
    close(values(real), [1, 2, 3, 4]);
  });

  it("zero-pads to dft_length", () => {
    const [y] = runOp("DFT", [x, t("int64", [], [6])], { axis: 1 }, 17);
    expect(y.shape).toEqual([1, 6, 2]);
    close(values(y), naive([1, 2, 3, 4, 0, 0], [0, 0, 0, 0, 0, 0], -1));
  });

  it("rejects bad shapes, axes and lengths with CodecErrors", () => {
    expect(codecError(() => runOp("DFT", [f32([4], [1, 2, 3, 4])], {}, 17))).toBe("CORRUPT");
    expect(codecError(() => runOp("DFT", [f32([1, 1, 3], [1, 2, 3])], {}, 17))).toBe("CORRUPT");
    expect(codecError(() => runOp("DFT", [x], { axis: 2 }, 17))).toBe("CORRUPT");
    expect(codecError(() => runOp("DFT", [x, t("int64", [], [0])], { axis: 1 }, 17))).toBe("CORRUPT");
    expect(codecError(() => runOp("DFT", [x, t("int64", [], [-5])], { axis: 1 }, 17))).toBe("CORRUPT");
    expect(codecError(() => runOp("DFT", [x, t("int64", [], [2 ** 40])], { axis: 1 }, 17))).toBe("LIMIT");
    expect(codecError(() => runOp("DFT", [f32([1, 2, 2], [1, 0, 2, 0])], { axis: 1, onesided: 1 }, 17))).toBe("CORRUPT");
    expect(codecError(() => runOp("DFT", [t("int32", [1, 2, 1], [1, 2])], { axis: 1 }, 17))).toBe("UNSUPPORTED");
  });
});

describe("STFT", () => {
  it("frames the signal, windows it and keeps the onesided bins", () => {
    const sig = f32([1, 5, 1], [1, 2, 3, 4, 5]);
    const [y] = runOp("STFT", [sig, t("int64", [], [2]), undefined, t("int64", [], [2])], {}, 17);
    expect(y.shape).toEqual([1, 2, 2, 2]);
    close(values(y), [3, 0, -1, 0, 7, 0, -1, 0]);
    const [w] = runOp("STFT", [sig, t("int64", [], [2]), f32([2], [0.5, 1])], {}, 17);
    close(values(w), [2.5, 0, -1.5, 0, 5.5, 0, -2.5, 0]);
  });

  it("rejects a bad step, a frame longer than the signal and a window of the wrong length", () => {
    const sig = f32([1, 4, 1], [1, 2, 3, 4]);
    expect(codecError(() => runOp("STFT", [sig, t("int64", [], [0]), undefined, t("int64", [], [2])], {}, 17))).toBe("CORRUPT");
    expect(codecError(() => runOp("STFT", [sig, t("int64", [], [1]), undefined, t("int64", [], [5])], {}, 17))).toBe("CORRUPT");
    expect(codecError(() => runOp("STFT", [sig, t("int64", [], [1]), f32([3], [1, 1, 1]), t("int64", [], [2])], {}, 17))).toBe("CORRUPT");
    expect(codecError(() => runOp("STFT", [sig, t("int64", [], [1])], {}, 17))).toBe("CORRUPT");
  });
});

describe("window functions", () => {
  it("compute periodic and symmetric Hann, Hamming and Blackman windows", () => {
    close(values(runOp("HannWindow", [t("int32", [], [4])], {}, 17)[0]), [0, 0.5, 1, 0.5]);
    close(values(runOp("HannWindow", [t("int32", [], [3])], { periodic: 0 }, 17)[0]), [0, 1, 0]);
    close(values(runOp("HammingWindow", [t("int64", [], [2])], {}, 17)[0]), [4 / 46, 1]);
    const [b] = runOp("BlackmanWindow", [t("int32", [], [4])], { output_datatype: 11 }, 17);
    expect(b.dtype).toBe("float64");
    close(values(b), [0, 0.34, 1, 0.34], 1e-12);
  });

  it("rejects negative and absurd sizes", () => {
    expect(codecError(() => runOp("HannWindow", [t("int32", [], [-1])], {}, 17))).toBe("CORRUPT");
    expect(codecError(() => runOp("HannWindow", [t("int64", [], [2 ** 40])], {}, 17))).toBe("LIMIT");
    expect(codecError(() => runOp("HannWindow", [t("int64", [2], [2, 2])], {}, 17))).toBe("CORRUPT");
    expect(codecError(() => runOp("HannWindow", [t("int64", [], [2])], { output_datatype: 8 }, 17))).toBe("CORRUPT");
  });
});

describe("MelWeightMatrix", () => {
  it("builds [dft_length/2 + 1, num_mel_bins] triangles with peak 1", () => {
    const [m] = runOp("MelWeightMatrix", [t("int32", [], [4]), t("int32", [], [64]), t("int32", [], [16000]), f32([], [0]), f32([], [8000])], {}, 17);
    expect(m.shape).toEqual([33, 4]);
    const v = values(m);
    for (let c = 0; c < 4; c++) {
      let peak = 0;
      for (let r = 0; r < 33; r++) peak = Math.max(peak, v[r * 4 + c]);
      expect(peak).toBe(1);
    }
  });

  it("rejects non-positive sizes and a reversed range", () => {
    const run = (mels: number, len: number, lo: number, hi: number) => () =>
      runOp("MelWeightMatrix", [t("int32", [], [mels]), t("int32", [], [len]), t("int32", [], [8000]), f32([], [lo]), f32([], [hi])], {}, 17);
    expect(codecError(run(0, 16, 0, 4000))).toBe("CORRUPT");
    expect(codecError(run(4, -16, 0, 4000))).toBe("CORRUPT");
    expect(codecError(run(4, 16, 3000, 100))).toBe("CORRUPT");
    const huge = () =>
      runOp("MelWeightMatrix", [t("int64", [], [4]), t("int64", [], [2 ** 40]), t("int64", [], [8000]), f32([], [0]), f32([], [4000])], {}, 17);
    expect(codecError(huge)).toBe("LIMIT");
  });
});
