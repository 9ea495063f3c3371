import { type DType, fail, swapBytesInPlace } from "@codec/core";
import type { AttributeValue, Datatype, EnumType, FixedPointType } from "../model.js";
import { FORMAT } from "./context.js";
import { decodeFloatBits, isIeee, minifloatDType } from "./float-bits.js";
import { type HeapAccess, elementReader } from "./element-reader.js";

export type { HeapAccess } from "./element-reader.js";

/** h5py's bool: an enum whose members are exactly FALSE = 0 and TRUE = 1. */
export function isH5pyBool(t: Datatype): t is EnumType {
  if (t.class !== "enum" || t.members.length !== 2) return false;
  const f = t.members.find((m) => m.name === "FALSE");
  const tr = t.members.find((m) => m.name === "TRUE");
  return f !== undefined && tr !== undefined && Number(f.value) === 0 && Number(tr.value) === 1;
}

/** h5py's complex: a compound {r, i} of two equal IEEE floats (4 or 8 bytes). */
export function isH5pyComplex(t: Datatype): boolean {
  if (t.class !== "compound" || t.members.length !== 2) return false;
  const [r, i] = t.members;
  if (r.name !== "r" || i.name !== "i") return false;
  if (r.type.class !== "floating-point" || i.type.class !== "floating-point") return false;
  const s = r.type.size;
  return (s === 4 || s === 8) && i.type.size === s && r.offset === 0 && i.offset === s && t.size === 2 * s && isIeee(r.type) && isIeee(i.type) && r.type.byteOrder === i.type.byteOrder;
}

/** How a datatype maps to a Tensor: its dtype, trailing array dims, and a byte converter. */
export interface TensorPlan {
  readonly dtype: DType;
  /** Array datatype dims appended to the dataspace dims (h5py expands them the same way). */
  readonly innerDims: readonly number[];
  /** Element size in the file. */
  readonly fileSize: number;
  /** True when file bytes are already C little-endian `dtype` elements. */
  readonly identity: boolean;
  /** Convert `n` file elements to `dtype` LE bytes (in place when sizes agree and allowed). */
  convert(raw: Uint8Array, n: number): Uint8Array;
}

const INT_DTYPES: Record<number, [DType, DType]> = { 1: ["int8", "uint8"], 2: ["int16", "uint16"], 4: ["int32", "uint32"], 8: ["int64", "uint64"] };

export function tensorPlan(t: Datatype): TensorPlan | undefined {
  switch (t.class) {
    case "fixed-point":
    case "bitfield": {
      const pair = INT_DTYPES[t.size];
      if (!pair) return undefined;
      const signed = t.class === "fixed-point" && t.signed;
      const dtype = signed ? pair[0] : pair[1];
      const full = t.bitOffset === 0 && t.precision === t.size * 8;
      const be = t.byteOrder === "BE";
      return {
        dtype, innerDims: [], fileSize: t.size, identity: full && !be,
        convert: (raw, n) => {
          let out: Uint8Array = raw.slice(0, n * t.size);
          if (be) swapBytesInPlace(out, t.size);
          if (!full) out = maskInts(out, t.size, t.bitOffset, t.precision, signed);
          return out;
        },
      };
    }
    case "enum": {
      const base = tensorPlan(t.base);
      if (!base) return undefined;
      if (!isH5pyBool(t)) return base;
      return {
        dtype: "bool", innerDims: [], fileSize: t.size, identity: false,
        convert: (raw, n) => {
          const ints = base.convert(raw, n);
          const out = new Uint8Array(n);
          const s = t.size;
          for (let i = 0; i < n; i++) {
            let nz = 0;
            for (let k = 0; k < s; k++) nz |= ints[i * s + k];
            out[i] = nz ? 1 : 0;
          }
          return out;
        },
      };
    }
    case "floating-point": {
      const ieee = isIeee(t);
      const dtype: DType = t.size <= 2 ? "float16" : t.size <= 4 ? "float32" : "float64";
      if (ieee) {
        const be = t.byteOrder === "BE";
        return {
          dtype, innerDims: [], fileSize: t.size, identity: !be,
          convert: (raw, n) => {
            const out = raw.slice(0, n * t.size);
            if (be) swapBytesInPlace(out, t.size);
            return out;
          },
        };
      }
      // bfloat16 / float8 layouts (as our writer stores them) keep their dtype: the
      // bytes are already those elements (2-byte big-endian ones need a swap).
      const mini = minifloatDType(t);
      if (mini) {
        const be = t.size > 1 && t.byteOrder === "BE";
        return {
          dtype: mini, innerDims: [], fileSize: t.size, identity: !be,
          convert: (raw, n) => {
            const out = raw.slice(0, n * t.size);
            if (be) swapBytesInPlace(out, t.size);
            return out;
          },
        };
      }
      // Long doubles stay out of tensors: float64 would silently drop bits (values() gives them as rounded numbers).
      if (t.size > 8) return undefined;
      const outDtype: DType = t.size <= 4 ? "float32" : "float64";
      return {
        dtype: outDtype, innerDims: [], fileSize: t.size, identity: false,
        convert: (raw, n) => {
          const scratch = new Uint8Array(t.size);
          if (outDtype === "float32") {
            const f = new Float32Array(n);
            for (let i = 0; i < n; i++) f[i] = decodeFloatBits(t, raw, i * t.size, scratch);
            return new Uint8Array(f.buffer);
          }
          const f = new Float64Array(n);
          for (let i = 0; i < n; i++) f[i] = decodeFloatBits(t, raw, i * t.size, scratch);
          return new Uint8Array(f.buffer);
        },
      };
    }
    case "compound": {
      if (!isH5pyComplex(t)) return undefined;
      const part = tensorPlan(t.members[0].type) as TensorPlan;
      return {
        dtype: t.size === 8 ? "complex64" : "complex128", innerDims: [], fileSize: t.size, identity: part.identity,
        convert: (raw, n) => part.convert(raw, 2 * n),
      };
    }
    case "array": {
      const base = tensorPlan(t.base);
      if (!base || base.dtype === "string") return undefined;
      let m = 1;
      for (const d of t.dims) m *= d;
      return { dtype: base.dtype, innerDims: [...t.dims, ...base.innerDims], fileSize: t.size, identity: base.identity, convert: (raw, n) => base.convert(raw, n * m) };
    }
    default:
      return undefined;
  }
}

/** Keep `precision` bits at `bitOffset` of each integer and sign-extend (libhdf5 H5T__conv_i_i). */
function maskInts(b: Uint8Array, size: number, bitOffset: number, precision: number, signed: boolean): Uint8Array {
  const n = b.length / size;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const sh = BigInt(bitOffset);
  const mask = (1n << BigInt(precision)) - 1n;
  const top = 1n << BigInt(precision - 1);
  for (let i = 0; i < n; i++) {
    let v = 0n;
    for (let k = size - 1; k >= 0; k--) v = (v << 8n) | BigInt(b[i * size + k]);
    v = (v >> sh) & mask;
    if (signed && v & top) v -= 1n << BigInt(precision);
    if (size === 8) dv.setBigUint64(i * 8, BigInt.asUintN(64, v), true);
    else {
      let u = BigInt.asUintN(size * 8, v);
      for (let k = 0; k < size; k++) {
        b[i * size + k] = Number(u & 0xffn);
        u >>= 8n;
      }
    }
  }
  return b;
}

export type ElementValue = AttributeValue;

/** Decode `n` elements of type `t` into JS values (see elementReader for the value forms). */
export function decodeElements(t: Datatype, bytes: Uint8Array, at: number, n: number, heap: HeapAccess): ElementValue[] {
  if (!(n >= 0) || at + n * t.size > bytes.length) fail("TRUNCATED", FORMAT, `need ${n} elements of ${t.size} bytes, have ${bytes.length - at}`);
  const read = elementReader(t, heap);
  const out: ElementValue[] = new Array(n);
  const s = t.size;
  for (let i = 0; i < n; i++) out[i] = read(bytes, at + i * s);
  return out;
}

/** Whether values of this type are strings (fixed or variable length). */
export function isStringType(t: Datatype): boolean {
  return t.class === "string" || (t.class === "vlen" && t.kind === "string");
}

export type { FixedPointType };
