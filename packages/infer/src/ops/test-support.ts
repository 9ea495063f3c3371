/**
 * For the op families' unit tests: runs one registered op on working
 * tensors with plain attribute values, without building an ONNX graph.
 */
import { type DType, fail } from "@codec/core";
import { codecErrorOf } from "@codec/testing";
import { arrayFor, type NumArray, nums, type RTensor, tensor } from "../tensor.js";
import { type OpContext, opFor } from "./registry.js";
import "./index.js";

export type Attr = number | number[] | string | string[];

const isNumbers = (v: Attr): boolean => Array.isArray(v) && v.every((e) => typeof e === "number");

export function runOp(opType: string, inputs: (RTensor | undefined)[], attrs: Record<string, Attr> = {}, opset = 23, outputCount = 1): RTensor[] {
  const impl = opFor(opType, "");
  if (impl === undefined) return fail("UNSUPPORTED", "infer", `no ${opType}`);
  const get = <T>(name: string, ok: (v: Attr) => boolean, fallback: T | undefined): T => {
    const v = attrs[name];
    if (v !== undefined && ok(v)) return v as T;
    if (fallback !== undefined) return fallback;
    return fail("CORRUPT", "infer", `${opType} test needs attribute ${name}`);
  };
  const ctx: OpContext = {
    opType,
    opset,
    nodeName: "test",
    outputCount,
    has: (name) => name in attrs,
    int: (name, fallback) => get(name, (v) => typeof v === "number", fallback),
    ints: (name, fallback) => get(name, isNumbers, fallback),
    float: (name, fallback) => get(name, (v) => typeof v === "number", fallback),
    floats: (name, fallback) => get(name, isNumbers, fallback),
    string: (name, fallback) => get(name, (v) => typeof v === "string", fallback),
    strings: (name, fallback) => get(name, (v) => Array.isArray(v) && v.every((e) => typeof e === "string"), fallback),
    tensor: () => undefined,
    graph: () => undefined,
    attribute: () => undefined,
    runGraph: () => fail("UNSUPPORTED", "infer", "subgraphs in a test"),
  };
  return impl(inputs, ctx);
}

/** A tensor of `dtype` from plain values. */
export function t(dtype: DType, shape: number[], values: number[]): RTensor {
  const a = arrayFor(dtype, values.length) as NumArray;
  for (let i = 0; i < values.length; i++) a[i] = values[i];
  return tensor(dtype, shape, a);
}

export const f32 = (shape: number[], values: number[]): RTensor => t("float32", shape, values);

/** Values 0, 1, 2, ... scaled, as float32. */
export function iota(shape: number[], scale = 1, offset = 0): RTensor {
  let n = 1;
  for (const d of shape) n *= d;
  return f32(shape, Array.from({ length: n }, (_, i) => i * scale + offset));
}

export function values(r: RTensor): number[] {
  return Array.from(nums(r));
}

/** The CodecError code `fn` fails with (any other error is rethrown; no error fails the test). */
export function codecError(fn: () => unknown): string {
  return codecErrorOf(fn).code;
}
