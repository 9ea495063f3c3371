/**
 * The recurrent layers RNN, GRU and LSTM (onnx Operators.md), forward,
 * reverse or bidirectional, with biases, initial states, per-batch
 * sequence lengths, clip, custom activations, layout 0 ([seq, batch, .])
 * and 1 ([batch, seq, .]), GRU's linear_before_reset and LSTM's
 * peepholes and input_forget.
 *
 * Gate blocks in W/R/B follow the spec's order: GRU z, r, h; LSTM i, o,
 * f, c (peepholes i, o, f). The input projections X W^T of every step
 * are one matrix product up front; each step then adds H R^T.
 * Steps at or past sequence_lens[b] leave Y at 0 and the state unchanged.
 */
import { fail } from "@codec/core";
import { nums, type NumArray, type RTensor } from "../../tensor.js";
import { input, type OpContext } from "../registry.js";
import { matmulAccumulate } from "./matmul.js";
import { F, fromValues, registerNnOps, requireFloat } from "./util.js";

type Act = (x: number) => number;

/** Activation by name; alpha/beta come from the node's lists, each consumed by the functions that take one (as onnxruntime reads them). */
function activation(name: string, take: (which: "alpha" | "beta", fallback: number) => number, ctx: OpContext): Act {
  switch (name.toLowerCase()) {
    case "sigmoid":
      return (x) => 1 / (1 + Math.exp(-x));
    case "tanh":
      return Math.tanh;
    case "relu":
      return (x) => Math.max(x, 0);
    case "softsign":
      return (x) => x / (1 + Math.abs(x));
    case "softplus":
      return (x) => Math.log1p(Math.exp(x));
    case "hardsigmoid": {
      const a = take("alpha", 0.2);
      const b = take("beta", 0.5);
      return (x) => Math.max(0, Math.min(1, a * x + b));
    }
    case "leakyrelu": {
      const a = take("alpha", 0.01);
      return (x) => (x >= 0 ? x : a * x);
    }
    case "thresholdedrelu": {
      const a = take("alpha", 1);
      return (x) => (x > a ? x : 0);
    }
    case "elu": {
      const a = take("alpha", 1);
      return (x) => (x >= 0 ? x : a * (Math.exp(x) - 1));
    }
    case "scaledtanh": {
      const a = take("alpha", 1);
      const b = take("beta", 1);
      return (x) => a * Math.tanh(b * x);
    }
    case "affine": {
      const a = take("alpha", 1);
      const b = take("beta", 0);
      return (x) => a * x + b;
    }
    default:
      return fail("UNSUPPORTED", F, `${ctx.opType} node '${ctx.nodeName}': activation '${name}'`);
  }
}

type Kind = "RNN" | "GRU" | "LSTM";
const GATES: Record<Kind, number> = { RNN: 1, GRU: 3, LSTM: 4 };
const DEFAULT_ACTS: Record<Kind, string[]> = { RNN: ["Tanh"], GRU: ["Sigmoid", "Tanh"], LSTM: ["Sigmoid", "Tanh", "Tanh"] };

function recurrent(kind: Kind) {
  return (inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] => {
    const X = input(inputs, 0, ctx);
    const W = input(inputs, 1, ctx);
    const R = input(inputs, 2, ctx);
    requireFloat(X, ctx);
    const layout = ctx.int("layout", 0);
    if (X.shape.length !== 3 || W.shape.length !== 3 || R.shape.length !== 3) fail("CORRUPT", F, `${kind} node '${ctx.nodeName}': X, W and R must be 3-D`);
    const [S, Bn, I] = layout === 0 ? X.shape : [X.shape[1], X.shape[0], X.shape[2]];
    const direction = ctx.string("direction", "forward");
    const D = direction === "bidirectional" ? 2 : 1;
    if (direction !== "forward" && direction !== "reverse" && direction !== "bidirectional") fail("UNSUPPORTED", F, `${kind} node '${ctx.nodeName}': direction '${direction}'`);
    const G = GATES[kind];
    const H = ctx.int("hidden_size", R.shape[2]);
    if (W.shape[0] !== D || W.shape[1] !== G * H || W.shape[2] !== I || R.shape[0] !== D || R.shape[1] !== G * H || R.shape[2] !== H) {
      fail("CORRUPT", F, `${kind} node '${ctx.nodeName}': W [${W.shape.join(", ")}] / R [${R.shape.join(", ")}] do not fit ${D} direction(s), ${G} gate(s), hidden ${H}, input ${I}`);
    }
    const clip = ctx.has("clip") ? ctx.float("clip") : Number.POSITIVE_INFINITY;
    const linearBeforeReset = ctx.int("linear_before_reset", 0) !== 0;
    const inputForget = ctx.int("input_forget", 0) !== 0;
    // Activations: one list per direction, forward first.
    const names = ctx.strings("activations", []);
    const per = DEFAULT_ACTS[kind].length;
    const alphas = ctx.floats("activation_alpha", []);
    const betas = ctx.floats("activation_beta", []);
    let ai = 0;
    let bi = 0;
    const take = (which: "alpha" | "beta", fallback: number) => (which === "alpha" ? (ai < alphas.length ? alphas[ai++] : fallback) : bi < betas.length ? betas[bi++] : fallback);
    const acts: Act[][] = [];
    for (let d = 0; d < D; d++) {
      const list = names.length >= (d + 1) * per ? names.slice(d * per, (d + 1) * per) : DEFAULT_ACTS[kind];
      acts.push(list.map((n) => activation(n, take, ctx)));
    }
    const x = nums(X);
    const w = nums(W);
    const r = nums(R);
    const b: NumArray | undefined = inputs[3] === undefined ? undefined : nums(inputs[3]);
    if (b !== undefined && b.length !== D * 2 * G * H) fail("CORRUPT", F, `${kind} node '${ctx.nodeName}': B has ${b.length} values, expected ${D * 2 * G * H}`);
    const lens: NumArray | undefined = inputs[4] === undefined ? undefined : nums(inputs[4]);
    const stateIn = (t: RTensor | undefined, what: string): NumArray | undefined => {
      if (t === undefined) return undefined;
      const a = nums(t);
      if (a.length !== D * Bn * H) fail("CORRUPT", F, `${kind} node '${ctx.nodeName}': ${what} has ${a.length} values, expected ${D * Bn * H}`);
      return a;
    };
    const h0 = stateIn(inputs[5], "initial_h");
    const c0 = kind === "LSTM" ? stateIn(inputs[6], "initial_c") : undefined;
    const peep: NumArray | undefined = kind === "LSTM" && inputs[7] !== undefined ? nums(inputs[7]) : undefined;
    if (peep !== undefined && peep.length !== D * 3 * H) fail("CORRUPT", F, `LSTM node '${ctx.nodeName}': P has ${peep.length} values, expected ${D * 3 * H}`);
    // Layout-independent X as [S * Bn, I].
    const xs = new Float64Array(S * Bn * I);
    for (let s = 0; s < S; s++) for (let n = 0; n < Bn; n++) {
      const src = layout === 0 ? (s * Bn + n) * I : (n * S + s) * I;
      for (let i = 0; i < I; i++) xs[(s * Bn + n) * I + i] = x[src + i];
    }
    const Y = new Float64Array(S * D * Bn * H);
    const Yh = new Float64Array(D * Bn * H);
    const Yc = new Float64Array(D * Bn * H);
    const GH = G * H;
    for (let d = 0; d < D; d++) {
      const reverse = direction === "reverse" || d === 1;
      const [f, g, hAct] = acts[d];
      // W^T and R^T for this direction: [I, GH] and [H, GH].
      const wT = new Float64Array(I * GH);
      for (let row = 0; row < GH; row++) for (let i = 0; i < I; i++) wT[i * GH + row] = w[(d * GH + row) * I + i];
      const rT = new Float64Array(H * GH);
      for (let row = 0; row < GH; row++) for (let j = 0; j < H; j++) rT[j * GH + row] = r[(d * GH + row) * H + j];
      const xw = new Float64Array(S * Bn * GH);
      matmulAccumulate(xs, 0, wT, 0, xw, 0, S * Bn, I, GH);
      const wb = new Float64Array(GH);
      const rb = new Float64Array(GH);
      if (b !== undefined) for (let k = 0; k < GH; k++) {
        wb[k] = b[d * 2 * GH + k];
        rb[k] = b[d * 2 * GH + GH + k];
      }
      const h = new Float64Array(Bn * H);
      const c = new Float64Array(Bn * H);
      if (h0 !== undefined) for (let k = 0; k < Bn * H; k++) h[k] = h0[d * Bn * H + k];
      if (c0 !== undefined) for (let k = 0; k < Bn * H; k++) c[k] = c0[d * Bn * H + k];
      const hr = new Float64Array(Bn * GH);
      // GRU scratch: the previous state and the z, r gates of one batch entry.
      const hPrev = new Float64Array(H);
      const z = new Float64Array(H);
      const rg = new Float64Array(H);
      for (let step = 0; step < S; step++) {
        hr.fill(0);
        matmulAccumulate(h, 0, rT, 0, hr, 0, Bn, H, GH);
        for (let n = 0; n < Bn; n++) {
          const len = lens === undefined ? S : lens[n];
          if (step >= len) continue;
          // Reverse runs over this batch entry's own valid steps, last first.
          const t = reverse ? len - 1 - step : step;
          const xo = (t * Bn + n) * GH;
          const ro = n * GH;
          const ho = n * H;
          const pre = (gate: number, j: number, withR: boolean) => {
            const k = gate * H + j;
            let v = xw[xo + k] + wb[k];
            if (withR) v += hr[ro + k] + rb[k];
            return v;
          };
          const clipped = (v: number) => Math.min(clip, Math.max(-clip, v));
          if (kind === "RNN") {
            for (let j = 0; j < H; j++) h[ho + j] = f(clipped(pre(0, j, true)));
          } else if (kind === "GRU") {
            // z, r gates then the candidate; hr holds H_{t-1} R^T for all three blocks.
            hPrev.set(h.subarray(ho, ho + H));
            for (let j = 0; j < H; j++) {
              z[j] = f(clipped(pre(0, j, true)));
              rg[j] = f(clipped(pre(1, j, true)));
            }
            for (let j = 0; j < H; j++) {
              let v = xw[xo + 2 * H + j] + wb[2 * H + j];
              if (linearBeforeReset) v += rg[j] * (hr[ro + 2 * H + j] + rb[2 * H + j]);
              else {
                // (r . H_{t-1}) R_h^T + Rb_h
                let acc = rb[2 * H + j];
                for (let q = 0; q < H; q++) acc += rg[q] * hPrev[q] * r[(d * GH + 2 * H + j) * H + q];
                v += acc;
              }
              const cand = g(clipped(v));
              h[ho + j] = (1 - z[j]) * cand + z[j] * hPrev[j];
            }
          } else {
            for (let j = 0; j < H; j++) {
              const cPrev = c[ho + j];
              const pi = peep === undefined ? 0 : peep[d * 3 * H + j];
              const po = peep === undefined ? 0 : peep[d * 3 * H + H + j];
              const pf = peep === undefined ? 0 : peep[d * 3 * H + 2 * H + j];
              const ig = f(clipped(pre(0, j, true) + pi * cPrev));
              const fg = inputForget ? 1 - ig : f(clipped(pre(2, j, true) + pf * cPrev));
              const cand = g(clipped(pre(3, j, true)));
              const cNew = fg * cPrev + ig * cand;
              const og = f(clipped(pre(1, j, true) + po * cNew));
              c[ho + j] = cNew;
              h[ho + j] = og * hAct(cNew);
            }
          }
          for (let j = 0; j < H; j++) Y[((t * D + d) * Bn + n) * H + j] = h[ho + j];
        }
      }
      Yh.set(h, d * Bn * H);
      Yc.set(c, d * Bn * H);
    }
    const dt = X.dtype;
    if (layout === 0) return [fromValues(dt, [S, D, Bn, H], Y), fromValues(dt, [D, Bn, H], Yh), fromValues(dt, [D, Bn, H], Yc)];
    // Layout 1: Y [batch, seq, dirs, hidden], states [batch, dirs, hidden].
    const Y1 = new Float64Array(Y.length);
    for (let s = 0; s < S; s++) for (let d = 0; d < D; d++) for (let n = 0; n < Bn; n++) for (let j = 0; j < H; j++) Y1[((n * S + s) * D + d) * H + j] = Y[((s * D + d) * Bn + n) * H + j];
    const swap = (a: Float64Array) => {
      const o = new Float64Array(a.length);
      for (let d = 0; d < D; d++) for (let n = 0; n < Bn; n++) for (let j = 0; j < H; j++) o[(n * D + d) * H + j] = a[(d * Bn + n) * H + j];
      return o;
    };
    return [fromValues(dt, [Bn, S, D, H], Y1), fromValues(dt, [Bn, D, H], swap(Yh)), fromValues(dt, [Bn, D, H], swap(Yc))];
  };
}

registerNnOps({ RNN: recurrent("RNN"), GRU: recurrent("GRU"), LSTM: recurrent("LSTM") });
