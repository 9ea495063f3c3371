import { type DType, fail } from "@codec/core";
import type {
  CompoundType,
  Datatype,
  EnumType,
  FixedPointType,
  FloatingPointType,
  StringType,
  VlenStringType,
} from "../model.js";

/**
 * The datatypes h5py writes for numpy dtypes (little-endian), and the
 * mapping from the core dtype names (DESIGN.md section 4) to them.
 */

export function intType(size: number, signed: boolean): FixedPointType {
  return { class: "fixed-point", size, signed, byteOrder: "LE", bitOffset: 0, precision: size * 8 };
}

interface FloatLayout {
  size: number;
  expLoc: number;
  expSize: number;
  mantSize: number;
  bias: number;
}

function floatType(l: FloatLayout): FloatingPointType {
  return {
    class: "floating-point",
    size: l.size,
    byteOrder: "LE",
    bitOffset: 0,
    precision: l.size * 8,
    signLocation: l.size * 8 - 1,
    exponentLocation: l.expLoc,
    exponentSize: l.expSize,
    mantissaLocation: 0,
    mantissaSize: l.mantSize,
    exponentBias: l.bias,
    mantissaNormalization: "implied",
  };
}

/** IEEE binary16/32/64 exactly as H5T_IEEE_F16LE / F32LE / F64LE (numpy '<f2', '<f4', '<f8'). */
export const FLOAT16 = floatType({ size: 2, expLoc: 10, expSize: 5, mantSize: 10, bias: 15 });
export const FLOAT32 = floatType({ size: 4, expLoc: 23, expSize: 8, mantSize: 23, bias: 127 });
export const FLOAT64 = floatType({ size: 8, expLoc: 52, expSize: 11, mantSize: 52, bias: 1023 });
/**
 * bfloat16 has no standard HDF5 type: it is written as a custom 16-bit float
 * with the bfloat16 bit layout (sign 15, exponent 7..14 bias 127, mantissa
 * 0..6). libhdf5 converts it exactly to any wider native float; h5py picks
 * numpy float32 for it (the exponent does not fit float16) and reads exact
 * values.
 */
export const BFLOAT16 = floatType({ size: 2, expLoc: 7, expSize: 8, mantSize: 7, bias: 127 });
/** float8_e5m2 is IEEE-like (inf and NaN at the top exponent): a custom 1-byte float. */
export const FLOAT8_E5M2 = floatType({ size: 1, expLoc: 2, expSize: 5, mantSize: 2, bias: 15 });
/**
 * float8_e4m3fn as a custom 1-byte float (sign 7, exponent 3..6 bias 7,
 * mantissa 0..2). The bits are kept exactly; note that libhdf5's own
 * conversion treats the top exponent as inf/NaN, which e4m3fn does not.
 */
export const FLOAT8_E4M3FN = floatType({ size: 1, expLoc: 3, expSize: 4, mantSize: 3, bias: 7 });

/** h5py's bool: an enum over int8 with FALSE=0, TRUE=1. */
export const BOOL_ENUM: EnumType = {
  class: "enum",
  size: 1,
  base: intType(1, true),
  members: [
    { name: "FALSE", value: 0 },
    { name: "TRUE", value: 1 },
  ],
};

/** h5py's complex: a compound {r, i} of two IEEE floats. */
export function complexType(part: FloatingPointType): CompoundType {
  return {
    class: "compound",
    size: part.size * 2,
    members: [
      { name: "r", offset: 0, type: part },
      { name: "i", offset: part.size, type: part },
    ],
  };
}

/** h5py.string_dtype(): variable-length, NUL-terminated, UTF-8. */
export const VLEN_UTF8: VlenStringType = { class: "vlen", kind: "string", size: 16, padding: "null-terminate", charset: "utf-8" };

/** numpy 'S<n>': fixed-length, NUL-padded, ASCII (what h5py writes for bytes). */
export function fixedStringType(size: number, charset: "ascii" | "utf-8" = "ascii"): StringType {
  return { class: "string", size: Math.max(1, size), padding: "null-pad", charset };
}

/** The HDF5 datatype our writer uses for a core dtype. */
export function datatypeForDType(dtype: DType): Datatype {
  switch (dtype) {
    case "bool":
      return BOOL_ENUM;
    case "int8":
      return intType(1, true);
    case "uint8":
      return intType(1, false);
    case "int16":
      return intType(2, true);
    case "uint16":
      return intType(2, false);
    case "int32":
      return intType(4, true);
    case "uint32":
      return intType(4, false);
    case "int64":
      return intType(8, true);
    case "uint64":
      return intType(8, false);
    case "float16":
      return FLOAT16;
    case "bfloat16":
      return BFLOAT16;
    case "float32":
      return FLOAT32;
    case "float64":
      return FLOAT64;
    case "float8_e4m3fn":
      return FLOAT8_E4M3FN;
    case "float8_e5m2":
      return FLOAT8_E5M2;
    case "complex64":
      return complexType(FLOAT32);
    case "complex128":
      return complexType(FLOAT64);
    case "string":
      return VLEN_UTF8;
    default:
      return fail("UNSUPPORTED", "hdf5", `no HDF5 datatype for dtype ${String(dtype)}`);
  }
}
