/**
 * Cast and CastLike (onnx/defs/tensor/defs.cc). Working tensors hold
 * float16/bfloat16/float8 widened to float32 (see tensor.ts), so a cast to
 * one of them rounds each value to the nearest representable one (the
 * encode/decode pair of @codec/core's minifloat.ts, round-to-nearest-even)
 * and keeps it widened. Float to integer truncates toward zero (C's
 * static_cast, numpy's astype); anything to bool is "!= 0".
 */
import {
  type DType,
  fail,
} from "@codec/core";
import { onnxDataType } from "@codec/onnx";
import { input, registerOps } from "../registry.js";
import { arrayFor, type NumArray, nums, type RTensor, tensor } from "../../tensor.js";


/** The dtype an ONNX TensorProto.DataType code names, failing for ones the runner lacks. */
import { roundToDType } from "../../round.js";

export { roundToDType };

export function dtypeOfCode(code: number, what: string): DType {
  const t = onnxDataType(code);
  if (t === undefined || code === 0) return fail("CORRUPT", "infer", `${what} ${code} is not an ONNX data type`);
  if (t.dtype === null || t.dtype === "complex64" || t.dtype === "complex128") {
    return fail("UNSUPPORTED", "infer", `${what} ${t.onnxName} has no arithmetic in this runner`);
  }
  return t.dtype;
}

/** The TensorProto.DataType code of an enum name (Cast-1's string `to`), 0 when unknown. */
function codeOfName(name: string): number {
  for (let code = 1; onnxDataType(code) !== undefined; code++) if (onnxDataType(code)?.onnxName === name.toUpperCase()) return code;
  return 0;
}


/** Number conversion into an array of `to` (values already in `to`'s working representation afterwards). */
function castNumbers(src: NumArray, to: DType, saturate: boolean): NumArray {
  const n = src.length;
  const out = arrayFor(to, n) as NumArray;
  switch (to) {
    case "bool":
      for (let i = 0; i < n; i++) out[i] = src[i] !== 0 ? 1 : 0;
      return out;
    case "int64":
      for (let i = 0; i < n; i++) {
        const v = Math.trunc(src[i]);
        out[i] = Number.isFinite(v) ? v : Number.isNaN(v) ? -(2 ** 63) : v > 0 ? 2 ** 63 - 1 : -(2 ** 63);
      }
      return out;
    case "uint64":
      for (let i = 0; i < n; i++) {
        const v = Math.trunc(src[i]);
        // Two's complement wrap of negative values, as a C cast through int64 does.
        out[i] = !Number.isFinite(v) ? 0 : v < 0 ? 2 ** 64 + v : v;
      }
      return out;
    case "int8":
    case "uint8":
    case "int16":
    case "uint16":
    case "int32":
    case "uint32":
      // Typed-array stores truncate toward zero and wrap modulo 2^bits (NaN/inf give 0).
      for (let i = 0; i < n; i++) out[i] = Math.trunc(src[i]);
      return out;
    default:
      for (let i = 0; i < n; i++) out[i] = src[i];
      roundToDType(out, to, saturate);
      return out;
  }
}

/** ONNX's string -> number parsing: decimal/scientific text, and INF/-INF/NaN in any case. */
export function parseNumber(s: string): number {
  const t = s.trim();
  const lower = t.toLowerCase();
  if (lower === "inf" || lower === "+inf" || lower === "infinity" || lower === "+infinity") return Number.POSITIVE_INFINITY;
  if (lower === "-inf" || lower === "-infinity") return Number.NEGATIVE_INFINITY;
  if (lower === "nan" || lower === "+nan" || lower === "-nan") return Number.NaN;
  const v = t === "" ? Number.NaN : Number(t);
  if (Number.isNaN(v)) return fail("CORRUPT", "infer", `Cast cannot read '${s}' as a number`);
  return v;
}

/** Shortest decimal digits that read back as the same float32 (numpy's repr of a float32). */
function shortestFloat32(x: number): string {
  for (let p = 1; p < 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return String(Number(s));
  }
  return String(Number(x.toPrecision(9)));
}

/**
 * Number -> string the way numpy's str() writes a scalar (what the ONNX
 * reference's astype(str) gives): integers plainly, floats shortest
 * round-trip in their own precision, "inf"/"-inf"/"nan", scientific
 * notation with a two-digit exponent below 1e-4 or from 1e16.
 */
export function formatNumber(x: number, dtype: DType): string {
  if (dtype === "bool") return x !== 0 ? "True" : "False";
  if (!(dtype.startsWith("float") || dtype === "bfloat16")) return String(x);
  if (Number.isNaN(x)) return "nan";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const digits = dtype === "float64" ? String(x) : shortestFloat32(x);
  const ax = Math.abs(x);
  if (ax !== 0 && (ax < 1e-4 || ax >= 1e16)) {
    const [mant, exp] = Number(digits).toExponential().split("e");
    const e = Number(exp);
    return `${mant}e${e < 0 ? "-" : "+"}${String(Math.abs(e)).padStart(2, "0")}`;
  }
  const plain = Number(digits).toString();
  return Number.isInteger(Number(digits)) && !plain.includes("e") ? `${plain}.0` : plain;
}

export function castTensor(t: RTensor, to: DType, saturate = true): RTensor {
  if (t.dtype === "string") {
    const src = t.data as string[];
    if (to === "string") return t;
    const parsed = new Float64Array(src.length);
    for (let i = 0; i < src.length; i++) parsed[i] = parseNumber(src[i]);
    return tensor(to, t.shape, castNumbers(parsed, to, saturate));
  }
  const src = nums(t);
  if (to === "string") {
    const out = new Array<string>(src.length);
    for (let i = 0; i < src.length; i++) out[i] = formatNumber(src[i], t.dtype);
    return tensor("string", t.shape, out);
  }
  if (to === t.dtype) return t;
  return tensor(to, t.shape, castNumbers(src, to, saturate));
}

registerOps({
  Cast: (inputs, ctx) => {
    // Cast-1 named the type as a string ("FLOAT"); later versions use the TensorProto.DataType code.
    const to = ctx.attribute("to")?.s !== undefined ? dtypeOfCode(codeOfName(ctx.string("to")), "Cast to") : dtypeOfCode(ctx.int("to"), "Cast to");
    return [castTensor(input(inputs, 0, ctx), to, ctx.int("saturate", 1) !== 0)];
  },
  CastLike: (inputs, ctx) => {
    const target = input(inputs, 1, ctx);
    return [castTensor(input(inputs, 0, ctx), target.dtype, ctx.int("saturate", 1) !== 0)];
  },
});
