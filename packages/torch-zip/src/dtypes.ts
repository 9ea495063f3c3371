import type { DType } from "@codec/core";

/**
 * PyTorch's storage classes and dtype objects as they appear in pickles
 * (torch/storage.py `_get_dtype_from_pickle_storage_type`, torch/_utils.py
 * `_element_size`). A storage class is pickled as the global
 * `torch.<Name>Storage`; a dtype as the global `torch.<name>`.
 */

/** Typed storage class name -> element dtype. */
export const STORAGE_CLASS_DTYPE: Readonly<Record<string, DType>> = {
  DoubleStorage: "float64",
  FloatStorage: "float32",
  HalfStorage: "float16",
  BFloat16Storage: "bfloat16",
  LongStorage: "int64",
  IntStorage: "int32",
  ShortStorage: "int16",
  CharStorage: "int8",
  ByteStorage: "uint8",
  BoolStorage: "bool",
  ComplexDoubleStorage: "complex128",
  ComplexFloatStorage: "complex64",
  // torch 2.x keeps bytes in UntypedStorage; tensors give the dtype (_rebuild_tensor_v3).
  UntypedStorage: "uint8",
};

/**
 * Quantized storages, with the raw element type of their bytes. Tensors over
 * the 8/32-bit ones (`_rebuild_qtensor`) read as those integers (`int_repr()`);
 * the sub-byte packings read as their packed bytes (what `int_repr()` returns for them).
 */
export const QUANTIZED_STORAGE_CLASSES: Readonly<Record<string, DType>> = {
  QUInt8Storage: "uint8",
  QInt8Storage: "int8",
  QInt32Storage: "int32",
  QUInt4x2Storage: "uint8",
  QUInt2x4Storage: "uint8",
};

/** dtype -> the typed storage class torch.save writes for it. */
export const DTYPE_STORAGE_CLASS: Readonly<Partial<Record<DType, string>>> = {
  float64: "DoubleStorage",
  float32: "FloatStorage",
  float16: "HalfStorage",
  bfloat16: "BFloat16Storage",
  int64: "LongStorage",
  int32: "IntStorage",
  int16: "ShortStorage",
  int8: "CharStorage",
  uint8: "ByteStorage",
  bool: "BoolStorage",
  complex128: "ComplexDoubleStorage",
  complex64: "ComplexFloatStorage",
};

/** `torch.<attr>` dtype objects (both the canonical and the alias spellings). */
export const TORCH_DTYPE_ATTR: Readonly<Record<string, DType>> = {
  float32: "float32",
  float: "float32",
  float64: "float64",
  double: "float64",
  float16: "float16",
  half: "float16",
  bfloat16: "bfloat16",
  complex64: "complex64",
  cfloat: "complex64",
  complex128: "complex128",
  cdouble: "complex128",
  uint8: "uint8",
  int8: "int8",
  int16: "int16",
  short: "int16",
  int32: "int32",
  int: "int32",
  int64: "int64",
  long: "int64",
  bool: "bool",
  uint16: "uint16",
  uint32: "uint32",
  uint64: "uint64",
  float8_e4m3fn: "float8_e4m3fn",
  float8_e5m2: "float8_e5m2",
};

/** Storage class for a storage global, or undefined when the name is not a storage class. */
export function storageClassDType(module: string, name: string): DType | undefined {
  if (module !== "torch" && module !== "torch.storage" && module !== "torch.cuda") return undefined;
  if (Object.hasOwn(STORAGE_CLASS_DTYPE, name)) return STORAGE_CLASS_DTYPE[name];
  return Object.hasOwn(QUANTIZED_STORAGE_CLASSES, name) ? QUANTIZED_STORAGE_CLASSES[name] : undefined;
}

export function torchDTypeOf(module: string, name: string): DType | undefined {
  if (module !== "torch") return undefined;
  return Object.hasOwn(TORCH_DTYPE_ATTR, name) ? TORCH_DTYPE_ATTR[name] : undefined;
}
