import type { DType } from "@codec/core";

/**
 * The safetensors dtype names, in the reference writer's rank order
 * (safetensors crate `Dtype`, a Rust enum whose declaration order is its
 * `Ord`: "They MUST be in increasing alignment order"). The writer sorts
 * tensors by this rank descending, so wide dtypes come first and stay
 * aligned. `bits` is the element width the reference validates sizes with
 * (F4 packs two elements per byte).
 */
export const SAFETENSORS_DTYPES = [
  "BOOL",
  "F4",
  "F6_E2M3",
  "F6_E3M2",
  "U8",
  "I8",
  "F8_E5M2",
  "F8_E4M3",
  "F8_E8M0",
  "F8_E4M3FNUZ",
  "F8_E5M2FNUZ",
  "I16",
  "U16",
  "F16",
  "BF16",
  "I32",
  "U32",
  "F32",
  "C64",
  "F64",
  "I64",
  "U64",
] as const;

export type SafetensorsDType = (typeof SAFETENSORS_DTYPES)[number];

const BITS: Readonly<Record<SafetensorsDType, number>> = {
  BOOL: 8,
  F4: 4,
  F6_E2M3: 6,
  F6_E3M2: 6,
  U8: 8,
  I8: 8,
  F8_E5M2: 8,
  F8_E4M3: 8,
  F8_E8M0: 8,
  F8_E4M3FNUZ: 8,
  F8_E5M2FNUZ: 8,
  I16: 16,
  U16: 16,
  F16: 16,
  BF16: 16,
  I32: 32,
  U32: 32,
  F32: 32,
  C64: 64,
  F64: 64,
  I64: 64,
  U64: 64,
};

/**
 * safetensors name -> @codec/core DType (DESIGN.md section 4 spelling).
 * Dtypes the reference knows but core cannot represent yet (F4, F6_*,
 * F8_E8M0, the FNUZ variants) are absent: the header reader validates them
 * like the reference does, and the tensor-level API reports UNSUPPORTED.
 */
const TO_CORE: Partial<Record<SafetensorsDType, DType>> = {
  BOOL: "bool",
  U8: "uint8",
  I8: "int8",
  I16: "int16",
  U16: "uint16",
  F16: "float16",
  BF16: "bfloat16",
  I32: "int32",
  U32: "uint32",
  F32: "float32",
  F64: "float64",
  I64: "int64",
  U64: "uint64",
  F8_E4M3: "float8_e4m3fn",
  F8_E5M2: "float8_e5m2",
  C64: "complex64",
};

const FROM_CORE = new Map<DType, SafetensorsDType>(
  Object.entries(TO_CORE).map(([st, core]) => [core as DType, st as SafetensorsDType]),
);

const RANK = new Map<string, number>(SAFETENSORS_DTYPES.map((d, i) => [d, i]));

export function isSafetensorsDType(value: unknown): value is SafetensorsDType {
  return typeof value === "string" && RANK.has(value);
}

/** Position in the reference enum; higher ranks are written first. */
export function dtypeRank(dtype: SafetensorsDType): number {
  return RANK.get(dtype) ?? -1;
}

export function dtypeBits(dtype: SafetensorsDType): number {
  return BITS[dtype];
}

/** The core DType of a safetensors dtype, or undefined when core has none. */
export function toCoreDType(dtype: SafetensorsDType): DType | undefined {
  return TO_CORE[dtype];
}

/** The safetensors dtype of a core DType, or undefined (complex128, string). */
export function fromCoreDType(dtype: DType): SafetensorsDType | undefined {
  return FROM_CORE.get(dtype);
}
