/**
 * A pickletools.dis-style listing of a pickle (CPython Lib/pickletools.py
 * `dis`): one line per opcode with its offset, code, name and argument
 * repr, indented by open MARKs, "(MARK at n)" on mark-consuming opcodes,
 * "(as n)" on MEMOIZE, and "highest protocol among opcodes = n" after
 * STOP. Unlike dis it never raises: a problem ends the listing with an
 * "error:" line, and streams after STOP are listed too. Nothing is executed.
 */
import { guardDecode, isCodecError } from "@codec/core";
import { pyBytesRepr, pyFloatRepr, pyStrRepr } from "./repr/python-repr.js";
import { latin1String, type OpArg, PICKLE_FORMAT, readOp } from "./scan/op-reader.js";

export interface DisassembledOp {
  /** Index of the pickle stream (0 = first; later ones follow earlier STOPs). */
  stream: number;
  offset: number;
  code: number;
  name: string;
  /** The argument as pickletools prints it (Python repr), or null for argument-less opcodes. */
  arg: string | null;
  /** The raw decoded argument. */
  value: OpArg;
  /** Open MARKs before this opcode (the listing's indentation). */
  depth: number;
  /** Offset of the MARK this opcode consumes. */
  markAt?: number;
  /** Memo slot MEMOIZE assigns. */
  memoIndex?: number;
  /** Protocol that introduced the opcode. */
  proto: number;
  /** Set on the pseudo-entry for a data region (name "DATA"): its length and description. */
  data?: { length: number; what: string };
}

export interface Disassembly {
  ops: DisassembledOp[];
  /** Highest opcode protocol seen, per stream. */
  protocols: number[];
  /** Set when the bytes stopped being a valid opcode sequence. */
  error?: { message: string; offset?: number };
  /** True when maxOps cut the listing short. */
  truncated: boolean;
}

export interface DisassembleOptions {
  /** Stop after this many opcodes (default 1e6). */
  maxOps?: number;
  /** Lines for `disassemble` (default unlimited). */
  maxLines?: number;
  /** Indentation per open MARK (pickletools default 4). */
  indent?: number;
  /**
   * Byte ranges that are data inside the stream, not opcodes (joblib's inline arrays, found by
   * `scanPickle(bytes, { joblib: true }).dataRegions`): listed as one line each and stepped over.
   */
  dataRegions?: ReadonlyArray<{ offset: number; length: number; what: string }>;
}

/** Opcodes whose stack effect consumes everything down to the last MARK (pickletools stack_before has markobject). */
const MARK_CONSUMERS = new Set(["APPENDS", "LIST", "TUPLE", "DICT", "SETITEMS", "ADDITEMS", "FROZENSET", "POP_MARK", "INST", "OBJ"]);

/** The argument as pickletools prints it. */
export function argRepr(name: string, arg: OpArg): string | null {
  if (arg === null) return null;
  if (typeof arg === "boolean") return arg ? "True" : "False";
  if (typeof arg === "number" || typeof arg === "bigint") return arg.toString();
  if (typeof arg === "string") return pyStrRepr(arg);
  if (arg instanceof Uint8Array) return pyBytesRepr(arg);
  switch (arg.kind) {
    case "pair":
      return pyStrRepr(`${arg.module} ${arg.name}`);
    case "bytearray":
      return `bytearray(${pyBytesRepr(arg.bytes)})`;
    case "float":
      return pyFloatRepr(arg.value);
    case "hugeint":
      return `<int of ${arg.bytes.length} bytes>`;
    case "pystr":
      // read_string1/4 decode latin-1; read_stringnl decodes the escapes then ASCII.
      return pyStrRepr(latin1String(arg.bytes));
  }
  void name;
  return null;
}

/** Structured disassembly of every stream. Never throws for bad bytes. */
export function disassembleOps(bytes: Uint8Array, options: DisassembleOptions = {}): Disassembly {
  return guardDecode(PICKLE_FORMAT, () => {
    const maxOps = options.maxOps ?? 1_000_000;
    const regions = new Map((options.dataRegions ?? []).map((r) => [r.offset, r] as const));
    const ops: DisassembledOp[] = [];
    const protocols: number[] = [];
    const out: Disassembly = { ops, protocols, truncated: false };
    let pos = 0;
    let stream = 0;
    while (pos < bytes.length) {
      const marks: number[] = [];
      let memoCount = 0;
      let maxProto = 0;
      let stopped = false;
      try {
        while (!stopped) {
          if (ops.length >= maxOps) {
            out.truncated = true;
            protocols.push(maxProto);
            return out;
          }
          const region = regions.get(pos);
          if (region !== undefined && region.length > 0) {
            ops.push({ stream, offset: pos, code: -1, name: "DATA", arg: null, value: null, depth: marks.length, proto: 0, data: { length: region.length, what: region.what } });
            pos += region.length;
            continue;
          }
          const op = readOp(bytes, pos);
          const name = op.info.name;
          maxProto = Math.max(maxProto, op.info.proto);
          const d: DisassembledOp = { stream, offset: op.offset, code: op.code, name, arg: argRepr(name, op.arg), value: op.arg, depth: marks.length, proto: op.info.proto };
          if (MARK_CONSUMERS.has(name)) {
            const at = marks.pop();
            if (at === undefined) {
              ops.push(d);
              out.error = { message: "no MARK exists on stack", offset: op.offset };
              protocols.push(maxProto);
              return out;
            }
            d.markAt = at;
          }
          if (name === "MEMOIZE") d.memoIndex = memoCount++;
          else if (name === "PUT" || name === "BINPUT" || name === "LONG_BINPUT") memoCount++;
          ops.push(d);
          if (name === "MARK") marks.push(op.offset);
          pos = op.end;
          stopped = name === "STOP";
        }
      } catch (e) {
        out.error = { message: isCodecError(e) ? e.message : String(e), offset: isCodecError(e) ? e.offset : pos };
        protocols.push(maxProto);
        return out;
      }
      protocols.push(maxProto);
      stream++;
    }
    return out;
  });
}

/** pickletools.dis-style lines ("    0: \\x80 PROTO      4", ..., "highest protocol among opcodes = 4"). */
export function disassemble(bytes: Uint8Array, options: DisassembleOptions = {}): string[] {
  const dis = disassembleOps(bytes, options);
  const indent = " ".repeat(options.indent ?? 4);
  const maxLines = options.maxLines ?? Number.POSITIVE_INFINITY;
  const lines: string[] = [];
  let stream = 0;
  let cut = false;
  const emit = (s: string) => {
    if (lines.length < maxLines) lines.push(s);
    else cut = true;
  };
  for (let i = 0; i < dis.ops.length; i++) {
    const op = dis.ops[i];
    if (op.stream !== stream) {
      stream = op.stream;
      emit(`--- pickle stream ${stream} at offset ${op.offset} ---`);
    }
    if (op.data !== undefined) {
      emit(`${String(op.offset).padStart(5)}: ${indent.repeat(op.depth)}<${op.data.length} bytes of ${op.data.what}>`);
      continue;
    }
    const code = op.code >= 0x20 && op.code < 0x7f ? String.fromCharCode(op.code) : `\\x${op.code.toString(16).padStart(2, "0")}`;
    let line = `${code.padEnd(4)} ${indent.repeat(op.depth)}${op.name}`;
    const markMsg = op.markAt !== undefined ? `(MARK at ${op.markAt})` : op.memoIndex !== undefined ? `(as ${op.memoIndex})` : undefined;
    if (op.arg !== null || markMsg !== undefined) {
      line += " ".repeat(Math.max(0, 10 - op.name.length));
      if (op.arg !== null) line += ` ${op.arg}`;
      if (markMsg !== undefined) line += ` ${markMsg}`;
    }
    emit(`${String(op.offset).padStart(5)}: ${line}`);
    if (op.name === "STOP") emit(`highest protocol among opcodes = ${dis.protocols[op.stream] ?? 0}`);
  }
  if (dis.error !== undefined) emit(`error: ${dis.error.message}`);
  if (dis.truncated) emit(`... listing stopped after ${dis.ops.length} opcodes`);
  if (cut) lines.push(`... ${dis.ops.length} opcodes in all; listing cut at ${maxLines} lines`);
  return lines;
}
