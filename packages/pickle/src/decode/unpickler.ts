/**
 * The pickle virtual machine (decode), protocols 0-5, following the
 * semantics of CPython's Lib/pickle.py _Unpickler and Modules/_pickle.c.
 * It is a flat loop over opcodes with an explicit value stack and mark
 * stack, so no input can recurse the JavaScript stack. Nothing is imported
 * or called: globals become PyGlobal, calls become PyObject, and only the
 * allowlist (reconstruct.ts) turns known calls into values.
 */
import { fail, keepShapeAlive } from "@codec/core";
import { PyByteArray, PyDict, PyFloat, PyGlobal, PyObject, PyPersistent, PySet, PyTuple, type PyValue } from "../model.js";
import { OPCODES } from "../opcodes.js";
import { py3QualifiedName } from "../compat.js";
import { addItems, appendItems, applyBuild, setItems, typeName } from "./mutate.js";
import { resolveOptions, type ResolvedOptions, type UnpickleOptions } from "./options.js";
import { reconstructCall } from "./reconstruct.js";
import { PyBuffer } from "./buffer.js";
import { decodeLong } from "./long.js";
import { Memo } from "./memo.js";
import { copyRange } from "./literal-arrays.js";
import { escapeDecode, floatValue, latin1, parseFloatText, parseIntText, rawUnicodeEscapeDecode } from "./text-args.js";
import { decodeUtf8 } from "./utf8.js";
import { enterLatin1Scope, LARGE_TEXT, LazyMemoValue, leaveLatin1Scope } from "./latin1-text.js";
import { codecsLatin1Reduce } from "./codecs-latin1.js";
import { fillStrDict, KeyShapes, SHARED_KEYS_MAX } from "./key-sharing.js";

const F = "pickle";
const EMPTY_TUPLE = new PyTuple([]);

/** Lets a container format read bytes that sit inside the pickle stream (joblib arrays). */
export interface StreamExtension {
  /** Called after BUILD; may advance `cursor.pos` and return a replacement for the built value. */
  afterBuild(target: PyValue, cursor: { pos: number; readonly bytes: Uint8Array }, options: UnpickleOptions): PyValue | undefined;
}

export interface UnpickleResult {
  value: PyValue;
  /** Offset just past the STOP opcode: where a following pickle would start. */
  end: number;
  /** The PROTO the stream declared (0 when it had none). */
  protocol: number;
}

// One live instance of each class the decode loop allocates: the result of
// a decode is often dropped before the next one, and a GC in between would
// otherwise discard the loop's optimised code (see @codec/core keepShapeAlive).
for (const instance of [
  new Memo(),
  new KeyShapes(),
  new PyDict(),
  new PyTuple([]),
  new PyFloat(0),
  new PySet([], false),
  new PyByteArray(new Uint8Array(0)),
  new PyGlobal("", ""),
  new PyObject(null, [], "reduce"),
  new PyPersistent(null),
  new LazyMemoValue(new Uint8Array(0), null),
]) {
  keepShapeAlive(instance);
}

/** Decodes one pickle starting at `start`; see unpickle/unpickleAll in index.ts. */
export function unpickleAt(bytes: Uint8Array, start: number, options?: UnpickleOptions, ext?: StreamExtension): UnpickleResult {
  const scope = enterLatin1Scope();
  try {
    return run(bytes, start, resolveOptions(options), options ?? {}, ext);
  } finally {
    leaveLatin1Scope(scope);
  }
}

function run(bytes: Uint8Array, start: number, o: ResolvedOptions, raw: UnpickleOptions, ext: StreamExtension | undefined): UnpickleResult {
  const end = Math.min(bytes.length, start + o.maxBytes);
  const hooks = o.hooks;
  const onOpcode = hooks?.onOpcode;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: PyValue[] = [];
  const marks: number[] = [];
  let fence = 0; // values below the innermost MARK cannot be popped
  const memo = new Memo();
  const shapes = new KeyShapes();
  let pos = start;
  let op = 0; // offset of the current opcode
  let proto = 0;
  // End of the current FRAME, or -1 outside frames. Like pickle.py's _Unframer, an argument or
  // line may not straddle a frame's end, and a FRAME may not start before the previous one ends.
  let frameEnd = -1;
  let nextBuffer = 0;

  const truncated = (): never => {
    if (end < bytes.length && start + o.maxBytes < bytes.length) fail("LIMIT", F, `pickle exceeds maxBytes (${o.maxBytes})`, { offset: op });
    return fail("TRUNCATED", F, "pickle data was truncated", { offset: op });
  };
  const straddle = (): never => fail("CORRUPT", F, "pickle exhausted before end of frame", { offset: op });
  // `pos` and `lim` (the end of the current frame, else of the input) stay out of every
  // closure, so the optimizing compiler keeps them in registers; helpers take the position.
  let lim = end;
  /** An argument of n bytes at p does not fit before `lim`. */
  const short = (p: number, n: number): never => {
    // An opcode that starts in a frame must have all its argument bytes in that frame
    // (CPython's framer writes large payloads, opcode included, outside frames).
    if (frameEnd >= 0 && n > frameEnd - p) straddle();
    return truncated();
  };
  const readLine = (p: number): number => {
    // Returns the offset of the newline; the line is bytes[p, nl).
    const nl = bytes.indexOf(0x0a, p);
    if (frameEnd >= 0 && (nl < 0 || nl >= frameEnd)) straddle();
    if (nl < 0 || nl >= end) truncated();
    return nl;
  };
  /** The line at p as latin-1 text; the caller continues at lineEnd + 1. */
  let lineEnd = 0;
  const lineText = (p: number): string => {
    lineEnd = readLine(p);
    return latin1(bytes, p, lineEnd);
  };
  /** An 8-byte length at p (the caller has checked the 8 bytes exist). */
  const size8 = (p: number): number => {
    const lo = view.getUint32(p, true);
    const hi = view.getUint32(p + 4, true);
    if (hi >= 0x200000) fail("LIMIT", F, "8-byte length exceeds 2**53", { offset: op });
    return hi * 0x100000000 + lo;
  };
  const pop = (): PyValue => {
    if (stack.length <= fence) underflow();
    return stack.pop() as PyValue;
  };
  const top = (): PyValue => {
    if (stack.length <= fence) underflow();
    return stack[stack.length - 1];
  };
  const underflow = (): never => fail("CORRUPT", F, marks.length > 0 ? "unexpected MARK found" : "unpickling stack underflow", { offset: op });
  const popMarkIndex = (): number => {
    if (marks.length === 0) fail("CORRUPT", F, "could not find MARK", { offset: op });
    const k = marks.pop() as number;
    fence = marks.length > 0 ? marks[marks.length - 1] : 0;
    return k;
  };
  const popMark = (): PyValue[] => {
    const k = popMarkIndex();
    const items = copyRange(stack, k, stack.length);
    truncate(stack, k);
    return items;
  };
  /** The value just below the items of a closed MARK (the target of APPENDS/SETITEMS/ADDITEMS). */
  const markTarget = (k: number): PyValue => {
    if (k <= fence) underflow();
    return stack[k - 1];
  };
  const str = (a: number, b: number): string => {
    const s = decodeUtf8(bytes, a, b);
    if (s === null) fail("CORRUPT", F, "invalid UTF-8 in a string", { offset: op });
    return s;
  };
  const pyString = (a: number, b: number): PyValue => {
    // Python 2 str (STRING/BINSTRING/SHORT_BINSTRING) per the encoding option.
    switch (o.encoding) {
      case "bytes":
        return bytes.subarray(a, b);
      case "latin1":
        return latin1(bytes, a, b);
      case "utf-8":
        return str(a, b);
      default:
        for (let i = a; i < b; i++) if (bytes[i] >= 0x80) fail("CORRUPT", F, "non-ASCII byte in a Python 2 string (use encoding 'latin1' or 'bytes')", { offset: op });
        return latin1(bytes, a, b);
    }
  };
  // The newest empty list (EMPTY_LIST) while only the stack and at most one memo slot hold it:
  // APPENDS then gives it an array of exactly its items (a pushed-into empty array keeps
  // capacity for 17). Any other reference (GET, DUP, a second PUT, an observer) ends this.
  let freshList: PyValue[] | null = null;
  let freshMemo = -1;
  const exactLists = hooks === undefined;
  const memoGet = (i: number): PyValue => {
    const v = memo.get(i);
    if (v === undefined) fail("CORRUPT", F, `memo value not found at index ${i}`, { offset: op });
    if (v === freshList) freshList = null;
    if (v instanceof LazyMemoValue) {
      const r = v.resolve();
      memo.put(i, r);
      return r;
    }
    return v;
  };
  // The _codecs.encode(str, 'latin1') fast path changes nothing observable, unless an
  // observer or a caller-supplied reconstructor could see the intermediate str and call.
  const latinFast = hooks === undefined && o.reconstruct && o.reconstructors === undefined;
  const memoPut = (i: number): void => {
    if (stack.length <= fence) underflow();
    const v = stack[stack.length - 1];
    if (v === freshList) {
      if (freshMemo < 0) freshMemo = i;
      else freshList = null;
    }
    memo.put(i, v);
    if (memo.size > o.maxMemo) fail("LIMIT", F, `memo exceeds ${o.maxMemo} entries`, { offset: op });
    hooks?.onMemo?.(i, v, op);
  };
  const global = (module: string, name: string, opname: string): PyGlobal => {
    if (module === "") fail("CORRUPT", F, "empty module name", { offset: op });
    // An empty dotted part: Python's getattr walk would fail on it.
    if (name === "" || name.charCodeAt(0) === 0x2e || name.charCodeAt(name.length - 1) === 0x2e || name.includes("..")) fail("CORRUPT", F, `empty attribute name in ${module}.${name}`, { offset: op });
    const g = new PyGlobal(module, name);
    hooks?.onGlobal?.(g, op, opname);
    return g;
  };
  const call = (callable: PyValue, args: PyValue[], origin: PyObject["origin"], opname: string, kwargs: PyDict | null = null): PyValue => {
    if (!isCallable(callable)) fail("CORRUPT", F, `${typeName(callable)} object is not callable`, { offset: op });
    if ((origin === "newobj" || origin === "newobj_ex") && callable instanceof PyGlobal && NOT_TYPES.has(py3QualifiedName(callable.module, callable.name))) {
      fail("CORRUPT", F, `${opname} class argument must be a type, not ${callable.qualifiedName}`, { offset: op });
    }
    hooks?.onCall?.(callable, args, op, opname);
    const obj = new PyObject(callable, args, origin, kwargs);
    if (!o.reconstruct) return obj;
    return reconstructCall(obj, o.reconstructors) ?? obj;
  };
  const argsOf = (v: PyValue, what: string): PyValue[] => {
    if (v instanceof PyTuple) return v.items;
    return fail("CORRUPT", F, `${what} arguments must be a tuple, got ${typeName(v)}`, { offset: op });
  };
  const persistent = (pid: PyValue): PyValue => (o.persistentLoad === undefined ? new PyPersistent(pid) : o.persistentLoad(pid));

  if (start >= end) fail("TRUNCATED", F, "empty pickle data", { offset: start });
  for (;;) {
    op = pos;
    if (pos >= lim) {
      if (pos === frameEnd) {
        frameEnd = -1;
        lim = end;
      }
      if (pos >= end) truncated();
    }
    const code = bytes[pos++];
    if (onOpcode !== undefined) {
      const info = OPCODES[code];
      if (info !== undefined) onOpcode(info, op, stack.length);
    }
    switch (code) {
      case 0x80: {
        // PROTO
        if (1 > lim - pos) short(pos, 1);
        proto = bytes[pos++];
        if (proto > 5) fail("UNSUPPORTED", F, `unsupported pickle protocol: ${proto}`, { offset: op });
        break;
      }
      case 0x95: {
        // FRAME: the frame's bytes must exist (C unpickler's prefetch check).
        if (8 > lim - pos) short(pos, 8);
        const n = size8(pos);
        pos += 8;
        if (frameEnd >= 0 && pos < frameEnd) fail("CORRUPT", F, "beginning of a new frame before end of current frame", { offset: op });
        if (n > end - pos) truncated();
        frameEnd = pos + n;
        lim = frameEnd;
        break;
      }
      case 0x2e: {
        // STOP
        const value = pop();
        return { value, end: pos, protocol: proto };
      }
      case 0x4e:
        stack.push(null);
        break;
      case 0x88:
        stack.push(true);
        break;
      case 0x89:
        stack.push(false);
        break;
      case 0x4b:
        if (1 > lim - pos) short(pos, 1);
        stack.push(bytes[pos++]);
        break;
      case 0x4d:
        if (2 > lim - pos) short(pos, 2);
        stack.push(bytes[pos] | (bytes[pos + 1] << 8));
        pos += 2;
        break;
      case 0x4a:
        if (4 > lim - pos) short(pos, 4);
        stack.push(view.getInt32(pos, true));
        pos += 4;
        break;
      case 0x49: {
        // INT: "00"/"01" are the protocol 0 spellings of False/True.
        const t = lineText(pos);
        pos = lineEnd + 1;
        if (t === "00") stack.push(false);
        else if (t === "01") stack.push(true);
        else {
          const v = parseIntText(t);
          if (v === null) fail("CORRUPT", F, `invalid INT literal ${JSON.stringify(t.slice(0, 40))}`, { offset: op });
          stack.push(v);
        }
        break;
      }
      case 0x4c: {
        const t = lineText(pos);
        pos = lineEnd + 1;
        const v = parseIntText(t);
        if (v === null) fail("CORRUPT", F, `invalid LONG literal ${JSON.stringify(t.slice(0, 40))}`, { offset: op });
        stack.push(v);
        break;
      }
      case 0x8a:
      case 0x8b: {
        let n: number;
        if (code === 0x8a) {
          if (1 > lim - pos) short(pos, 1);
          n = bytes[pos++];
        } else {
          if (4 > lim - pos) short(pos, 4);
          n = view.getInt32(pos, true);
          pos += 4;
          if (n < 0) fail("CORRUPT", F, "LONG pickle has negative byte count", { offset: op });
        }
        if (n > lim - pos) short(pos, n);
        stack.push(decodeLong(bytes, pos, n));
        pos += n;
        break;
      }
      case 0x46: {
        const t = lineText(pos);
        pos = lineEnd + 1;
        const v = parseFloatText(t);
        if (v === null) fail("CORRUPT", F, `invalid FLOAT literal ${JSON.stringify(t.slice(0, 40))}`, { offset: op });
        stack.push(v);
        break;
      }
      case 0x47: {
        if (8 > lim - pos) short(pos, 8);
        const v = view.getFloat64(pos, false);
        pos += 8;
        stack.push(Number.isInteger(v) ? floatValue(v) : v);
        break;
      }
      case 0x53: {
        // STRING: a quoted Python 2 str literal with escapes.
        const nl = readLine(pos);
        let a = pos;
        let b = nl;
        pos = nl + 1;
        const q = bytes[a];
        if (b - a < 2 || (q !== 0x22 && q !== 0x27) || bytes[b - 1] !== q) fail("CORRUPT", F, "the STRING opcode argument must be quoted", { offset: op });
        a++;
        b--;
        const raw = escapeDecode(bytes.subarray(a, b));
        if (raw === null) fail("CORRUPT", F, "invalid escape in a STRING argument", { offset: op });
        stack.push(decodeRaw(raw));
        break;
      }
      case 0x54:
      case 0x55: {
        let n: number;
        if (code === 0x55) {
          if (1 > lim - pos) short(pos, 1);
          n = bytes[pos++];
        } else {
          if (4 > lim - pos) short(pos, 4);
          n = view.getInt32(pos, true);
          pos += 4;
          if (n < 0) fail("CORRUPT", F, "BINSTRING pickle has negative byte count", { offset: op });
        }
        if (n > lim - pos) short(pos, n);
        stack.push(pyString(pos, pos + n));
        pos += n;
        break;
      }
      case 0x43:
      case 0x42:
      case 0x8e: {
        let n: number;
        if (code === 0x43) {
          if (1 > lim - pos) short(pos, 1);
          n = bytes[pos++];
        } else if (code === 0x42) {
          if (4 > lim - pos) short(pos, 4);
          n = view.getUint32(pos, true);
          pos += 4;
        } else {
          if (8 > lim - pos) short(pos, 8);
          n = size8(pos);
          pos += 8;
        }
        if (n > lim - pos) short(pos, n);
        stack.push(bytes.subarray(pos, pos + n));
        pos += n;
        break;
      }
      case 0x96: {
        if (8 > lim - pos) short(pos, 8);
        const n = size8(pos);
        pos += 8;
        if (n > lim - pos) short(pos, n);
        stack.push(new PyByteArray(bytes.subarray(pos, pos + n)));
        pos += n;
        break;
      }
      case 0x97: {
        if (o.buffers === undefined) fail("CORRUPT", F, "pickle stream refers to out-of-band data but no buffers were given", { offset: op });
        const r = o.buffers.next();
        if (r.done === true) fail("CORRUPT", F, "not enough out-of-band buffers", { offset: op });
        stack.push(new PyBuffer(r.value, false, true, nextBuffer++));
        break;
      }
      case 0x98: {
        const t = top();
        if (t instanceof PyBuffer) t.readonly = true;
        else if (t instanceof PyByteArray) stack[stack.length - 1] = new PyBuffer(t.data, true, false);
        break;
      }
      case 0x56: {
        const nl = readLine(pos);
        const s = rawUnicodeEscapeDecode(bytes.subarray(pos, nl));
        if (s === null) fail("CORRUPT", F, "invalid raw-unicode-escape in a UNICODE argument", { offset: op });
        pos = nl + 1;
        stack.push(s);
        break;
      }
      case 0x8c:
      case 0x58:
      case 0x8d: {
        let n: number;
        if (code === 0x8c) {
          if (1 > lim - pos) short(pos, 1);
          n = bytes[pos++];
        } else if (code === 0x58) {
          if (4 > lim - pos) short(pos, 4);
          n = view.getUint32(pos, true);
          pos += 4;
        } else {
          if (8 > lim - pos) short(pos, 8);
          n = size8(pos);
          pos += 8;
        }
        if (n > lim - pos) short(pos, n);
        if (n >= LARGE_TEXT && latinFast && frameEnd < 0 && stack.length > fence && isCodecsEncode(stack[stack.length - 1])) {
          const r = codecsLatin1Reduce(bytes, pos, pos + n, end, memo, o.maxMemo);
          if (r !== null) {
            stack[stack.length - 1] = r.bytes;
            pos = r.end;
            break;
          }
        }
        stack.push(str(pos, pos + n));
        pos += n;
        break;
      }
      case 0x5d: {
        const l: PyValue[] = [];
        if (exactLists) {
          freshList = l;
          freshMemo = -1;
        }
        stack.push(l);
        break;
      }
      case 0x29:
        stack.push(EMPTY_TUPLE);
        break;
      case 0x7d:
        stack.push(new PyDict());
        break;
      case 0x8f:
        stack.push(new PySet([], false));
        break;
      case 0x61: {
        if (stack.length - 2 < fence) underflow();
        const n = stack.length;
        const t = stack[n - 2];
        if (Array.isArray(t)) t.push(stack[n - 1]);
        else appendItems(t, stack, n - 1, op);
        stack.pop();
        break;
      }
      case 0x65: {
        const k = popMarkIndex();
        const t = markTarget(k);
        if (freshList !== null && t === freshList && freshList.length === 0 && stack.length - k <= 4096) {
          // Swap in an exact-size array; the memo slot (if it still holds the list) follows.
          const exact = copyRange(stack, k, stack.length);
          stack[k - 1] = exact;
          if (freshMemo >= 0 && memo.get(freshMemo) === t) memo.put(freshMemo, exact);
          freshList = null;
        } else {
          appendItems(t, stack, k, op);
        }
        truncate(stack, k);
        break;
      }
      case 0x6c:
        stack.push(popMark());
        break;
      case 0x74:
        stack.push(new PyTuple(popMark()));
        break;
      case 0x85: {
        const a = pop();
        stack.push(new PyTuple([a]));
        break;
      }
      case 0x86: {
        const b = pop();
        const a = pop();
        stack.push(new PyTuple([a, b]));
        break;
      }
      case 0x87: {
        const c = pop();
        const b = pop();
        const a = pop();
        stack.push(new PyTuple([a, b, c]));
        break;
      }
      case 0x64: {
        const items = popMark();
        if (items.length % 2 !== 0) fail("CORRUPT", F, "odd number of items for DICT", { offset: op });
        const d = new PyDict();
        if (items.length === 0 || items.length > 2 * SHARED_KEYS_MAX || !fillStrDict(d, items, 0, items.length, shapes)) d.setPairs(items, 0, items.length);
        stack.push(d);
        break;
      }
      case 0x73: {
        // SETITEM: the common case (a dict below key and value) without temporaries.
        if (stack.length - 3 < fence) underflow();
        const n = stack.length;
        const t = stack[n - 3];
        if (t instanceof PyDict) t.set(stack[n - 2], stack[n - 1]);
        else setItems(t, stack, n - 2, op);
        stack.pop();
        stack.pop();
        break;
      }
      case 0x75: {
        const k = popMarkIndex();
        const t = markTarget(k);
        const c = stack.length - k;
        // A fresh dict receiving its few str keys at once (records, object states) shares its keys.
        const shared = t instanceof PyDict && t.keys.length === 0 && c > 0 && c <= 2 * SHARED_KEYS_MAX && (c & 1) === 0 && fillStrDict(t, stack, k, stack.length, shapes);
        if (!shared) setItems(t, stack, k, op);
        truncate(stack, k);
        break;
      }
      case 0x90: {
        const k = popMarkIndex();
        addItems(markTarget(k), stack, k, op);
        truncate(stack, k);
        break;
      }
      case 0x91:
        stack.push(new PySet(popMark(), true));
        break;
      case 0x30: {
        // POP: with nothing above the innermost mark, POP discards the mark.
        if (stack.length > fence) stack.pop();
        else if (marks.length > 0) popMark();
        else underflow();
        break;
      }
      case 0x32: {
        const t = top();
        if (t === freshList) freshList = null;
        stack.push(t);
        break;
      }
      case 0x28:
        if (marks.length >= o.maxDepth) fail("LIMIT", F, `MARK nesting exceeds ${o.maxDepth}`, { offset: op });
        marks.push(stack.length);
        fence = stack.length;
        break;
      case 0x31:
        popMark();
        break;
      case 0x67: {
        const t = lineText(pos);
        pos = lineEnd + 1;
        const i = parseIntText(t);
        if (typeof i !== "number" || i < 0) fail("CORRUPT", F, `invalid GET index ${JSON.stringify(t.slice(0, 40))}`, { offset: op });
        stack.push(memoGet(i));
        break;
      }
      case 0x68:
        if (1 > lim - pos) short(pos, 1);
        stack.push(memoGet(bytes[pos++]));
        break;
      case 0x6a:
        if (4 > lim - pos) short(pos, 4);
        stack.push(memoGet(view.getUint32(pos, true)));
        pos += 4;
        break;
      case 0x70: {
        const t = lineText(pos);
        pos = lineEnd + 1;
        const i = parseIntText(t);
        if (typeof i !== "number") fail("CORRUPT", F, `invalid PUT index ${JSON.stringify(t.slice(0, 40))}`, { offset: op });
        if (i < 0) fail("CORRUPT", F, "negative PUT argument", { offset: op });
        memoPut(i);
        break;
      }
      case 0x71:
        if (1 > lim - pos) short(pos, 1);
        memoPut(bytes[pos++]);
        break;
      case 0x72: {
        if (4 > lim - pos) short(pos, 4);
        const i = view.getUint32(pos, true);
        pos += 4;
        if (i > 0x7fffffff) fail("CORRUPT", F, "negative LONG_BINPUT argument", { offset: op });
        memoPut(i);
        break;
      }
      case 0x94:
        memoPut(memo.size);
        break;
      case 0x82:
      case 0x83:
      case 0x84: {
        const w = code === 0x82 ? 1 : code === 0x83 ? 2 : 4;
        if (w > lim - pos) short(pos, w);
        const c = w === 1 ? bytes[pos] : w === 2 ? view.getUint16(pos, true) : view.getInt32(pos, true);
        pos += w;
        const name = code === 0x82 ? "EXT1" : code === 0x83 ? "EXT2" : "EXT4";
        if (c <= 0) fail("CORRUPT", F, "EXT specifies code <= 0", { offset: op });
        const reg = o.extensions?.get(c);
        if (reg === undefined) fail("CORRUPT", F, `unregistered extension code ${c}`, { offset: op });
        stack.push(global(reg[0], reg[1], name));
        break;
      }
      case 0x63: {
        let nl = readLine(pos);
        const module = globalLine(bytes, pos, nl, op);
        pos = nl + 1;
        nl = readLine(pos);
        const name = globalLine(bytes, pos, nl, op);
        pos = nl + 1;
        stack.push(global(module, name, "GLOBAL"));
        break;
      }
      case 0x93: {
        const name = pop();
        const module = pop();
        if (typeof name !== "string" || typeof module !== "string") fail("CORRUPT", F, "STACK_GLOBAL requires str", { offset: op });
        stack.push(global(module, name, "STACK_GLOBAL"));
        break;
      }
      case 0x52: {
        const args = argsOf(pop(), "REDUCE");
        const callable = pop();
        stack.push(call(callable, args, "reduce", "REDUCE"));
        break;
      }
      case 0x81: {
        const args = argsOf(pop(), "NEWOBJ");
        const cls = pop();
        stack.push(call(cls, args, "newobj", "NEWOBJ"));
        break;
      }
      case 0x92: {
        const kwargs = pop();
        const args = argsOf(pop(), "NEWOBJ_EX");
        const cls = pop();
        if (!(kwargs instanceof PyDict)) fail("CORRUPT", F, `NEWOBJ_EX keyword arguments must be a dict, got ${typeName(kwargs)}`, { offset: op });
        stack.push(call(cls, args, "newobj_ex", "NEWOBJ_EX", kwargs));
        break;
      }
      case 0x69: {
        let nl = readLine(pos);
        const module = globalLine(bytes, pos, nl, op);
        pos = nl + 1;
        nl = readLine(pos);
        const name = globalLine(bytes, pos, nl, op);
        pos = nl + 1;
        const args = popMark();
        stack.push(call(global(module, name, "INST"), args, "inst", "INST"));
        break;
      }
      case 0x6f: {
        const items = popMark();
        if (items.length === 0) fail("CORRUPT", F, "OBJ without a class", { offset: op });
        stack.push(call(items[0], items.slice(1), "obj", "OBJ"));
        break;
      }
      case 0x62: {
        const state = pop();
        const target = top();
        hooks?.onBuild?.(target, state, op);
        applyBuild(target, state, op);
        if (ext !== undefined) {
          const cursor = { pos, bytes: bytes.subarray(0, end) };
          const replaced = ext.afterBuild(target, cursor, raw);
          if (cursor.pos !== pos && frameEnd >= 0 && cursor.pos >= frameEnd) {
            frameEnd = -1;
            lim = end;
          }
          pos = cursor.pos;
          if (replaced !== undefined) stack[stack.length - 1] = replaced;
        }
        break;
      }
      case 0x50: {
        const nl = readLine(pos);
        for (let i = pos; i < nl; i++) if (bytes[i] >= 0x80) fail("CORRUPT", F, "persistent IDs in protocol 0 must be ASCII strings", { offset: op });
        const pid = latin1(bytes, pos, nl);
        pos = nl + 1;
        stack.push(persistent(pid));
        break;
      }
      case 0x51:
        stack.push(persistent(pop()));
        break;
      default:
        fail("CORRUPT", F, `invalid load key, '\\x${code.toString(16).padStart(2, "0")}'`, { offset: op });
    }
  }

  function decodeRaw(raw: Uint8Array): PyValue {
    // STRING bodies after escape decoding, by the encoding option.
    switch (o.encoding) {
      case "bytes":
        return raw;
      case "latin1":
        return latin1(raw, 0, raw.length);
      case "utf-8": {
        const s = decodeUtf8(raw, 0, raw.length);
        if (s === null) fail("CORRUPT", F, "invalid UTF-8 in a string", { offset: op });
        return s;
      }
      default:
        for (let i = 0; i < raw.length; i++) if (raw[i] >= 0x80) fail("CORRUPT", F, "non-ASCII byte in a Python 2 string (use encoding 'latin1' or 'bytes')", { offset: op });
        return latin1(raw, 0, raw.length);
    }
  }
}

/** stack.length = k without the runtime call that assigning `length` costs (pop is inlined). */
function truncate(stack: PyValue[], k: number): void {
  while (stack.length > k) stack.pop();
}

function isCodecsEncode(v: PyValue): boolean {
  if (!(v instanceof PyGlobal)) return false;
  const q = py3QualifiedName(v.module, v.name);
  return q === "_codecs.encode" || q === "codecs.encode";
}

/** Values that may be called: globals and the (inert) results of calls; never plain data. */
function isCallable(v: PyValue): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && !(v instanceof PyTuple) && !(v instanceof PyDict) && !(v instanceof PySet) && !(v instanceof PyByteArray);
}

/** Builtin functions that are not classes: NEWOBJ on them fails in CPython ("must be a type"). */
const NOT_TYPES = new Set(["builtins.len", "builtins.print", "builtins.getattr", "builtins.setattr", "builtins.eval", "builtins.exec", "builtins.open", "builtins.repr", "builtins.id", "builtins.hash", "builtins.abs", "builtins.max", "builtins.min", "builtins.sum", "builtins.sorted", "builtins.iter", "builtins.next", "builtins.vars", "builtins.dir", "builtins.globals", "builtins.locals", "builtins.compile", "builtins.__import__", "builtins.input", "builtins.format", "builtins.chr", "builtins.ord", "builtins.hex", "builtins.oct", "builtins.bin", "builtins.round", "builtins.pow", "builtins.divmod", "builtins.callable", "builtins.isinstance", "builtins.issubclass", "builtins.hasattr", "builtins.delattr", "builtins.ascii"]);

/** A GLOBAL/INST line: module or name, UTF-8 as CPython decodes it. */
function globalLine(bytes: Uint8Array, a: number, nl: number, op: number): string {
  const s = decodeUtf8(bytes, a, nl);
  if (s === null) fail("CORRUPT", F, "invalid UTF-8 in a GLOBAL name", { offset: op });
  return s;
}
