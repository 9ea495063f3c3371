/**
 * Signal operators (onnx Operators.md, opset 17 and 20): DFT, STFT,
 * HannWindow, HammingWindow, BlackmanWindow and MelWeightMatrix.
 *
 * Signals are real ([..., 1]) or complex ([..., 2], real and imaginary
 * parts interleaved) tensors. Transforms run in float64 on one line at a
 * time: a radix-2 FFT for power-of-two lengths, Bluestein's chirp-z
 * algorithm (the DFT as a convolution of power-of-two length) for other
 * lengths above a small size, and the direct sum below it.
 */
import { type DType, fail } from "@codec/core";
import { checkedNumel, isFloat, MAX_ELEMENTS, nums, type RTensor } from "../tensor.js";
import { asFloat64, fromValues, registerNnOps } from "./nn/util.js";
import { input, type OpContext } from "./registry.js";
import { dtypeOfCode } from "./shape/cast.js";

const F = "infer";

function where(ctx: OpContext): string {
  return `${ctx.opType} node '${ctx.nodeName}'`;
}

/** In-place iterative radix-2 FFT of a power-of-two length; sign -1 forward, +1 inverse (unscaled). */
function fftPow2(re: Float64Array, im: Float64Array, sign: number): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      let t = re[i];
      re[i] = re[j];
      re[j] = t;
      t = im[i];
      im[i] = im[j];
      im[j] = t;
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const half = len >> 1;
    const ang = (sign * 2 * Math.PI) / len;
    for (let k = 0; k < half; k++) {
      // Each twiddle from its own angle (not by repeated multiplication) keeps float64 accuracy.
      const wr = Math.cos(ang * k);
      const wi = Math.sin(ang * k);
      for (let s = k; s < n; s += len) {
        const t = s + half;
        const xr = re[t] * wr - im[t] * wi;
        const xi = re[t] * wi + im[t] * wr;
        re[t] = re[s] - xr;
        im[t] = im[s] - xi;
        re[s] += xr;
        im[s] += xi;
      }
    }
  }
}

/** The unscaled DFT of (re, im) with exponent sign `sign`, as new arrays. */
export function dft(re: Float64Array, im: Float64Array, sign: number): [Float64Array, Float64Array] {
  const n = re.length;
  if (n === 0) return [new Float64Array(0), new Float64Array(0)];
  if ((n & (n - 1)) === 0) {
    const r = re.slice();
    const i = im.slice();
    fftPow2(r, i, sign);
    return [r, i];
  }
  const outRe = new Float64Array(n);
  const outIm = new Float64Array(n);
  if (n <= 64) {
    // Direct sum; the angle index k*t is reduced mod n so the argument stays exact.
    for (let k = 0; k < n; k++) {
      let sr = 0;
      let si = 0;
      for (let t = 0; t < n; t++) {
        const a = (sign * 2 * Math.PI * ((k * t) % n)) / n;
        const c = Math.cos(a);
        const s = Math.sin(a);
        sr += re[t] * c - im[t] * s;
        si += re[t] * s + im[t] * c;
      }
      outRe[k] = sr;
      outIm[k] = si;
    }
    return [outRe, outIm];
  }
  // Bluestein: kt = (k^2 + t^2 - (k - t)^2) / 2, so X[k] = w[k] * sum_t (x[t] w[t]) conj(w[k - t]) with w[j] = e^(sign*i*pi*j^2/n).
  let m = 1;
  while (m < 2 * n - 1) m *= 2;
  if (m > MAX_ELEMENTS) fail("LIMIT", F, `a DFT of length ${n} is too large for the runner`);
  const wr = new Float64Array(n);
  const wi = new Float64Array(n);
  // j^2 mod 2n, kept exact by stepping (j+1)^2 = j^2 + 2j + 1, keeps the chirp's angle small.
  for (let j = 0, q = 0; j < n; q = (q + 2 * j + 1) % (2 * n), j++) {
    const a = (sign * Math.PI * q) / n;
    wr[j] = Math.cos(a);
    wi[j] = Math.sin(a);
  }
  const ar = new Float64Array(m);
  const ai = new Float64Array(m);
  const br = new Float64Array(m);
  const bi = new Float64Array(m);
  for (let j = 0; j < n; j++) {
    ar[j] = re[j] * wr[j] - im[j] * wi[j];
    ai[j] = re[j] * wi[j] + im[j] * wr[j];
    br[j] = wr[j];
    bi[j] = -wi[j];
    if (j > 0) {
      br[m - j] = wr[j];
      bi[m - j] = -wi[j];
    }
  }
  fftPow2(ar, ai, -1);
  fftPow2(br, bi, -1);
  for (let j = 0; j < m; j++) {
    const r = ar[j] * br[j] - ai[j] * bi[j];
    ai[j] = ar[j] * bi[j] + ai[j] * br[j];
    ar[j] = r;
  }
  fftPow2(ar, ai, 1);
  for (let k = 0; k < n; k++) {
    const cr = ar[k] / m;
    const ci = ai[k] / m;
    outRe[k] = cr * wr[k] - ci * wi[k];
    outIm[k] = cr * wi[k] + ci * wr[k];
  }
  return [outRe, outIm];
}

/** A signal tensor's float64 elements and whether it is complex (last dimension 2) or real (1). */
function signalOf(x: RTensor, ctx: OpContext, minRank: number): { data: Float64Array; complex: boolean } {
  if (!isFloat(x.dtype)) fail("UNSUPPORTED", F, `${where(ctx)}: input of dtype ${x.dtype} (only floating point is defined)`);
  const r = x.shape.length;
  if (r < minRank) fail("CORRUPT", F, `${where(ctx)}: input has rank ${r}, needs at least ${minRank}`);
  const last = x.shape[r - 1];
  if (last !== 1 && last !== 2) fail("CORRUPT", F, `${where(ctx)}: last dimension is ${last}, must be 1 (real) or 2 (complex)`);
  return { data: asFloat64(x), complex: last === 2 };
}

/** A scalar (or one-element) integer input; `fallback` when omitted. */
function intScalar(t: RTensor | undefined, ctx: OpContext, what: string, fallback?: number): number {
  if (t === undefined) {
    if (fallback === undefined) return fail("CORRUPT", F, `${where(ctx)} is missing ${what}`);
    return fallback;
  }
  const a = nums(t);
  if (a.length !== 1) fail("CORRUPT", F, `${where(ctx)}: ${what} has ${a.length} elements, needs one`);
  const v = a[0];
  if (!Number.isInteger(v)) fail("CORRUPT", F, `${where(ctx)}: ${what} ${v} is not an integer`);
  return v;
}

/**
 * DFT: `axis` an attribute (default 1) up to opset 19, the third input
 * (default -2) from opset 20; negative counts from the back and the last
 * (complex) dimension is never an axis. `dft_length` zero-pads or
 * truncates each line. onesided forward (real input) keeps bins
 * 0..floor(n/2); onesided inverse (complex input, IRFFT) reads bins
 * 0..floor(n/2) of a Hermitian spectrum and returns the real signal of
 * length dft_length (default 2 * (bins - 1)). Inverse scales by 1/n.
 */
function dftOp(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const x = input(inputs, 0, ctx);
  const { data, complex } = signalOf(x, ctx, 2);
  const rank = x.shape.length;
  let axis = ctx.opset >= 20 ? intScalar(inputs[2], ctx, "axis", -2) : ctx.int("axis", 1);
  if (axis < 0) axis += rank;
  if (!(axis >= 0 && axis <= rank - 2)) fail("CORRUPT", F, `${where(ctx)}: axis out of range for rank ${rank}`);
  const inverse = ctx.int("inverse", 0) !== 0;
  const onesided = ctx.int("onesided", 0) !== 0;
  if (onesided && !inverse && complex) fail("CORRUPT", F, `${where(ctx)}: a onesided forward DFT needs a real input`);
  if (onesided && inverse && !complex) fail("CORRUPT", F, `${where(ctx)}: a onesided inverse DFT needs a complex input`);
  const len = x.shape[axis];
  const n = intScalar(inputs[1], ctx, "dft_length", onesided && inverse ? 2 * (len - 1) : len);
  if (!(n >= 1)) fail("CORRUPT", F, `${where(ctx)}: dft_length ${n} must be at least 1`);
  const bins = onesided && !inverse ? Math.floor(n / 2) + 1 : n;
  const outShape = [...x.shape];
  outShape[axis] = bins;
  outShape[rank - 1] = onesided && inverse ? 1 : 2;
  const out = new Float64Array(checkedNumel(outShape));
  // The transform length itself is allocated (twice, plus Bluestein's buffers) even for a tiny input.
  checkedNumel([4 * n]);
  let outer = 1;
  for (let d = 0; d < axis; d++) outer *= x.shape[d];
  let inner = 1;
  for (let d = axis + 1; d < rank - 1; d++) inner *= x.shape[d];
  const cin = complex ? 2 : 1;
  const cout = outShape[rank - 1];
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  const half = Math.floor(n / 2);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      re.fill(0);
      im.fill(0);
      const at = (k: number): number => ((o * len + k) * inner + i) * cin;
      if (onesided && inverse) {
        // Hermitian extension: X[n - k] = conj(X[k]); the imaginary parts of DC and (even n) Nyquist do not enter a real signal.
        for (let k = 0; k <= half && k < len; k++) {
          re[k] = data[at(k)];
          im[k] = k === 0 || 2 * k === n ? 0 : data[at(k) + 1];
          if (k > 0 && 2 * k !== n) {
            re[n - k] = re[k];
            im[n - k] = -im[k];
          }
        }
      } else {
        for (let k = 0; k < n && k < len; k++) {
          re[k] = data[at(k)];
          if (complex) im[k] = data[at(k) + 1];
        }
      }
      const [yr, yi] = dft(re, im, inverse ? 1 : -1);
      const scale = inverse ? 1 / n : 1;
      for (let k = 0; k < bins; k++) {
        const p = ((o * bins + k) * inner + i) * cout;
        out[p] = yr[k] * scale;
        if (cout === 2) out[p + 1] = yi[k] * scale;
      }
    }
  }
  return [fromValues(x.dtype, outShape, out)];
}

/**
 * STFT (opset 17): signal [batch, length, 1|2], frame_step, optional
 * window [frame_length], optional frame_length (taken from the window when
 * absent, and equal to it when both are given). Frame f covers samples
 * f*step .. f*step + frame_length - 1, multiplied by the window; frames =
 * floor((length - frame_length) / step) + 1. Output [batch, frames, bins,
 * 2] with bins = floor(frame_length / 2) + 1 when onesided (default 1)
 * and the signal is real; a complex signal always gives every bin.
 */
function stftOp(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const x = input(inputs, 0, ctx);
  const { data, complex } = signalOf(x, ctx, 3);
  if (x.shape.length !== 3) fail("CORRUPT", F, `${where(ctx)}: signal has rank ${x.shape.length}, needs [batch, length, 1|2]`);
  const step = intScalar(inputs[1], ctx, "frame_step");
  if (!(step >= 1)) fail("CORRUPT", F, `${where(ctx)}: frame_step ${step} must be at least 1`);
  const win = inputs[2];
  let window: Float64Array | undefined;
  if (win !== undefined) {
    if (win.shape.length !== 1) fail("CORRUPT", F, `${where(ctx)}: window has rank ${win.shape.length}, needs 1`);
    window = asFloat64(win);
  }
  const fl = intScalar(inputs[3], ctx, "frame_length", window?.length);
  if (!(fl >= 1)) fail("CORRUPT", F, `${where(ctx)}: frame_length ${fl} must be at least 1`);
  if (window !== undefined && window.length !== fl) fail("CORRUPT", F, `${where(ctx)}: window of ${window.length} samples for frame_length ${fl}`);
  const [batch, length] = x.shape;
  if (fl > length) fail("CORRUPT", F, `${where(ctx)}: frame_length ${fl} is longer than the signal (${length})`);
  const frames = Math.floor((length - fl) / step) + 1;
  const onesided = ctx.int("onesided", 1) !== 0 && !complex;
  const bins = onesided ? Math.floor(fl / 2) + 1 : fl;
  const outShape = [batch, frames, bins, 2];
  const out = new Float64Array(checkedNumel(outShape));
  const cin = complex ? 2 : 1;
  const re = new Float64Array(fl);
  const im = new Float64Array(fl);
  for (let b = 0; b < batch; b++) {
    for (let f = 0; f < frames; f++) {
      for (let t = 0; t < fl; t++) {
        const p = (b * length + f * step + t) * cin;
        const w = window === undefined ? 1 : window[t];
        re[t] = data[p] * w;
        im[t] = complex ? data[p + 1] * w : 0;
      }
      const [yr, yi] = dft(re, im, -1);
      for (let k = 0; k < bins; k++) {
        const q = ((b * frames + f) * bins + k) * 2;
        out[q] = yr[k];
        out[q + 1] = yi[k];
      }
    }
  }
  return [fromValues(x.dtype, outShape, out)];
}

/** The output dtype an `output_datatype` attribute names (default 1, float32); numeric only. */
function outputDType(ctx: OpContext): DType {
  const dtype = dtypeOfCode(ctx.int("output_datatype", 1), `${where(ctx)}: output_datatype`);
  if (dtype === "string" || dtype === "bool") fail("CORRUPT", F, `${where(ctx)}: output_datatype ${dtype} is not numeric`);
  return dtype;
}

/**
 * The generalised cosine windows: w[n] = a0 - a1 cos(2 pi n / N) + a2
 * cos(4 pi n / N), with N = size when periodic (default) and size - 1 when
 * symmetric (at least 1, so a one-sample symmetric window stays finite).
 * Hann a = (0.5, 0.5, 0), Hamming a = (25/46, 21/46, 0), Blackman a =
 * (0.42, 0.5, 0.08), as the spec defines them.
 */
function cosineWindow(a0: number, a1: number, a2: number) {
  return (inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] => {
    const size = intScalar(input(inputs, 0, ctx), ctx, "size");
    if (!(size >= 0)) fail("CORRUPT", F, `${where(ctx)}: size ${size} is negative`);
    const dtype = outputDType(ctx);
    const out = new Float64Array(checkedNumel([size]));
    const periodic = ctx.int("periodic", 1) !== 0;
    const N = periodic ? size : Math.max(1, size - 1);
    for (let i = 0; i < size; i++) {
      const x = (2 * Math.PI * i) / N;
      out[i] = a0 - a1 * Math.cos(x) + a2 * Math.cos(2 * x);
    }
    return [fromValues(dtype, [size], out)];
  };
}

/** A scalar float input. */
function floatScalar(t: RTensor, ctx: OpContext, what: string): number {
  const a = nums(t);
  if (a.length !== 1) fail("CORRUPT", F, `${where(ctx)}: ${what} has ${a.length} elements, needs one`);
  return a[0];
}

const hzToMel = (f: number): number => 2595 * Math.log10(1 + f / 700);
const melToHz = (m: number): number => 700 * (10 ** (m / 2595) - 1);

/**
 * MelWeightMatrix (opset 17): [floor(dft_length / 2) + 1, num_mel_bins]
 * triangular filters with peak 1. num_mel_bins + 2 points are spaced
 * evenly on the mel scale (mel(f) = 2595 log10(1 + f / 700)) from
 * lower_edge_hertz, (upper - lower) / (num_mel_bins + 2) mel apart, and
 * mapped to spectrogram bins
 * floor((dft_length + 1) * f / sample_rate); filter m rises linearly from
 * point m to point m + 1 and falls to point m + 2 (a zero-width rise is a
 * single 1 at the centre bin), as the spec's reference behaviour does.
 */
function melWeightMatrix(inputs: (RTensor | undefined)[], ctx: OpContext): RTensor[] {
  const mels = intScalar(input(inputs, 0, ctx), ctx, "num_mel_bins");
  const dftLength = intScalar(input(inputs, 1, ctx), ctx, "dft_length");
  const rate = intScalar(input(inputs, 2, ctx), ctx, "sample_rate");
  const lower = floatScalar(input(inputs, 3, ctx), ctx, "lower_edge_hertz");
  const upper = floatScalar(input(inputs, 4, ctx), ctx, "upper_edge_hertz");
  if (!(mels >= 1) || !(dftLength >= 1) || !(rate >= 1)) fail("CORRUPT", F, `${where(ctx)}: num_mel_bins ${mels}, dft_length ${dftLength} and sample_rate ${rate} must be positive`);
  if (!(lower >= 0 && upper > lower && Number.isFinite(upper))) fail("CORRUPT", F, `${where(ctx)}: edges ${lower}..${upper} Hz are not an increasing range from 0`);
  const dtype = outputDType(ctx);
  const specBins = Math.floor(dftLength / 2) + 1;
  const out = new Float64Array(checkedNumel([specBins, mels]));
  const lowMel = hzToMel(lower);
  // The reference behaviour divides the mel range by the number of points, num_mel_bins + 2 (not by the
  // num_mel_bins + 1 gaps), so the last point falls short of upper_edge_hertz; the backend test expects that.
  const stepMel = (hzToMel(upper) - lowMel) / (mels + 2);
  const points = new Float64Array(mels + 2);
  for (let i = 0; i < mels + 2; i++) points[i] = Math.floor(((dftLength + 1) * melToHz(lowMel + i * stepMel)) / rate);
  // Bins past the spectrum (an upper edge above Nyquist) have no row to land in.
  const put = (bin: number, m: number, v: number): void => {
    if (bin >= 0 && bin < specBins) out[bin * mels + m] = v;
  };
  for (let m = 0; m < mels; m++) {
    const lo = points[m];
    const centre = points[m + 1];
    const hi = points[m + 2];
    if (centre === lo) put(centre, m, 1);
    else for (let j = lo; j <= centre && j < specBins; j++) put(j, m, (j - lo) / (centre - lo));
    if (hi > centre) for (let j = centre; j < hi && j < specBins; j++) put(j, m, (hi - j) / (hi - centre));
  }
  return [fromValues(dtype, [specBins, mels], out)];
}

registerNnOps({
  DFT: dftOp,
  STFT: stftOp,
  HannWindow: cosineWindow(0.5, 0.5, 0),
  HammingWindow: cosineWindow(25 / 46, 21 / 46, 0),
  BlackmanWindow: cosineWindow(0.42, 0.5, 0.08),
  MelWeightMatrix: melWeightMatrix,
});
