/**
 * The plain JavaScript object model that pickles decode into and encode from.
 *
 * Mapping (Python -> JS):
 *   None -> null, bool -> boolean, str -> string, bytes -> Uint8Array (a view,
 *   never a copy), list -> PyValue[] (a plain array),
 *   int -> number when it is a safe integer, else bigint,
 *   float -> number; a float with an integral value (2.0, -0.0) is a PyFloat
 *   so that re-encoding keeps it a float (2 and 2.0 are different pickles),
 *   tuple -> PyTuple, dict -> PyDict (ordered, any key), set/frozenset ->
 *   PySet, bytearray -> PyByteArray.
 * Globals are never imported: GLOBAL/STACK_GLOBAL give a PyGlobal, and
 * REDUCE/NEWOBJ/INST/OBJ/BUILD on it give a PyObject that keeps the class,
 * arguments and state, so the graph can be walked, scanned and re-encoded.
 * Shared and recursive references stay shared: one JS object per memo entry.
 */

export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyValue[]
  | PyFloat
  | PyTuple
  | PyDict
  | PySet
  | PyByteArray
  | PyGlobal
  | PyObject
  | PyPersistent
  | PyReconstructed;

/** A Python float whose value is integral, kept distinct from int. */
export class PyFloat {
  constructor(readonly value: number) {}
}

export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

export class PyByteArray {
  constructor(public data: Uint8Array) {}
}

export class PySet {
  constructor(
    readonly items: PyValue[],
    readonly frozen: boolean,
  ) {}
}

/** Dict key identity: primitives by value (as Python hashes them), objects by reference. */
const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

function keyOf(key: PyValue): unknown {
  if (typeof key === "number") return key;
  if (typeof key === "boolean") return key ? 1 : 0; // Python: True == 1 == 1.0 hash alike
  if (typeof key === "bigint") return key >= MIN_SAFE && key <= MAX_SAFE ? Number(key) : key;
  if (key instanceof PyFloat) return key.value;
  if (key instanceof PyTuple) return `(${key.items.map((k) => (typeof k === "string" ? JSON.stringify(k) : String(keyOf(k)))).join(",")})`;
  return key;
}

/** Linear search of keys[0..n) with Python key equality. */
function findIn(keys: readonly PyValue[], n: number, key: PyValue): number {
  if (typeof key === "string") {
    for (let i = 0; i < n; i++) if (keys[i] === key) return i;
    return -1;
  }
  const k = keyOf(key);
  for (let i = 0; i < n; i++) {
    const x = keys[i];
    if (x === key || (typeof x !== "string" && keyOf(x) === k)) return i;
  }
  return -1;
}

function addToIndex(x: DictIndex, key: PyValue, i: number): void {
  if (typeof key === "string") x.str.set(key, i);
  else (x.other ??= new Map()).set(keyOf(key), i);
}

/** Dicts up to this size find keys by a linear scan; larger ones build hash indexes. */
const SMALL_DICT = 8;

/**
 * An ordered dict with Python key semantics for primitives (1 == 1.0 ==
 * True; tuples by value), objects by identity; insertion order kept. Small
 * dicts (the common case in data pickles) allocate no index at all.
 */
/** Hash indexes of a dict larger than SMALL_DICT: str keys, and every other key by keyOf (made when the first such key comes). */
interface DictIndex {
  readonly str: Map<string, number>;
  other: Map<unknown, number> | null;
}

/**
 * The keys and values of a dict until its first item: frozen and shared, so
 * an empty dict allocates no arrays (`set` and `setPairs` replace it).
 */
const NO_ITEMS = Object.freeze([]) as unknown as PyValue[];

export class PyDict {
  /**
   * Keys in insertion order (read-only for users: change the dict with `set`).
   * Empty dicts, and decoded dicts with the same keys, may share one frozen array.
   */
  keys: PyValue[] = NO_ITEMS;
  /** Values, parallel to `keys` (read-only for users). */
  values: PyValue[] = NO_ITEMS;
  private index: DictIndex | null = null;

  get size(): number {
    return this.keys.length;
  }

  private find(key: PyValue): number {
    const x = this.index;
    if (x !== null) return (typeof key === "string" ? x.str.get(key) : x.other?.get(keyOf(key))) ?? -1;
    return findIn(this.keys, this.keys.length, key);
  }

  set(key: PyValue, value: PyValue): void {
    const i = this.find(key);
    if (i >= 0) {
      this.values[i] = value;
      return;
    }
    const n = this.keys.length;
    if (n === 0) {
      this.keys = [key];
      this.values = [value];
      return;
    }
    // A decoded dict may share its keys array, frozen, with dicts of the same keys (decode/key-sharing.ts).
    if (Object.isFrozen(this.keys)) this.keys = this.keys.slice();
    this.keys.push(key);
    this.values.push(value);
    if (this.index !== null) addToIndex(this.index, key, n);
    else if (n + 1 > SMALL_DICT) {
      const x: DictIndex = { str: new Map(), other: null };
      for (let j = 0; j <= n; j++) addToIndex(x, this.keys[j], j);
      this.index = x;
    }
  }

  /**
   * Sets the pairs items[from], items[from + 1], ... up to `to` (SETITEMS
   * and DICT). An empty dict receiving a small batch gets arrays of exactly
   * the right size: decoded data is mostly small dicts, and the spare
   * capacity that one-by-one pushes leave would double their memory.
   */
  setPairs(items: readonly PyValue[], from: number, to: number): void {
    const n = (to - from) >> 1;
    if (this.keys.length !== 0 || n > SMALL_DICT || n === 0) {
      for (let i = from; i + 1 < to; i += 2) this.set(items[i], items[i + 1]);
      return;
    }
    const keys = new Array<PyValue>(n);
    const values = new Array<PyValue>(n);
    let m = 0;
    for (let i = from; i + 1 < to; i += 2) {
      const key = items[i];
      const j = findIn(keys, m, key);
      if (j >= 0) {
        values[j] = items[i + 1];
      } else {
        keys[m] = key;
        values[m++] = items[i + 1];
      }
    }
    if (m < n) {
      keys.length = m;
      values.length = m;
    }
    this.keys = keys;
    this.values = values;
  }

  get(key: PyValue): PyValue | undefined {
    const i = this.find(key);
    return i < 0 ? undefined : this.values[i];
  }

  has(key: PyValue): boolean {
    return this.find(key) >= 0;
  }

  *entries(): IterableIterator<[PyValue, PyValue]> {
    for (let i = 0; i < this.keys.length; i++) yield [this.keys[i], this.values[i]];
  }

  static from(entries: Iterable<[PyValue, PyValue]>): PyDict {
    const d = new PyDict();
    for (const [k, v] of entries) d.set(k, v);
    return d;
  }
}

/** An inert reference to `module.name`; nothing is imported. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}

  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** How an object was created in the pickle stream, kept for faithful re-encoding. */
export type PyObjectOrigin = "reduce" | "newobj" | "newobj_ex" | "inst" | "obj";

/**
 * The inert result of calling a global: `callable(*args, **kwargs)`, then
 * BUILD with `state`, plus list/dict items added by APPEND(S)/SETITEM(S).
 * For `copyreg._reconstructor(cls, base, state)` and `cls.__new__` the
 * class of the instance is found with `instanceClass()`.
 */
export class PyObject {
  /** BUILD state, undefined when the stream never built this object. */
  state: PyValue | undefined = undefined;
  /** Items APPENDed to the object (list subclasses). */
  readonly listItems: PyValue[] = [];
  /** Items SETITEMed on the object (dict subclasses such as OrderedDict). */
  readonly dictItems: Array<[PyValue, PyValue]> = [];

  constructor(
    readonly callable: PyValue,
    readonly args: PyValue[],
    readonly origin: PyObjectOrigin,
    readonly kwargs: PyDict | null = null,
  ) {}

  /** The class an instance belongs to, as far as the stream says. */
  instanceClass(): PyValue {
    const c = this.callable;
    if (c instanceof PyGlobal && (c.qualifiedName === "copyreg._reconstructor" || c.qualifiedName === "copy_reg._reconstructor")) {
      return this.args[0] ?? null;
    }
    if (c instanceof PyGlobal && (c.qualifiedName === "copyreg.__newobj__" || c.qualifiedName === "copyreg.__newobj_ex__")) {
      return this.args[0] ?? null;
    }
    return c;
  }
}

/** A persistent id (PERSID/BINPERSID) left unresolved because no persistentLoad was given. */
export class PyPersistent {
  constructor(readonly pid: PyValue) {}
}

/**
 * A value that an allowlisted reconstructor built from an inert call
 * (numpy arrays, datetimes, Decimals, ...). `value` is the useful JS form;
 * `source` is the original PyObject so an encoder can write the same
 * REDUCE sequence back.
 */
export abstract class PyReconstructed {
  abstract readonly kind: string;
  source: PyObject | null = null;

  /**
   * BUILD on the value (Python: `__setstate__`). The default keeps the
   * state on the source object so nothing is lost; subclasses whose Python
   * type takes state (ndarray, dtype, UUID) override this.
   * Returns false when this kind of value cannot take state.
   */
  build(state: PyValue): boolean {
    if (this.source === null) return false;
    this.source.state = state;
    return true;
  }

  /** APPEND/APPENDS on the value; false when it is not list-like. */
  append(_item: PyValue): boolean {
    return false;
  }

  /** SETITEM/SETITEMS on the value; false when it is not dict-like. */
  setItem(_key: PyValue, _value: PyValue): boolean {
    return false;
  }
}

export function isPyValueObject(v: PyValue): v is Exclude<PyValue, null | boolean | number | bigint | string> {
  return typeof v === "object" && v !== null;
}
