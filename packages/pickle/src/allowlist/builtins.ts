/**
 * Allowlisted standard-library callables. Each reconstructor checks its
 * arguments and returns undefined (leaving the call inert) when they are
 * not what CPython's own __reduce__ writes.
 */
import { fail } from "@codec/core";
import { floatValue, parseIntText } from "../decode/text-args.js";
import { PyByteArray, PyDict, PyFloat, PySet, PyTuple, type PyValue } from "../model.js";
import type { Reconstructor } from "../decode/options.js";
import { takeLatin1 } from "../decode/latin1-text.js";
import { PyComplex, PyDateTime, PyDecimal, PyOrderedDict, PyRange, PySlice, PyUUID } from "../values.js";

export function num(v: PyValue): number | undefined {
  if (typeof v === "number") return v;
  if (v instanceof PyFloat) return v.value;
  if (typeof v === "boolean") return v ? 1 : 0;
  return undefined;
}

function int(v: PyValue): number | bigint | undefined {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  if (typeof v === "bigint") return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  return undefined;
}

/** Items of a list/tuple/set argument (what list(x), set(x) iterate). */
function iterItems(v: PyValue): PyValue[] | undefined {
  if (Array.isArray(v)) return v;
  if (v instanceof PyTuple || v instanceof PySet) return v.items;
  if (v instanceof PyDict) return v.keys;
  return undefined;
}

/** latin-1 text -> bytes, the Python 2/3 bytes trick (`codecs.encode(s, 'latin1')`). */
function encodeText(s: PyValue, encoding: PyValue): Uint8Array | undefined {
  if (typeof s !== "string") return undefined;
  const enc = typeof encoding === "string" ? encoding.toLowerCase().replace(/_/g, "-") : "";
  if (enc === "latin1" || enc === "latin-1" || enc === "iso-8859-1" || enc === "l1") {
    const known = takeLatin1(s);
    if (known !== undefined) return known;
    const out = new Uint8Array(s.length);
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 255) return undefined;
      out[i] = c;
    }
    return out;
  }
  if (enc === "utf-8" || enc === "utf8" || enc === "ascii") return new TextEncoder().encode(s);
  return undefined;
}

/** datetime pickles its fields as bytes (Python 3) or latin-1 text (Python 2 with encoding='latin1'). */
function stateBytes(v: PyValue): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  if (typeof v === "string") return encodeText(v, "latin1");
  return undefined;
}

const setOf =
  (frozen: boolean): Reconstructor =>
  (args) => {
    if (args.length === 0) return new PySet([], frozen);
    const items = iterItems(args[0]);
    return items === undefined || args.length !== 1 ? undefined : new PySet([...items], frozen);
  };

const encode: Reconstructor = (args) => (args.length === 2 || args.length === 1 ? encodeText(args[0], args[1] ?? "utf-8") : undefined);

const datetimeOf: Reconstructor = (args) => {
  const b = stateBytes(args[0]);
  if (b === undefined || b.length !== 10 || args.length > 2) return undefined;
  const fold = b[2] > 127 ? 1 : 0;
  const us = (b[7] << 16) | (b[8] << 8) | b[9];
  return new PyDateTime("datetime", [b[0] * 256 + b[1], b[2] & 0x7f, b[3], b[4], b[5], b[6], us], args[1] ?? null, fold);
};

const dateOf: Reconstructor = (args) => {
  const b = stateBytes(args[0]);
  if (b === undefined || b.length !== 4 || args.length !== 1) return undefined;
  return new PyDateTime("date", [b[0] * 256 + b[1], b[2], b[3]]);
};

const timeOf: Reconstructor = (args) => {
  const b = stateBytes(args[0]);
  if (b === undefined || b.length !== 6 || args.length > 2) return undefined;
  const fold = b[0] > 127 ? 1 : 0;
  return new PyDateTime("time", [b[0] & 0x7f, b[1], b[2], (b[3] << 16) | (b[4] << 8) | b[5]], args[1] ?? null, fold);
};

const timedeltaOf: Reconstructor = (args) => {
  const f = args.map(num);
  if (f.length !== 3 || f.some((x) => x === undefined || !Number.isInteger(x))) return undefined;
  return new PyDateTime("timedelta", f as number[]);
};

const decimalOf: Reconstructor = (args) => {
  // CPython: Decimal(bytes) raises TypeError (a Python 2 str loaded with encoding='bytes').
  if (args[0] instanceof Uint8Array) fail("CORRUPT", "pickle", "conversion from bytes to Decimal is not supported");
  return args.length === 1 && typeof args[0] === "string" ? new PyDecimal(args[0]) : undefined;
};

/** int(), int(x), float(), str(), bool(): the scalar constructors (CPython's test_bad_reduce uses int()). */
const scalarCalls: Array<[string, Reconstructor]> = [
  [
    "builtins.int",
    (args) => {
      if (args.length === 0) return 0;
      const v = args[0];
      if (args.length !== 1) return undefined;
      if (typeof v === "number" || typeof v === "bigint") return typeof v === "number" ? Math.trunc(v) : v;
      if (typeof v === "boolean") return v ? 1 : 0;
      if (typeof v === "string" && /^\s*[+-]?\d+\s*$/.test(v)) return parseIntText(v) ?? undefined;
      return undefined;
    },
  ],
  ["builtins.float", (args) => (args.length === 0 ? new PyFloat(0) : args.length === 1 && num(args[0]) !== undefined ? floatValue(num(args[0]) as number) : undefined)],
  ["builtins.str", (args) => (args.length === 0 ? "" : args.length === 1 && typeof args[0] === "string" ? args[0] : undefined)],
  ["builtins.bool", (args) => (args.length === 0 ? false : args.length === 1 && (typeof args[0] === "number" || typeof args[0] === "boolean" || args[0] === null) ? Boolean(args[0]) : undefined)],
];

export const BUILTIN_CALLS: Array<[string, Reconstructor]> = [
  ...scalarCalls,
  ["builtins.set", setOf(false)],
  ["builtins.frozenset", setOf(true)],
  [
    "builtins.list",
    (args) => {
      if (args.length === 0) return [];
      const items = iterItems(args[0]);
      return items === undefined || args.length !== 1 ? undefined : [...items];
    },
  ],
  [
    "builtins.tuple",
    (args) => {
      if (args.length === 0) return new PyTuple([]);
      const items = iterItems(args[0]);
      return items === undefined || args.length !== 1 ? undefined : new PyTuple([...items]);
    },
  ],
  [
    "builtins.dict",
    (args) => {
      if (args.length === 0) return new PyDict();
      if (args.length !== 1) return undefined;
      if (args[0] instanceof PyDict) return PyDict.from(args[0].entries());
      const items = iterItems(args[0]);
      if (items === undefined) return undefined;
      const d = new PyDict();
      for (const it of items) {
        const kv = Array.isArray(it) ? it : it instanceof PyTuple ? it.items : undefined;
        if (kv === undefined || kv.length !== 2) return undefined;
        d.set(kv[0], kv[1]);
      }
      return d;
    },
  ],
  [
    "builtins.bytearray",
    (args) => {
      if (args.length === 0) return new PyByteArray(new Uint8Array(0));
      if (args[0] instanceof Uint8Array && args.length === 1) return new PyByteArray(args[0]);
      const b = args.length === 2 ? encodeText(args[0], args[1]) : undefined;
      if (b !== undefined) return new PyByteArray(b);
      const items = args.length === 1 ? iterItems(args[0]) : undefined;
      if (items === undefined || !items.every((x) => typeof x === "number" && x >= 0 && x < 256 && Number.isInteger(x))) return undefined;
      return new PyByteArray(Uint8Array.from(items as number[]));
    },
  ],
  [
    "builtins.bytes",
    (args) => {
      if (args.length === 0) return new Uint8Array(0);
      if (args.length === 2) return encodeText(args[0], args[1]);
      const items = args.length === 1 ? iterItems(args[0]) : undefined;
      if (items === undefined || !items.every((x) => typeof x === "number" && x >= 0 && x < 256 && Number.isInteger(x))) return undefined;
      return Uint8Array.from(items as number[]);
    },
  ],
  [
    "builtins.complex",
    (args) => {
      const re = args.length > 0 ? num(args[0]) : 0;
      const im = args.length > 1 ? num(args[1]) : 0;
      return re === undefined || im === undefined || args.length > 2 ? undefined : new PyComplex(re, im);
    },
  ],
  ["builtins.slice", (args) => (args.length >= 1 && args.length <= 3 ? new PySlice(args.length === 1 ? null : args[0], args.length === 1 ? args[0] : args[1], args[2] ?? null) : undefined)],
  [
    "builtins.range",
    (args) => {
      const v = args.map(int);
      if (v.length === 0 || v.length > 3 || v.some((x) => x === undefined)) return undefined;
      const [a, b, c] = v as Array<number | bigint>;
      return v.length === 1 ? new PyRange(0, a, 1) : new PyRange(a, b, c ?? 1);
    },
  ],
  ["codecs.encode", encode],
  ["_codecs.encode", encode],
  ["datetime.datetime", datetimeOf],
  ["datetime.date", dateOf],
  ["datetime.time", timeOf],
  ["datetime.timedelta", timedeltaOf],
  ["decimal.Decimal", decimalOf],
  ["_pydecimal.Decimal", (args) => (args.length === 1 && typeof args[0] === "string" ? new PyDecimal(args[0]) : undefined)],
  [
    "collections.OrderedDict",
    (args) => {
      const od = new PyOrderedDict();
      if (args.length === 0) return od;
      const items = args.length === 1 ? iterItems(args[0]) : undefined;
      if (items === undefined) return undefined;
      for (const it of items) {
        const kv = Array.isArray(it) ? it : it instanceof PyTuple ? it.items : undefined;
        if (kv === undefined || kv.length !== 2) return undefined;
        od.setItem(kv[0], kv[1]);
      }
      return od;
    },
  ],
];

export const BUILTIN_NEW: Array<[string, Reconstructor]> = [
  ["uuid.UUID", (args) => (args.length === 0 ? new PyUUID() : undefined)],
  // int.__new__(int) etc. (NEWOBJ on the scalar types).
  ...scalarCalls,
];
