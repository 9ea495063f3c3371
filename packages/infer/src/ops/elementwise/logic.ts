/**
 * Comparisons (Equal, Less, Greater, LessOrEqual, GreaterOrEqual -> bool),
 * boolean logic (And, Or, Xor, Not), IsNaN, IsInf, Where, and the integer
 * bit operations (BitShift, BitwiseAnd/Or/Xor/Not). All broadcast like numpy
 * (ONNX Broadcasting.md).
 */
import { type DType, fail } from "@codec/core";
import { broadcastShapes } from "../../broadcast.js";
import { nums, numel, type RTensor, tensor } from "../../tensor.js";
import { input, type OpContext, type OpImpl, registerOps } from "../registry.js";
import { broadcastOperands, expandTo, F, isInteger, legacyAligned, mapBinary, mapUnary, numArray, requireNumeric, sameDtype } from "./kernels.js";

/** A comparison of two same-typed tensors into a bool tensor. */
function compare(test: (a: number, b: number) => boolean, strings = false): OpImpl {
  return (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    const y = legacyAligned(x, input(inputs, 1, ctx), ctx);
    const dtype = sameDtype([x, y], ctx);
    if (dtype === "string") {
      // Equal-19 compares strings; no other comparison takes them.
      if (!strings) return fail("UNSUPPORTED", F, `${ctx.opType} node '${ctx.nodeName}' has string inputs`);
      const shape = broadcastShapes(x.shape, y.shape);
      const a = expandTo(x.data as string[], x.shape, shape);
      const b = expandTo(y.data as string[], y.shape, shape);
      const out = new Uint8Array(a.length);
      for (let i = 0; i < out.length; i++) out[i] = a[i] === b[i] ? 1 : 0;
      return [tensor("bool", shape, out)];
    }
    const { shape, arrays } = broadcastOperands([x, y]);
    const [a, b] = arrays;
    const out = new Uint8Array(numel(shape));
    for (let i = 0; i < out.length; i++) out[i] = test(a[i], b[i]) ? 1 : 0;
    return [tensor("bool", shape, out)];
  };
}

/** A binary op on bool tensors. */
function logical(f: (a: number, b: number) => number): OpImpl {
  return (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    const y = legacyAligned(x, input(inputs, 1, ctx), ctx);
    requireBool(x, ctx);
    requireBool(y, ctx);
    return [mapBinary(x, y, "bool", f)];
  };
}

function requireBool(t: RTensor, ctx: OpContext): void {
  if (t.dtype !== "bool") fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}' takes bool inputs, not ${t.dtype}`);
}

function requireInteger(dtype: DType, ctx: OpContext): void {
  if (!isInteger(dtype)) fail("UNSUPPORTED", F, `${ctx.opType} node '${ctx.nodeName}' takes integer inputs, not ${dtype}`);
}

const TWO32 = 4294967296;
const TWO64 = 2 ** 64;

/**
 * A bitwise op on integer tensors. Up to 32 bits JS's int32 bit operators
 * do it (the typed-array store restores unsigned/narrow types); 64-bit
 * values (held as doubles) are split into a high and a low 32-bit word.
 */
function bitwise(op: (a: number, b: number) => number): OpImpl {
  return (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    const y = input(inputs, 1, ctx);
    const dtype = sameDtype([x, y], ctx);
    requireInteger(dtype, ctx);
    if (dtype !== "int64" && dtype !== "uint64") return [mapBinary(x, y, dtype, op)];
    const unsigned = dtype === "uint64";
    return [
      mapBinary(x, y, dtype, (a, b) => {
        const ha = Math.floor(a / TWO32);
        const hb = Math.floor(b / TWO32);
        const lo = op(a - ha * TWO32, b - hb * TWO32) >>> 0;
        const hi = op(ha, hb);
        return (unsigned ? hi >>> 0 : hi) * TWO32 + lo;
      }),
    ];
  };
}

/** Bit width of an unsigned integer dtype (BitShift takes only these). */
function unsignedBits(dtype: DType, ctx: OpContext): number {
  switch (dtype) {
    case "uint8":
      return 8;
    case "uint16":
      return 16;
    case "uint32":
      return 32;
    case "uint64":
      return 64;
    default:
      return fail("UNSUPPORTED", F, `BitShift node '${ctx.nodeName}' takes unsigned integers, not ${dtype}`);
  }
}

registerOps({
  // Equal-19 adds strings; bool is compared as 0/1.
  Equal: compare((a, b) => a === b, true),
  Less: compare((a, b) => a < b),
  Greater: compare((a, b) => a > b),
  LessOrEqual: compare((a, b) => a <= b),
  GreaterOrEqual: compare((a, b) => a >= b),
  And: logical((a, b) => a & b),
  Or: logical((a, b) => a | b),
  Xor: logical((a, b) => a ^ b),
  Not: (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    requireBool(x, ctx);
    return [mapUnary(x, (v) => (v === 0 ? 1 : 0))];
  },
  IsNaN: (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    requireNumeric(x.dtype, ctx);
    const a = nums(x);
    const out = new Uint8Array(a.length);
    for (let i = 0; i < a.length; i++) out[i] = Number.isNaN(a[i]) ? 1 : 0;
    return [tensor("bool", x.shape, out)];
  },
  IsInf: (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    requireNumeric(x.dtype, ctx);
    const pos = ctx.int("detect_positive", 1) !== 0;
    const neg = ctx.int("detect_negative", 1) !== 0;
    const a = nums(x);
    const out = new Uint8Array(a.length);
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      out[i] = (pos && v === Number.POSITIVE_INFINITY) || (neg && v === Number.NEGATIVE_INFINITY) ? 1 : 0;
    }
    return [tensor("bool", x.shape, out)];
  },
  Where: (inputs, ctx) => {
    // Where-9/16: condition ? X : Y, all three broadcast together; X and Y share a type (any, strings too).
    const c = input(inputs, 0, ctx);
    const x = input(inputs, 1, ctx);
    const y = input(inputs, 2, ctx);
    requireBool(c, ctx);
    const dtype = sameDtype([x, y], ctx);
    const shape = broadcastShapes(c.shape, x.shape, y.shape);
    const cond = expandTo(nums(c), c.shape, shape);
    if (dtype === "string") {
      const a = expandTo(x.data as string[], x.shape, shape);
      const b = expandTo(y.data as string[], y.shape, shape);
      const out = new Array<string>(cond.length);
      for (let i = 0; i < out.length; i++) out[i] = cond[i] !== 0 ? a[i] : b[i];
      return [tensor(dtype, shape, out)];
    }
    const a = expandTo(nums(x), x.shape, shape);
    const b = expandTo(nums(y), y.shape, shape);
    const out = numArray(dtype, cond.length);
    for (let i = 0; i < out.length; i++) out[i] = cond[i] !== 0 ? a[i] : b[i];
    return [tensor(dtype, shape, out)];
  },
  BitShift: (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    const y = input(inputs, 1, ctx);
    const dtype = sameDtype([x, y], ctx);
    const bits = unsignedBits(dtype, ctx);
    const direction = ctx.string("direction", "");
    // Shifting by the width or more leaves no bits. Left shifts multiply by
    // 2^s (exact in doubles) and drop the bits above the width.
    if (direction === "LEFT") {
      if (bits === 64) return [mapBinary(x, y, dtype, (a, s) => (s >= 64 ? 0 : (a * 2 ** s) % TWO64))];
      return [mapBinary(x, y, dtype, (a, s) => (s >= bits ? 0 : a * 2 ** s))];
    }
    if (direction === "RIGHT") return [mapBinary(x, y, dtype, (a, s) => (s >= bits ? 0 : Math.floor(a / 2 ** s)))];
    return fail("CORRUPT", F, `BitShift node '${ctx.nodeName}' has direction '${direction}' (LEFT or RIGHT)`);
  },
  BitwiseAnd: bitwise((a, b) => a & b),
  BitwiseOr: bitwise((a, b) => a | b),
  BitwiseXor: bitwise((a, b) => a ^ b),
  BitwiseNot: (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    requireInteger(x.dtype, ctx);
    // ~v = -v - 1 in two's complement; uint64 is 2^64 - 1 - v.
    if (x.dtype === "int64") return [mapUnary(x, (v) => -v - 1)];
    if (x.dtype === "uint64") return [mapUnary(x, (v) => TWO64 - 1 - v)];
    return [mapUnary(x, (v) => ~v)];
  },
});
