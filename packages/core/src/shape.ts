import { fail } from "./errors.js";

/** Largest element count we accept: beyond 2^53 integer arithmetic is inexact. */
export const MAX_SAFE_ELEMENTS = Number.MAX_SAFE_INTEGER;

/**
 * Element count of a shape, checked: every dimension a non-negative safe
 * integer and the product exact. Decoders call this before sizing anything
 * from a header.
 */
export function numelOf(shape: readonly number[], format = "core", offset?: number): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) fail("CORRUPT", format, `invalid dimension ${d}`, { offset });
    n *= d;
    if (n > MAX_SAFE_ELEMENTS) fail("LIMIT", format, `shape [${shape.join(", ")}] has too many elements`, { offset });
  }
  return n;
}

/** C-order (row-major) strides in elements. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
