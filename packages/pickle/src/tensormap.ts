/**
 * TensorMaps over pickles and joblib files (DESIGN.md sections 4 and 5):
 * every numpy array and numpy scalar of a numeric or bool dtype, named by
 * the walk in walk.ts. Bytes stay views into the input where possible.
 */
import { type ByteInput, type DType, type JsonValue, readAll, type Tensor, type TensorInfo, type TensorMap, fail, guardDecodeAsync, toByteSource } from "@codec/core";
import { py3QualifiedName } from "./compat.js";
import type { Reconstructor, UnpickleOptions } from "./decode/options.js";
import { unpickleAt } from "./decode/unpickler.js";
import { joblibExtension, type JoblibArrayRecord } from "./joblib/arrays.js";
import { type JoblibReadCompression, joblibPayload } from "./joblib/decompress.js";
import { PyByteArray, PyDict, PyFloat, PyGlobal, PyObject, PyPersistent, PySet, PyTuple, type PyValue } from "./model.js";
import { maskedArrayData } from "./numpy/masked.js";
import { NdArray, NumpyScalar } from "./numpy/ndarray.js";
import { type ChildrenFn, isNumpyTensor, walkTensors } from "./walk.js";

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

/**
 * Tensors of another library inside a pickle (torch tensors that plain
 * `pickle.dump` / `joblib.dump` wrote, each storage a nested torch file):
 * the caller that knows the library supplies the reconstructors that build
 * them and the rules to list and read them (@codec/pickle does not depend
 * on any tensor library). They are named by the same walk as numpy arrays.
 */
export interface ForeignTensors {
  /** Reconstructors added to the unpickler's allowlist for these values. */
  reconstructors: Readonly<Record<string, Reconstructor>>;
  /** Whether the pickle may hold such values at all (cheap check of the raw bytes); false skips the reconstructors. */
  mayContain?(bytes: Uint8Array): boolean;
  /** A leaf tensor of the library. */
  isTensor(v: PyValue): boolean;
  /** Named children of the library's composite values (e.g. a sparse tensor's parts), else undefined. */
  children?: ChildrenFn;
  info(v: PyValue): { dtype: DType; shape: readonly number[] };
  load(v: PyValue): Promise<Tensor>;
}

function withForeign(bytes: Uint8Array, options: UnpickleOptions | undefined, foreign: ForeignTensors | undefined): UnpickleOptions | undefined {
  if (foreign === undefined || (foreign.mayContain !== undefined && !foreign.mayContain(bytes))) return options;
  return { ...options, reconstructors: { ...options?.reconstructors, ...foreign.reconstructors } };
}

export function tensorMapOf(root: PyValue, format: string, metadata: { [key: string]: JsonValue }, foreign?: ForeignTensors): PickleTensorMap {
  const entries = new Map<string, PyValue>();
  // DESIGN.md section 5 names every path: an array the memo shares between
  // two places (sklearn's classes_ and _label_binarizer.classes_) is listed
  // under both, as torch lists tied weights.
  // A pickled numpy MaskedArray stays an inert object; its data array is the tensor.
  const isNumpyLeaf = (v: PyValue): boolean => isNumpyTensor(v) || maskedArrayData(v)?.isTensor === true;
  const isTensor = foreign === undefined ? isNumpyLeaf : (v: PyValue): boolean => isNumpyLeaf(v) || foreign.isTensor(v);
  for (const [path, v] of walkTensors(root, isTensor, { aliases: true, children: foreign?.children })) {
    const name = path === "" ? ROOT_TENSOR_NAME : path;
    // Two keys may read the same (1 and "1"): the first path keeps the name, as torch-zip does.
    if (!entries.has(name)) entries.set(name, maskedArrayData(v) ?? v);
  }
  const entry = (name: string): PyValue => {
    const v = entries.get(name);
    if (v === undefined) return fail("USAGE", format, `no tensor named '${name}'`);
    return v;
  };
  const numpyValue = (name: string): NdArray | NumpyScalar => {
    const v = entry(name);
    if (v instanceof NdArray || v instanceof NumpyScalar) return v;
    return fail("USAGE", format, `'${name}' is not a numpy value`);
  };
  return {
    format,
    metadata: { ...metadata, root_type: describeType(root) },
    root,
    names: () => [...entries.keys()],
    info(name: string): TensorInfo {
      const v = entry(name);
      if (!(v instanceof NdArray || v instanceof NumpyScalar) && foreign !== undefined) {
        const { dtype, shape } = foreign.info(v);
        return { name, dtype, shape: [...shape] };
      }
      const a = numpyValue(name);
      const dtype = a.dtype.tensorDType;
      if (dtype === null) return fail("USAGE", format, `'${name}' is not a tensor`);
      return { name, dtype, shape: a instanceof NdArray ? [...a.shape] : [] };
    },
    async get(name: string): Promise<Tensor> {
      const v = entry(name);
      if (!(v instanceof NdArray || v instanceof NumpyScalar) && foreign !== undefined) return foreign.load(v);
      return numpyValue(name).tensor();
    },
    value: numpyValue,
  };
}

/** Opens a pickle (bytes, ArrayBuffer or ByteSource) as a TensorMap (format "pickle"). */
export function openPickle(input: ByteInput, options?: UnpickleOptions, foreign?: ForeignTensors): Promise<PickleTensorMap> {
  return guardDecodeAsync("pickle", async () => {
    const bytes = await readAll(toByteSource(input));
    const r = unpickleAt(bytes, 0, withForeign(bytes, options, foreign));
    return tensorMapOf(r.value, "pickle", { protocol: r.protocol }, foreign);
  });
}

export interface JoblibDecoded {
  value: PyValue;
  protocol: number;
  compression: JoblibReadCompression;
  arrays: JoblibArrayRecord[];
}

/** Decodes a joblib file (uncompressed, zlib, gzip, bz2 or lz4) with its inline arrays. */
export function decodeJoblib(bytes: Uint8Array, options?: UnpickleOptions, foreign?: ForeignTensors): JoblibDecoded {
  const { data, compression } = joblibPayload(bytes);
  const arrays: JoblibArrayRecord[] = [];
  const r = unpickleAt(data, 0, withForeign(data, options, foreign), joblibExtension(arrays));
  return { value: r.value, protocol: r.protocol, compression, arrays };
}

/** Opens a joblib file as a TensorMap (format "joblib"). */
export function openJoblib(input: ByteInput, options?: UnpickleOptions, foreign?: ForeignTensors): Promise<PickleTensorMap> {
  return guardDecodeAsync("joblib", async () => {
    const bytes = await readAll(toByteSource(input));
    const d = decodeJoblib(bytes, options, foreign);
    return tensorMapOf(d.value, "joblib", { protocol: d.protocol, compression: d.compression }, foreign);
  });
}
