/**
 * Keras layers' inference formulas (channels_last), over float32 arrays:
 * what `codec run model.h5` computes for a Sequential model. Each takes the
 * layer config from model_config and the layer's weights in Keras' order.
 */
import { fail } from "@codec/core";

const F = "infer";

export interface KTensor {
  shape: number[];
  data: Float32Array;
}

type Config = Record<string, unknown>;

function numbers(v: unknown, n: number, what: string): number[] {
  if (typeof v === "number") return new Array<number>(n).fill(v);
  if (Array.isArray(v) && v.length === n && v.every((x) => typeof x === "number")) return v as number[];
  return fail("UNSUPPORTED", F, `Keras ${what} ${JSON.stringify(v)}`);
}

export function activation(name: unknown, x: KTensor, version: string): KTensor {
  const a = typeof name === "string" ? name : name === undefined || name === null ? "linear" : ((name as { class_name?: string; config?: { name?: string } }).config?.name ?? "");
  const d = x.data;
  const out = new Float32Array(d.length);
  switch (a) {
    case "linear":
      return x;
    case "relu":
      for (let i = 0; i < d.length; i++) out[i] = Math.max(d[i], 0);
      break;
    case "relu6":
      for (let i = 0; i < d.length; i++) out[i] = Math.min(Math.max(d[i], 0), 6);
      break;
    case "sigmoid":
      for (let i = 0; i < d.length; i++) out[i] = 1 / (1 + Math.exp(-d[i]));
      break;
    case "hard_sigmoid": {
      // Keras 2: clip(0.2x + 0.5); Keras 3: relu6(x + 3) / 6.
      const k3 = version.startsWith("3");
      for (let i = 0; i < d.length; i++) out[i] = k3 ? Math.min(Math.max(d[i] + 3, 0), 6) / 6 : Math.min(Math.max(0.2 * d[i] + 0.5, 0), 1);
      break;
    }
    case "tanh":
      for (let i = 0; i < d.length; i++) out[i] = Math.tanh(d[i]);
      break;
    case "elu":
      for (let i = 0; i < d.length; i++) out[i] = d[i] > 0 ? d[i] : Math.expm1(d[i]);
      break;
    case "selu":
      for (let i = 0; i < d.length; i++) out[i] = 1.0507009873554805 * (d[i] > 0 ? d[i] : 1.6732632423543772 * Math.expm1(d[i]));
      break;
    case "softplus":
      for (let i = 0; i < d.length; i++) out[i] = Math.log1p(Math.exp(-Math.abs(d[i]))) + Math.max(d[i], 0);
      break;
    case "softsign":
      for (let i = 0; i < d.length; i++) out[i] = d[i] / (1 + Math.abs(d[i]));
      break;
    case "swish":
    case "silu":
      for (let i = 0; i < d.length; i++) out[i] = d[i] / (1 + Math.exp(-d[i]));
      break;
    case "exponential":
      for (let i = 0; i < d.length; i++) out[i] = Math.exp(d[i]);
      break;
    case "softmax": {
      const k = x.shape[x.shape.length - 1];
      for (let r = 0; r < d.length / k; r++) {
        let max = Number.NEGATIVE_INFINITY;
        for (let j = 0; j < k; j++) max = Math.max(max, d[r * k + j]);
        let sum = 0;
        for (let j = 0; j < k; j++) sum += out[r * k + j] = Math.exp(d[r * k + j] - max);
        for (let j = 0; j < k; j++) out[r * k + j] /= sum;
      }
      break;
    }
    default:
      return fail("UNSUPPORTED", F, `Keras activation '${a}'`);
  }
  return { shape: x.shape, data: out };
}

/** Dense: x[..., in] @ kernel[in, units] + bias. */
export function dense(x: KTensor, kernel: KTensor, bias: KTensor | undefined): KTensor {
  const [inputs, units] = kernel.shape;
  if (x.shape[x.shape.length - 1] !== inputs) fail("USAGE", F, `Dense expects ${inputs} features, the input has shape [${x.shape.join(", ")}]`);
  const rows = x.data.length / inputs;
  const out = new Float32Array(rows * units);
  for (let r = 0; r < rows; r++) {
    const acc = new Float64Array(units);
    if (bias !== undefined) for (let u = 0; u < units; u++) acc[u] = bias.data[u];
    for (let i = 0; i < inputs; i++) {
      const v = x.data[r * inputs + i];
      if (v === 0) continue;
      for (let u = 0; u < units; u++) acc[u] += v * kernel.data[i * units + u];
    }
    out.set(acc, r * units);
  }
  return { shape: [...x.shape.slice(0, -1), units], data: out };
}

/** BatchNormalization over the last axis: gamma * (x - mean) / sqrt(var + eps) + beta. */
export function batchNorm(x: KTensor, config: Config, weights: KTensor[]): KTensor {
  const scale = config.scale !== false;
  const center = config.center !== false;
  let k = 0;
  const gamma = scale ? weights[k++] : undefined;
  const beta = center ? weights[k++] : undefined;
  const mean = weights[k++];
  const variance = weights[k++];
  const eps = typeof config.epsilon === "number" ? config.epsilon : 1e-3;
  const c = x.shape[x.shape.length - 1];
  const out = new Float32Array(x.data.length);
  for (let i = 0; i < x.data.length; i++) {
    const j = i % c;
    let v = (x.data[i] - mean.data[j]) / Math.sqrt(variance.data[j] + eps);
    if (gamma !== undefined) v *= gamma.data[j];
    if (beta !== undefined) v += beta.data[j];
    out[i] = v;
  }
  return { shape: x.shape, data: out };
}

/** Conv2D, NHWC input, HWIO kernel, 'valid' or 'same' padding (TensorFlow's split of odd padding: more at the end). */
export function conv2d(x: KTensor, config: Config, kernel: KTensor, bias: KTensor | undefined): KTensor {
  if (config.data_format === "channels_first") fail("UNSUPPORTED", F, "Keras Conv2D with channels_first");
  const [n, h, w, cin] = x.shape;
  const [kh, kw, kin, cout] = kernel.shape;
  const groups = typeof config.groups === "number" ? config.groups : 1;
  if (cin !== kin * groups) fail("USAGE", F, `Conv2D expects ${kin * groups} channels, the input has ${cin}`);
  const [sh, sw] = numbers(config.strides ?? 1, 2, "strides");
  const [dh, dw] = numbers(config.dilation_rate ?? 1, 2, "dilation_rate");
  const same = config.padding === "same";
  const ekh = (kh - 1) * dh + 1;
  const ekw = (kw - 1) * dw + 1;
  const oh = same ? Math.ceil(h / sh) : Math.floor((h - ekh) / sh) + 1;
  const ow = same ? Math.ceil(w / sw) : Math.floor((w - ekw) / sw) + 1;
  const pt = same ? Math.floor(Math.max((oh - 1) * sh + ekh - h, 0) / 2) : 0;
  const pl = same ? Math.floor(Math.max((ow - 1) * sw + ekw - w, 0) / 2) : 0;
  const outPerGroup = cout / groups;
  const out = new Float32Array(n * oh * ow * cout);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        const o = ((b * oh + y) * ow + xx) * cout;
        for (let co = 0; co < cout; co++) {
          const g = Math.floor(co / outPerGroup);
          let s = bias === undefined ? 0 : bias.data[co];
          for (let i = 0; i < kh; i++) {
            const iy = y * sh + i * dh - pt;
            if (iy < 0 || iy >= h) continue;
            for (let j = 0; j < kw; j++) {
              const ix = xx * sw + j * dw - pl;
              if (ix < 0 || ix >= w) continue;
              const base = ((b * h + iy) * w + ix) * cin + g * kin;
              const kb = (i * kw + j) * kin * cout + co;
              for (let c = 0; c < kin; c++) s += x.data[base + c] * kernel.data[kb + c * cout];
            }
          }
          out[o + co] = s;
        }
      }
    }
  }
  return { shape: [n, oh, ow, cout], data: out };
}

/** MaxPooling2D / AveragePooling2D, NHWC; average over the window cells inside the input ('same' padding). */
export function pool2d(x: KTensor, config: Config, max: boolean): KTensor {
  const [n, h, w, c] = x.shape;
  const [ph, pw] = numbers(config.pool_size ?? 2, 2, "pool_size");
  const [sh, sw] = numbers(config.strides ?? [ph, pw], 2, "strides");
  const same = config.padding === "same";
  const oh = same ? Math.ceil(h / sh) : Math.floor((h - ph) / sh) + 1;
  const ow = same ? Math.ceil(w / sw) : Math.floor((w - pw) / sw) + 1;
  const pt = same ? Math.floor(Math.max((oh - 1) * sh + ph - h, 0) / 2) : 0;
  const pl = same ? Math.floor(Math.max((ow - 1) * sw + pw - w, 0) / 2) : 0;
  const out = new Float32Array(n * oh * ow * c);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < oh; y++)
      for (let xx = 0; xx < ow; xx++)
        for (let ch = 0; ch < c; ch++) {
          let acc = max ? Number.NEGATIVE_INFINITY : 0;
          let count = 0;
          for (let i = 0; i < ph; i++) {
            const iy = y * sh + i - pt;
            if (iy < 0 || iy >= h) continue;
            for (let j = 0; j < pw; j++) {
              const ix = xx * sw + j - pl;
              if (ix < 0 || ix >= w) continue;
              const v = x.data[((b * h + iy) * w + ix) * c + ch];
              acc = max ? Math.max(acc, v) : acc + v;
              count++;
            }
          }
          out[((b * oh + y) * ow + xx) * c + ch] = max ? acc : acc / count;
        }
  return { shape: [n, oh, ow, c], data: out };
}

/** GlobalAveragePooling / GlobalMaxPooling over every axis between batch and channels. */
export function globalPool(x: KTensor, max: boolean): KTensor {
  const n = x.shape[0];
  const c = x.shape[x.shape.length - 1];
  const cells = x.data.length / (n * c);
  const out = new Float32Array(n * c);
  for (let b = 0; b < n; b++)
    for (let ch = 0; ch < c; ch++) {
      let acc = max ? Number.NEGATIVE_INFINITY : 0;
      for (let p = 0; p < cells; p++) {
        const v = x.data[(b * cells + p) * c + ch];
        acc = max ? Math.max(acc, v) : acc + v;
      }
      out[b * c + ch] = max ? acc : acc / cells;
    }
  return { shape: [n, c], data: out };
}

/**
 * LSTM over [batch, time, features]: gates i, f, c, o in that order in the
 * kernel, recurrent kernel and bias (Keras' layout).
 */
export function lstm(x: KTensor, config: Config, kernel: KTensor, recurrent: KTensor, bias: KTensor | undefined, version: string): KTensor {
  const [n, steps, features] = x.shape;
  const units = recurrent.shape[0];
  if (kernel.shape[0] !== features) fail("USAGE", F, `LSTM expects ${features} features per step, the kernel takes ${kernel.shape[0]}`);
  const sequences = config.return_sequences === true;
  const out = new Float32Array(n * (sequences ? steps : 1) * units);
  const act = (v: Float32Array, name: unknown) => activation(name ?? "tanh", { shape: [v.length], data: v }, version).data;
  for (let b = 0; b < n; b++) {
    let hState: Float32Array<ArrayBufferLike> = new Float32Array(units);
    let cState: Float32Array<ArrayBufferLike> = new Float32Array(units);
    for (let t = 0; t < steps; t++) {
      const z = new Float32Array(4 * units);
      for (let g = 0; g < 4 * units; g++) {
        let s = bias === undefined ? 0 : bias.data[g];
        for (let f = 0; f < features; f++) s += x.data[(b * steps + t) * features + f] * kernel.data[f * 4 * units + g];
        for (let u = 0; u < units; u++) s += hState[u] * recurrent.data[u * 4 * units + g];
        z[g] = s;
      }
      const gate = (k: number, name: unknown) => act(z.slice(k * units, (k + 1) * units), name);
      const recurrentAct = config.recurrent_activation ?? "sigmoid";
      const i = gate(0, recurrentAct);
      const f = gate(1, recurrentAct);
      const cand = gate(2, config.activation);
      const o = gate(3, recurrentAct);
      const nextC = new Float32Array(units);
      for (let u = 0; u < units; u++) nextC[u] = f[u] * cState[u] + i[u] * cand[u];
      const nextH = act(nextC.slice(), config.activation);
      for (let u = 0; u < units; u++) nextH[u] *= o[u];
      cState = nextC;
      hState = nextH;
      if (sequences) out.set(hState, (b * steps + t) * units);
    }
    if (!sequences) out.set(hState, b * units);
  }
  return { shape: sequences ? [n, steps, units] : [n, units], data: out };
}
