/**
 * The scanner's symbolic pickle machine: runs one pickle stream with the
 * stack, mark and memo semantics of CPython's C unpickler (Modules/_pickle.c,
 * what pickle.loads uses), but every global stays a name and every call a
 * record. So the scanner sees what the real loader would import and call,
 * including names hidden behind memo aliases, STACK_GLOBAL operands built
 * at load time, INST/OBJ, getattr chains and nested pickles, and it fails
 * exactly where CPython fails (memo misses, non-str STACK_GLOBAL operands,
 * stack underflow), keeping everything it saw before the failure.
 */
import { asCodecError, type CodecError, fail } from "@codec/core";
import { collectBytes, collectStrings, looksLikeCode, looksLikePickle, measureExpansion } from "./heuristics.js";
import { isJoblibWrapper, joblibArrayLayout } from "./joblib-arrays.js";
import { latin1String, type OpArg, PICKLE_FORMAT, readOp } from "./op-reader.js";
import type { PickleScanReport, ScannedGlobal } from "./report.js";
import { classifyGlobal, isUnboundMethodPath, type Risk, type RiskContext } from "./risk.js";
import { BEHAVIOUR_KEYS, SCANNED_NESTED_LOADERS } from "./risk-rules.js";
import { GetattrGuard, GUARDED_GETATTR } from "./getattr-guard.js";
import { isNode, render, type SymGlobal, type SymObject, type SymValue, typeName } from "./values.js";

export interface StreamScanOptions {
  ctx: RiskContext;
  /** Label of this stream in the report ("0", "1", "0>2@120" for nested). */
  stream: string;
  source?: string;
  /** Scan bytes that a loads-like call would unpickle; returns the nested verdict. */
  nested?: (bytes: Uint8Array, label: string) => Risk | undefined;
  /** Cap on global/call records per report (the verdict still sees every one). */
  maxRecords?: number;
  /** How the loader decodes Python 2 str (pickle.loads `encoding`, default "ASCII"). */
  py2Encoding?: "ASCII" | "latin1" | "bytes" | "utf-8";
}

export interface StreamScanResult {
  end: number;
  complete: boolean;
  protocol: number;
  opcodes: number;
  error?: CodecError;
  /** The value STOP returned, when the stream completed. */
  value?: SymValue;
}

const fmt = PICKLE_FORMAT;


function corrupt(message: string, offset: number): never {
  return fail("CORRUPT", fmt, message, { offset });
}

/** Run one stream starting at `start`, appending to `report`. Never throws. */
export function scanStream(bytes: Uint8Array, start: number, report: PickleScanReport, opts: StreamScanOptions): StreamScanResult {
  const vm = new SymbolicVM(bytes, start, report, opts);
  try {
    vm.run();
    return { end: vm.pos, complete: true, protocol: vm.protocol, opcodes: vm.count, value: vm.result };
  } catch (e) {
    const err = asCodecError(fmt, e);
    return { end: vm.pos, complete: false, protocol: vm.protocol, opcodes: vm.count, error: err };
  }
}

class SymbolicVM {
  pos: number;
  protocol = 0;
  result: SymValue = null;
  count = 0;
  private stack: SymValue[] = [];
  private readonly marks: SymValue[][] = [];
  private readonly memo = new Map<number, SymValue>();
  private frameEnd = -1;
  private readonly mutated: string[] = [];
  /** `builtins.getattr` imports judged at their uses rather than at import (getattr-guard.ts). */
  private readonly getattrs = new GetattrGuard();
  private persistentNoted = false;
  private py2Noted = false;
  private buffersNoted = false;
  private readonly maxRecords: number;
  private op = "";
  private opOffset = 0;

  constructor(
    private readonly bytes: Uint8Array,
    start: number,
    private readonly report: PickleScanReport,
    private readonly opts: StreamScanOptions,
  ) {
    this.pos = start;
    this.maxRecords = opts.maxRecords ?? 20_000;
  }

  private finding(risk: Risk, kind: string, message: string, offset = this.opOffset): void {
    this.report.findings.push({ risk, kind, message, offset, opcode: this.op, stream: this.opts.stream, source: this.opts.source });
  }

  private push(v: SymValue): void {
    this.stack.push(v);
  }

  private pop(): SymValue {
    if (this.stack.length === 0) corrupt("unpickling stack underflow", this.opOffset);
    return this.stack.pop() as SymValue;
  }

  private top(): SymValue {
    if (this.stack.length === 0) corrupt("unpickling stack underflow", this.opOffset);
    return this.stack[this.stack.length - 1];
  }

  private popMark(): SymValue[] {
    const items = this.stack;
    const prev = this.marks.pop();
    if (prev === undefined) corrupt("could not find MARK", this.opOffset);
    this.stack = prev;
    return items;
  }

  run(): void {
    const b = this.bytes;
    for (;;) {
      const op = readOp(b, this.pos);
      this.op = op.info.name;
      this.opOffset = op.offset;
      this.count++;
      if (this.frameEnd >= 0) {
        if (op.offset >= this.frameEnd) {
          this.frameEnd = -1;
        } else if (op.end > this.frameEnd) {
          // CPython's C unpickler ignores frame ends; pickle.py's _Unframer rejects the opcode. Scanners that
          // read frame by frame see different opcodes than the loader (cpython#154848): a divergence attack.
          this.finding("dangerous", "frame-boundary", `${op.info.name} at ${op.offset} crosses the FRAME end at ${this.frameEnd}`);
        }
      }
      this.pos = op.end;
      if (this.step(op.info.name, op.arg, op.end)) return;
    }
  }

  /** Executes one opcode; returns true at STOP. */
  private step(name: string, arg: OpArg, end: number): boolean {
    switch (name) {
      case "PROTO": {
        const p = arg as number;
        if (p > 5) corrupt(`unsupported pickle protocol: ${p}`, this.opOffset);
        this.protocol = p;
        return false;
      }
      case "FRAME": {
        const n = arg as number;
        if (this.frameEnd >= 0 && this.opOffset < this.frameEnd) {
          this.finding("dangerous", "frame-boundary", `FRAME at ${this.opOffset} opens inside the frame ending at ${this.frameEnd}`);
        }
        if (end + n > this.bytes.length) fail("TRUNCATED", fmt, `FRAME of ${n} bytes runs past the end of the data`, { offset: this.opOffset });
        this.frameEnd = end + n;
        return false;
      }
      case "STOP":
        this.result = this.pop();
        this.getattrs.escalateHeld(this.result, "in the unpickled value", false);
        this.checkExpansion(this.result);
        return true;
      case "INT":
      case "BININT":
      case "BININT1":
      case "BININT2":
      case "LONG":
      case "LONG1":
      case "LONG4":
        // A huge integer's value never decides what a pickle imports or calls: keep a stand-in.
        this.push(typeof arg === "object" && arg !== null ? 0n : (arg as number | bigint | boolean));
        return false;
      case "NONE":
        this.push(null);
        return false;
      case "NEWTRUE":
      case "NEWFALSE":
        this.push(name === "NEWTRUE");
        return false;
      case "FLOAT":
      case "BINFLOAT":
        this.push((arg as { value: number }).value);
        return false;
      case "STRING":
      case "BINSTRING":
      case "SHORT_BINSTRING": {
        // Python 2 str: Python 3 decodes it (encoding='ASCII' by default) into a str, usable as a global name.
        const raw = (arg as { bytes: Uint8Array }).bytes;
        if (!this.py2Noted && (this.opts.py2Encoding ?? "ASCII") === "ASCII" && this.opts.ctx.torch !== true && raw.some((c) => c >= 0x80)) {
          this.py2Noted = true;
          this.finding("suspicious", "py2-encoding", "a Python 2 str holds non-ASCII bytes: pickle.loads with the default encoding fails here (encoding='latin1' or 'bytes' reads on)");
        }
        this.push({ t: "str", v: latin1String(raw) });
        return false;
      }
      case "UNICODE":
      case "SHORT_BINUNICODE":
      case "BINUNICODE":
      case "BINUNICODE8":
        this.push({ t: "str", v: arg as string });
        return false;
      case "BINBYTES":
      case "SHORT_BINBYTES":
      case "BINBYTES8":
        this.push({ t: "bytes", v: arg as Uint8Array, bytearray: false });
        return false;
      case "BYTEARRAY8":
        this.push({ t: "bytes", v: (arg as { bytes: Uint8Array }).bytes, bytearray: true });
        return false;
      case "NEXT_BUFFER":
        if (!this.buffersNoted) {
          this.buffersNoted = true;
          this.finding("suspicious", "out-of-band", "refers to out-of-band buffers: pickle.loads fails unless the caller passes buffers=");
        }
        this.push({ t: "opaque", what: "out-of-band buffer" });
        return false;
      case "READONLY_BUFFER":
        this.top();
        return false;
      case "EMPTY_LIST":
        this.push({ t: "list", items: [] });
        return false;
      case "EMPTY_TUPLE":
        this.push({ t: "tuple", items: [] });
        return false;
      case "EMPTY_DICT":
        this.push({ t: "dict", keys: [], vals: [] });
        return false;
      case "EMPTY_SET":
        this.push({ t: "set", items: [] });
        return false;
      case "MARK":
        this.marks.push(this.stack);
        this.stack = [];
        return false;
      case "POP":
        if (this.stack.length > 0) this.stack.pop();
        else this.popMark();
        return false;
      case "POP_MARK":
        this.popMark();
        return false;
      case "DUP":
        this.push(this.top());
        return false;
      case "LIST":
        this.push({ t: "list", items: this.popMark() });
        return false;
      case "TUPLE":
        this.push({ t: "tuple", items: this.popMark() });
        return false;
      case "TUPLE1":
      case "TUPLE2":
      case "TUPLE3": {
        const n = name === "TUPLE1" ? 1 : name === "TUPLE2" ? 2 : 3;
        if (this.stack.length < n) corrupt("unpickling stack underflow", this.opOffset);
        this.push({ t: "tuple", items: this.stack.splice(this.stack.length - n, n) });
        return false;
      }
      case "FROZENSET":
        this.push({ t: "frozenset", items: this.popMark() });
        return false;
      case "DICT": {
        const items = this.popMark();
        if (items.length % 2 !== 0) corrupt("odd number of items for DICT", this.opOffset);
        const d = { t: "dict" as const, keys: [] as SymValue[], vals: [] as SymValue[] };
        for (let i = 0; i < items.length; i += 2) {
          d.keys.push(items[i]);
          d.vals.push(items[i + 1]);
        }
        this.push(d);
        return false;
      }
      case "APPEND": {
        const v = this.pop();
        this.addItems(this.top(), [v], false);
        return false;
      }
      case "APPENDS": {
        const items = this.popMark();
        this.addItems(this.top(), items, false);
        return false;
      }
      case "ADDITEMS": {
        const items = this.popMark();
        this.addItems(this.top(), items, true);
        return false;
      }
      case "SETITEM": {
        const v = this.pop();
        const k = this.pop();
        this.setItems(this.top(), [k, v]);
        return false;
      }
      case "SETITEMS": {
        const items = this.popMark();
        if (items.length % 2 !== 0) corrupt("odd number of items for SETITEMS", this.opOffset);
        this.setItems(this.top(), items);
        return false;
      }
      case "GET":
      case "BINGET":
      case "LONG_BINGET": {
        const v = this.memo.get(Number(arg));
        if (v === undefined) corrupt(`Memo value not found at index ${String(arg)}`, this.opOffset);
        this.push(v);
        return false;
      }
      case "PUT":
      case "BINPUT":
      case "LONG_BINPUT": {
        const i = Number(arg);
        if (i < 0) corrupt(`negative ${name} argument`, this.opOffset);
        // CPython sizes its memo table by the largest index: 2**31 and up is a MemoryError there.
        if (i >= 2 ** 31) fail("LIMIT", fmt, `${name} index ${i} is beyond what CPython can allocate`, { offset: this.opOffset });
        this.memo.set(i, this.top());
        return false;
      }
      case "MEMOIZE":
        this.memo.set(this.memo.size, this.top());
        return false;
      case "GLOBAL": {
        const p = arg as { module: string; name: string };
        this.push(this.importGlobal(p.module, p.name, false));
        return false;
      }
      case "STACK_GLOBAL": {
        const nm = this.pop();
        const mod = this.pop();
        this.push(this.stackGlobal(mod, nm));
        return false;
      }
      case "EXT1":
      case "EXT2":
      case "EXT4": {
        const code = arg as number;
        if (code <= 0) corrupt("EXT specifies code <= 0", this.opOffset);
        // copyreg's extension registry maps the code to whatever (module, name) the loading process registered.
        this.push(this.recordGlobal("<extension>", String(code), "suspicious", "copyreg extension code: resolves to a global registered by the loading process", `<extension>.${code}`, false));
        return false;
      }
      case "REDUCE": {
        const args = this.pop();
        const callable = this.pop();
        if (isNode(args) ? args.t !== "tuple" && args.t !== "object" && args.t !== "global" && args.t !== "persistent" && args.t !== "opaque" : true) {
          corrupt(`REDUCE argument list must be a tuple, not ${typeName(args)}`, this.opOffset);
        }
        this.push(this.call(callable, args, "REDUCE"));
        return false;
      }
      case "NEWOBJ": {
        const args = this.pop();
        const cls = this.pop();
        if (!isNode(args) || args.t === "str" || args.t === "bytes" || args.t === "list" || args.t === "dict") {
          corrupt("NEWOBJ expected an arg tuple", this.opOffset);
        }
        this.push(this.call(cls, args, "NEWOBJ"));
        return false;
      }
      case "NEWOBJ_EX": {
        const kwargs = this.pop();
        const args = this.pop();
        const cls = this.pop();
        if (!isNode(args) || args.t === "str" || args.t === "bytes" || args.t === "list" || args.t === "dict") {
          corrupt(`NEWOBJ_EX args argument must be a tuple, not ${typeName(args)}`, this.opOffset);
        }
        if (!isNode(kwargs) || kwargs.t === "bytes" || kwargs.t === "list" || kwargs.t === "tuple" || kwargs.t === "str") {
          corrupt(`NEWOBJ_EX kwargs argument must be a dict, not ${typeName(kwargs)}`, this.opOffset);
        }
        const all: SymValue = { t: "tuple", items: isNode(args) && args.t === "tuple" ? [...args.items, kwargs] : [args, kwargs] };
        this.push(this.call(cls, all, "NEWOBJ_EX"));
        return false;
      }
      case "INST": {
        const p = arg as { module: string; name: string };
        const items = this.popMark();
        const cls = this.importGlobal(p.module, p.name, false);
        this.push(this.call(cls, { t: "tuple", items }, "INST"));
        return false;
      }
      case "OBJ": {
        const items = this.popMark();
        if (items.length === 0) corrupt("OBJ needs a class after MARK", this.opOffset);
        this.push(this.call(items[0], { t: "tuple", items: items.slice(1) }, "OBJ"));
        return false;
      }
      case "BUILD": {
        const state = this.pop();
        this.build(this.top(), state);
        return false;
      }
      case "PERSID":
      case "BINPERSID": {
        const pid: SymValue = name === "PERSID" ? { t: "str", v: arg as string } : this.pop();
        this.getattrs.escalateHeld(pid, "in a persistent id", true);
        if (this.opts.ctx.torch !== true && !this.persistentNoted) {
          this.persistentNoted = true;
          this.finding("suspicious", "persistent-id", "persistent ids are resolved by the loader's persistent_load, outside the pickle");
        }
        this.push({ t: "persistent", pid });
        return false;
      }
      default:
        return corrupt(`unhandled opcode ${name}`, this.opOffset);
    }
  }

  private recordGlobal(module: string, name: string, risk: Risk, reason: string, qualified: string, dynamic: boolean): SymGlobal {
    const g: ScannedGlobal = { module, name, risk, offset: this.opOffset, opcode: this.op, reason, stream: this.opts.stream };
    if (this.opts.source !== undefined) g.source = this.opts.source;
    if (this.report.globals.length < this.maxRecords || risk !== "safe") this.report.globals.push(g);
    const node: SymGlobal = { t: "global", module, name, risk, qualified, dynamic };
    if (qualified === "builtins.getattr" && risk === "suspicious" && reason === GUARDED_GETATTR) this.getattrs.guard(node, g);
    return node;
  }

  private importGlobal(module: string, name: string, dynamic: boolean): SymGlobal {
    const c = classifyGlobal(module, name, this.opts.ctx);
    let risk = c.risk;
    let reason = c.reason;
    if (c.qualified === "builtins.getattr" && !dynamic) {
      // Judged at its uses (GetattrGuard.judgeCall in call()): reading a plain attribute of an object built
      // here and storing the result (OneCycleLR keeps getattr(self, '_annealing_cos')) is not dangerous.
      risk = "suspicious";
      reason = GUARDED_GETATTR;
    }
    for (const m of this.mutated) {
      if (c.qualified === m || c.qualified.startsWith(`${m}.`) || module === m) {
        risk = "dangerous";
        reason = `imports from ${m}, whose attributes this pickle overwrote with BUILD`;
      }
    }
    return this.recordGlobal(module, name, risk, reason, c.qualified, dynamic);
  }

  private stackGlobal(mod: SymValue, nm: SymValue): SymValue {
    const isStr = (v: SymValue) => isNode(v) && v.t === "str";
    if (isStr(mod) && isStr(nm)) return this.importGlobal((mod as { v: string }).v, (nm as { v: string }).v, false);
    const computed = (v: SymValue) => isNode(v) && (v.t === "object" || v.t === "global" || v.t === "persistent" || v.t === "opaque");
    if ((isStr(mod) || computed(mod)) && (isStr(nm) || computed(nm))) {
      // Operands produced at load time (attributes of a module the pickle rewrote, call results): the
      // imported name is whatever those values are when Python runs it, which a static reading cannot know.
      const m = render(mod, 60);
      const n = render(nm, 60);
      this.finding("dangerous", "computed-global", `STACK_GLOBAL on computed operands (${m}, ${n})`);
      return this.recordGlobal(m, n, "dangerous", "STACK_GLOBAL operands are computed at load time", `${m}.${n}`, true);
    }
    return corrupt(`STACK_GLOBAL requires str operands, got ${typeName(mod)} and ${typeName(nm)}`, this.opOffset);
  }

  private call(callable: SymValue, args: SymValue, opcode: string): SymObject {
    let risk: Risk;
    let reason: string | undefined;
    if (this.getattrs.active) {
      // getattr(obj, name) reads one attribute and calls nothing in obj: its own arguments are only shape-checked.
      if (isNode(callable) && callable.t === "global" && this.getattrs.guards(callable)) this.getattrs.judgeCall(callable, args, opcode);
      else this.getattrs.escalateHeld(args, "as a call argument", true);
    }
    if (isNode(callable) && callable.t === "global") {
      risk = callable.risk;
      if (callable.dynamic) {
        risk = "dangerous";
        reason = "calls a global chosen at load time";
      } else if (isUnboundMethodPath(callable.name) && risk !== "safe") {
        risk = "dangerous";
        reason = "calls an unbound method by qualified name (a forged self runs the method's code)";
      }
    } else if (isNode(callable) && callable.t === "object") {
      risk = "dangerous";
      reason = "calls a value computed while unpickling (getattr/attrgetter/locate-style dynamic dispatch)";
    } else if (isNode(callable) && (callable.t === "persistent" || callable.t === "opaque")) {
      risk = "suspicious";
      reason = "calls an object supplied by the loader";
    } else {
      return corrupt(`'${typeName(callable)}' object is not callable`, this.opOffset);
    }
    if (risk !== "safe") {
      const strs: string[] = [];
      collectStrings(args, strs);
      const code = strs.find(looksLikeCode);
      if (code !== undefined) {
        risk = "dangerous";
        reason = `argument looks like code or a shell command: ${render({ t: "str", v: code }, 60)}`;
      }
      const blobs: Uint8Array[] = [];
      collectBytes(args, blobs);
      const loader = isNode(callable) && callable.t === "global" && SCANNED_NESTED_LOADERS.has(callable.qualified);
      let loaderJudged = false;
      for (const blob of blobs) {
        if (this.opts.nested === undefined || !looksLikePickle(blob)) continue;
        const nestedRisk = this.opts.nested(blob, `${this.opts.stream}>${this.opOffset}`);
        if (nestedRisk !== undefined) {
          this.finding(nestedRisk === "safe" ? "suspicious" : nestedRisk, "nested-pickle", `call argument holds a pickle of ${blob.length} bytes (scanned as stream ${this.opts.stream}>${this.opOffset})`);
          if (loader) {
            loaderJudged = true;
            if (nestedRisk === "dangerous") risk = "dangerous";
          }
        }
      }
      if (loader && !loaderJudged && risk !== "dangerous") {
        risk = "dangerous";
        reason = "nested loader called on bytes the scanner could not read as a pickle";
      }
    }
    let producesBytes: Uint8Array | undefined;
    if (isNode(callable) && callable.t === "global" && callable.qualified === "_codecs.encode" && isNode(args) && args.t === "tuple") {
      const s = args.items[0];
      if (isNode(s) && s.t === "str") {
        let ok = true;
        for (let i = 0; i < s.v.length && ok; i++) ok = s.v.charCodeAt(i) < 256;
        if (ok) producesBytes = Uint8Array.from(s.v, (ch) => ch.charCodeAt(0));
      }
    }
    const obj: SymObject = { t: "object", callable, args, opcode, offset: this.opOffset, risk, producesBytes };
    if (this.report.calls.length < this.maxRecords || risk !== "safe") {
      this.report.calls.push({
        call: render(obj, 200),
        callable: render(callable, 80),
        risk,
        offset: this.opOffset,
        opcode,
        reason,
        stream: this.opts.stream,
        source: this.opts.source,
      });
    }
    return obj;
  }

  private addItems(target: SymValue, items: SymValue[], set: boolean): void {
    if (this.getattrs.active) for (const it of items) this.getattrs.escalateHeld(it, `as an item added by ${this.op}`, true);
    if (isNode(target)) {
      if ((!set && target.t === "list") || (set && target.t === "set")) {
        for (const it of items) target.items.push(it);
        return;
      }
      if (target.t === "object") {
        // list/set subclasses: the loader calls the instance's extend/append/add.
        if (target.items === undefined) target.items = [];
        for (const it of items) target.items.push(it);
        return;
      }
      if (target.t === "global") {
        this.finding("dangerous", "mutates-global", `${this.op} calls append/extend/add on the imported object ${render(target)}`);
        return;
      }
      if (target.t === "persistent" || target.t === "opaque") return;
    }
    corrupt(`${this.op} on a ${typeName(target)}`, this.opOffset);
  }

  private setItems(target: SymValue, kv: SymValue[]): void {
    if (this.getattrs.active) for (const it of kv) this.getattrs.escalateHeld(it, `as a value stored by ${this.op}`, false);
    if (isNode(target)) {
      if (target.t === "dict") {
        for (let i = 0; i < kv.length; i += 2) {
          target.keys.push(kv[i]);
          target.vals.push(kv[i + 1]);
        }
        return;
      }
      if (target.t === "object") {
        if (target.items === undefined) target.items = [];
        for (const it of kv) target.items.push(it);
        return;
      }
      if (target.t === "global") {
        // SETITEM on a non-dict runs the target's __setitem__: on a module-level object (os.environ,
        // sys.modules, a registry) that rewrites interpreter state.
        this.finding("dangerous", "mutates-global", `${this.op} assigns items on the imported object ${render(target)}`);
        return;
      }
      if (target.t === "persistent" || target.t === "opaque") return;
    }
    corrupt(`${this.op} on a ${typeName(target)}`, this.opOffset);
  }

  private build(target: SymValue, state: SymValue): void {
    if (this.getattrs.active) this.getattrs.escalateHeld(state, "in BUILD state", false);
    if (isNode(target) && target.t === "global") {
      // BUILD on a module, class or function: without __setstate__ it is setattr(target, k, v) for each key,
      // which rewrites library code (modelscan#85, picklescan sys_module_override): the next import of it
      // returns attacker data.
      this.finding("dangerous", "build-on-global", `BUILD sets attributes on the imported object ${render(target)}: ${render(state, 80)}`);
      this.mutated.push(target.qualified, `${target.module}.${target.name}`);
      if (target.name.length > 0) this.mutated.push(target.module === "" ? target.name : `${target.module}.${target.name}`);
      return;
    }
    if (isNode(target) && target.t === "object") {
      target.state = state;
      this.checkStateKeys(state);
      if (this.opts.ctx.joblib === true && isJoblibWrapper(target)) this.skipJoblibArray(target);
      return;
    }
    if (state === null && isNode(target) && target.t !== "str" && target.t !== "bytes") return; // BUILD with None state is a no-op
    if (isNode(target) && (target.t === "persistent" || target.t === "opaque")) return;
    corrupt(`BUILD on a ${typeName(target)}`, this.opOffset);
  }

  /** joblib writes array bytes (or a nested object-array pickle) right after a NumpyArrayWrapper's BUILD. */
  private skipJoblibArray(wrapper: SymObject): void {
    const layout = joblibArrayLayout(wrapper);
    if (layout.kind === "object") {
      const res = scanStream(this.bytes, this.pos, this.report, { ...this.opts, stream: `${this.opts.stream}+${this.pos}` });
      if (res.error !== undefined) throw res.error;
      if (this.report.dataRegions === undefined) this.report.dataRegions = [];
      this.report.dataRegions.push({ offset: this.pos, length: res.end - this.pos, what: "joblib object-array pickle (scanned)" });
      this.pos = res.end;
      return;
    }
    if (layout.kind === "unknown") corrupt(`cannot step over the joblib array after this BUILD: ${layout.why}`, this.opOffset);
    let p = this.pos;
    if (layout.padded) {
      if (p >= this.bytes.length) fail("TRUNCATED", fmt, "joblib array padding byte missing", { offset: p });
      p += 1 + this.bytes[p];
    }
    if (layout.nbytes > this.bytes.length - p) fail("TRUNCATED", fmt, `joblib array needs ${layout.nbytes} bytes`, { offset: p });
    if (this.report.dataRegions === undefined) this.report.dataRegions = [];
    this.report.dataRegions.push({ offset: this.pos, length: p + layout.nbytes - this.pos, what: "joblib array data" });
    this.pos = p + layout.nbytes;
  }

  private checkStateKeys(state: SymValue): void {
    const dicts: SymValue[] = [state];
    if (isNode(state) && state.t === "tuple" && state.items.length === 2) dicts.push(state.items[0], state.items[1]);
    for (const d of dicts) {
      if (!isNode(d) || d.t !== "dict") continue;
      for (const k of d.keys) {
        if (isNode(k) && k.t === "str" && BEHAVIOUR_KEYS.has(k.v)) {
          this.finding("dangerous", "behaviour-override", `BUILD state sets '${k.v}' on an instance (replaces its behaviour, e.g. a __setstate__ that a later BUILD calls)`);
        }
      }
    }
  }

  private checkExpansion(root: SymValue): void {
    const { depth, expanded } = measureExpansion(root);
    if (depth >= 3 && expanded >= 64) {
      this.finding("dangerous", "expansion", `${depth} nested levels of repeated shared references expand to about ${expanded} elements (exponential blow-up for any walker)`);
    }
  }
}

