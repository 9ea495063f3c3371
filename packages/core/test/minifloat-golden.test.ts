import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { float32ArrayToBfloat16, float32ArrayToFloat16, float32ToBfloat16, float32ToFloat16 } from "@codec/core";
import { repoPath } from "@codec/testing";
import { describe, expect, it } from "vitest";

/**
 * float32 -> float16 / bfloat16 rounding against numpy
 * (tools/fixtures/core/make_minifloat.py). The random inputs are regenerated
 * here with the script's xorshift32 sequence; their digest is checked first.
 */
interface Golden {
  seed: number;
  count: number;
  edges: { inputs: number[]; float16: number[]; bfloat16: number[] };
  first: { float16: number[]; bfloat16: number[] };
  sha256: { inputs: string; float16: string; bfloat16: string };
}

const golden = JSON.parse(readFileSync(repoPath("packages/core/test/fixtures/minifloat.json"), "utf8")) as Golden;

function xorshift32(s: number): number {
  s ^= s << 13;
  s ^= s >>> 17;
  s ^= s << 5;
  return s >>> 0;
}

/** Same families as the Python script's random_patterns(). */
function randomPatterns(): Uint32Array {
  const out = new Uint32Array(golden.count);
  let s = golden.seed;
  for (let k = 0; k < golden.count; k++) {
    s = xorshift32(s);
    const a = s;
    s = xorshift32(s);
    const b = s;
    const sign = a & 0x80000000;
    let bits: number;
    switch (k % 4) {
      case 0:
        bits = a;
        break;
      case 1:
        bits = sign | ((127 - 30 + (b % 48)) << 23) | (a & 0x7fffff);
        break;
      case 2: {
        const low = [0x1000, 0x0fff, 0x1001, 0x0000, 0x1fff][(b >>> 8) % 5];
        bits = sign | ((127 - 26 + (b % 43)) << 23) | (a & 0x7fe000) | low;
        break;
      }
      default: {
        let e = (b >>> 3) % 256;
        if (e === 255) e = 254;
        const low = [0x8000, 0x7fff, 0x8001, 0x0000, 0xffff][(b >>> 11) % 5];
        bits = sign | (e << 23) | (a & 0x7f0000) | low;
      }
    }
    out[k] = bits >>> 0;
  }
  return out;
}

const isNanBits = (u: number) => (u & 0x7fffffff) > 0x7f800000;
const sha = (a: Uint16Array | Uint32Array) => createHash("sha256").update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength)).digest("hex");

/** NaN outputs canonicalised as in the script (payload conventions differ between libraries). */
function canonical(inputs: Uint32Array, out: Uint16Array, nan: number): Uint16Array {
  for (let i = 0; i < inputs.length; i++) {
    if (isNanBits(inputs[i])) {
      const isNan = nan === 0x7e00 ? (out[i] & 0x7c00) === 0x7c00 && (out[i] & 0x3ff) !== 0 : (out[i] & 0x7f80) === 0x7f80 && (out[i] & 0x7f) !== 0;
      expect(isNan).toBe(true);
      expect(out[i] & 0x8000).toBe((inputs[i] >>> 16) & 0x8000);
      out[i] = ((inputs[i] >>> 16) & 0x8000) | nan;
    }
  }
  return out;
}

describe("minifloat rounding against numpy", () => {
  const inputs = randomPatterns();
  const asFloat = new Float32Array(inputs.buffer);

  it("regenerates the script's inputs", () => {
    expect(sha(inputs)).toBe(golden.sha256.inputs);
  });

  it("edge cases: float16 and bfloat16", () => {
    const e = new Uint32Array(golden.edges.inputs);
    const f = new Float32Array(e.buffer);
    const h = canonical(e, Uint16Array.from(f, (x) => float32ToFloat16(x)), 0x7e00);
    const b = canonical(e, Uint16Array.from(f, (x) => float32ToBfloat16(x)), 0x7fc0);
    for (let i = 0; i < e.length; i++) {
      expect([e[i].toString(16), h[i].toString(16)]).toEqual([e[i].toString(16), golden.edges.float16[i].toString(16)]);
      expect([e[i].toString(16), b[i].toString(16)]).toEqual([e[i].toString(16), golden.edges.bfloat16[i].toString(16)]);
    }
  });

  it(`float32 -> float16 on ${golden.count} values`, () => {
    const h = canonical(inputs, float32ArrayToFloat16(asFloat), 0x7e00);
    for (let i = 0; i < golden.first.float16.length; i++) {
      if (h[i] !== golden.first.float16[i]) expect([i, inputs[i].toString(16), h[i].toString(16)]).toEqual([i, inputs[i].toString(16), golden.first.float16[i].toString(16)]);
    }
    expect(sha(h)).toBe(golden.sha256.float16);
  });

  it(`float32 -> bfloat16 on ${golden.count} values`, () => {
    const b = canonical(inputs, float32ArrayToBfloat16(asFloat), 0x7fc0);
    for (let i = 0; i < golden.first.bfloat16.length; i++) {
      if (b[i] !== golden.first.bfloat16[i]) expect([i, inputs[i].toString(16), b[i].toString(16)]).toEqual([i, inputs[i].toString(16), golden.first.bfloat16[i].toString(16)]);
    }
    expect(sha(b)).toBe(golden.sha256.bfloat16);
  });
});
