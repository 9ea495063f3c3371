/**
 * joblib.numpy_pickle: NumpyPickler replaces every non-object ndarray by a
 * NumpyArrayWrapper (pickled with BUILD state {subclass, shape, order,
 * dtype, allow_mmap[, numpy_array_alignment_bytes]}) and writes the array
 * bytes right after that BUILD, inside the pickle stream: one padding-length
 * byte and that many 0xff bytes when the alignment attribute is set (joblib
 * >= 1.2), then the elements in the wrapper's order. Object arrays are a
 * nested protocol 2 pickle at the same place. NumpyUnpickler.load_build
 * swaps the wrapper for the array; this StreamExtension does the same.
 */
import { fail, numelOf, swapBytes, swapUnit } from "@codec/core";
import { py3QualifiedName } from "../compat.js";
import { unpickleAt } from "../decode/unpickler.js";
import type { StreamExtension } from "../decode/unpickler.js";
import { PyDict, PyGlobal, PyObject, type PyValue } from "../model.js";
import { NumpyDType } from "../numpy/dtype.js";
import { NdArray, shapeOf } from "../numpy/ndarray.js";

const F = "joblib";

export function isArrayWrapper(v: PyValue): v is PyObject {
  if (!(v instanceof PyObject)) return false;
  const c = v.instanceClass();
  return c instanceof PyGlobal && (py3QualifiedName(c.module, c.name) === "joblib.numpy_pickle.NumpyArrayWrapper" || py3QualifiedName(c.module, c.name) === "sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper");
}

/** Arrays read from the stream, with the offset of their first data byte. */
export interface JoblibArrayRecord {
  array: NdArray;
  dataOffset: number;
  alignment: number | null;
}

/**
 * joblib.load hands back wrapper arrays in the host's byte order
 * (numpy_pickle.py NumpyArrayWrapper.read -> _ensure_native_byte_order:
 * `array.byteswap().newbyteorder('=')`), so a big-endian wrapper array is
 * a little-endian array in Python (every host that runs it today is
 * little-endian). The same happens here, so the value (and a re-encode)
 * has the dtype Python sees. Structured and non-numeric dtypes are kept.
 */
function nativeOrder(dtype: NumpyDType, raw: Uint8Array): { dtype: NumpyDType; data: Uint8Array } | undefined {
  const dt = dtype.tensorDType;
  if (dt === null || !dtype.bigEndian || dtype.itemsize <= 1) return undefined;
  const le = new NumpyDType(dtype.typestr);
  le.byteorder = "<";
  le.itemsize = dtype.itemsize;
  return { dtype: le, data: swapBytes(raw, swapUnit(dt)) };
}

export function joblibExtension(records: JoblibArrayRecord[] = []): StreamExtension {
  const ext: StreamExtension = {
    afterBuild(target, cursor, options) {
      if (!isArrayWrapper(target)) return undefined;
      const st = target.state;
      if (!(st instanceof PyDict)) return fail("CORRUPT", F, "NumpyArrayWrapper without a state dict", { offset: cursor.pos });
      const shape = shapeOf(st.get("shape") ?? null);
      const dtype = st.get("dtype");
      const order = st.get("order");
      if (shape === undefined || !(dtype instanceof NumpyDType)) return fail("CORRUPT", F, "NumpyArrayWrapper state lacks shape or dtype", { offset: cursor.pos });
      const subclass = st.get("subclass") ?? new PyGlobal("numpy", "ndarray");
      if (dtype.isObject) {
        // A nested pickle of the object array follows.
        const r = unpickleAt(cursor.bytes, cursor.pos, options, ext);
        cursor.pos = r.end;
        if (r.value instanceof NdArray) r.value.source ??= target;
        return r.value;
      }
      const align = st.get("numpy_array_alignment_bytes");
      if (typeof align === "number") {
        if (cursor.pos >= cursor.bytes.length) fail("TRUNCATED", F, "array padding byte missing", { offset: cursor.pos });
        cursor.pos += 1 + cursor.bytes[cursor.pos];
      }
      const n = numelOf(shape, F) * dtype.itemsize;
      if (n > cursor.bytes.length - cursor.pos) fail("TRUNCATED", F, `array data needs ${n} bytes`, { offset: cursor.pos });
      const a = new NdArray(subclass);
      const raw = cursor.bytes.subarray(cursor.pos, cursor.pos + n);
      const native = nativeOrder(dtype, raw);
      a.init(shape, native?.dtype ?? dtype, order === "F", native?.data ?? raw);
      a.source = target;
      records.push({ array: a, dataOffset: cursor.pos, alignment: typeof align === "number" ? align : null });
      cursor.pos += n;
      return a;
    },
  };
  return ext;
}
