/**
 * Adaptive Entropy Coding decoder: CCSDS 121.0-B (Lossless Data
 * Compression, the Rice algorithm) as libaec's aec_buffer_decode reads it,
 * unrestricted mode. The coded stream is an MSB-first bit stream of coded
 * data sets (CDS), one per block of `blockSize` samples. Each CDS starts
 * with an option id of 3/4/5 bits (samples of <= 8 / <= 16 / <= 32 bits,
 * CCSDS 121.0-B section 5.1.2):
 * - id 0 then one bit: 0 = zero-block run, 1 = second extension;
 * - id 1 .. 2^len-2: sample splitting with k = id - 1 (fundamental sequence
 *   codes of the high parts for the whole block, then k low bits each);
 * - id 2^len-1: no compression (every sample in `bitsPerSample` bits).
 * With preprocessing (unit-delay predictor, section 4), the first CDS of
 * every reference sample interval (`rsi` blocks) carries the reference
 * sample in `bitsPerSample` bits right after the id (and, for the zero
 * block / second extension options, after the one-bit selector); other
 * samples are mapped prediction residuals undone per interval.
 */
import { fail } from "@codec/core";
import { FORMAT } from "../context.js";

export interface AecParams {
  /** Bits per sample, 1..32. */
  readonly bitsPerSample: number;
  /** Samples per block (CCSDS J). */
  readonly blockSize: number;
  /** Blocks per reference sample interval. */
  readonly rsi: number;
  /** Output samples most significant byte first (AEC_DATA_MSB). */
  readonly msb: boolean;
  /** The unit-delay predictor was applied (AEC_DATA_PREPROCESS). */
  readonly preprocess: boolean;
}

/** The zero-block fundamental sequence value meaning "rest of segment" (CCSDS 121.0-B 5.1.4). */
const ROS = 5;
/** Largest second-extension code: pairs whose sum is at most 12 (libaec's table of 13 diagonals). */
const SE_MAX = 90;

/** MSB-first reader; reads past the end give zero bits and are detected afterwards. */
class BitSource {
  pos = 0;
  readonly end: number;

  constructor(private readonly b: Uint8Array) {
    this.end = b.length * 8;
  }

  /** The 32 bits starting at `pos` (zero past the end). */
  private window(): number {
    const b = this.b;
    const i = this.pos >>> 3;
    const s = this.pos & 7;
    const w = ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
    return s === 0 ? w : ((w << s) | (b[i + 4] >>> (8 - s))) >>> 0;
  }

  /** Read n bits (0..32) as an unsigned number. */
  read(n: number): number {
    if (n === 0) return 0;
    if (n > 24) {
      const hi = this.read(n - 16);
      return hi * 65536 + this.read(16);
    }
    const v = this.window() >>> (32 - n);
    this.pos += n;
    return v;
  }

  /** A fundamental sequence codeword: the count of 0 bits before a 1 bit. */
  fs(): number {
    let zeros = 0;
    for (;;) {
      if (this.pos >= this.end) return fail("CORRUPT", FORMAT, "szip stream ends inside a fundamental sequence codeword");
      const w = this.window();
      if (w !== 0) {
        const c = Math.clz32(w);
        this.pos += c + 1;
        return zeros + c;
      }
      zeros += 32;
      this.pos += 32;
    }
  }
}

/**
 * Decode `outBytes` bytes of samples (1, 2 or 4 bytes each by bit width)
 * from an AEC stream. Fails with CORRUPT when the stream is inconsistent or
 * ends before the output is complete.
 */
export function aecDecode(input: Uint8Array, p: AecParams, outBytes: number): Uint8Array {
  const bps = p.bitsPerSample;
  const J = p.blockSize;
  if (!(bps >= 1 && bps <= 32) || !(J >= 1 && J <= 256) || !(p.rsi >= 1 && p.rsi <= 4096)) {
    fail("CORRUPT", FORMAT, `szip parameters out of range (bits ${bps}, block ${J}, rsi ${p.rsi})`);
  }
  const bytesPerSample = bps > 16 ? 4 : bps > 8 ? 2 : 1;
  const idLen = bps > 16 ? 5 : bps > 8 ? 4 : 3;
  const idUncompressed = (1 << idLen) - 1;
  const xmax = bps === 32 ? 0xffffffff : 2 ** bps - 1;
  const totalSamples = Math.floor(outBytes / bytesPerSample);
  const out = new Uint8Array(outBytes);
  const rsiSize = p.rsi * J;
  const buf = new Float64Array(rsiSize);
  const bits = new BitSource(input);
  const bad = (why: string): never => fail("CORRUPT", FORMAT, `szip stream is invalid (${why})`);
  let produced = 0;
  let o = 0;
  while (produced < totalSamples) {
    const need = Math.min(rsiSize, totalSamples - produced);
    let used = 0;
    while (used < need) {
      const ref = p.preprocess && used === 0 ? 1 : 0;
      const id = bits.read(idLen);
      if (id === 0) {
        const secondExtension = bits.read(1) === 1;
        if (ref) buf[used++] = bits.read(bps);
        if (secondExtension) {
          // Pairs (a, b) coded as m = (a+b)(a+b+1)/2 + b (CCSDS 121.0-B 5.1.3);
          // with a reference the first pair contributes only b.
          for (let i = ref; i < J; ) {
            const m = bits.fs();
            if (m > SE_MAX) bad("second-extension code out of range");
            let diag = 0;
            while (((diag + 1) * (diag + 2)) / 2 <= m) diag++;
            const second = m - (diag * (diag + 1)) / 2;
            if ((i & 1) === 0) {
              buf[used++] = diag - second;
              i++;
            }
            buf[used++] = second;
            i++;
          }
        } else {
          let blocks = bits.fs() + 1;
          if (blocks === ROS) {
            // "Remainder of segment": to the end of the 64-block segment or of the interval.
            const b = Math.floor(used / J);
            blocks = Math.min(p.rsi - b, 64 - (b % 64));
          } else if (blocks > ROS) {
            blocks--;
          }
          const samples = blocks * J - ref;
          if (used + samples > rsiSize) bad("zero-block run past the reference sample interval");
          buf.fill(0, used, used + samples);
          used += samples;
        }
      } else if (id === idUncompressed) {
        for (let i = 0; i < J; i++) buf[used++] = bits.read(bps);
      } else {
        const k = id - 1;
        if (k >= bps) bad(`split option k=${k} for ${bps}-bit samples`);
        if (ref) buf[used++] = bits.read(bps);
        const n = J - ref;
        const scale = 2 ** k;
        for (let i = 0; i < n; i++) buf[used + i] = bits.fs() * scale;
        if (k > 0) for (let i = 0; i < n; i++) buf[used + i] += bits.read(k);
        used += n;
      }
      if (bits.pos > bits.end) bad("stream ends inside a block");
    }
    // Emit this interval (the whole decoded part the output still needs).
    const count = Math.min(used, totalSamples - produced);
    let x = 0;
    const med = Math.floor(xmax / 2) + 1;
    for (let i = 0; i < count; i++) {
      let v = buf[i];
      if (p.preprocess) {
        if (i === 0) {
          x = v;
        } else {
          // Inverse mapping of the predictor residual (CCSDS 121.0-B 4.3),
          // with theta measured from the nearer bound as libaec does.
          const high = x >= med;
          const theta = high ? xmax - x : x;
          if (Math.floor(v / 2) + (v % 2) <= theta) x = v % 2 === 0 ? x + v / 2 : x - (v + 1) / 2;
          else x = high ? xmax - v : v;
          if (x < 0 || x > xmax) bad("residual outside the sample range");
        }
        v = x;
      }
      if (bytesPerSample === 1) out[o++] = v;
      else if (bytesPerSample === 2) {
        if (p.msb) {
          out[o++] = v >>> 8;
          out[o++] = v & 0xff;
        } else {
          out[o++] = v & 0xff;
          out[o++] = v >>> 8;
        }
      } else if (p.msb) {
        out[o++] = v >>> 24;
        out[o++] = (v >>> 16) & 0xff;
        out[o++] = (v >>> 8) & 0xff;
        out[o++] = v & 0xff;
      } else {
        out[o++] = v & 0xff;
        out[o++] = (v >>> 8) & 0xff;
        out[o++] = (v >>> 16) & 0xff;
        out[o++] = v >>> 24;
      }
    }
    produced += count;
  }
  return out;
}
