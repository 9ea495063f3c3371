/**
 * A deterministic text form of a decoded value, in the format of the
 * conformance corpus' tools/canon.py: Python reprs for atomic values,
 * containers spelled like Python's, objects as `module.Class(base)
 * attrs{...} slots{...}`, globals as `<global module.name>`, and objects
 * reached more than once labelled `#n=` at first print and `#n#` after.
 * It describes the inert graph the way CPython's unpickled value would
 * print; values only Python could compute (an enum's members, a custom
 * __repr__) are described from the pickled data.
 */
import { fail } from "@codec/core";
import { py3Name } from "../compat.js";
import { PyBuffer } from "../decode/buffer.js";
import { PyByteArray, PyDict, PyFloat, PyGlobal, PyObject, PyPersistent, PyReconstructed, PySet, PyTuple, type PyValue } from "../model.js";
import { NdArray, NumpyScalar } from "../numpy/ndarray.js";
import { NumpyDType } from "../numpy/dtype.js";
import { PyComplex, PyDateTime, PyDecimal, PyOrderedDict, PyRange, PySlice, PyUUID } from "../values.js";
import { pyBytesRepr, pyComplexRepr, pyFloatRepr, pyStrRepr } from "./python-repr.js";

const EXCEPTION = /^(?:[A-Za-z]*(?:Error|Exception|Warning)|BaseException|KeyboardInterrupt|SystemExit|GeneratorExit|StopIteration|StopAsyncIteration)$/;
const DICT_SUBCLASSES = new Set(["collections.Counter", "collections.defaultdict", "collections.OrderedDict"]);
/** `__module__` of functions whose import path differs from their defining module. */
const DEFINING_MODULE: Readonly<Record<string, string>> = { "functools.reduce": "_functools", "os.path.join": "posixpath" };
/** uuid.SafeUUID members by value: name and definition order. */
const SAFE_UUID: ReadonlyMap<PyValue, [string, number]> = new Map<PyValue, [string, number]>([
  [0, ["safe", 0]],
  [-1, ["unsafe", 1]],
  [null, ["unknown", 2]],
]);

function globalName(g: PyGlobal): string {
  const [m, n] = py3Name(g.module, g.name);
  const q = `${m}.${n}`;
  if (DEFINING_MODULE[q] !== undefined) return `${DEFINING_MODULE[q]}.${n}`;
  // A dotted name below a builtin type is a method descriptor, which has no __module__.
  if (m === "builtins" && n.includes(".")) return `?.${n}`;
  return q;
}

function isAtomic(v: PyValue): boolean {
  return typeof v !== "object" || v === null || v instanceof Uint8Array || v instanceof PyFloat || v instanceof PyComplex || v instanceof PyRange || v instanceof PyPersistent;
}

/** Python identity: a class or function is one object however often the stream names it. */
function identity(v: object): object | string {
  return v instanceof PyGlobal ? `G:${globalName(v)}` : v;
}

function className(o: PyObject): string {
  const c = o.instanceClass();
  return c instanceof PyGlobal ? globalName(c) : "?.?";
}

function stateParts(state: PyValue | undefined): { attrs: Array<[PyValue, PyValue]>; slots: Array<[PyValue, PyValue]> } {
  const attrs: Array<[PyValue, PyValue]> = [];
  const slots: Array<[PyValue, PyValue]> = [];
  if (state instanceof PyDict) attrs.push(...state.entries());
  else if (state instanceof PyTuple && state.items.length === 2) {
    if (state.items[0] instanceof PyDict) attrs.push(...state.items[0].entries());
    if (state.items[1] instanceof PyDict) slots.push(...state.items[1].entries());
  }
  return { attrs, slots };
}

/** Items a dict-like object holds (dict subclasses): reduce dict arg, _reconstructor state, SETITEMs. */
function baseDictItems(o: PyObject): Array<[PyValue, PyValue]> | null {
  const name = className(o);
  const c = o.callable;
  const out: Array<[PyValue, PyValue]> = [];
  let dictLike = o.dictItems.length > 0;
  if (c instanceof PyGlobal && globalName(c) === "copyreg._reconstructor" && o.args[1] instanceof PyGlobal && globalName(o.args[1]) === "builtins.dict") {
    dictLike = true;
    if (o.args[2] instanceof PyDict) out.push(...o.args[2].entries());
  } else if (DICT_SUBCLASSES.has(name)) {
    dictLike = true;
    if (o.args[0] instanceof PyDict) out.push(...o.args[0].entries());
  }
  out.push(...o.dictItems);
  return dictLike ? out : null;
}

/** The values canon.py's walk descends into (for counting shared references). */
function children(v: PyValue): PyValue[] {
  if (Array.isArray(v)) return v;
  if (v instanceof PyTuple || v instanceof PySet) return v.items;
  if (v instanceof PyDict) {
    const out: PyValue[] = [];
    for (let i = 0; i < v.keys.length; i++) out.push(v.keys[i], v.values[i]);
    return out;
  }
  if (v instanceof PyOrderedDict) return children(v.dict);
  if (v instanceof PyObject) {
    const out: PyValue[] = [];
    for (const [k, x] of baseDictItems(v) ?? []) out.push(k, x);
    out.push(...v.listItems);
    for (const [, x] of stateParts(v.state).attrs) out.push(x);
    return out;
  }
  return [];
}

export interface CanonicalReprOptions {
  /** Maximum nesting (default 2000); deeper values give a LIMIT error. */
  maxDepth?: number;
}

/** The canonical repr of a decoded value (tools/canon.py format). */
export function canonicalRepr(root: PyValue, options: CanonicalReprOptions = {}): string {
  const maxDepth = options.maxDepth ?? 2000;
  // Pass 1: count references to every non-atomic object (iterative).
  const counts = new Map<object | string, number>();
  const stack: PyValue[] = [root];
  while (stack.length > 0) {
    const v = stack.pop() as PyValue;
    if (isAtomic(v)) continue;
    const id = identity(v as object);
    const n = (counts.get(id) ?? 0) + 1;
    counts.set(id, n);
    if (n > 1) continue;
    const kids = children(v);
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
  }
  const labels = new Map<object | string, number>();
  let depth = 0;

  const r = (v: PyValue): string => {
    if (typeof v === "string") return pyStrRepr(v);
    if (typeof v === "number") return Number.isInteger(v) ? (Object.is(v, -0) ? "0" : String(v)) : pyFloatRepr(v);
    if (typeof v === "bigint") return String(v);
    if (typeof v === "boolean") return v ? "True" : "False";
    if (v === null) return "None";
    if (v instanceof Uint8Array) return pyBytesRepr(v);
    if (v instanceof PyFloat) return pyFloatRepr(v.value);
    if (v instanceof PyComplex) return pyComplexRepr(v.real, v.imag);
    if (v instanceof PyRange) return v.step === 1 || v.step === 1n ? `range(${v.start}, ${v.stop})` : `range(${v.start}, ${v.stop}, ${v.step})`;
    if (v instanceof PyPersistent) return `PID(${r(v.pid)})`;
    if (v instanceof PyGlobal) {
      const g = globalName(v);
      if (g === "builtins.Ellipsis") return "Ellipsis";
      if (g === "builtins.NotImplemented") return "NotImplemented";
    }
    const id = identity(v);
    const label = labels.get(id);
    if (label !== undefined) return `#${label}#`;
    let prefix = "";
    if ((counts.get(id) ?? 0) > 1) {
      labels.set(id, labels.size + 1);
      prefix = `#${labels.size}=`;
    }
    if (++depth > maxDepth) fail("LIMIT", "pickle", `value nests deeper than ${maxDepth}`);
    try {
      return prefix + body(v);
    } finally {
      depth--;
    }
  };

  const dictBody = (entries: Iterable<[PyValue, PyValue]>): string => {
    const parts: string[] = [];
    for (const [k, x] of entries) parts.push(`${r(k)}: ${r(x)}`);
    return `{${parts.join(", ")}}`;
  };

  const objectText = (name: string, base: string, attrs: Array<[PyValue, PyValue]>, slots: Array<[PyValue, PyValue]>): string => {
    let s = `${name}(${base})`;
    if (attrs.length > 0) s += ` attrs{${attrs.map(([k, x]) => `${typeof k === "string" ? pyStrRepr(k) : r(k)}: ${r(x)}`).join(", ")}}`;
    if (slots.length > 0) s += ` slots{${slots.map(([k, x]) => `${typeof k === "string" ? pyStrRepr(k) : r(k)}: ${r(x)}`).join(", ")}}`;
    return s;
  };

  const body = (v: object): string => {
    if (Array.isArray(v)) return `[${v.map(r).join(", ")}]`;
    if (v instanceof PyTuple) return `(${v.items.map(r).join(", ")}${v.items.length === 1 ? "," : ""})`;
    if (v instanceof PyDict) return dictBody(v.entries());
    if (v instanceof PySet) {
      const items = v.items.map(r).sort();
      if (v.frozen) return `frozenset({${items.join(", ")}})`;
      return items.length === 0 ? "set()" : `{${items.join(", ")}}`;
    }
    if (v instanceof PyByteArray) return `bytearray(${pyBytesRepr(v.data)})`;
    if (v instanceof PyGlobal) return `<global ${globalName(v)}>`;
    if (v instanceof PyObject) return objectBody(v);
    if (v instanceof PyReconstructed) return reconstructedBody(v);
    return "?";
  };

  const objectBody = (o: PyObject): string => {
    const name = className(o);
    const { attrs, slots } = stateParts(o.state);
    if (name.startsWith("builtins.") && EXCEPTION.test(name.slice(9))) {
      const args = o.origin === "reduce" && o.callable === o.instanceClass() ? o.args : [];
      let s = `${name}(${args.map(r).join(", ")})`;
      if (attrs.length > 0) s += `{${attrs.map(([k, x]) => `${typeof k === "string" ? k : r(k)}: ${r(x)}`).join(", ")}}`;
      return s;
    }
    if (name === "fractions.Fraction" && o.args.length === 2 && attrs.length === 0) {
      return objectText(name, "", [], [
        ["_numerator", o.args[0]],
        ["_denominator", o.args[1]],
      ]);
    }
    if (name === "uuid.SafeUUID" && o.args.length === 1 && SAFE_UUID.has(o.args[0])) {
      const [member, order] = SAFE_UUID.get(o.args[0]) as [string, number];
      const cls = o.instanceClass();
      return objectText(name, "", [
        ["_value_", o.args[0]],
        ["_name_", member],
        ["__objclass__", cls],
        ["_sort_order_", order],
      ], []);
    }
    const c = o.callable;
    if (c instanceof PyGlobal && globalName(c) === "builtins.type" && o.args.length === 1 && o.listItems.length === 0 && o.state === undefined) {
      // type(None) / type(...) / type(NotImplemented): CPython's reduce for these singleton types.
      const a = o.args[0];
      const t = a === null ? "NoneType" : a instanceof PyGlobal && globalName(a) === "builtins.Ellipsis" ? "ellipsis" : a instanceof PyGlobal && globalName(a) === "builtins.NotImplemented" ? "NotImplementedType" : null;
      if (t !== null) return `<global builtins.${t}>`;
    }
    if (name === "functools.partial" && o.state instanceof PyTuple && o.state.items.length === 4) {
      // partial.__setstate__((func, args, kwds, dict)); repr(partial) = functools.partial(func, *args, **kwds).
      const [fn, args, kwds] = o.state.items;
      const parts = [fn instanceof PyGlobal && globalName(fn).startsWith("builtins.") ? `<class '${globalName(fn).slice(9)}'>` : r(fn)];
      if (args instanceof PyTuple) parts.push(...args.items.map(r));
      if (kwds instanceof PyDict) for (const [k, x] of kwds.entries()) parts.push(`${typeof k === "string" ? k : r(k)}=${r(x)}`);
      return `functools.partial(functools.partial(${parts.join(", ")}))`;
    }
    if (name === "http.cookies.Morsel" && attrs.length > 0) {
      // Morsel.__setstate__ stores key/value/coded_value as _key/_value/_coded_value.
      const st = new Map(attrs.map(([k, x]) => [k, x] as const));
      const renamed: Array<[PyValue, PyValue]> = ["key", "value", "coded_value"].filter((k) => st.has(k)).map((k) => [`_${k}`, st.get(k) as PyValue]);
      return objectText(name, baseDictItems(o) === null ? "" : dictBody(baseDictItems(o) ?? []), renamed, slots);
    }
    const dictItems = baseDictItems(o);
    let base = "";
    if (dictItems !== null) base = dictBody(dictItems);
    else if (o.listItems.length > 0) base = `[${o.listItems.map(r).join(", ")}]`;
    return objectText(name, base, attrs, slots);
  };

  const reconstructedBody = (v: PyReconstructed): string => {
    if (v instanceof PyOrderedDict) {
      const { attrs, slots } = stateParts(v.source?.state);
      return objectText("collections.OrderedDict", dictBody(v.dict.entries()), attrs, slots);
    }
    if (v instanceof PyDateTime) return `datetime.${v.kind}(${dateTimeRepr(v)})`;
    if (v instanceof PyDecimal) return `decimal.Decimal(Decimal(${pyStrRepr(v.text)}))`;
    if (v instanceof PySlice) return `builtins.slice(slice(${r(v.start)}, ${r(v.stop)}, ${r(v.step)}))`;
    if (v instanceof PyUUID) {
      // UUID.__setstate__ sets the `int` slot and `is_safe` = SafeUUID(state['is_safe']) or SafeUUID.unknown.
      const p = stateParts(v.source?.state);
      const all = [...p.attrs, ...p.slots];
      const safe = all.find(([k]) => k === "is_safe")?.[1] ?? null;
      const member = SAFE_UUID.get(safe) ?? (["unknown", 2] as [string, number]);
      const enumText = `uuid.SafeUUID() attrs{'_value_': ${r(safe)}, '_name_': ${pyStrRepr(member[0])}, '__objclass__': <global uuid.SafeUUID>, '_sort_order_': ${member[1]}}`;
      const slotText = all.filter(([k]) => k !== "is_safe").map(([k, x]) => `${typeof k === "string" ? pyStrRepr(k) : r(k)}: ${r(x)}`);
      return `uuid.UUID() slots{${[...slotText, `'is_safe': ${enumText}`].join(", ")}}`;
    }
    if (v instanceof PyBuffer) {
      if (v.outOfBand) return `<buffer${v.index} ${v.readonly ? "readonly" : "writable"} memoryview of ${pyBytesRepr(v.data)}>`;
      return v.readonly ? pyBytesRepr(v.data) : `bytearray(${pyBytesRepr(v.data)})`;
    }
    if (v instanceof NdArray) return `numpy.ndarray(${v.dtype.str} ${JSON.stringify(v.shape)})`;
    if (v instanceof NumpyDType) return `numpy.dtype(${v.str})`;
    if (v instanceof NumpyScalar) return `numpy.${v.dtype.str}(${r(v.value as PyValue)})`;
    if (v.source !== null) return objectBody(v.source);
    return `${v.kind}()`;
  };

  return r(root);
}

/** Python's repr of a date/datetime/time/timedelta (trailing zero fields omitted as CPython does). */
function dateTimeRepr(v: PyDateTime): string {
  const f = v.fields;
  const tz = v.tzinfo === null ? "" : ", tzinfo=...";
  const fold = v.fold ? ", fold=1" : "";
  const trim = (xs: number[], keep: number): number[] => {
    const out = [...xs];
    while (out.length > keep && out[out.length - 1] === 0) out.pop();
    return out;
  };
  switch (v.kind) {
    case "date":
      return `datetime.date(${f.join(", ")})`;
    case "datetime":
      return `datetime.datetime(${trim(f, 5).join(", ")}${fold}${tz})`;
    case "time":
      return `datetime.time(${trim(f, 2).join(", ")}${fold}${tz})`;
    default: {
      const parts: string[] = [];
      if (f[0]) parts.push(`days=${f[0]}`);
      if (f[1]) parts.push(`seconds=${f[1]}`);
      if (f[2]) parts.push(`microseconds=${f[2]}`);
      return `datetime.timedelta(${parts.length === 0 ? "0" : parts.join(", ")})`;
    }
  }
}
