/**
 * Conversions between float32 and the small float formats: IEEE binary16
 * (float16), bfloat16, and the OCP 8-bit formats float8_e4m3fn and
 * float8_e5m2. Rounding is round-to-nearest-even everywhere, matching
 * numpy's float16 cast and c10's Float8 casts:
 *  - float16 and float8_e5m2 have infinities: overflow rounds to +-inf.
 *  - float8_e4m3fn has no infinity (the "fn" = finite + NaN): overflow and
 *    +-inf become NaN (0x7f with the sign), as c10::Float8_e4m3fn does.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

interface MinifloatLayout {
  readonly mantBits: number;
  readonly bias: number;
  /** Code of +infinity, or -1 when the format has none. */
  readonly infCode: number;
  /** Largest finite positive code. */
  readonly maxFinite: number;
  /** Code used for NaN (positive). */
  readonly nanCode: number;
  readonly signBit: number;
}

const F16: MinifloatLayout = { mantBits: 10, bias: 15, infCode: 0x7c00, maxFinite: 0x7bff, nanCode: 0x7e00, signBit: 0x8000 };
const E4M3FN: MinifloatLayout = { mantBits: 3, bias: 7, infCode: -1, maxFinite: 0x7e, nanCode: 0x7f, signBit: 0x80 };
const E5M2: MinifloatLayout = { mantBits: 2, bias: 15, infCode: 0x7c, maxFinite: 0x7b, nanCode: 0x7f, signBit: 0x80 };

/** Encode float32 bits into a minifloat code with round-to-nearest-even. */
function encodeBits(u: number, L: MinifloatLayout): number {
  const sign = u >>> 31 ? L.signBit : 0;
  const e = (u >>> 23) & 0xff;
  const m = u & 0x7fffff;
  const drop = 23 - L.mantBits;
  if (e === 0xff) {
    if (m !== 0) {
      // NaN: keep the top payload bits where there is room (float16), quiet it.
      if (L === F16) return sign | 0x7c00 | 0x200 | (m >>> drop);
      return sign | L.nanCode;
    }
    return sign | (L.infCode < 0 ? L.nanCode : L.infCode);
  }
  const E = e - 127 + L.bias;
  let code: number;
  if (E >= 1) {
    code = (E << L.mantBits) | (m >>> drop);
    const rem = m & ((1 << drop) - 1);
    const half = 1 << (drop - 1);
    if (rem > half || (rem === half && (code & 1) === 1)) code++;
  } else {
    // Result is subnormal (or zero) in the target format.
    if (e === 0) return sign; // float32 subnormals are far below any target's smallest subnormal
    const mant = m | 0x800000;
    const shift = drop + 1 - E;
    if (shift > 24) return sign;
    code = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const half = 1 << (shift - 1);
    if (rem > half || (rem === half && (code & 1) === 1)) code++;
  }
  if (code > L.maxFinite) return sign | (L.infCode < 0 ? L.nanCode : L.infCode);
  return sign | code;
}

function decodeBits(code: number, L: MinifloatLayout, expBits: number): number {
  const neg = (code & L.signBit) !== 0;
  const e = (code >>> L.mantBits) & ((1 << expBits) - 1);
  const m = code & ((1 << L.mantBits) - 1);
  let v: number;
  if (e === 0) {
    v = m * 2 ** (1 - L.bias - L.mantBits);
  } else if (L.infCode >= 0 && e === (1 << expBits) - 1) {
    v = m === 0 ? Number.POSITIVE_INFINITY : Number.NaN;
  } else if (L.infCode < 0 && (code & ~L.signBit) === L.nanCode) {
    v = Number.NaN;
  } else {
    v = (1 + m / (1 << L.mantBits)) * 2 ** (e - L.bias);
  }
  return neg ? -v : v;
}

function f32Bits(x: number): number {
  f32[0] = x;
  return u32[0];
}

export function float32ToFloat16(x: number): number {
  return encodeBits(f32Bits(x), F16);
}

let f16Table: Float32Array | null = null;
/** Decode table for all 65536 float16 codes; exact, built once (256 KiB). */
function float16Table(): Float32Array {
  if (f16Table === null) {
    f16Table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) f16Table[h] = decodeBits(h, F16, 5);
    // Keep NaN payloads bit-exact (the arithmetic path gives the canonical NaN).
    const bits = new Uint32Array(f16Table.buffer);
    for (let h = 0; h < 65536; h++) {
      if ((h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0) bits[h] = ((h & 0x8000) << 16) | 0x7f800000 | ((h & 0x3ff) << 13);
    }
  }
  return f16Table;
}

export function float16ToFloat32(h: number): number {
  return float16Table()[h & 0xffff];
}

export function float32ToBfloat16(x: number): number {
  const u = f32Bits(x);
  if ((u & 0x7f800000) === 0x7f800000 && (u & 0x7fffff) !== 0) return (u >>> 16) | 0x40;
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

export function bfloat16ToFloat32(b: number): number {
  u32[0] = (b & 0xffff) << 16;
  return f32[0];
}

export function float32ToFloat8E4M3FN(x: number): number {
  return encodeBits(f32Bits(x), E4M3FN);
}

export function float8E4M3FNToFloat32(c: number): number {
  return decodeBits(c & 0xff, E4M3FN, 4);
}

export function float32ToFloat8E5M2(x: number): number {
  return encodeBits(f32Bits(x), E5M2);
}

export function float8E5M2ToFloat32(c: number): number {
  return decodeBits(c & 0xff, E5M2, 5);
}

/** Bulk float16 -> float32 over typed arrays (table lookup, no per-element objects). */
export function float16ArrayToFloat32(src: Uint16Array, dst = new Float32Array(src.length)): Float32Array {
  const t = float16Table();
  for (let i = 0; i < src.length; i++) dst[i] = t[src[i]];
  return dst;
}

export function float32ArrayToFloat16(src: ArrayLike<number>, dst = new Uint16Array(src.length)): Uint16Array {
  for (let i = 0; i < src.length; i++) dst[i] = encodeBits(f32Bits(src[i]), F16);
  return dst;
}

export function bfloat16ArrayToFloat32(src: Uint16Array, dst = new Float32Array(src.length)): Float32Array {
  const out = new Uint32Array(dst.buffer, dst.byteOffset, dst.length);
  for (let i = 0; i < src.length; i++) out[i] = src[i] << 16;
  return dst;
}

export function float32ArrayToBfloat16(src: ArrayLike<number>, dst = new Uint16Array(src.length)): Uint16Array {
  for (let i = 0; i < src.length; i++) dst[i] = float32ToBfloat16(src[i]);
  return dst;
}

const f8Tables: { [K in "float8_e4m3fn" | "float8_e5m2"]?: Float32Array } = {};

/** Decode table for all 256 codes of a float8 format, built once. */
function float8Table(kind: "float8_e4m3fn" | "float8_e5m2"): Float32Array {
  let table = f8Tables[kind];
  if (table === undefined) {
    table = new Float32Array(256);
    for (let c = 0; c < 256; c++) table[c] = kind === "float8_e4m3fn" ? float8E4M3FNToFloat32(c) : float8E5M2ToFloat32(c);
    f8Tables[kind] = table;
  }
  return table;
}

export function float8ArrayToFloat32(
  src: Uint8Array,
  kind: "float8_e4m3fn" | "float8_e5m2",
  dst = new Float32Array(src.length),
): Float32Array {
  const table = float8Table(kind);
  for (let i = 0; i < src.length; i++) dst[i] = table[src[i]];
  return dst;
}
