import { DTYPES, DTYPE_NUMPY_TYPESTR, type DType, NUMPY_TYPESTR_DTYPE, type NumericDType, fail } from "@codec/core";
import type { PyValue } from "./py-literal.js";

/**
 * NumPy dtype descriptors (the header's 'descr', `dtype.str` for simple
 * dtypes: numpy/lib/format.py dtype_to_descr) mapped onto our DType names.
 * Only numeric and bool dtypes carry tensors; everything else is refused
 * with a reason.
 */

export type ByteOrder = "little" | "big";

export interface NpyDType {
  readonly dtype: NumericDType;
  /** Byte order of the stored elements ("little" for one-byte types). */
  readonly byteOrder: ByteOrder;
  /** The descriptor as written in the header. */
  readonly descr: string;
  readonly itemSize: number;
}

// Kind letter + item size -> DType, as numpy's type characters define them (shared table in core).
const SIMPLE = NUMPY_TYPESTR_DTYPE;

const WRITE = DTYPE_NUMPY_TYPESTR;

/** Why a kind letter is not supported, in numpy's terms. */
function unsupportedKind(kind: string, descr: string): string {
  switch (kind) {
    case "O":
      return `object arrays ('${descr}') hold pickles and are never loaded`;
    case "U":
      return `unicode string dtype '${descr}' is not supported`;
    case "S":
    case "a":
      return `byte string dtype '${descr}' is not supported`;
    case "V":
      return `void/raw dtype '${descr}' is not supported`;
    case "M":
    case "m":
      return `datetime dtype '${descr}' is not supported`;
    case "f":
    case "c":
      return `extended-precision dtype '${descr}' is not supported`;
    default:
      return `dtype '${descr}' is not supported`;
  }
}

/**
 * Parse the header's 'descr' value. Byte-order characters: '<' little,
 * '>' big, '|' not applicable, '=' native. '=' and '|' on multi-byte
 * types mean "the writer's native order"; every platform that writes such
 * files today is little-endian, so we read them as little-endian.
 */
export function parseDescr(value: PyValue, offset?: number): NpyDType {
  if (value.kind === "list") {
    return fail("UNSUPPORTED", "npy", "structured (record) dtypes are not supported", { offset });
  }
  if (value.kind === "tuple") {
    return fail("UNSUPPORTED", "npy", "sub-array dtypes are not supported", { offset });
  }
  if (value.kind !== "str") return fail("CORRUPT", "npy", "header 'descr' is not a string", { offset });
  const descr = value.value;
  const m = /^([<>|=]?)([A-Za-z])(\d*)(.*)$/s.exec(descr);
  if (!m) return fail("CORRUPT", "npy", `invalid dtype descriptor '${descr}'`, { offset });
  const [, order, kind, size, rest] = m;
  if (kind === "O") {
    return fail("UNSAFE", "npy", unsupportedKind(kind, descr), { offset });
  }
  const dtype = rest === "" ? SIMPLE[`${kind}${size}`] : undefined;
  if (dtype === undefined) {
    return fail("UNSUPPORTED", "npy", unsupportedKind(kind, descr), { offset });
  }
  const itemSize = DTYPES[dtype].size;
  const byteOrder: ByteOrder = order === ">" && itemSize > 1 ? "big" : "little";
  return { dtype, byteOrder, descr, itemSize };
}

/** The descriptor numpy writes for little-endian data of `dtype` (`dtype.str`). */
export function descrFor(dtype: DType): string {
  const code = WRITE[dtype];
  if (code === undefined) {
    const hint =
      dtype === "string"
        ? "string tensors"
        : `${dtype} (NumPy has no such dtype; convert to float32 first)`;
    return fail("UNSUPPORTED", "npy", `cannot store ${hint} in .npy`);
  }
  return DTYPES[dtype].size === 1 ? `|${code}` : `<${code}`;
}

/** True when `dtype` can be written to .npy. */
export function npyWritable(dtype: DType): boolean {
  return WRITE[dtype] !== undefined;
}
