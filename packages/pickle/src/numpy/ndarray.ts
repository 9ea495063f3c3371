/**
 * numpy arrays and scalars decoded from their pickled reduce forms.
 * `NdArray` keeps the bytes exactly as pickled (byte order, Fortran order)
 * and converts to a core Tensor on demand: a view when the data is already
 * little-endian C order, otherwise one copy that fixes the layout.
 */
import { DTYPES, fail, fortranToC, numelOf, swapBytes, swapBytesInPlace, swapUnit, Tensor } from "@codec/core";
import { PyByteArray, PyGlobal, PyReconstructed, PyTuple, type PyValue } from "../model.js";
import { PyBuffer } from "../decode/buffer.js";
import { NUMPY_TYPESTR, NumpyDType } from "./dtype.js";

const F = "pickle";

/** Bytes behind a pickled buffer argument (bytes, bytearray, PickleBuffer, or Python 2 latin-1 text). */
export function bufferBytes(v: PyValue): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  if (v instanceof PyByteArray) return v.data;
  if (v instanceof PyBuffer) return v.data;
  if (typeof v === "string") {
    const out = new Uint8Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const c = v.charCodeAt(i);
      if (c > 255) return undefined;
      out[i] = c;
    }
    return out;
  }
  return undefined;
}

export function shapeOf(v: PyValue): number[] | undefined {
  const items = v instanceof PyTuple ? v.items : Array.isArray(v) ? v : typeof v === "number" ? [v] : undefined;
  if (items === undefined) return undefined;
  const out: number[] = [];
  for (const x of items) {
    if (typeof x !== "number" || !Number.isSafeInteger(x) || x < 0) return undefined;
    out.push(x);
  }
  return out;
}

export class NdArray extends PyReconstructed {
  readonly kind = "ndarray";
  /** The array class (numpy.ndarray or a subclass such as numpy.matrix / memmap). */
  cls: PyValue;
  dtype: NumpyDType = new NumpyDType("f8");
  shape: number[] = [];
  fortran = false;
  /** Element bytes as pickled (order and byte order per `fortran` / `dtype`), or the items of an object array. */
  data: Uint8Array | PyValue[] = new Uint8Array(0);
  /** False until the array has its state (a `_reconstruct` call awaiting BUILD). */
  ready = false;

  constructor(cls: PyValue = new PyGlobal("numpy", "ndarray")) {
    super();
    this.cls = cls;
  }

  /** A numpy array over a core Tensor's bytes (for writing Tensors as numpy arrays). */
  static fromTensor(t: Tensor): NdArray {
    const a = new NdArray();
    const d = NUMPY_TYPESTR[t.dtype];
    if (d === undefined) return fail("UNSUPPORTED", F, `numpy has no ${t.dtype} dtype`);
    a.init(t.shape, NumpyDType.of(t.dtype), false, t.bytes());
    return a;
  }

  /** Sets shape, dtype, order and data, checking the byte count against the shape. */
  init(shape: number[], dtype: NumpyDType, fortran: boolean, data: Uint8Array | PyValue[]): void {
    const n = numelOf(shape, F);
    if (Array.isArray(data)) {
      if (data.length !== n) fail("CORRUPT", F, `object array of shape [${shape.join(", ")}] has ${data.length} items`);
    } else if (data.length !== n * dtype.itemsize) {
      fail("CORRUPT", F, `array of shape [${shape.join(", ")}] and dtype ${dtype.str} needs ${n * dtype.itemsize} bytes, got ${data.length}`);
    }
    this.shape = shape;
    this.dtype = dtype;
    this.fortran = fortran;
    this.data = data;
    this.ready = true;
  }

  /** ndarray.__setstate__: (version, shape, dtype, is_fortran, rawdata) or without the version. */
  override build(state: PyValue): boolean {
    if (!(state instanceof PyTuple)) return false;
    const s = state.items.length === 5 ? state.items.slice(1) : state.items;
    if (s.length !== 4) return false;
    const shape = shapeOf(s[0]);
    const dtype = s[1];
    if (shape === undefined || !(dtype instanceof NumpyDType)) return false;
    const raw = s[3];
    if (dtype.isObject) {
      const items = Array.isArray(raw) ? raw : raw instanceof PyTuple ? raw.items : undefined;
      if (items === undefined) return false;
      this.init(shape, dtype, s[2] === true, items);
    } else {
      const bytes = bufferBytes(raw);
      if (bytes === undefined) return false;
      this.init(shape, dtype, s[2] === true || s[2] === 1, bytes);
    }
    return true;
  }

  get numel(): number {
    return numelOf(this.shape, F);
  }

  /** True for arrays of a numeric or bool dtype (the ones that are tensors). */
  get isTensor(): boolean {
    return this.ready && this.dtype.tensorDType !== null && !Array.isArray(this.data);
  }

  /** C-contiguous little-endian Tensor (a view of the pickle bytes when no fix-up is needed). */
  tensor(): Tensor {
    const dt = this.dtype.tensorDType;
    if (!this.ready || dt === null || Array.isArray(this.data)) return fail("USAGE", F, `a ${this.dtype.str} array is not a tensor`);
    let bytes = this.data;
    let copied = false;
    if (this.fortran && this.shape.length > 1) {
      bytes = fortranToC(bytes, DTYPES[dt].size, this.shape, F);
      copied = true;
    }
    if (this.dtype.bigEndian && DTYPES[dt].size > 1) {
      bytes = copied ? swapBytesInPlace(bytes, swapUnit(dt)) : swapBytes(bytes, swapUnit(dt));
      copied = true;
    }
    return new Tensor({ dtype: dt, shape: this.shape, data: bytes, copied });
  }

  /** One field of a structured array (e.g. sklearn's Tree `nodes`) as a tensor. */
  field(name: string): Tensor {
    const f = this.dtype.fields?.find((x) => x.name === name);
    const dt = f?.dtype.tensorDType;
    if (f === undefined || dt === undefined || dt === null || Array.isArray(this.data)) return fail("USAGE", F, `no numeric field '${name}' in ${this.dtype.str}`);
    const n = this.numel;
    const size = DTYPES[dt].size;
    const out = new Uint8Array(n * size);
    const stride = this.dtype.itemsize;
    for (let i = 0; i < n; i++) out.set(this.data.subarray(i * stride + f.offset, i * stride + f.offset + size), i * size);
    let bytes: Uint8Array = out;
    if (this.fortran && this.shape.length > 1) bytes = fortranToC(bytes, size, this.shape, F);
    if (f.dtype.bigEndian && size > 1) swapBytesInPlace(bytes, swapUnit(dt));
    return new Tensor({ dtype: dt, shape: this.shape, data: bytes, copied: true });
  }
}

/** numpy.core.multiarray.scalar(dtype, bytes): a numpy scalar, a 0-d tensor when numeric. */
export class NumpyScalar extends PyReconstructed {
  readonly kind = "scalar";
  constructor(
    readonly dtype: NumpyDType,
    /** The element bytes, or for object scalars the Python value. */
    readonly data: Uint8Array | PyValue,
  ) {
    super();
  }

  get isTensor(): boolean {
    return this.dtype.tensorDType !== null && this.data instanceof Uint8Array && this.data.length === this.dtype.itemsize;
  }

  tensor(): Tensor {
    const dt = this.dtype.tensorDType;
    if (dt === null || !(this.data instanceof Uint8Array)) return fail("USAGE", F, `a ${this.dtype.str} scalar is not a tensor`);
    const bytes = this.dtype.bigEndian && DTYPES[dt].size > 1 ? swapBytes(this.data, swapUnit(dt)) : this.data;
    return new Tensor({ dtype: dt, shape: [], data: bytes, copied: bytes !== this.data });
  }

  /** The scalar as a JS value (complex as [re, im]; float16 widened). */
  get value(): number | bigint | boolean | number[] | PyValue {
    if (!this.isTensor) return this.data as PyValue;
    const t = this.tensor();
    if (t.dtype === "bool") return t.bytes()[0] !== 0;
    if (t.dtype === "float16" || t.dtype === "bfloat16") return t.toFloat32()[0];
    const a = t.typed();
    if (t.dtype === "complex64" || t.dtype === "complex128") return [Number(a[0]), Number(a[1])];
    return a[0];
  }
}
