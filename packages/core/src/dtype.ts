/**
 * DType names are a fixed contract (DESIGN.md section 4): they follow
 * PyTorch's spelling so that tools can pass them through unchanged.
 */
export const DTYPE_NAMES = [
  "bool",
  "int8",
  "uint8",
  "int16",
  "uint16",
  "int32",
  "uint32",
  "int64",
  "uint64",
  "float16",
  "bfloat16",
  "float32",
  "float64",
  "float8_e4m3fn",
  "float8_e5m2",
  "complex64",
  "complex128",
  "string",
] as const;

export type DType = (typeof DTYPE_NAMES)[number];

export type NumericDType = Exclude<DType, "string">;

export type TypedArray =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

type TypedArrayConstructor<T extends TypedArray = TypedArray> = {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): T;
  new (length: number): T;
  readonly BYTES_PER_ELEMENT: number;
};

export interface DTypeInfo {
  readonly name: DType;
  /** Bytes per element; 0 for `string`, whose elements have no fixed size. */
  readonly size: number;
  /** The natural typed array of `Tensor.typed()`. */
  readonly array: TypedArrayConstructor | null;
  /** Elements per typed-array slot group (2 for complex: interleaved re, im). */
  readonly lanes: number;
  readonly kind: "bool" | "int" | "uint" | "float" | "complex" | "string";
}

const info = (
  name: DType,
  size: number,
  array: TypedArrayConstructor | null,
  kind: DTypeInfo["kind"],
  lanes = 1,
): DTypeInfo => ({ name, size, array, kind, lanes });

export const DTYPES: Readonly<Record<DType, DTypeInfo>> = {
  bool: info("bool", 1, Uint8Array, "bool"),
  int8: info("int8", 1, Int8Array, "int"),
  uint8: info("uint8", 1, Uint8Array, "uint"),
  int16: info("int16", 2, Int16Array, "int"),
  uint16: info("uint16", 2, Uint16Array, "uint"),
  int32: info("int32", 4, Int32Array, "int"),
  uint32: info("uint32", 4, Uint32Array, "uint"),
  int64: info("int64", 8, BigInt64Array, "int"),
  uint64: info("uint64", 8, BigUint64Array, "uint"),
  float16: info("float16", 2, Uint16Array, "float"),
  bfloat16: info("bfloat16", 2, Uint16Array, "float"),
  float32: info("float32", 4, Float32Array, "float"),
  float64: info("float64", 8, Float64Array, "float"),
  float8_e4m3fn: info("float8_e4m3fn", 1, Uint8Array, "float"),
  float8_e5m2: info("float8_e5m2", 1, Uint8Array, "float"),
  complex64: info("complex64", 8, Float32Array, "complex", 2),
  complex128: info("complex128", 16, Float64Array, "complex", 2),
  string: info("string", 0, null, "string"),
};

export function isDType(value: unknown): value is DType {
  return typeof value === "string" && Object.hasOwn(DTYPES, value);
}

export function dtypeSize(dtype: DType): number {
  return DTYPES[dtype].size;
}

/** Bytes needed for one scalar "lane" when byte-swapping (complex swaps each half). */
export function swapUnit(dtype: DType): number {
  const d = DTYPES[dtype];
  return d.size / d.lanes;
}
