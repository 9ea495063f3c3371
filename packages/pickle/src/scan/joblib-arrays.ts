/**
 * joblib (joblib/numpy_pickle.py): NumpyPickler writes each non-object
 * ndarray's bytes inside the pickle stream right after the BUILD of its
 * NumpyArrayWrapper (optionally preceded by one padding-length byte and
 * that many pad bytes when `numpy_array_alignment_bytes` is in the state);
 * object arrays are a nested pickle at the same place. The scanner must
 * step over those bytes exactly as NumpyUnpickler.load_build does, or it
 * would read array data as opcodes. Sizes come from the symbolic state:
 * shape tuple and numpy.dtype('<typestr>', ...) call.
 */
import { isNode, type SymObject, type SymValue } from "./values.js";

const WRAPPERS = new Set(["joblib.numpy_pickle.NumpyArrayWrapper", "sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper"]);

/** The class an instance was created from: NEWOBJ's class or copyreg._reconstructor's first argument. */
function instanceClass(obj: SymObject): string | undefined {
  const c = obj.callable;
  if (!isNode(c) || c.t !== "global") return undefined;
  if (c.qualified === "copyreg._reconstructor" && isNode(obj.args) && obj.args.t === "tuple") {
    const cls = obj.args.items[0];
    return isNode(cls) && cls.t === "global" ? cls.qualified : undefined;
  }
  return c.qualified;
}

export function isJoblibWrapper(obj: SymObject): boolean {
  const q = instanceClass(obj);
  return q !== undefined && WRAPPERS.has(q);
}

function dictGet(d: SymValue, key: string): SymValue | undefined {
  if (!isNode(d) || d.t !== "dict") return undefined;
  for (let i = d.keys.length - 1; i >= 0; i--) {
    const k = d.keys[i];
    if (isNode(k) && k.t === "str" && k.v === key) return d.vals[i];
  }
  return undefined;
}

export type JoblibArrayLayout = { kind: "object" } | { kind: "raw"; padded: boolean; nbytes: number } | { kind: "unknown"; why: string };

/** How many bytes follow a NumpyArrayWrapper's BUILD, from its state. */
export function joblibArrayLayout(obj: SymObject): JoblibArrayLayout {
  const st = obj.state;
  const shape = dictGet(st ?? null, "shape") ?? null;
  const dtype = dictGet(st ?? null, "dtype") ?? null;
  if (!isNode(shape) || shape.t !== "tuple") return { kind: "unknown", why: "wrapper state has no shape tuple" };
  let count = 1;
  for (const d of shape.items) {
    if (typeof d !== "number" || !Number.isInteger(d) || d < 0) return { kind: "unknown", why: "shape is not a tuple of sizes" };
    count *= d;
  }
  if (!isNode(dtype) || dtype.t !== "object" || !isNode(dtype.args) || dtype.args.t !== "tuple") return { kind: "unknown", why: "dtype is not a numpy.dtype(...) call" };
  const ts = dtype.args.items[0] ?? null;
  if (!isNode(ts) || ts.t !== "str") return { kind: "unknown", why: "dtype has no type string" };
  const m = /^[<>|=]?([a-zA-Z])(\d*)$/.exec(ts.v);
  if (m === null) return { kind: "unknown", why: `dtype '${ts.v}' is not a simple type` };
  if (m[1] === "O") return { kind: "object" };
  let itemsize = m[2] === "" ? 0 : Number(m[2]);
  // numpy.dtype.__reduce__ state (version, byteorder, subarray, names, fields, elsize, alignment, flags):
  // flexible types (U, S, V) carry their size in elsize.
  const dstate = dtype.state;
  if (isNode(dstate ?? null) && (dstate as { t: string }).t === "tuple") {
    const items = (dstate as { items: SymValue[] }).items;
    // Structured dtypes ('V<n>' with names and fields) carry their total record size there too.
    if (items.length >= 6 && typeof items[5] === "number" && items[5] > 0) itemsize = items[5];
  }
  const padded = typeof dictGet(st ?? null, "numpy_array_alignment_bytes") === "number";
  return { kind: "raw", padded, nbytes: count * itemsize };
}
