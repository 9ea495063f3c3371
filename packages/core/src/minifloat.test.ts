import { describe, expect, it } from "vitest";
import {
  bfloat16ArrayToFloat32,
  bfloat16ToFloat32,
  float8ArrayToFloat32,
  float8E4M3FNToFloat32,
  float8E5M2ToFloat32,
  float16ArrayToFloat32,
  float16ToFloat32,
  float32ArrayToBfloat16,
  float32ArrayToFloat16,
  float32ToBfloat16,
  float32ToFloat8E4M3FN,
  float32ToFloat8E5M2,
  float32ToFloat16,
} from "./minifloat.js";

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const bitsOf = (x: number) => {
  f32[0] = x;
  return u32[0];
};
const fromBits = (u: number) => {
  u32[0] = u;
  return f32[0];
};

/** Independent IEEE-style decode: (-1)^s 2^(e-bias) (1 + m/2^M), subnormals at e = 0. */
function specValue(code: number, expBits: number, mantBits: number, bias: number): number {
  const s = (code >> (expBits + mantBits)) & 1 ? -1 : 1;
  const e = (code >> mantBits) & ((1 << expBits) - 1);
  const m = code & ((1 << mantBits) - 1);
  if (e === 0) return s * m * 2 ** (1 - bias - mantBits);
  return s * (1 + m / 2 ** mantBits) * 2 ** (e - bias);
}

describe("float16", () => {
  it("decodes every one of the 65536 codes as the IEEE binary16 formula says", () => {
    const bad: number[] = [];
    for (let h = 0; h < 65536; h++) {
      const v = float16ToFloat32(h);
      const e = (h >> 10) & 0x1f;
      let want = specValue(h, 5, 10, 15);
      if (e === 31) want = h & 0x3ff ? Number.NaN : h & 0x8000 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
      if (!Object.is(v, want)) bad.push(h);
    }
    expect(bad).toEqual([]);
  });

  it("round-trips every 16-bit pattern float16 -> float32 -> float16 bit-exactly (NaNs stay NaN with their sign)", () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const wide = float16ArrayToFloat32(all);
    const back = float32ArrayToFloat16(wide);
    const bad: string[] = [];
    for (let h = 0; h < 65536; h++) {
      if (!Object.is(wide[h], float16ToFloat32(h))) bad.push(`bulk ${h}`);
      const isNan = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      // NaN: payload kept, quiet bit set (as x86 F16C does).
      const want = isNan ? h | 0x200 : h;
      if (back[h] !== want) bad.push(`bulk ${h} -> ${back[h]}`);
      if (float32ToFloat16(wide[h]) !== want) bad.push(`scalar ${h}`);
    }
    expect(bad).toEqual([]);
  });

  it("keeps NaN payload bits through float32", () => {
    // Bulk conversion keeps them exactly (typed array to typed array).
    const wide = new Uint32Array(float16ArrayToFloat32(Uint16Array.of(0x7e01, 0xfe00, 0x7c01)).buffer);
    expect(wide[0]).toBe(0x7fc02000);
    expect(wide[1]).toBe(0xffc00000);
    // A signalling NaN read into a JS number is quieted by the engine; the payload survives.
    expect((bitsOf(float16ToFloat32(0x7c01)) & 0xffbfffff) >>> 0).toBe(0x7f802000);
  });
});

describe("bfloat16", () => {
  it("round-trips every 16-bit pattern bit-exactly (NaNs stay NaN with their sign)", () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const wide = bfloat16ArrayToFloat32(all);
    const back = float32ArrayToBfloat16(wide);
    const wideBits = new Uint32Array(wide.buffer);
    const bad: string[] = [];
    for (let b = 0; b < 65536; b++) {
      const isNan = (b & 0x7f80) === 0x7f80 && (b & 0x7f) !== 0;
      // Bulk widening is a pure bit shift; scalar results agree except that
      // the engine quiets signalling NaNs when they become JS numbers.
      if (wideBits[b] !== ((b << 16) >>> 0)) bad.push(`widen ${b}`);
      const scalar = bitsOf(bfloat16ToFloat32(b));
      if ((isNan ? scalar | 0x400000 : scalar) >>> 0 !== (isNan ? wideBits[b] | 0x400000 : wideBits[b]) >>> 0) bad.push(`scalar ${b}`);
      if (back[b] !== (isNan ? b | 0x40 : b)) bad.push(`back ${b} -> ${back[b]}`);
    }
    expect(bad).toEqual([]);
  });

  it("rounds to nearest even and overflows to infinity", () => {
    expect(float32ToBfloat16(fromBits(0x3f808000))).toBe(0x3f80); // tie, even stays
    expect(float32ToBfloat16(fromBits(0x3f818000))).toBe(0x3f82); // tie, odd rounds up
    expect(float32ToBfloat16(fromBits(0x3f808001))).toBe(0x3f81);
    expect(float32ToBfloat16(fromBits(0x7f7f8000))).toBe(0x7f80); // to +inf
    expect(float32ToBfloat16(fromBits(0xff7fffff))).toBe(0xff80);
    expect(float32ToBfloat16(Number.NaN) & 0x7fc0).toBe(0x7fc0);
  });
});

/*
 * float8: torch 1.13 (the Python here) has no float8 dtypes (added in
 * torch 2.1), so the reference is the OCP 8-bit floating point spec (OFP8,
 * v1.0, 2023) via hand-checked values, an independent formula decode, and a
 * brute-force nearest-code search for encoding with c10's overflow rules:
 * e4m3fn has no infinity and values that round past 448 become NaN (0x7f);
 * e5m2 overflows to infinity.
 */
describe("float8 (OCP spec; no torch float8 in torch 1.13)", () => {
  const E4M3 = { decode: float8E4M3FNToFloat32, encode: float32ToFloat8E4M3FN, kind: "float8_e4m3fn" as const };
  const E5M2 = { decode: float8E5M2ToFloat32, encode: float32ToFloat8E5M2, kind: "float8_e5m2" as const };

  it("hand-checked e4m3fn values from the OCP spec tables", () => {
    const cases: [number, number][] = [
      [0x00, 0],
      [0x01, 2 ** -9], // smallest subnormal
      [0x07, 0.875 * 2 ** -6], // largest subnormal
      [0x08, 2 ** -6], // smallest normal
      [0x38, 1],
      [0x40, 2],
      [0x3c, 1.5],
      [0x7e, 448], // largest finite: S.1111.110
      [0xb8, -1],
      [0xfe, -448],
    ];
    for (const [code, v] of cases) {
      expect(E4M3.decode(code)).toBe(v);
      expect(E4M3.encode(v)).toBe(code);
    }
    expect(Object.is(E4M3.decode(0x80), -0)).toBe(true);
    expect(Number.isNaN(E4M3.decode(0x7f))).toBe(true); // S.1111.111 is NaN, no infinities
    expect(Number.isNaN(E4M3.decode(0xff))).toBe(true);
    expect(E4M3.decode(0x78)).toBe(256); // exponent 15 is a normal binade in e4m3fn
  });

  it("hand-checked e5m2 values from the OCP spec tables", () => {
    const cases: [number, number][] = [
      [0x00, 0],
      [0x01, 2 ** -16],
      [0x03, 0.75 * 2 ** -14],
      [0x04, 2 ** -14],
      [0x3c, 1],
      [0x7b, 57344], // largest finite
      [0x7c, Number.POSITIVE_INFINITY],
      [0xfc, Number.NEGATIVE_INFINITY],
      [0xbc, -1],
    ];
    for (const [code, v] of cases) {
      expect(E5M2.decode(code)).toBe(v);
      expect(E5M2.encode(v)).toBe(code);
    }
    for (const nan of [0x7d, 0x7e, 0x7f, 0xfd, 0xff]) expect(Number.isNaN(E5M2.decode(nan))).toBe(true);
  });

  it("decodes all 256 codes per the formula and bulk equals scalar", () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    for (const [fmt, expBits, mantBits] of [
      [E4M3, 4, 3],
      [E5M2, 5, 2],
    ] as const) {
      const bulk = float8ArrayToFloat32(all, fmt.kind);
      for (let c = 0; c < 256; c++) {
        const v = fmt.decode(c);
        expect(Object.is(bulk[c], Math.fround(v))).toBe(true);
        const special = fmt === E4M3 ? (c & 0x7f) === 0x7f : (c & 0x7c) === 0x7c;
        if (!special) expect(Object.is(v, specValue(c, expBits, mantBits, 15 - (fmt === E4M3 ? 8 : 0)))).toBe(true);
      }
    }
  });

  /** Nearest code by search, ties to the even code; `overflow` is the code just past the largest finite. */
  function nearest(x: number, values: number[], overflow: number): number {
    const a = Math.abs(x);
    let best = 0;
    for (let c = 1; c <= overflow; c++) {
      const d = Math.abs(values[c] - a);
      const bd = Math.abs(values[best] - a);
      if (d < bd || (d === bd && (c & 1) === 0 && (best & 1) === 1)) best = c;
    }
    return best;
  }

  it("encodes like a brute-force nearest-even search over the codes (100k random float32s)", () => {
    // Magnitudes of codes 0..0x7f, reading e4m3fn's 0x7f as 480 and e5m2's 0x7c as 65536 (the overflow points).
    const e4 = Array.from({ length: 128 }, (_, c) => specValue(c, 4, 3, 7));
    const e5 = Array.from({ length: 128 }, (_, c) => specValue(c, 5, 2, 15));
    let x = 0x9e3779b9;
    const bad: string[] = [];
    for (let i = 0; i < 100000; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      // Exponents around both formats' ranges, random mantissas, both signs.
      const bits = (x & 0x80000000) | ((((x >>> 23) % 40) + 127 - 22) << 23) | (x & 0x7fffff);
      const v = fromBits(bits >>> 0);
      const sign = v < 0 ? 0x80 : 0;
      // e4m3fn: 0x7f doubles as NaN, as c10 maps overflow to NaN; e5m2: 0x7c is infinity.
      if (E4M3.encode(v) !== (sign | nearest(v, e4, 0x7f))) bad.push(`e4m3fn ${bits >>> 0}`);
      if (E5M2.encode(v) !== (sign | nearest(v, e5, 0x7c))) bad.push(`e5m2 ${bits >>> 0}`);
    }
    expect(bad).toEqual([]);
  });

  it("overflow, NaN and infinity follow c10::Float8_e4m3fn / Float8_e5m2", () => {
    expect(E4M3.encode(464)).toBe(0x7e); // tie between 448 and 480 goes to even 448
    expect(E4M3.encode(465)).toBe(0x7f); // rounds past 448: NaN
    expect(E4M3.encode(1e9)).toBe(0x7f);
    expect(E4M3.encode(Number.POSITIVE_INFINITY)).toBe(0x7f);
    expect(E4M3.encode(Number.NEGATIVE_INFINITY)).toBe(0xff);
    expect(E4M3.encode(Number.NaN)).toBe(0x7f);
    expect(E5M2.encode(61440)).toBe(0x7c); // tie between 57344 (odd code) and 65536: up, to inf
    expect(E5M2.encode(61439)).toBe(0x7b);
    expect(E5M2.encode(-1e9)).toBe(0xfc);
    expect(E5M2.encode(Number.NaN)).toBe(0x7f);
    expect(E4M3.encode(2 ** -10)).toBe(0x00); // half the smallest subnormal: tie to even zero
    expect(E4M3.encode(-(2 ** -10))).toBe(0x80);
    expect(E4M3.encode(3 * 2 ** -10)).toBe(0x02); // 1.5 ulp: tie to even 2
    expect(E5M2.encode(2 ** -17 * 1.0001)).toBe(0x01);
  });
});
