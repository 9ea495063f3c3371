import { fail } from "@codec/core";
import { FORMAT } from "../../context.js";
import type { ZfpBitReader } from "./zfp-bitstream.js";

/** zfp_type: the scalar a stream holds (zfp.h: int32 = 1, int64, float, double). */
export type ZfpScalar = "int32" | "int64" | "float32" | "float64";

const SCALARS: readonly ZfpScalar[] = ["int32", "int64", "float32", "float64"];

/** Bytes of one scalar of each type. */
export function zfpScalarBytes(type: ZfpScalar): number {
  return type === "int32" || type === "float32" ? 4 : 8;
}

/** zfp's defaults (zfp.h): ZFP_MIN_BITS, ZFP_MAX_PREC, ZFP_MIN_EXP. */
export const ZFP_MIN_BITS = 1;
export const ZFP_MAX_PREC = 64;
export const ZFP_MIN_EXP = -1074;
/** ZFP_MAX_BITS: 16658 since zfp 1.0.0 ("ZFP_MAX_BITS is off by one" in 0.5.5, which used 16657). */
export const ZFP_MAX_BITS = 16658;
export const ZFP_MAX_BITS_055 = 16657;

/** The codec version zfp 0.5.x and 1.0.x write after the magic (zfp_codec_version). */
export const ZFP_CODEC = 5;

/** The compression parameters of a stream (zfp_stream's minbits/maxbits/maxprec/minexp). */
export interface ZfpMode {
  readonly minbits: number;
  readonly maxbits: number;
  readonly maxprec: number;
  readonly minexp: number;
  /** zfp's REVERSIBLE(zfp): minexp below ZFP_MIN_EXP. */
  readonly reversible: boolean;
  /** zfp_stream_compression_mode, for messages. */
  readonly kind: "fixed-rate" | "fixed-precision" | "fixed-accuracy" | "reversible" | "expert";
}

export interface ZfpHeader {
  readonly type: ZfpScalar;
  /** nx, ny, nz, nw: nx varies fastest; length is the dimensionality (1..4). */
  readonly dims: readonly number[];
  readonly mode: ZfpMode;
}

/**
 * zfp_stream_set_params plus zfp_stream_compression_mode: a mode is valid
 * when minbits <= maxbits and 1 <= maxprec <= 64; zfp's own defaults for
 * all four parameters count as expert mode (what H5Z-ZFP writes when no
 * mode was chosen).
 */
export function zfpMode(minbits: number, maxbits: number, maxprec: number, minexp: number, maxBitsDefault = ZFP_MAX_BITS): ZfpMode {
  if (minbits > maxbits || maxprec < 1 || maxprec > ZFP_MAX_PREC)
    fail("CORRUPT", FORMAT, `zfp mode is invalid (minbits ${minbits}, maxbits ${maxbits}, maxprec ${maxprec})`);
  const open = minbits <= ZFP_MIN_BITS && maxbits >= maxBitsDefault;
  let kind: ZfpMode["kind"] = "expert";
  if (minbits === ZFP_MIN_BITS && maxbits === maxBitsDefault && maxprec === ZFP_MAX_PREC && minexp === ZFP_MIN_EXP) kind = "expert";
  else if (minbits === maxbits && minbits >= 1 && maxbits <= maxBitsDefault && maxprec === ZFP_MAX_PREC && minexp === ZFP_MIN_EXP) kind = "fixed-rate";
  else if (open && minexp === ZFP_MIN_EXP) kind = "fixed-precision";
  else if (open && maxprec === ZFP_MAX_PREC && minexp > ZFP_MIN_EXP) kind = "fixed-accuracy";
  else if (open && maxprec === ZFP_MAX_PREC && minexp < ZFP_MIN_EXP) kind = "reversible";
  return { minbits, maxbits, maxprec, minexp, reversible: minexp < ZFP_MIN_EXP, kind };
}

/**
 * zfp_stream_set_mode: a 12-bit short form (0..4094: fixed rate maxbits-1,
 * 2048 + maxprec-1, 2176 reversible, 2177 + minexp-ZFP_MIN_EXP) or the
 * 64-bit form (low 12 bits all ones; then 15 bits minbits-1, 15 bits
 * maxbits-1, 7 bits maxprec-1, 15 bits minexp+16495). `high` is the 52 bits
 * above the low 12 of the long form.
 */
export function zfpModeFromBits(short: number, high: number, maxBitsDefault = ZFP_MAX_BITS): ZfpMode {
  if (short < 4095) {
    if (short < 2048) return zfpMode(short + 1, short + 1, ZFP_MAX_PREC, ZFP_MIN_EXP, maxBitsDefault);
    if (short < 2048 + 128) return zfpMode(ZFP_MIN_BITS, maxBitsDefault, short + 1 - 2048, ZFP_MIN_EXP, maxBitsDefault);
    if (short === 2048 + 128) return zfpMode(ZFP_MIN_BITS, maxBitsDefault, ZFP_MAX_PREC, ZFP_MIN_EXP - 1, maxBitsDefault);
    return zfpMode(ZFP_MIN_BITS, maxBitsDefault, ZFP_MAX_PREC, short + ZFP_MIN_EXP - (2048 + 128 + 1), maxBitsDefault);
  }
  // high < 2^52: split into 15/15/7/15 bit fields with exact arithmetic.
  const minbits = (high % 32768) + 1;
  let rest = Math.floor(high / 32768);
  const maxbits = (rest % 32768) + 1;
  rest = Math.floor(rest / 32768);
  const maxprec = (rest % 128) + 1;
  rest = Math.floor(rest / 128);
  const minexp = (rest % 32768) - 16495;
  return zfpMode(minbits, maxbits, maxprec, minexp, maxBitsDefault);
}

/**
 * zfp_field_set_metadata: the 52-bit meta word holds the type (2 bits,
 * type - 1), the dimensionality (2 bits, dims - 1) and the sizes minus one
 * (48 bits for 1D, 24 each for 2D, 16 each for 3D, 12 each for 4D), nx first.
 */
export function zfpFieldFromMeta(meta: number): { type: ZfpScalar; dims: number[] } {
  const type = SCALARS[meta % 4];
  let rest = Math.floor(meta / 4);
  const nd = (rest % 4) + 1;
  rest = Math.floor(rest / 4);
  const width = nd === 1 ? 48 : nd === 2 ? 24 : nd === 3 ? 16 : 12;
  const unit = 2 ** width;
  const dims: number[] = [];
  for (let d = 0; d < nd; d++) {
    dims.push((rest % unit) + 1);
    rest = Math.floor(rest / unit);
  }
  return { type, dims };
}

/**
 * zfp_read_header with ZFP_HEADER_FULL: magic "zfp" and the codec version
 * (8 bits each), 52 bits of field metadata, then the 12- or 64-bit mode.
 */
export function readZfpHeader(r: ZfpBitReader, maxBitsDefault = ZFP_MAX_BITS): ZfpHeader {
  const z = r.readBits(8);
  const f = r.readBits(8);
  const p = r.readBits(8);
  if (z !== 0x7a || f !== 0x66 || p !== 0x70) fail("BAD_MAGIC", FORMAT, "zfp header does not start with 'zfp'");
  const codec = r.readBits(8);
  if (codec !== ZFP_CODEC) fail("UNSUPPORTED", FORMAT, `unsupported zfp codec version ${codec} (only codec ${ZFP_CODEC}, zfp 0.5.x/1.0.x, is supported)`);
  const { type, dims } = zfpFieldFromMeta(r.readWide(52));
  const short = r.readBits(12);
  const high = short === 4095 ? r.readWide(52) : 0;
  return { type, dims, mode: zfpModeFromBits(short, high, maxBitsDefault) };
}
