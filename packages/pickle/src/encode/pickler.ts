/**
 * The pickler (encode), protocols 2-5, writing what CPython's Lib/pickle.py
 * Pickler writes for the same values: memo for shared and recursive
 * objects (MEMOIZE from protocol 4, BINPUT before), batched APPENDS /
 * SETITEMS / ADDITEMS of 1000, the recursive-tuple handling of save_tuple,
 * FRAMEs from protocol 4 (writer.ts), and inert objects written back as the
 * GLOBAL / REDUCE / NEWOBJ / NEWOBJ_EX / INST / OBJ / BUILD sequence they
 * were decoded from.
 */
import { fail, Tensor } from "@codec/core";
import { PyBuffer } from "../decode/buffer.js";
import { PyByteArray, PyDict, PyFloat, PyGlobal, PyObject, PyPersistent, PyReconstructed, PySet, PyTuple, type PyValue } from "../model.js";
import { NdArray } from "../numpy/ndarray.js";
import { py2to3Name } from "../compat.js";
import { PyOrderedDict } from "../values.js";
import { saveNumpy } from "./numpy.js";
import { encodeLong, utf8EncodeSurrogatePass } from "./text.js";
import { PickleWriter } from "./writer.js";

const F = "pickle";
const BATCHSIZE = 1000;
/** Strings up to this length are memoized through the direct-mapped cache (see saveStr); longer ones through a Map. */
const SHORT_STR = 64;
const STR_SLOTS = 1 << 12;

export interface PickleOptions {
  /** Pickle protocol, 2 to 5 (default 4). */
  protocol?: 2 | 3 | 4 | 5;
  /** Like Pickler.persistent_id: a non-undefined result is written as a persistent id (BINPERSID) instead of the value. */
  persistentId?(value: PyValue): PyValue | undefined;
  /**
   * Protocol 5 out-of-band buffers (PyBuffer values and numpy array data):
   * return true to take the buffer out of band (a NEXT_BUFFER opcode is
   * written and the caller passes the bytes to unpickle's `buffers`), false
   * to write it in band.
   */
  buffers?(data: Uint8Array, readonly: boolean): boolean;
  /** Maximum nesting of containers (default 5000); deeper values give a LIMIT error. */
  maxDepth?: number;
}

/** A value the encoder accepts: the object model plus core Tensors (written as numpy arrays). */
export type PicklableValue = PyValue | Tensor;

export class Pickler {
  readonly w: PickleWriter;
  readonly proto: number;
  private readonly memo = new Map<object, number>();
  /** Long strings already written, by value, with their memo index. */
  private readonly strMemo = new Map<string, number>();
  /**
   * Short strings already written: a direct-mapped cache (slot by a hash of
   * length and three characters) holding the last string of each slot and
   * its memo index. A Map of every string of a large pickle cost a fifth of
   * the encode time; a slot miss only means a repeated string is written
   * again (CPython writes equal but distinct str objects again too), the
   * output stays a valid pickle of the same value.
   */
  private readonly strSlot: string[] = new Array<string>(STR_SLOTS).fill("");
  private readonly strSlotMemo: Float64Array = new Float64Array(STR_SLOTS).fill(-1);
  private nextMemo = 0;
  private depth = 0;
  private readonly maxDepth: number;
  private readonly pid: PickleOptions["persistentId"];
  readonly bufferCallback: PickleOptions["buffers"];
  private readonly synthesized = new Map<string, PyGlobal>();
  private readonly tensors = new WeakMap<Tensor, NdArray>();

  constructor(options: PickleOptions = {}) {
    const p = options.protocol ?? 4;
    if (![2, 3, 4, 5].includes(p)) fail("USAGE", F, `protocol ${p} is not supported for writing (2 to 5)`);
    this.proto = p;
    this.w = new PickleWriter(p >= 4);
    this.maxDepth = options.maxDepth ?? 5000;
    this.pid = options.persistentId;
    this.bufferCallback = options.buffers;
  }

  dump(value: PicklableValue): Uint8Array {
    this.w.bytes2(0x80, this.proto);
    this.w.beginFraming();
    this.save(value);
    this.w.byte(0x2e);
    return this.w.finish();
  }

  /** A global this encoder writes itself, spelled as CPython's pickler spells it for the protocol (fix_imports). */
  global(module: string, name: string): PyGlobal {
    let m = module;
    if (this.proto < 3) m = module === "builtins" ? "__builtin__" : module === "copyreg" ? "copy_reg" : module;
    const key = `${m}\n${name}`;
    let g = this.synthesized.get(key);
    if (g === undefined) {
      g = new PyGlobal(m, name);
      this.synthesized.set(key, g);
    }
    return g;
  }

  save(v: PicklableValue, noPid = false): void {
    const w = this.w;
    if (w.framing) w.commitFrame();
    if (this.pid !== undefined && !noPid && !(v instanceof Tensor)) {
      const id = this.pid(v);
      if (id !== undefined) {
        this.save(id, true);
        w.byte(0x51); // BINPERSID
        return;
      }
    }
    switch (typeof v) {
      case "string":
        this.saveStr(v);
        return;
      case "number":
        if (Number.isInteger(v) && !Object.is(v, -0)) {
          this.saveInt(v);
          return;
        }
        w.byte(0x47);
        w.f64be(v);
        return;
      case "bigint":
        if (v >= -2147483648n && v <= 2147483647n) this.saveInt(Number(v));
        else this.saveLong(v);
        return;
      case "boolean":
        w.byte(v ? 0x88 : 0x89);
        return;
      case "object":
        break;
      default:
        fail("USAGE", F, `cannot pickle a JavaScript ${typeof v}`);
    }
    if (v === null) {
      w.byte(0x4e);
      return;
    }
    if (v instanceof PyFloat) {
      w.byte(0x47);
      w.f64be(v.value);
      return;
    }
    const m = this.memo.get(v);
    if (m !== undefined) {
      this.get(m);
      return;
    }
    if (++this.depth > this.maxDepth) fail("LIMIT", F, `value nests deeper than ${this.maxDepth}`);
    try {
      if (Array.isArray(v)) this.saveList(v);
      else if (v instanceof PyDict) this.saveDict(v);
      else if (v instanceof PyTuple) this.saveTuple(v);
      else if (v instanceof Uint8Array) this.saveBytes(v);
      else if (v instanceof PyObject) this.saveObject(v);
      else if (v instanceof PyGlobal) this.saveGlobal(v);
      else if (v instanceof PySet) this.saveSet(v);
      else if (v instanceof PyByteArray) this.saveByteArray(v);
      else if (v instanceof PyPersistent) {
        this.save(v.pid, true);
        w.byte(0x51);
      } else if (v instanceof Tensor) {
        let a = this.tensors.get(v);
        if (a === undefined) {
          a = NdArray.fromTensor(v);
          this.tensors.set(v, a);
        }
        this.save(a);
      } else if (v instanceof PyReconstructed) this.saveReconstructed(v);
      else fail("USAGE", F, `cannot pickle ${(v as object).constructor?.name ?? "this value"}`);
    } finally {
      this.depth--;
    }
  }

  memoize(obj: object): void {
    const i = this.nextMemo++;
    this.memo.set(obj, i);
    this.put(i);
  }

  private put(i: number): void {
    if (this.proto >= 4) this.w.byte(0x94);
    else if (i < 256) this.w.bytes2(0x71, i);
    else {
      this.w.byte(0x72);
      this.w.u32(i);
    }
  }

  private get(i: number): void {
    if (i < 256) this.w.bytes2(0x68, i);
    else {
      this.w.byte(0x6a);
      this.w.u32(i);
    }
  }

  isMemoized(obj: object): boolean {
    return this.memo.has(obj);
  }

  private saveInt(n: number): void {
    const w = this.w;
    if (n >= 0 && n < 256) w.bytes2(0x4b, n);
    else if (n >= 0 && n < 65536) {
      w.byte(0x4d);
      w.u16(n);
    } else if (n >= -2147483648 && n <= 2147483647) {
      w.byte(0x4a);
      w.u32(n >>> 0);
    } else this.saveLong(BigInt(n));
  }

  private saveLong(v: bigint): void {
    const b = encodeLong(v);
    if (b.length < 256) this.w.bytes2(0x8a, b.length);
    else {
      this.w.byte(0x8b);
      this.w.u32(b.length);
    }
    this.w.raw(b);
  }

  saveStr(s: string): void {
    const n = s.length;
    let slot = -1;
    if (n <= SHORT_STR) {
      const h = n === 0 ? 0 : n ^ (s.charCodeAt(0) << 7) ^ (s.charCodeAt(n >> 1) << 14) ^ (s.charCodeAt(n - 1) << 21);
      slot = Math.imul(h, 0x9e3779b1) >>> 20; // 12 bits: STR_SLOTS
      if (this.strSlot[slot] === s && this.strSlotMemo[slot] >= 0) {
        this.get(this.strSlotMemo[slot]);
        return;
      }
    } else {
      const hit = this.strMemo.get(s);
      if (hit !== undefined) {
        this.get(hit);
        return;
      }
    }
    const w = this.w;
    let ascii = false;
    if (n < 256 && this.proto >= 4) {
      // Fast path: short ASCII strings are written straight into the buffer.
      w.ensure(n + 2);
      const b = w.buf;
      let p = w.pos + 2;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[p++] = c;
      }
      if (i === n) {
        b[w.pos] = 0x8c;
        b[w.pos + 1] = n;
        w.pos = p;
        ascii = true;
      }
    }
    if (!ascii) {
      const data = utf8EncodeSurrogatePass(s);
      const header = (): void => {
        if (data.length < 256 && this.proto >= 4) w.bytes2(0x8c, data.length);
        else if (data.length < 0x100000000) {
          w.byte(0x58);
          w.u32(data.length);
        } else {
          w.byte(0x8d);
          w.u64(data.length);
        }
      };
      w.large(header, data);
    }
    const i = this.nextMemo++;
    if (slot >= 0) {
      this.strSlot[slot] = s;
      this.strSlotMemo[slot] = i;
    } else {
      this.strMemo.set(s, i);
    }
    this.put(i);
  }

  private saveBytes(b: Uint8Array): void {
    const w = this.w;
    if (this.proto < 3) {
      // Protocol 2 has no bytes opcodes: CPython writes bytes() or codecs.encode(latin-1 text, 'latin1').
      if (b.length === 0) this.saveReduceValue(b, this.global("builtins", "bytes"), []);
      else {
        let text = "";
        for (let i = 0; i < b.length; i += 8192) text += String.fromCharCode.apply(null, Array.from(b.subarray(i, Math.min(b.length, i + 8192))));
        this.saveReduceValue(b, this.global("_codecs", "encode"), [text, "latin1"]);
      }
      return;
    }
    w.large(() => {
      if (b.length < 256) w.bytes2(0x43, b.length);
      else if (b.length < 0x100000000) {
        w.byte(0x42);
        w.u32(b.length);
      } else {
        w.byte(0x8e);
        w.u64(b.length);
      }
    }, b);
    this.memoize(b);
  }

  private saveByteArray(v: PyByteArray): void {
    if (this.proto < 5) {
      this.saveReduceValue(v, this.global("builtins", "bytearray"), v.data.length === 0 ? [] : [v.data.slice()]);
      return;
    }
    const w = this.w;
    w.large(() => {
      w.byte(0x96);
      w.u64(v.data.length);
    }, v.data);
    this.memoize(v);
  }

  /** A protocol 5 PickleBuffer: out of band when the callback takes it, else in band (bytes or bytearray). */
  saveBuffer(data: Uint8Array, readonly: boolean): void {
    if (this.proto >= 5 && this.bufferCallback?.(data, readonly) === true) {
      this.w.byte(0x97);
      if (readonly) this.w.byte(0x98);
      return;
    }
    if (readonly) this.save(data);
    else this.save(new PyByteArray(data));
  }

  private saveList(l: PyValue[]): void {
    this.w.byte(0x5d);
    this.memoize(l);
    this.batchAppends(l);
  }

  batchAppends(items: readonly PyValue[]): void {
    const w = this.w;
    for (let i = 0; i < items.length; i += BATCHSIZE) {
      const end = Math.min(items.length, i + BATCHSIZE);
      if (end - i === 1) {
        this.save(items[i]);
        w.byte(0x61);
      } else {
        w.byte(0x28);
        for (let j = i; j < end; j++) this.save(items[j]);
        w.byte(0x65);
      }
    }
  }

  private saveDict(d: PyDict): void {
    this.w.byte(0x7d);
    this.memoize(d);
    this.batchSetItems(d.keys, d.values);
  }

  batchSetItems(keys: readonly PyValue[], values: readonly PyValue[]): void {
    const w = this.w;
    for (let i = 0; i < keys.length; i += BATCHSIZE) {
      const end = Math.min(keys.length, i + BATCHSIZE);
      if (end - i === 1) {
        this.save(keys[i]);
        this.save(values[i]);
        w.byte(0x73);
      } else {
        w.byte(0x28);
        for (let j = i; j < end; j++) {
          this.save(keys[j]);
          this.save(values[j]);
        }
        w.byte(0x75);
      }
    }
  }

  /** CPython save_tuple, including its handling of tuples reached again while saving their items. */
  saveTuple(t: PyTuple): void {
    const w = this.w;
    const n = t.items.length;
    if (n === 0) {
      w.byte(0x29);
      return;
    }
    if (n <= 3) {
      // Only a container item can lead back to this tuple; without one the memo check is skipped.
      let nested = false;
      for (let i = 0; i < n; i++) {
        const x = t.items[i];
        this.save(x);
        if (typeof x === "object" && x !== null && !(x instanceof PyFloat)) nested = true;
      }
      const m = nested ? this.memo.get(t) : undefined;
      if (m !== undefined) {
        for (let i = 0; i < n; i++) w.byte(0x30);
        this.get(m);
        return;
      }
      w.byte(0x84 + n); // TUPLE1/2/3 = 0x85/0x86/0x87
      this.memoize(t);
      return;
    }
    w.byte(0x28);
    for (const x of t.items) this.save(x);
    const m = this.memo.get(t);
    if (m !== undefined) {
      w.byte(0x31); // POP_MARK
      this.get(m);
      return;
    }
    w.byte(0x74);
    this.memoize(t);
  }

  private saveSet(s: PySet): void {
    const w = this.w;
    if (this.proto < 4) {
      const cls = this.global("builtins", s.frozen ? "frozenset" : "set");
      this.saveReduceValue(s, cls, s.items.length === 0 && s.frozen ? [] : [[...s.items]]);
      return;
    }
    if (s.frozen) {
      w.byte(0x28);
      for (const x of s.items) this.save(x);
      const m = this.memo.get(s);
      if (m !== undefined) {
        w.byte(0x31);
        this.get(m);
        return;
      }
      w.byte(0x91);
      this.memoize(s);
      return;
    }
    w.byte(0x8f);
    this.memoize(s);
    for (let i = 0; i < s.items.length; i += BATCHSIZE) {
      w.byte(0x28);
      for (let j = i; j < Math.min(s.items.length, i + BATCHSIZE); j++) this.save(s.items[j]);
      w.byte(0x90);
    }
  }

  private saveGlobal(g: PyGlobal): void {
    // Protocol 3+ loaders do not map Python 2 names (fix_imports applies below 3), so spell them as Python 3 does.
    const [module, name] = this.proto >= 3 ? py2to3Name(g.module, g.name) : [g.module, g.name];
    if (this.proto >= 4) {
      this.saveStr(module);
      this.saveStr(name);
      this.w.byte(0x93);
    } else {
      if (/\n/.test(module + name)) fail("USAGE", F, `global name ${JSON.stringify(g.qualifiedName)} contains a newline`);
      this.w.byte(0x63);
      this.w.raw(utf8EncodeSurrogatePass(`${module}\n${name}\n`));
    }
    this.memoize(g);
  }

  /** `callable(*args)` by REDUCE, memoized as `key` (CPython save_reduce without state). */
  saveReduceValue(key: object, callable: PyValue, args: PyValue[]): void {
    this.saveCall(key, callable, args, "reduce", null, [], [], undefined);
  }

  private saveObject(o: PyObject): void {
    this.saveCall(o, o.callable, o.args, o.origin, o.kwargs, o.listItems, o.dictItems, o.state);
  }

  /** The creation opcodes for an object, then memo, list items, dict items and BUILD state (save_reduce order). */
  saveCall(
    key: object,
    callable: PyValue,
    args: PyValue[],
    origin: PyObject["origin"],
    kwargs: PyDict | null,
    listItems: readonly PyValue[],
    dictItems: ReadonlyArray<[PyValue, PyValue]>,
    state: PyValue | undefined,
  ): void {
    const w = this.w;
    // An object reached again while its own arguments are written (a bound method
    // `getattr(obj, name)` stored in obj's state, as lr_scheduler.OneCycleLR keeps
    // `anneal_func`) is written again here, as CPython's save_reduce does: the cycle
    // passes through a container memoized before its contents, so the nested copy
    // meets the memo and ends; the outer copy is then popped for the memoized one.
    // A cycle with no such container cannot come out of an unpickler; built by hand
    // it ends at maxDepth (LIMIT), where CPython raises RecursionError.
    switch (origin) {
      case "newobj":
        this.save(callable);
        this.saveTuple(new PyTuple(args));
        w.byte(0x81);
        break;
      case "newobj_ex":
        if (this.proto >= 4) {
          this.save(callable);
          this.saveTuple(new PyTuple(args));
          this.save(kwargs ?? new PyDict());
          w.byte(0x92);
        } else {
          this.save(this.global("copyreg", "__newobj_ex__"));
          this.saveTuple(new PyTuple([callable, new PyTuple(args), kwargs ?? new PyDict()]));
          w.byte(0x52);
        }
        break;
      case "inst":
      case "obj":
        w.byte(0x28);
        if (origin === "inst" && callable instanceof PyGlobal && !/\n/.test(callable.module + callable.name)) {
          for (const a of args) this.save(a);
          w.byte(0x69);
          const [m, n] = this.proto >= 3 ? py2to3Name(callable.module, callable.name) : [callable.module, callable.name];
          w.raw(utf8EncodeSurrogatePass(`${m}\n${n}\n`));
        } else {
          this.save(callable);
          for (const a of args) this.save(a);
          w.byte(0x6f);
        }
        break;
      default:
        this.save(callable);
        this.saveTuple(new PyTuple(args));
        w.byte(0x52);
    }
    const m = this.memo.get(key);
    if (m !== undefined) {
      // Reached again while its arguments were written (through a mutable container): use that copy.
      w.byte(0x30);
      this.get(m);
    } else {
      this.memoize(key);
    }
    if (listItems.length > 0) this.batchAppends(listItems);
    if (dictItems.length > 0) {
      this.batchSetItems(
        dictItems.map((kv) => kv[0]),
        dictItems.map((kv) => kv[1]),
      );
    }
    if (state !== undefined) {
      this.save(state);
      w.byte(0x62);
    }
  }

  private saveReconstructed(v: PyReconstructed): void {
    if (saveNumpy(this, v)) return;
    if (v instanceof PyOrderedDict) {
      const src = v.source;
      this.saveCall(v, src?.callable ?? this.global("collections", "OrderedDict"), [], "reduce", null, [], [], undefined);
      this.batchSetItems(v.dict.keys, v.dict.values);
      if (src?.state !== undefined) {
        this.save(src.state);
        this.w.byte(0x62);
      }
      return;
    }
    if (v instanceof PyBuffer) {
      this.saveBuffer(v.data, v.readonly);
      return;
    }
    const s = v.source;
    if (s === null) fail("USAGE", F, `cannot pickle a ${v.kind} value that has no source call`);
    this.saveCall(v, s.callable, s.args, s.origin, s.kwargs, s.listItems, s.dictItems, s.state);
  }
}

/** Encodes a value as a pickle (like pickle.dumps). */
export function pickle(value: PicklableValue, options?: PickleOptions): Uint8Array {
  const p = new Pickler(options);
  try {
    return p.dump(value);
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) fail("LIMIT", F, "value nests too deeply to pickle");
    throw e;
  }
}
