import type { DType, NumericDType } from "./dtype.js";

/**
 * NumPy type strings without the byte-order character (kind letter + item
 * size, as `dtype.str[1:]` spells them) for every dtype that NumPy and the
 * DESIGN.md section 4 table share. Used by every codec that meets NumPy
 * arrays: .npy headers, pickled ndarrays, HDF5 files written by h5py.
 */
export const NUMPY_TYPESTR_DTYPE: Readonly<Record<string, NumericDType>> = {
  b1: "bool",
  i1: "int8",
  u1: "uint8",
  i2: "int16",
  u2: "uint16",
  i4: "int32",
  u4: "uint32",
  i8: "int64",
  u8: "uint64",
  f2: "float16",
  f4: "float32",
  f8: "float64",
  c8: "complex64",
  c16: "complex128",
};

/** The NumPy type string of a dtype, or undefined where NumPy has none (bfloat16, float8, string). */
export const DTYPE_NUMPY_TYPESTR: Readonly<Partial<Record<DType, string>>> = Object.fromEntries(
  Object.entries(NUMPY_TYPESTR_DTYPE).map(([typestr, dtype]) => [dtype, typestr]),
);
