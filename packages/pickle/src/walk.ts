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
import { fail } from "@codec/core";
import { PyDict, PyFloat, PyObject, PyReconstructed, PySet, PyTuple, type PyValue } from "./model.js";
import { NdArray, NumpyScalar } from "./numpy/ndarray.js";
import { pyBytesRepr, pyFloatRepr, pyStrRepr } from "./repr/python-repr.js";
import { PyOrderedDict } from "./values.js";

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
  return String(k);
}

/** Entries of a dict-like state (dict, or the (dict, slots) pair of objects with __slots__). */
function* stateEntries(state: PyValue): Iterable<[string, PyValue]> {
  if (state instanceof PyDict) {
    for (let i = 0; i < state.keys.length; i++) yield [keyText(state.keys[i]), state.values[i]];
  } else if (state instanceof PyTuple && state.items.length === 2 && (state.items[0] instanceof PyDict || state.items[0] === null) && state.items[1] instanceof PyDict) {
    if (state.items[0] instanceof PyDict) yield* stateEntries(state.items[0]);
    yield* stateEntries(state.items[1]);
  } else if (state !== undefined && state !== null) {
    yield ["state", state];
  }
}

/** The default child rule for every model type. */
export function* defaultChildren(v: PyValue): Iterable<[string, PyValue]> {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) yield [String(i), v[i]];
  } else if (v instanceof PyTuple) {
    for (let i = 0; i < v.items.length; i++) yield [String(i), v.items[i]];
  } else if (v instanceof PyDict) {
    for (let i = 0; i < v.keys.length; i++) yield [keyText(v.keys[i]), v.values[i]];
  } else if (v instanceof PyObject) {
    if (v.state !== undefined) yield* stateEntries(v.state);
    for (let i = 0; i < v.listItems.length; i++) yield [String(i), v.listItems[i]];
    for (const [k, x] of v.dictItems) yield [keyText(k), x];
  } else if (v instanceof PySet) {
    // Sets have no stable names; their members are not walked.
  } else if (v instanceof PyReconstructed) {
    if (v instanceof PyOrderedDict) yield* defaultChildren(v.dict);
    else if (v instanceof NdArray && Array.isArray(v.data)) for (let i = 0; i < v.data.length; i++) yield [String(i), v.data[i]];
    // State BUILD left on the source call (e.g. the `_metadata` of a torch state-dict OrderedDict).
    if (v.source !== null && v.source.state !== undefined) yield* stateEntries(v.source.state);
  }
}

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
  // First-path mode: every object seen so far. Alias mode: the containers on the current path only.
  const seen = new Set<object>();
  let visits = 0;
  // Stack of [path, value, depth] work items; a `leave` item (alias mode) takes a container off the path.
  type Work = [string, PyValue, number] | { leave: object };
  const stack: Work[] = [[options.prefix ?? "", root, 0]];
  while (stack.length > 0) {
    const w = stack.pop() as Work;
    if (!Array.isArray(w)) {
      seen.delete(w.leave);
      continue;
    }
    const [path, v, depth] = w;
    if (typeof v !== "object" || v === null || v instanceof Uint8Array) continue;
    if (seen.has(v)) continue;
    if (aliases && ++visits > maxVisits) fail("LIMIT", "pickle", `object graph has more than ${maxVisits} paths`);
    if (isTensor(v)) {
      if (!aliases) seen.add(v);
      yield [path, v];
      continue;
    }
    seen.add(v);
    if (aliases) stack.push({ leave: v });
    if (depth >= maxDepth) fail("LIMIT", "pickle", `object graph nests deeper than ${maxDepth}`);
    const kids = options.children?.(v) ?? defaultChildren(v);
    const list: Work[] = [];
    for (const [k, c] of kids) {
      if (typeof c === "object" && c !== null && !(c instanceof Uint8Array)) list.push([path === "" ? k : `${path}.${k}`, c, depth + 1]);
    }
    for (let i = list.length - 1; i >= 0; i--) stack.push(list[i]);
  }
}
