import { isCodecError } from "@codec/core";

/**
 * The one fuzz harness of the repo (DESIGN.md section 8): a seeded mutator
 * over real files, and an assertion of the section 7 contract (a value or a
 * CodecError, nothing else, in bounded time).
 */

/** Mulberry32: small, fast, seedable; enough for reproducible mutations. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0xfe, 0x40, 0x20];
const INTERESTING32 = [0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 0x10000, 0xffff];

/** One mutated copy of `input`: bit flips, byte sets, interesting ints, truncation, splices. */
export function mutate(input: Uint8Array, random: () => number, maxOps = 4): Uint8Array {
  let out = input.slice();
  const ops = 1 + Math.floor(random() * maxOps);
  for (let k = 0; k < ops; k++) {
    const at = Math.floor(random() * Math.max(1, out.length));
    switch (Math.floor(random() * 8)) {
      case 0:
        if (out.length) out[at] ^= 1 << Math.floor(random() * 8);
        break;
      case 1:
        if (out.length) out[at] = Math.floor(random() * 256);
        break;
      case 2:
        if (out.length) out[at] = INTERESTING[Math.floor(random() * INTERESTING.length)];
        break;
      case 3:
        if (out.length >= at + 4) {
          const v = INTERESTING32[Math.floor(random() * INTERESTING32.length)];
          new DataView(out.buffer, out.byteOffset).setUint32(at, v, random() < 0.5);
        }
        break;
      case 4:
        out = out.slice(0, at);
        break;
      case 5: {
        // Duplicate a block (repeats structures, confuses length fields).
        const len = Math.floor(random() * 64);
        const src = out.subarray(at, at + len);
        const next = new Uint8Array(out.length + src.length);
        next.set(out.subarray(0, at));
        next.set(src, at);
        next.set(out.subarray(at), at + src.length);
        out = next;
        break;
      }
      case 6: {
        // Delete a block.
        const len = Math.min(Math.floor(random() * 64), Math.max(0, out.length - at));
        const next = new Uint8Array(out.length - len);
        next.set(out.subarray(0, at));
        next.set(out.subarray(at + len), at);
        out = next;
        break;
      }
      default:
        if (out.length) out[at] = (out[at] + (random() < 0.5 ? 1 : -1)) & 0xff;
    }
  }
  return out;
}

export interface FuzzOptions {
  seed?: number;
  /** Mutated inputs per seed file. */
  iterations?: number;
  /** Wall-clock budget per decode in ms; exceeding it fails the contract (a hang). */
  maxMsPerCase?: number;
}

export interface FuzzReport {
  cases: number;
  ok: number;
  codecErrors: number;
  byCode: Record<string, number>;
}

/**
 * Run `decode` over mutations of every seed file and assert DESIGN.md section 7:
 * it returns (or resolves) or throws a CodecError; any other throw, or a
 * case slower than `maxMsPerCase`, is reported with the seed to reproduce it.
 */
export async function fuzzDecoder(
  seeds: readonly Uint8Array[],
  decode: (bytes: Uint8Array) => unknown,
  options: FuzzOptions = {},
): Promise<FuzzReport> {
  const { seed = 1, iterations = 200, maxMsPerCase = 2000 } = options;
  const report: FuzzReport = { cases: 0, ok: 0, codecErrors: 0, byCode: {} };
  for (let s = 0; s < seeds.length; s++) {
    const random = rng(seed * 7919 + s);
    for (let i = 0; i < iterations; i++) {
      const input = mutate(seeds[s], random);
      report.cases++;
      const t0 = performance.now();
      try {
        await decode(input);
        report.ok++;
      } catch (e) {
        if (!isCodecError(e)) {
          const msg = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ""}` : String(e);
          throw new Error(`fuzz: seed file ${s}, iteration ${i} (seed ${seed}) threw a non-CodecError: ${msg}`);
        }
        report.codecErrors++;
        report.byCode[e.code] = (report.byCode[e.code] ?? 0) + 1;
      }
      const ms = performance.now() - t0;
      if (ms > maxMsPerCase) {
        throw new Error(`fuzz: seed file ${s}, iteration ${i} (seed ${seed}) took ${ms.toFixed(0)} ms`);
      }
    }
  }
  return report;
}
