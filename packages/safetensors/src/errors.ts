import { type ErrorCode, fail } from "@codec/core";

export const FORMAT = "safetensors";

/**
 * Every safetensors rejection carries a `detail`: the reference
 * implementation's error name (Rust `SafeTensorError` / `InvalidSlice`
 * variants) when the reference rejects the input too, or one of our own
 * names (last block) where we are deliberately stricter. This table maps
 * each name to the repo-wide CodecError code (DESIGN.md section 7).
 */
export const DETAIL_CODES = {
  // Reference: SafeTensorError
  HeaderTooSmall: "TRUNCATED",
  HeaderTooLarge: "LIMIT",
  InvalidHeaderLength: "TRUNCATED",
  InvalidHeader: "CORRUPT",
  InvalidHeaderStart: "BAD_MAGIC",
  InvalidHeaderDeserialization: "CORRUPT",
  InvalidOffset: "CORRUPT",
  TensorInvalidInfo: "CORRUPT",
  MetadataIncompleteBuffer: "CORRUPT",
  ValidationOverflow: "LIMIT",
  InvalidTensorView: "USAGE",
  TensorNotFound: "USAGE",
  // Reference: InvalidSlice
  MisalignedSlice: "UNSUPPORTED",
  TooManySlices: "USAGE",
  SliceOutOfRange: "USAGE",
  // Ours (stricter than the reference, or outside its scope)
  DuplicateTensorName: "CORRUPT",
  DuplicateMetadataKey: "CORRUPT",
  MetadataIsTensor: "CORRUPT",
  IntegerTooLarge: "LIMIT",
  TensorTooLarge: "LIMIT",
  UnsupportedDtype: "UNSUPPORTED",
  InvalidIndex: "CORRUPT",
  InvalidArgument: "USAGE",
} as const satisfies Record<string, ErrorCode>;

export type SafetensorsErrorDetail = keyof typeof DETAIL_CODES;

/** Throw the CodecError for `detail` (code looked up in DETAIL_CODES). */
export function stFail(detail: SafetensorsErrorDetail, message: string, offset?: number): never {
  return fail(DETAIL_CODES[detail], FORMAT, message, { detail, offset });
}
