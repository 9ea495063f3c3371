/**
 * Linear quantization (QuantizeLinear, DequantizeLinear,
 * DynamicQuantizeLinear; onnx Operators.md): per-tensor, per-axis (a 1-D
 * scale along `axis`) and blocked (opset 21 `block_size`) scales.
 * Rounding is half to even and results saturate to the target type, as
 * the spec's reference implementation does.
 */
import { type DType, fail } from "@codec/core";
import { onnxDataType } from "@codec/onnx";
import { normalizeAxis } from "../broadcast.js";
import { roundToDType } from "../round.js";
import { arrayFor, type NumArray, nums, type RTensor, tensor } from "../tensor.js";
import { input, type OpContext, registerOps } from "./registry.js";

const F = "infer";

const RANGE: Partial<Record<DType, [number, number]>> = {
  uint8: [0, 255],
  int8: [-128, 127],
  uint16: [0, 65535],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  uint32: [0, 4294967295],
};

function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** For element k of x, the index of its scale / zero point (per tensor, per axis or per block). */
function scaleIndexer(x: RTensor, scale: RTensor, ctx: OpContext): (k: number) => number {
  if (scale.shape.length === 0 || (scale.shape.length === 1 && scale.shape[0] === 1)) return () => 0;
  const rank = x.shape.length;
  const axis = normalizeAxis(ctx.int("axis", 1), rank);
  const inner = x.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const dim = x.shape[axis];
  const block = ctx.int("block_size", 0);
  if (scale.shape.length === 1 && block === 0) {
    if (scale.shape[0] !== dim) fail("CORRUPT", F, `${ctx.opType} node '${ctx.nodeName}': scale has ${scale.shape[0]} values for axis ${axis} of length ${dim}`);
    return (k) => Math.floor(k / inner) % dim;
  }
  // Blocked: scale has x's shape with axis divided (rounded up) by block_size.
  if (block <= 0 || scale.shape.length !== rank) return fail("UNSUPPORTED", F, `${ctx.opType} node '${ctx.nodeName}': scale of shape [${scale.shape}] for input [${x.shape}]`);
  const sdim = scale.shape[axis];
  return (k) => {
    const outer = Math.floor(k / (inner * dim));
    const a = Math.floor(k / inner) % dim;
    return (outer * sdim + Math.floor(a / block)) * inner + (k % inner);
  };
}

function targetType(zeroPoint: RTensor | undefined, ctx: OpContext): DType {
  if (zeroPoint !== undefined) return zeroPoint.dtype;
  const code = ctx.int("output_dtype", 0);
  if (code === 0) return "uint8";
  const t = onnxDataType(code)?.dtype;
  if (t === undefined || t === null) return fail("UNSUPPORTED", F, `${ctx.opType} node '${ctx.nodeName}': output type ${code}`);
  return t;
}

registerOps({
  QuantizeLinear: (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    const scale = input(inputs, 1, ctx);
    const zp = inputs[2];
    const dtype = targetType(zp, ctx);
    const xs = nums(x);
    const ss = nums(scale);
    const zs = zp === undefined ? null : nums(zp);
    const at = scaleIndexer(x, scale, ctx);
    const out = arrayFor(dtype, xs.length) as NumArray;
    const range = RANGE[dtype];
    const saturate = ctx.int("saturate", 1) !== 0;
    for (let k = 0; k < xs.length; k++) {
      const i = at(k);
      const z = zs === null ? 0 : zs[zs.length === 1 ? 0 : i];
      if (range !== undefined) out[k] = Math.min(Math.max(roundHalfEven(xs[k] / ss[i]) + z, range[0]), range[1]);
      else out[k] = xs[k] / ss[i] + z; // float8 targets: rounded (and saturated) below
    }
    if (range === undefined) roundToDType(out, dtype, saturate);
    return [tensor(dtype, x.shape, out)];
  },
  DequantizeLinear: (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    const scale = input(inputs, 1, ctx);
    const zp = inputs[2];
    const xs = nums(x);
    const ss = nums(scale);
    const zs = zp === undefined ? null : nums(zp);
    const at = scaleIndexer(x, scale, ctx);
    const dtype = ctx.has("output_dtype") ? targetType(undefined, ctx) : scale.dtype;
    const out = arrayFor(dtype, xs.length) as NumArray;
    for (let k = 0; k < xs.length; k++) {
      const i = at(k);
      const z = zs === null ? 0 : zs[zs.length === 1 ? 0 : i];
      out[k] = (xs[k] - z) * ss[i];
    }
    roundToDType(out, dtype);
    return [tensor(dtype, x.shape, out)];
  },
  DynamicQuantizeLinear: (inputs, ctx) => {
    const x = input(inputs, 0, ctx);
    const xs = nums(x);
    let lo = 0;
    let hi = 0;
    for (let k = 0; k < xs.length; k++) {
      lo = Math.min(lo, xs[k]);
      hi = Math.max(hi, xs[k]);
    }
    // Computed in float32 like the reference (numpy float32 arithmetic).
    const scale = Math.fround((hi - lo) / 255);
    const zero = scale === 0 ? 0 : Math.min(Math.max(roundHalfEven(Math.fround(-lo / scale)), 0), 255);
    const out = new Uint8Array(xs.length);
    for (let k = 0; k < xs.length; k++) out[k] = scale === 0 ? zero : Math.min(Math.max(roundHalfEven(Math.fround(xs[k] / scale)) + zero, 0), 255);
    return [tensor("uint8", x.shape, out), tensor("float32", [], new Float32Array([scale])), tensor("uint8", [], new Uint8Array([zero]))];
  },
});
