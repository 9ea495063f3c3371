/**
 * TensorProto.DataType (onnx.proto) <-> the DESIGN.md section 4 dtype
 * names, and which repeated field holds the values of each type when
 * raw_data is not used (onnx.proto's comments on float_data, int32_data,
 * string_data, int64_data, double_data and uint64_data).
 */
import type { DType } from "@codec/core";

/** Where non-raw values of a data type live in a TensorProto. */
export type TypedField = "float_data" | "int32_data" | "string_data" | "int64_data" | "double_data" | "uint64_data";

export interface OnnxDataType {
  readonly code: number;
  /** The enum name in onnx.proto. */
  readonly onnxName: string;
  /** Our dtype, or null when DESIGN.md has no name for it yet. */
  readonly dtype: DType | null;
  readonly field: TypedField;
}

const T = (code: number, onnxName: string, dtype: DType | null, field: TypedField): OnnxDataType => ({ code, onnxName, dtype, field });

/** Indexed by code. */
const TYPES: readonly OnnxDataType[] = [
  T(0, "UNDEFINED", null, "int32_data"),
  T(1, "FLOAT", "float32", "float_data"),
  T(2, "UINT8", "uint8", "int32_data"),
  T(3, "INT8", "int8", "int32_data"),
  T(4, "UINT16", "uint16", "int32_data"),
  T(5, "INT16", "int16", "int32_data"),
  T(6, "INT32", "int32", "int32_data"),
  T(7, "INT64", "int64", "int64_data"),
  T(8, "STRING", "string", "string_data"),
  T(9, "BOOL", "bool", "int32_data"),
  // float16 and bfloat16 values sit in int32_data as their 16-bit patterns.
  T(10, "FLOAT16", "float16", "int32_data"),
  T(11, "DOUBLE", "float64", "double_data"),
  T(12, "UINT32", "uint32", "uint64_data"),
  T(13, "UINT64", "uint64", "uint64_data"),
  // Complex values are (real, imaginary) pairs in float_data / double_data.
  T(14, "COMPLEX64", "complex64", "float_data"),
  T(15, "COMPLEX128", "complex128", "double_data"),
  T(16, "BFLOAT16", "bfloat16", "int32_data"),
  T(17, "FLOAT8E4M3FN", "float8_e4m3fn", "int32_data"),
  T(18, "FLOAT8E4M3FNUZ", null, "int32_data"),
  T(19, "FLOAT8E5M2", "float8_e5m2", "int32_data"),
  T(20, "FLOAT8E5M2FNUZ", null, "int32_data"),
  T(21, "UINT4", null, "int32_data"),
  T(22, "INT4", null, "int32_data"),
  T(23, "FLOAT4E2M1", null, "int32_data"),
  T(24, "FLOAT8E8M0", null, "int32_data"),
  T(25, "UINT2", null, "int32_data"),
  T(26, "INT2", null, "int32_data"),
];

/** The data type with this enum value, or undefined for values onnx.proto does not define. */
export function onnxDataType(code: number): OnnxDataType | undefined {
  return TYPES[code];
}

const BY_DTYPE = new Map<DType, OnnxDataType>();
for (const t of TYPES) if (t.dtype !== null) BY_DTYPE.set(t.dtype, t);

/** The ONNX data type that stores a dtype (every DESIGN.md dtype has one). */
export function onnxTypeOf(dtype: DType): OnnxDataType | undefined {
  return BY_DTYPE.get(dtype);
}
