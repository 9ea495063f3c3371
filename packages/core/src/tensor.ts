import { DTYPES, type DType, type TypedArray } from "./dtype.js";
import { fail } from "./errors.js";
import {
  bfloat16ArrayToFloat32,
  float16ArrayToFloat32,
  float8ArrayToFloat32,
} from "./minifloat.js";
import { numelOf } from "./shape.js";

export interface TensorInit {
  dtype: DType;
  shape: readonly number[];
  /** C-contiguous little-endian element bytes, or the strings of a string tensor. */
  data: Uint8Array | string[];
  /** True when the decoder had to copy (alignment, byte order, strides, compression). */
  copied?: boolean;
}

/**
 * The one tensor model every codec decodes into (DESIGN.md section 4).
 * `data` holds the elements C-contiguous and little-endian; for numeric
 * tensors it is usually a view into the source bytes.
 */
export class Tensor {
  readonly dtype: DType;
  readonly shape: number[];
  readonly data: Uint8Array | string[];
  readonly copied: boolean;

  constructor(init: TensorInit) {
    this.dtype = init.dtype;
    this.shape = [...init.shape];
    this.data = init.data;
    this.copied = init.copied ?? false;
    const n = numelOf(this.shape, "tensor");
    if (this.dtype === "string") {
      if (!Array.isArray(this.data) || this.data.length !== n) {
        fail("CORRUPT", "tensor", `string tensor of shape [${this.shape.join(", ")}] needs ${n} strings`);
      }
    } else {
      const size = DTYPES[this.dtype].size;
      if (!(this.data instanceof Uint8Array) || this.data.length !== n * size) {
        const got = this.data instanceof Uint8Array ? this.data.length : "non-byte";
        fail("CORRUPT", "tensor", `${this.dtype} tensor of shape [${this.shape.join(", ")}] needs ${n * size} bytes, got ${got}`);
      }
    }
  }

  get numel(): number {
    return numelOf(this.shape, "tensor");
  }

  get byteLength(): number {
    return this.data instanceof Uint8Array ? this.data.byteLength : 0;
  }

  /** Raw element bytes (throws for string tensors). */
  bytes(): Uint8Array {
    if (!(this.data instanceof Uint8Array)) return fail("USAGE", "tensor", "string tensors have no element bytes");
    return this.data;
  }

  strings(): string[] {
    if (!Array.isArray(this.data)) return fail("USAGE", "tensor", `${this.dtype} tensor is not a string tensor`);
    return this.data;
  }

  /**
   * The natural typed array: a view when `data` is suitably aligned, else an
   * aligned copy. float16/bfloat16 give Uint16Array bit patterns; bool and
   * float8 give Uint8Array; complex gives interleaved (re, im) floats.
   */
  typed(): TypedArray {
    const d = DTYPES[this.dtype];
    if (d.array === null) return fail("USAGE", "tensor", "string tensors have no typed array");
    const bytes = this.bytes();
    const align = d.array.BYTES_PER_ELEMENT;
    // Uint8Array.prototype.slice copies even for a Node Buffer, whose own slice() is a view.
    const aligned = bytes.byteOffset % align === 0 ? bytes : Uint8Array.prototype.slice.call(bytes);
    return new d.array(aligned.buffer, aligned.byteOffset, aligned.byteLength / align);
  }

  /** Every element widened or narrowed to float32 (complex: interleaved). */
  toFloat32(): Float32Array {
    const t = this.typed();
    switch (this.dtype) {
      case "float32":
      case "complex64":
        return t instanceof Float32Array ? new Float32Array(t) : new Float32Array(0);
      case "float16":
        return float16ArrayToFloat32(t as Uint16Array);
      case "bfloat16":
        return bfloat16ArrayToFloat32(t as Uint16Array);
      case "float8_e4m3fn":
      case "float8_e5m2":
        return float8ArrayToFloat32(t as Uint8Array, this.dtype);
      case "int64":
      case "uint64": {
        const src = t as BigInt64Array | BigUint64Array;
        const out = new Float32Array(src.length);
        for (let i = 0; i < src.length; i++) out[i] = Number(src[i]);
        return out;
      }
      default: {
        const src = t as Exclude<TypedArray, BigInt64Array | BigUint64Array>;
        return new Float32Array(src);
      }
    }
  }
}

/** What a header says about a tensor, known before its bytes are read. */
export interface TensorInfo {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
}

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/**
 * What every decoder returns (DESIGN.md section 4): ordered names -> lazily
 * loaded tensors, plus format metadata. `info` never reads tensor bytes.
 */
export interface TensorMap {
  readonly format: string;
  readonly metadata: { [key: string]: JsonValue };
  names(): string[];
  info(name: string): TensorInfo;
  get(name: string): Promise<Tensor>;
  close?(): Promise<void>;
}
