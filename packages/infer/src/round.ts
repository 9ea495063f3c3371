/**
 * Working tensors keep float16, bfloat16 and float8 values widened to
 * float32 (tensor.ts); results are rounded back to what the dtype can hold
 * after each op, so chains of ops see the values the real dtype would.
 * One routine for every op family.
 */
import {
  bfloat16ToFloat32,
  type DType,
  float16ToFloat32,
  float32ToBfloat16,
  float32ToFloat16,
  float32ToFloat8E4M3FN,
  float32ToFloat8E5M2,
  float8E4M3FNToFloat32,
  float8E5M2ToFloat32,
} from "@codec/core";
import type { NumArray } from "./tensor.js";

/** Largest finite float8 values: the saturation bounds of Cast's `saturate` (opset 19). */
const F8_MAX = { float8_e4m3fn: 448, float8_e5m2: 57344 } as const;

/** Rounds widened values in place to what `dtype` can represent (no-op for float32/float64 and integers). */
export function roundToDType(a: NumArray, dtype: DType, saturate = true): void {
  switch (dtype) {
    case "float16":
      for (let i = 0; i < a.length; i++) a[i] = float16ToFloat32(float32ToFloat16(a[i]));
      return;
    case "bfloat16":
      for (let i = 0; i < a.length; i++) a[i] = bfloat16ToFloat32(float32ToBfloat16(a[i]));
      return;
    case "float8_e4m3fn":
    case "float8_e5m2": {
      const max = F8_MAX[dtype];
      const enc = dtype === "float8_e4m3fn" ? float32ToFloat8E4M3FN : float32ToFloat8E5M2;
      const dec = dtype === "float8_e4m3fn" ? float8E4M3FNToFloat32 : float8E5M2ToFloat32;
      for (let i = 0; i < a.length; i++) {
        let x = a[i];
        // saturate=1: out-of-range values and infinities clamp to the largest finite value; NaN stays NaN.
        if (saturate && (x > max || x < -max)) x = x > 0 ? max : -max;
        a[i] = dec(enc(x));
      }
      return;
    }
    default:
      return;
  }
}
