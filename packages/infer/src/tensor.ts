/**
 * The runner's working tensors. Elements are held in the typed array the
 * arithmetic wants, not in the file's encoding: float16, bfloat16 and
 * float8 widen to Float32Array (computed in float32, rounded back on
 * output); int64 and uint64 are held as Float64Array numbers (exact to
 * 2^53, which shapes, indices and counts never exceed) so that every op
 * works on plain numbers instead of BigInt; bool is a Uint8Array of 0/1.
 */
import { contiguousStrides, type DType, fail, numelOf } from "@codec/core";

export type NumArray = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;

export interface RTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: NumArray | string[];
}

/** The array type holding elements of `dtype` in a working tensor. */
export function arrayFor(dtype: DType, n: number): NumArray | string[] {
  switch (dtype) {
    case "float32":
    case "float16":
    case "bfloat16":
    case "float8_e4m3fn":
    case "float8_e5m2":
      return new Float32Array(n);
    case "float64":
    case "int64":
    case "uint64":
      return new Float64Array(n);
    case "int32":
      return new Int32Array(n);
    case "uint32":
      return new Uint32Array(n);
    case "int16":
      return new Int16Array(n);
    case "uint16":
      return new Uint16Array(n);
    case "int8":
      return new Int8Array(n);
    case "uint8":
    case "bool":
      return new Uint8Array(n);
    case "string":
      return new Array<string>(n).fill("");
    default:
      return fail("UNSUPPORTED", "infer", `the runner has no ${dtype} arithmetic`);
  }
}

export function tensor(dtype: DType, shape: readonly number[], data?: NumArray | string[]): RTensor {
  const n = numelOf(shape, "infer");
  const d = data ?? arrayFor(dtype, n);
  if (d.length !== n) fail("CORRUPT", "infer", `${dtype} tensor of shape [${shape.join(", ")}] given ${d.length} elements`);
  return { dtype, shape: [...shape], data: d };
}

/** The numeric elements (fails for string tensors). */
export function nums(t: RTensor): NumArray {
  if (Array.isArray(t.data)) return fail("UNSUPPORTED", "infer", "a string tensor where numbers are needed");
  return t.data as NumArray;
}

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** C-order strides in elements (core's contiguousStrides). */
export const stridesOf: (shape: readonly number[]) => number[] = contiguousStrides;

/**
 * The most elements one working tensor may hold: typed arrays beyond
 * 2^31 - 1 elements cannot be allocated on every engine, and a model
 * asking for more (a huge Pad, Tile, Expand, Resize or broadcast) is
 * refused with LIMIT before anything is allocated.
 */
export const MAX_ELEMENTS = 2 ** 31 - 1;

/** Elements of `shape`, failing (CORRUPT/LIMIT, never a RangeError) for shapes that cannot be allocated. */
export function checkedNumel(shape: readonly number[]): number {
  const n = numelOf(shape, "infer");
  // Each dimension too: index maps are allocated per axis even when another axis is 0.
  if (n > MAX_ELEMENTS || shape.some((d) => d > MAX_ELEMENTS)) fail("LIMIT", "infer", `a tensor of shape [${shape.join(", ")}] is too large for the runner`);
  return n;
}

/** Element values as plain numbers (shape inputs, axes, indices). */
export function toNumbers(t: RTensor): number[] {
  return Array.from(nums(t));
}

export function isFloat(dtype: DType): boolean {
  return dtype === "float32" || dtype === "float64" || dtype === "float16" || dtype === "bfloat16" || dtype === "float8_e4m3fn" || dtype === "float8_e5m2";
}
