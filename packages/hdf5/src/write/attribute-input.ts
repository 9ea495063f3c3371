import { fail, Tensor, type TypedArray } from "@codec/core";
import type { AttributeValue, Dataspace, Datatype } from "../model.js";
import { BOOL_ENUM, datatypeForDType, FLOAT32, FLOAT64, fixedStringType, intType, VLEN_UTF8 } from "./standard-types.js";

/**
 * What `setAttribute` accepts, and how plain JS values map to HDF5 types
 * (the same choices h5py makes for the corresponding Python values).
 */

/** An attribute with an explicit datatype and dataspace (e.g. from the reader's model). */
export interface TypedAttributeValue {
  readonly type: Datatype;
  /** Dimensions, `[]` or undefined for a scalar; or a full Dataspace. */
  readonly space?: Dataspace | readonly number[];
  readonly value: AttributeValue | Uint8Array;
}

export type AttributeInput =
  | string
  | number
  | bigint
  | boolean
  | readonly string[]
  | readonly number[]
  | readonly boolean[]
  | TypedArray
  | Tensor
  | TypedAttributeValue;

export interface NormalizedValue {
  type: Datatype;
  space: Dataspace;
  value: AttributeValue | Uint8Array | readonly unknown[];
}

export function toDataspace(space: Dataspace | readonly number[] | undefined | null): Dataspace {
  if (space === undefined || space === null) return { kind: "scalar", dims: [] };
  if (Array.isArray(space)) {
    const dims = space as readonly number[];
    return dims.length === 0 ? { kind: "scalar", dims: [] } : { kind: "simple", dims: [...dims] };
  }
  return space as Dataspace;
}

function simple(n: number): Dataspace {
  return { kind: "simple", dims: [n] };
}

function isTyped(v: unknown): v is TypedAttributeValue {
  return typeof v === "object" && v !== null && "type" in v && typeof (v as { type: unknown }).type === "object" && "value" in v;
}

/**
 * numpy 'S' strings as h5py writes them (fixed length = longest UTF-8
 * encoding, NUL-padded, ASCII charset): what Keras uses for `layer_names`
 * and `weight_names`.
 */
export function fixedStrings(values: string | readonly string[]): TypedAttributeValue {
  const list = typeof values === "string" ? [values] : values;
  const enc = new TextEncoder();
  const size = list.reduce((m, s) => Math.max(m, enc.encode(s).length), 1);
  return {
    type: fixedStringType(size),
    space: typeof values === "string" ? [] : [list.length],
    value: typeof values === "string" ? values : [...list],
  };
}

export function normalizeAttribute(value: AttributeInput, where: string): NormalizedValue {
  if (value instanceof Tensor) {
    return { type: datatypeForDType(value.dtype), space: toDataspace(value.shape), value: value.data as Uint8Array | string[] };
  }
  if (isTyped(value)) return { type: value.type, space: toDataspace(value.space), value: value.value };
  switch (typeof value) {
    case "string":
      return { type: VLEN_UTF8, space: toDataspace([]), value };
    case "boolean":
      return { type: BOOL_ENUM, space: toDataspace([]), value };
    case "bigint":
      return { type: intType(8, true), space: toDataspace([]), value };
    case "number":
      return { type: Number.isInteger(value) ? intType(8, true) : FLOAT64, space: toDataspace([]), value };
  }
  if (value instanceof Float32Array) return { type: FLOAT32, space: simple(value.length), value };
  if (value instanceof Float64Array) return { type: FLOAT64, space: simple(value.length), value };
  if (value instanceof Int8Array) return { type: intType(1, true), space: simple(value.length), value };
  if (value instanceof Uint8Array) return { type: intType(1, false), space: simple(value.length), value };
  if (value instanceof Int16Array) return { type: intType(2, true), space: simple(value.length), value };
  if (value instanceof Uint16Array) return { type: intType(2, false), space: simple(value.length), value };
  if (value instanceof Int32Array) return { type: intType(4, true), space: simple(value.length), value };
  if (value instanceof Uint32Array) return { type: intType(4, false), space: simple(value.length), value };
  if (value instanceof BigInt64Array) return { type: intType(8, true), space: simple(value.length), value };
  if (value instanceof BigUint64Array) return { type: intType(8, false), space: simple(value.length), value };
  if (Array.isArray(value)) {
    const list = value as readonly unknown[];
    // numpy gives an empty list dtype float64, and so does h5py.
    if (list.length === 0) return { type: FLOAT64, space: simple(0), value: new Float64Array(0) };
    if (list.every((x) => typeof x === "string")) return { type: VLEN_UTF8, space: simple(list.length), value: list };
    if (list.every((x) => typeof x === "boolean")) return { type: BOOL_ENUM, space: simple(list.length), value: list };
    if (list.every((x) => typeof x === "number")) {
      const ints = list.every((x) => Number.isInteger(x));
      return { type: ints ? intType(8, true) : FLOAT64, space: simple(list.length), value: list };
    }
  }
  return fail("USAGE", "hdf5", `unsupported attribute value in ${where}`);
}
