/**
 * The DESIGN.md section 5 naming walk over a decoded object graph: dict
 * keys (as text), list/tuple indices and the state of objects (the dict
 * BUILD / __setstate__ receives) are path parts joined with '.'. By default
 * shared objects are visited once (first path wins) and cycles end, so the
 * walk is linear in the number of distinct objects. With `aliases` an
 * object is listed under every path that reaches it (torch state dicts name
 * tied weights under each key); cycles still end because a container is
 * never re-entered along the path that is already inside it. It is
 * iterative (an explicit stack), so deep graphs cannot overflow the
 * JavaScript stack. torch-zip reuses it with its own `isTensor`/`children`.
 */
import { fail, float16ToFloat32, float32ToFloat16, utf32Decode } from "@codec/core";
import { PyDict, PyFloat, PyGlobal, PyObject, PyReconstructed, PySet, PyTuple, type PyValue } from "./model.js";
import { NdArray, NumpyScalar } from "./numpy/ndarray.js";
import { pyBytesRepr, pyComplexRepr, pyFloatRepr, pyStrRepr, shortestFloatRepr } from "./repr/python-repr.js";
import { PyComplex, PyOrderedDict } from "./values.js";

export type ChildrenFn = (value: PyValue) => Iterable<[string, PyValue]> | undefined;

export interface WalkOptions {
  /** Extra child rules for caller types, tried before the default ones. */
  children?: ChildrenFn;
  /** Maximum path depth (default 10000); deeper graphs give a LIMIT error. */
  maxDepth?: number;
  /**
   * List an object under every path that reaches it instead of only the
   * first (torch: two state-dict keys holding one tensor are both listed).
   * Cycles are cut with the set of containers on the current path.
   */
  aliases?: boolean;
  /**
   * With `aliases`: most objects visited in all (default 10,000,000), so a
   * graph of shared containers (paths grow exponentially with depth) gives
   * a LIMIT error instead of running for ever.
   */
  maxVisits?: number;
  /** Path of the root (default ""); child paths are `${prefix}.${part}`. */
  prefix?: string;
}

/**
 * A dict key as a path part. DESIGN.md section 5 converts keys with
 * JavaScript's `String()` over the decoded values: None (null) gives "null"
 * and bools "true"/"false"; ints, floats (Python's repr, "2.0" for an
 * integral float), bytes and tuples read as Python's str() does.
 */
export function keyText(k: PyValue): string {
  if (typeof k === "boolean") return k ? "true" : "false";
  if (k === null) return "null";
  return pyKeyRepr(k, false);
}

/** Python str() of a key (`quoted`: repr, as inside a tuple, where strings are quoted). */
function pyKeyRepr(k: PyValue, quoted: boolean): string {
  if (typeof k === "string") return quoted ? pyStrRepr(k) : k;
  if (typeof k === "number") return Number.isInteger(k) ? String(k) : pyFloatRepr(k);
  if (typeof k === "bigint") return String(k);
  if (typeof k === "boolean") return k ? "True" : "False";
  if (k === null) return "None";
  if (k instanceof Uint8Array) return pyBytesRepr(k);
  if (k instanceof PyFloat) return pyFloatRepr(k.value);
  if (k instanceof PyTuple) return `(${k.items.map((x) => pyKeyRepr(x, true)).join(", ")}${k.items.length === 1 ? "," : ""})`;
  if (k instanceof NumpyScalar) return numpyScalarText(k, quoted) ?? String(k);
  if (k instanceof PyComplex) return pyComplexRepr(k.real, k.imag);
  // torch dtypes, layouts and memory formats print as `torch.float16`; a class as `<class 'module.Name'>`.
  if (k instanceof PyGlobal) return k.module === "torch" ? `torch.${k.name}` : `<class '${k.module}.${k.name}'>`;
  return String(k);
}

/**
 * Python's str() (or repr(), `quoted`, as inside a tuple) of a numpy scalar key
 * (np.int64(3) -> "3", np.float32(0.1) -> "0.1", np.bool_(True) -> "True",
 * np.str_("k") -> "k"), as numpy 1.x prints them; undefined for other kinds.
 */
function numpyScalarText(s: NumpyScalar, quoted: boolean): string | undefined {
  const dt = s.dtype.tensorDType;
  if (dt !== null && s.isTensor) {
    const v = s.value;
    if (dt === "bool") return v === true ? "True" : "False";
    if (typeof v === "bigint") return String(v);
    if (typeof v === "number") {
      if (dt === "float64") return pyFloatRepr(v);
      if (dt === "float32") return shortestFloatRepr(v, Math.fround);
      if (dt === "float16") return shortestFloatRepr(v, (y) => float16ToFloat32(float32ToFloat16(y)));
      return String(v);
    }
    if (Array.isArray(v) && dt === "complex128") return pyComplexRepr(v[0] as number, v[1] as number);
    return undefined;
  }
  if (!(s.data instanceof Uint8Array)) return undefined;
  if (s.dtype.char === "U" && s.data.length % 4 === 0) {
    const text = utf32Decode(s.data, s.dtype.bigEndian).replace(/\0+$/, "");
    return quoted ? pyStrRepr(text) : text;
  }
  if (s.dtype.char === "S") {
    let end = s.data.length;
    while (end > 0 && s.data[end - 1] === 0) end--;
    return pyBytesRepr(s.data.subarray(0, end));
  }
  return undefined;
}

/**
 * Where a child rule puts what it finds: parallel name and value lists.
 * With `containersOnly` a child that cannot hold a tensor (a primitive or
 * bytes) is skipped before its name is made, which is most of a model's
 * hyperparameters; the walk only needs containers.
 */
interface ChildSink {
  /** Entries [0, count) are this node's children; the arrays are reused from node to node. */
  names: string[];
  values: PyValue[];
  count: number;
  containersOnly: boolean;
}

function addChild(sink: ChildSink, name: string, value: PyValue): void {
  sink.names[sink.count] = name;
  sink.values[sink.count++] = value;
}

/** Whether the walk can find anything inside (or at) v: an object that is not bytes. */
function isWalkable(v: PyValue): boolean {
  return typeof v === "object" && v !== null && !(v instanceof Uint8Array);
}

function addIndexed(items: readonly PyValue[], sink: ChildSink): void {
  for (let i = 0; i < items.length; i++) {
    const c = items[i];
    if (sink.containersOnly && !isWalkable(c)) continue;
    addChild(sink, String(i), c);
  }
}

function addKeyed(keys: readonly PyValue[], values: readonly PyValue[], sink: ChildSink): void {
  for (let i = 0; i < keys.length; i++) {
    const c = values[i];
    if (sink.containersOnly && !isWalkable(c)) continue;
    addChild(sink, keyText(keys[i]), c);
  }
}

/** Entries of a dict-like state (dict, or the (dict, slots) pair of objects with __slots__). */
function addStateEntries(state: PyValue, sink: ChildSink): void {
  if (state instanceof PyDict) {
    addKeyed(state.keys, state.values, sink);
  } else if (state instanceof PyTuple && state.items.length === 2 && (state.items[0] instanceof PyDict || state.items[0] === null) && state.items[1] instanceof PyDict) {
    if (state.items[0] instanceof PyDict) addStateEntries(state.items[0], sink);
    addStateEntries(state.items[1], sink);
  } else if (state !== undefined && state !== null && (!sink.containersOnly || isWalkable(state))) {
    addChild(sink, "state", state);
  }
}

/** The default child rule for every model type, into `sink`. */
function addDefaultChildren(v: PyValue, sink: ChildSink): void {
  if (Array.isArray(v)) {
    addIndexed(v, sink);
  } else if (v instanceof PyTuple) {
    addIndexed(v.items, sink);
  } else if (v instanceof PyDict) {
    addKeyed(v.keys, v.values, sink);
  } else if (v instanceof PyObject) {
    if (v.state !== undefined) addStateEntries(v.state, sink);
    addIndexed(v.listItems, sink);
    for (const [k, x] of v.dictItems) {
      if (sink.containersOnly && !isWalkable(x)) continue;
      addChild(sink, keyText(k), x);
    }
  } else if (v instanceof PySet) {
    // Sets have no stable names; their members are not walked.
  } else if (v instanceof PyReconstructed) {
    if (v instanceof PyOrderedDict) addDefaultChildren(v.dict, sink);
    else if (v instanceof NdArray && Array.isArray(v.data)) addIndexed(v.data, sink);
    // State BUILD left on the source call (e.g. the `_metadata` of a torch state-dict OrderedDict).
    if (v.source !== null && v.source.state !== undefined) addStateEntries(v.source.state, sink);
  }
}

/** The default child rule for every model type: [name, child] for each child, primitives included. */
export function* defaultChildren(v: PyValue): Iterable<[string, PyValue]> {
  const sink: ChildSink = { names: [], values: [], count: 0, containersOnly: false };
  addDefaultChildren(v, sink);
  for (let i = 0; i < sink.count; i++) yield [sink.names[i], sink.values[i]];
}

/** The depth of a work item that ends a container's time on the current path (alias mode). */
const LEAVE = -1;

/** numpy arrays and scalars of a numeric or bool dtype. */
export function isNumpyTensor(v: PyValue): boolean {
  return (v instanceof NdArray || v instanceof NumpyScalar) && v.isTensor;
}

/**
 * Yields [path, value] for every value that `isTensor` accepts, in
 * depth-first order. Tensors are leaves. A tensor at the root has path
 * `options.prefix` ("" by default).
 */
export function* walkTensors(root: PyValue, isTensor: (v: PyValue) => boolean = isNumpyTensor, options: WalkOptions = {}): Generator<[string, PyValue]> {
  const maxDepth = options.maxDepth ?? 10_000;
  const maxVisits = options.maxVisits ?? 10_000_000;
  const aliases = options.aliases === true;
  const customChildren = options.children;
  // First-path mode: every object seen so far. Alias mode: the containers on the current path only.
  const seen = new Set<object>();
  let visits = 0;
  // The work stack as parallel arrays (path, value, depth); in alias mode a LEAVE depth marks
  // an item that takes its container off the current path.
  const paths: string[] = [options.prefix ?? ""];
  const values: PyValue[] = [root];
  const depths: number[] = [0];
  const sink: ChildSink = { names: [], values: [], count: 0, containersOnly: true };
  while (values.length > 0) {
    const path = paths.pop() as string;
    const v = values.pop() as PyValue;
    const depth = depths.pop() as number;
    if (depth === LEAVE) {
      seen.delete(v as object);
      continue;
    }
    if (!isWalkable(v)) continue;
    const obj = v as object;
    if (seen.has(obj)) continue;
    if (aliases && ++visits > maxVisits) fail("LIMIT", "pickle", `object graph has more than ${maxVisits} paths`);
    if (isTensor(v)) {
      if (!aliases) seen.add(obj);
      yield [path, v];
      continue;
    }
    seen.add(obj);
    if (aliases) {
      paths.push("");
      values.push(v);
      depths.push(LEAVE);
    }
    if (depth >= maxDepth) fail("LIMIT", "pickle", `object graph nests deeper than ${maxDepth}`);
    sink.count = 0;
    const custom = customChildren?.(v);
    if (custom !== undefined) {
      for (const [k, c] of custom) {
        if (isWalkable(c)) addChild(sink, k, c);
      }
    } else {
      addDefaultChildren(v, sink);
    }
    // Pushed last child first, so the first child is walked first (depth-first, in order).
    for (let i = sink.count - 1; i >= 0; i--) {
      const k = sink.names[i];
      paths.push(path === "" ? k : `${path}.${k}`);
      values.push(sink.values[i]);
      depths.push(depth + 1);
    }
  }
}
