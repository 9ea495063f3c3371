/**
 * Between the codecs' Tensor (file encoding: little-endian element bytes)
 * and the runner's RTensor (see tensor.ts for the working types).
 */
import {
  bfloat16ArrayToFloat32,
  type DType,
  fail,
  float16ArrayToFloat32,
  float32ArrayToBfloat16,
  float32ArrayToFloat16,
  float32ToFloat8E4M3FN,
  float32ToFloat8E5M2,
  float8ArrayToFloat32,
  Tensor,
} from "@codec/core";
import { arrayFor, type NumArray, nums, type RTensor, tensor } from "./tensor.js";

export function fromTensor(t: Tensor): RTensor {
  const shape = t.shape;
  switch (t.dtype) {
    case "string":
      return tensor("string", shape, [...t.strings()]);
    case "float16":
      return tensor(t.dtype, shape, float16ArrayToFloat32(t.typed() as Uint16Array));
    case "bfloat16":
      return tensor(t.dtype, shape, bfloat16ArrayToFloat32(t.typed() as Uint16Array));
    case "float8_e4m3fn":
    case "float8_e5m2":
      return tensor(t.dtype, shape, float8ArrayToFloat32(t.typed() as Uint8Array, t.dtype));
    case "int64":
    case "uint64": {
      const src = t.typed() as BigInt64Array | BigUint64Array;
      const out = new Float64Array(src.length);
      for (let i = 0; i < src.length; i++) out[i] = Number(src[i]);
      return tensor(t.dtype, shape, out);
    }
    case "complex64":
    case "complex128":
      return fail("UNSUPPORTED", "infer", `the runner has no ${t.dtype} arithmetic`);
    default: {
      // A copy: ops may write into their inputs' arrays only when they own them.
      const typed = t.typed() as NumArray;
      const out = arrayFor(t.dtype, typed.length) as NumArray;
      out.set(typed as never);
      return tensor(t.dtype, shape, out);
    }
  }
}

export function toTensor(t: RTensor): Tensor {
  const shape = [...t.shape];
  const dtype: DType = t.dtype;
  if (dtype === "string") return new Tensor({ dtype, shape, data: [...(t.data as string[])] });
  const src = nums(t);
  let out: ArrayBufferView;
  switch (dtype) {
    case "float16":
      out = float32ArrayToFloat16(src);
      break;
    case "bfloat16":
      out = float32ArrayToBfloat16(src);
      break;
    case "float8_e4m3fn":
    case "float8_e5m2": {
      const narrow = dtype === "float8_e4m3fn" ? float32ToFloat8E4M3FN : float32ToFloat8E5M2;
      const a = new Uint8Array(src.length);
      for (let i = 0; i < src.length; i++) a[i] = narrow(src[i]);
      out = a;
      break;
    }
    case "int64": {
      const a = new BigInt64Array(src.length);
      for (let i = 0; i < src.length; i++) a[i] = BigInt(Math.trunc(src[i]));
      out = a;
      break;
    }
    case "uint64": {
      const a = new BigUint64Array(src.length);
      for (let i = 0; i < src.length; i++) a[i] = BigInt(Math.trunc(src[i]));
      out = a;
      break;
    }
    default:
      out = src;
  }
  return new Tensor({ dtype, shape, data: new Uint8Array(out.buffer, out.byteOffset, out.byteLength) });
}
