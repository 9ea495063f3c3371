/**
 * TensorMaps over pickles and joblib files (DESIGN.md sections 4 and 5):
 * every numpy array and numpy scalar of a numeric or bool dtype, named by
 * the walk in walk.ts. Bytes stay views into the input where possible.
 */
import { type ByteInput, type JsonValue, readAll, type Tensor, type TensorInfo, type TensorMap, fail, guardDecodeAsync, toByteSource } from "@codec/core";
import { py3QualifiedName } from "./compat.js";
import type { UnpickleOptions } from "./decode/options.js";
import { unpickleAt } from "./decode/unpickler.js";
import { joblibExtension, type JoblibArrayRecord } from "./joblib/arrays.js";
import { type JoblibReadCompression, joblibPayload } from "./joblib/decompress.js";
import { PyByteArray, PyDict, PyFloat, PyGlobal, PyObject, PyPersistent, PySet, PyTuple, type PyValue } from "./model.js";
import { maskedArrayData } from "./numpy/masked.js";
import { NdArray, type NumpyScalar } from "./numpy/ndarray.js";
import { isNumpyTensor, walkTensors } from "./walk.js";

/** Name of a tensor that is the whole pickle (a bare pickled array), as @codec/npy names a lone array. */
export const ROOT_TENSOR_NAME = "array";

export interface PickleTensorMap extends TensorMap {
  /** The decoded object graph. */
  readonly root: PyValue;
  /** The array or scalar behind a tensor name. */
  value(name: string): NdArray | NumpyScalar;
}

/** Class or type name of a value, for metadata. */
export function describeType(v: PyValue): string {
  if (v instanceof PyObject) {
    const c = v.instanceClass();
    return c instanceof PyGlobal ? py3QualifiedName(c.module, c.name) : "object";
  }
  if (v === null) return "None";
  if (Array.isArray(v)) return "list";
  if (v instanceof Uint8Array) return "bytes";
  // Python's type names, by class: a bundler may rename the classes themselves (PyDict became `_PyDict` in the dist).
  if (v instanceof PyDict) return "dict";
  if (v instanceof PyTuple) return "tuple";
  if (v instanceof PySet) return v.frozen ? "frozenset" : "set";
  if (v instanceof PyFloat) return "float";
  if (v instanceof PyByteArray) return "bytearray";
  if (v instanceof PyGlobal) return "global";
  if (v instanceof PyPersistent) return "persistent";
  if (typeof v === "object") return "kind" in v ? String(v.kind) : "object";
  if (typeof v === "number" || typeof v === "bigint") return "int";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "string") return "str";
  return typeof v;
}

export function tensorMapOf(root: PyValue, format: string, metadata: { [key: string]: JsonValue }): PickleTensorMap {
  const entries = new Map<string, NdArray | NumpyScalar>();
  // DESIGN.md section 5 names every path: an array the memo shares between
  // two places (sklearn's classes_ and _label_binarizer.classes_) is listed
  // under both, as torch lists tied weights.
  // A pickled numpy MaskedArray stays an inert object; its data array is the tensor.
  const isTensor = (v: PyValue): boolean => isNumpyTensor(v) || maskedArrayData(v)?.isTensor === true;
  for (const [path, v] of walkTensors(root, isTensor, { aliases: true })) {
    entries.set(path === "" ? ROOT_TENSOR_NAME : path, maskedArrayData(v) ?? (v as NdArray | NumpyScalar));
  }
  const get = (name: string): NdArray | NumpyScalar => {
    const v = entries.get(name);
    if (v === undefined) return fail("USAGE", format, `no tensor named '${name}'`);
    return v;
  };
  return {
    format,
    metadata: { ...metadata, root_type: describeType(root) },
    root,
    names: () => [...entries.keys()],
    info(name: string): TensorInfo {
      const v = get(name);
      const dtype = v.dtype.tensorDType;
      if (dtype === null) return fail("USAGE", format, `'${name}' is not a tensor`);
      return { name, dtype, shape: v instanceof NdArray ? [...v.shape] : [] };
    },
    async get(name: string): Promise<Tensor> {
      return get(name).tensor();
    },
    value: get,
  };
}

/** Opens a pickle (bytes, ArrayBuffer or ByteSource) as a TensorMap (format "pickle"). */
export function openPickle(input: ByteInput, options?: UnpickleOptions): Promise<PickleTensorMap> {
  return guardDecodeAsync("pickle", async () => {
    const bytes = await readAll(toByteSource(input));
    const r = unpickleAt(bytes, 0, options);
    return tensorMapOf(r.value, "pickle", { protocol: r.protocol });
  });
}

export interface JoblibDecoded {
  value: PyValue;
  protocol: number;
  compression: JoblibReadCompression;
  arrays: JoblibArrayRecord[];
}

/** Decodes a joblib file (uncompressed, zlib or gzip) with its inline arrays. */
export function decodeJoblib(bytes: Uint8Array, options?: UnpickleOptions): JoblibDecoded {
  const { data, compression } = joblibPayload(bytes);
  const arrays: JoblibArrayRecord[] = [];
  const r = unpickleAt(data, 0, options, joblibExtension(arrays));
  return { value: r.value, protocol: r.protocol, compression, arrays };
}

/** Opens a joblib file as a TensorMap (format "joblib"). */
export function openJoblib(input: ByteInput, options?: UnpickleOptions): Promise<PickleTensorMap> {
  return guardDecodeAsync("joblib", async () => {
    const bytes = await readAll(toByteSource(input));
    const d = decodeJoblib(bytes, options);
    return tensorMapOf(d.value, "joblib", { protocol: d.protocol, compression: d.compression });
  });
}
