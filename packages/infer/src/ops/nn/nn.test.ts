import { isCodecError } from "@codec/core";
import { describe, expect, it } from "vitest";
import { MT19937 } from "./mt19937.js";
import { f32, iota, runOp, t, values } from "./test-support.js";

const close = (got: number[], want: number[], digits = 5) => {
  expect(got.length).toBe(want.length);
  want.forEach((v, i) => {
    expect(got[i]).toBeCloseTo(v, digits);
  });
};

describe("Softmax family axis semantics", () => {
  const x = iota([2, 3], 1);

  it("opset 13+: along one axis (default -1)", () => {
    const rows = values(runOp("Softmax", [x], {}, 13)[0]);
    close([rows[0] + rows[1] + rows[2], rows[3] + rows[4] + rows[5]], [1, 1]);
    const cols = values(runOp("Softmax", [x], { axis: 0 }, 13)[0]);
    close([cols[0] + cols[3]], [1]);
  });

  it("before opset 13: the input flattened to 2-D at axis (default 1)", () => {
    const x3 = iota([2, 2, 2]);
    // axis 1 of [2, 2, 2] under opset 11 is a softmax over 4 elements per batch row.
    const y = values(runOp("Softmax", [x3], {}, 11)[0]);
    close([y[0] + y[1] + y[2] + y[3]], [1]);
    const e = [0, 1, 2, 3].map(Math.exp);
    const s = e.reduce((a, b) => a + b);
    close(y.slice(0, 4), e.map((v) => v / s));
  });

  it("LogSoftmax is log of Softmax and stays finite for large inputs", () => {
    const big = f32([3], [1000, 1001, 1002]);
    const ls = values(runOp("LogSoftmax", [big], {}, 13)[0]);
    const sm = values(runOp("Softmax", [big], {}, 13)[0]);
    close(ls, sm.map(Math.log), 4);
  });

  it("Hardmax marks the first maximum only", () => {
    expect(values(runOp("Hardmax", [f32([1, 4], [1, 3, 3, 0])], {}, 13)[0])).toEqual([0, 1, 0, 0]);
  });

  it("float16 results are rounded to float16", () => {
    const [y] = runOp("Softmax", [t("float16", [3], [0, 1, 2])], {}, 13);
    expect(y.dtype).toBe("float16");
    // 0.09003057 is not a float16; the nearest is 0.0900268555...
    expect(values(y)[0]).toBe(0.09002685546875);
  });
});

describe("MatMul and Gemm", () => {
  it("MatMul promotes 1-D operands and broadcasts batches", () => {
    const a = iota([2, 1, 2, 3]);
    const b = iota([3, 3, 2]);
    expect(runOp("MatMul", [a, b])[0].shape).toEqual([2, 3, 2, 2]);
    const [v] = runOp("MatMul", [f32([3], [1, 2, 3]), iota([3, 2])]);
    expect(v.shape).toEqual([2]);
    expect(values(v)).toEqual([16, 22]);
  });

  it("an output too large to allocate is a LIMIT error, not a RangeError", () => {
    try {
      runOp("MatMul", [iota([100000, 1]), iota([1, 100000])]);
      expect.unreachable();
    } catch (e) {
      expect(isCodecError(e) && e.code).toBe("LIMIT");
    }
  });

  it("MatMul on int32 stays int32", () => {
    const [y] = runOp("MatMul", [t("int32", [1, 2], [2, 3]), t("int32", [2, 1], [4, 5])]);
    expect(y.dtype).toBe("int32");
    expect(values(y)).toEqual([23]);
  });

  it("Gemm transposes, scales and broadcasts C", () => {
    const A = iota([3, 2]); // A^T is [2, 3]
    const B = iota([2, 3]); // B^T is [3, 2]
    const [y] = runOp("Gemm", [A, B, f32([2], [100, 200])], { transA: 1, transB: 1, alpha: 2, beta: 0.5 });
    // A^T B^T = [[10, 28], [13, 40]]
    expect(values(y)).toEqual([70, 156, 76, 180]);
  });
});

describe("normalizations", () => {
  it("LayerNormalization returns Mean and InvStdDev with reduced dims kept", () => {
    const x = f32([2, 2], [1, 3, 0, 4]);
    const [y, mean, inv] = runOp("LayerNormalization", [x, f32([2], [1, 2]), f32([2], [0, 10])], { epsilon: 0 }, 17);
    expect(values(y)).toEqual([-1, 12, -1, 12]);
    expect(mean.shape).toEqual([2, 1]);
    expect(values(mean)).toEqual([2, 2]);
    expect(values(inv)).toEqual([1, 0.5]);
  });

  it("GroupNormalization: scale per group before opset 21, per channel from 21", () => {
    const x = f32([1, 4, 1], [1, 3, 5, 9]);
    const g18 = values(runOp("GroupNormalization", [x, f32([2], [1, 2]), f32([2], [0, 10])], { num_groups: 2, epsilon: 0 }, 18)[0]);
    close(g18, [-1, 1, 8, 12]);
    const g21 = values(runOp("GroupNormalization", [x, f32([4], [1, 1, 2, 2]), f32([4], [0, 0, 10, 10])], { num_groups: 2, epsilon: 0 }, 21)[0]);
    close(g21, g18);
  });

  it("BatchNormalization training mode updates the running statistics", () => {
    const x = f32([2, 1], [1, 3]);
    const one = f32([1], [1]);
    const zero = f32([1], [0]);
    const [y, rm, rv] = runOp("BatchNormalization", [x, one, zero, zero, one], { training_mode: 1, momentum: 0.5, epsilon: 0 }, 15);
    close(values(y), [-1, 1]);
    close(values(rm), [1]);
    close(values(rv), [1]);
  });

  it("RMSNormalization divides by the root mean square", () => {
    const [y] = runOp("RMSNormalization", [f32([1, 2], [3, 4]), f32([2], [1, 2])], { epsilon: 0 }, 23);
    const rms = Math.sqrt(12.5);
    close(values(y), [3 / rms, 8 / rms]);
  });

  it("LpNormalization leaves a zero vector at zero", () => {
    expect(values(runOp("LpNormalization", [f32([2, 2], [0, 0, 3, 4])], { axis: 1, p: 2 })[0])).toEqual([0, 0, 0.6000000238418579, 0.800000011920929]);
  });
});

describe("Einsum", () => {
  const run = (eq: string, ...xs: ReturnType<typeof f32>[]) => runOp("Einsum", xs, { equation: eq })[0];

  it("matmul, transpose, trace, diagonal and implicit output", () => {
    const a = iota([2, 3]);
    const b = iota([3, 2]);
    expect(values(run("ij,jk->ik", a, b))).toEqual(values(runOp("MatMul", [a, b])[0]));
    expect(run("ij->ji", a).shape).toEqual([3, 2]);
    expect(values(run("ii", iota([3, 3])))).toEqual([12]);
    expect(values(run("ii->i", iota([3, 3])))).toEqual([0, 4, 8]);
    // Implicit output: labels used once, alphabetically: "ba" -> "ab" is a transpose.
    expect(run("ba", a).shape).toEqual([3, 2]);
  });

  it("ellipsis broadcasts leading dims", () => {
    const y = run("...ij,...jk->...ik", iota([2, 1, 2, 2]), iota([3, 2, 2]));
    expect(y.shape).toEqual([2, 3, 2, 2]);
  });
});

describe("TopK", () => {
  it("breaks ties by the lower index, largest and smallest", () => {
    const x = f32([1, 5], [3, 1, 3, 2, 1]);
    const k = t("int64", [1], [3]);
    const [v, i] = runOp("TopK", [x, k], {}, 11);
    expect(values(v)).toEqual([3, 3, 2]);
    expect(values(i)).toEqual([0, 2, 3]);
    const [sv, si] = runOp("TopK", [x, k], { largest: 0 }, 11);
    expect(values(sv)).toEqual([1, 1, 2]);
    expect(values(si)).toEqual([1, 4, 3]);
  });
});

describe("Dropout", () => {
  it("is the identity with an all-true mask outside training", () => {
    const x = iota([2, 2]);
    const [y, mask] = runOp("Dropout", [x, f32([], [0.9])], {}, 13);
    expect(y).toBe(x);
    expect(mask.dtype).toBe("bool");
    expect(values(mask)).toEqual([1, 1, 1, 1]);
  });

  it("in training mode keeps draws >= ratio of numpy's generator for the seed, scaled", () => {
    const x = f32([4], [1, 1, 1, 1]);
    const [y, mask] = runOp("Dropout", [x, f32([], [0.55]), t("bool", [], [1])], { seed: 0 }, 13);
    // np.random.seed(0); np.random.uniform(size=4) = [0.5488, 0.7152, 0.6028, 0.5449]
    expect(values(mask)).toEqual([0, 1, 1, 0]);
    close(values(y), [0, 1 / 0.45, 1 / 0.45, 0]);
  });

  it("MT19937 matches numpy's legacy stream", () => {
    const g = new MT19937(1);
    close([g.nextDouble(), g.nextDouble()], [0.417022004702574, 0.7203244934421581], 15);
  });
});

describe("losses", () => {
  it("NegativeLogLikelihoodLoss mean divides by the weights of the targets used", () => {
    const x = f32([2, 3], [-1, -2, -3, -4, -5, -6]);
    const target = t("int64", [2], [2, 0]);
    const w = f32([3], [1, 1, 3]);
    const [sum] = runOp("NegativeLogLikelihoodLoss", [x, target, w], { reduction: "sum" });
    expect(values(sum)).toEqual([9 + 4]);
    const [mean] = runOp("NegativeLogLikelihoodLoss", [x, target, w]);
    close(values(mean), [13 / 4]);
    const [ign] = runOp("NegativeLogLikelihoodLoss", [x, target, w], { ignore_index: 2 });
    close(values(ign), [4]);
  });

  it("SoftmaxCrossEntropyLoss also returns the log-probabilities", () => {
    const x = f32([1, 2], [0, 0]);
    const [loss, logp] = runOp("SoftmaxCrossEntropyLoss", [x, t("int64", [1], [1])]);
    close(values(loss), [Math.LN2]);
    close(values(logp), [-Math.LN2, -Math.LN2]);
  });

  it("a target outside the classes is CORRUPT", () => {
    try {
      runOp("NegativeLogLikelihoodLoss", [f32([1, 2], [0, 0]), t("int64", [1], [5])]);
      expect.unreachable();
    } catch (e) {
      expect(isCodecError(e) && e.code).toBe("CORRUPT");
    }
  });
});

describe("Attention", () => {
  it("attends with GQA head sharing and a fully masked row gives zeros", () => {
    // Q: 2 heads, K/V: 1 head, 4-D.
    const Q = f32([1, 2, 2, 1], [1, 1, 1, 1]);
    const K = f32([1, 1, 2, 1], [0, 0]);
    const V = f32([1, 1, 2, 1], [2, 4]);
    const mask = t("bool", [2, 2], [1, 1, 0, 0]);
    const [y, pk, pv, qk] = runOp("Attention", [Q, K, V, mask], {}, 23);
    expect(y.shape).toEqual([1, 2, 2, 1]);
    // Row 0 sees both keys (equal scores: mean of V); row 1 sees none.
    expect(values(y)).toEqual([3, 0, 3, 0]);
    expect(pk.shape).toEqual([1, 1, 2, 1]);
    expect(pv.shape).toEqual([1, 1, 2, 1]);
    expect(qk.shape).toEqual([1, 2, 2, 2]);
  });

  it("causal masking is offset by the past length", () => {
    const Q = f32([1, 1, 1, 1], [0]);
    const K = f32([1, 1, 1, 1], [0]);
    const V = f32([1, 1, 1, 1], [10]);
    const past = f32([1, 1, 1, 1], [0]);
    const pastV = f32([1, 1, 1, 1], [20]);
    // The single query sits after the past key, so it sees both keys.
    const [y, pk] = runOp("Attention", [Q, K, V, undefined, past, pastV], { is_causal: 1 }, 23);
    expect(values(y)).toEqual([15]);
    expect(pk.shape).toEqual([1, 1, 2, 1]);
  });
});

describe("RNN family", () => {
  // One unit, identity activation, no recurrence: h_t = x_t, which makes the step bookkeeping visible.
  const X = f32([3, 1, 1], [1, 2, 3]);
  const W = f32([1, 1, 1], [1]);
  const R = f32([1, 1, 1], [0]);
  const lens = t("int32", [1], [2]);
  const attrs = { hidden_size: 1, activations: ["Affine"], activation_alpha: [1], activation_beta: [0] };

  it("stops at sequence_lens; reverse runs the valid steps last first", () => {
    const run = (direction: string) => runOp("RNN", [X, W, R, undefined, lens], { ...attrs, direction }, 14);
    const [yf, hf] = run("forward");
    expect(yf.shape).toEqual([3, 1, 1, 1]);
    expect(values(yf)).toEqual([1, 2, 0]);
    expect(values(hf)).toEqual([2]);
    const [yr, hr] = runOp("RNN", [X, f32([1, 1, 1], [1]), f32([1, 1, 1], [0.5]), undefined, lens], { ...attrs, direction: "reverse" }, 14);
    // Reverse: t = 1 first (h = 2), then t = 0 (h = 1 + 0.5 * 2).
    expect(values(yr)).toEqual([2, 2, 0]);
    expect(values(hr)).toEqual([2]);
  });

  it("LSTM with input_forget couples the forget gate to 1 - input gate", () => {
    const Xl = f32([1, 1, 1], [0]);
    const Wl = f32([1, 4, 1], [0, 0, 0, 0]);
    const Rl = f32([1, 4, 1], [0, 0, 0, 0]);
    // Input-gate bias 2 (gate order i, o, f, c): i = sigmoid(2); the candidate tanh(0) = 0, so C = f * C0.
    const Bl = f32([1, 8], [2, 0, 0, 0, 0, 0, 0, 0]);
    const c0 = f32([1, 1, 1], [1]);
    const h0 = f32([1, 1, 1], [0]);
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const [, , coupled] = runOp("LSTM", [Xl, Wl, Rl, Bl, undefined, h0, c0], { hidden_size: 1, input_forget: 1 }, 14);
    close(values(coupled), [1 - sig(2)]);
    const [, , free] = runOp("LSTM", [Xl, Wl, Rl, Bl, undefined, h0, c0], { hidden_size: 1 }, 14);
    close(values(free), [0.5]);
  });
});
