/**
 * Reads one pickle opcode and its argument, as pickletools.genops does
 * (CPython Lib/pickletools.py: ArgumentDescriptor readers), without
 * interpreting it. Shared by the scanner's symbolic VM and the disassembler,
 * so both see exactly the same opcode boundaries.
 *
 * Every length is checked against the bytes that exist before anything is
 * sliced; a short or malformed argument throws a CodecError (format
 * "pickle") with the opcode's offset.
 */
import { fail } from "@codec/core";
import { escapeDecode, latin1, parseFloatText, parseIntText, rawUnicodeEscapeDecode } from "../decode/text-args.js";
import { PyFloat } from "../model.js";
import { type ArgKind, OPCODES, type OpcodeInfo } from "../opcodes.js";
import { decodeLong } from "../decode/long.js";

export const PICKLE_FORMAT = "pickle";

/** A decoded opcode argument. Text args that Python parses become numbers/strings. */
export type OpArg =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | { readonly kind: "pair"; readonly module: string; readonly name: string }
  | { readonly kind: "bytearray"; readonly bytes: Uint8Array }
  | { readonly kind: "float"; readonly value: number }
  | { readonly kind: "pystr"; readonly bytes: Uint8Array }
  /** LONG1/LONG4 beyond HUGE_INT_BYTES: kept as bytes (CPython cannot even print it: 4300-digit limit). */
  | { readonly kind: "hugeint"; readonly bytes: Uint8Array };

/** Integers longer than this many bytes are not converted (about 2466 decimal digits). */
export const HUGE_INT_BYTES = 1024;

export interface RawOp {
  readonly offset: number;
  readonly code: number;
  readonly info: OpcodeInfo;
  readonly arg: OpArg;
  /** Offset just after the opcode and its argument. */
  readonly end: number;
}

const utf8Lenient = new TextDecoder("utf-8");

/** UTF-8 decode that never throws; CPython uses 'surrogatepass', lone surrogates become U+FFFD here. */
export function utf8Lossy(bytes: Uint8Array): string {
  return utf8Lenient.decode(bytes);
}

function truncated(what: string, offset: number): never {
  return fail("TRUNCATED", PICKLE_FORMAT, `pickle data was truncated (${what})`, { offset });
}

function need(bytes: Uint8Array, pos: number, n: number, opOffset: number, what: string): void {
  if (!(n >= 0) || pos + n > bytes.length) truncated(what, opOffset);
}

function readUint(bytes: Uint8Array, pos: number, n: number): number {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + bytes[pos + i];
  return v;
}

/** Index of the next '\n' at or after pos, or -1. */
function lineEnd(bytes: Uint8Array, pos: number): number {
  return bytes.indexOf(0x0a, pos);
}

function readLine(bytes: Uint8Array, pos: number, opOffset: number): [Uint8Array, number] {
  const nl = lineEnd(bytes, pos);
  if (nl < 0) truncated("no newline found", opOffset);
  return [bytes.subarray(pos, nl), nl + 1];
}

/** Latin-1 text of a whole byte run (one code unit per byte). */
export function latin1String(bytes: Uint8Array): string {
  return latin1(bytes, 0, bytes.length);
}

/**
 * CPython 3.11+ refuses int() of more than 4300 decimal digits
 * (sys.int_info.default_max_str_digits), so load_int/load_long fail there;
 * the scanner stops at the same point instead of parsing megabytes of digits.
 */
const MAX_STR_DIGITS = 4300;

/** Python int() of INT/LONG/GET/PUT text (the decoder's parser), within CPython's digit limit; null when Python rejects it. */
function parseIntLine(text: string): number | bigint | null {
  if (text.length > MAX_STR_DIGITS && /^[+-]?[0-9_]+L?$/.test(text.trim()) && text.replace(/[^0-9]/g, "").length > MAX_STR_DIGITS) return null;
  return parseIntText(text);
}

/** Python float() of FLOAT text (the decoder's parser) as a plain number. */
function parseFloatLine(text: string): number | null {
  const v = parseFloatText(text);
  return v instanceof PyFloat ? v.value : typeof v === "number" ? v : null;
}

function readArg(kind: ArgKind, bytes: Uint8Array, pos: number, opOffset: number, name: string): [OpArg, number] {
  switch (kind) {
    case "none":
      return [null, pos];
    case "uint1":
      need(bytes, pos, 1, opOffset, name);
      return [bytes[pos], pos + 1];
    case "uint2":
      need(bytes, pos, 2, opOffset, name);
      return [readUint(bytes, pos, 2), pos + 2];
    case "int4": {
      need(bytes, pos, 4, opOffset, name);
      return [readUint(bytes, pos, 4) | 0, pos + 4];
    }
    case "uint4":
      need(bytes, pos, 4, opOffset, name);
      return [readUint(bytes, pos, 4), pos + 4];
    case "uint8":
      need(bytes, pos, 8, opOffset, name);
      return [readUint(bytes, pos, 8), pos + 8];
    case "long1":
    case "long4": {
      const w = kind === "long1" ? 1 : 4;
      need(bytes, pos, w, opOffset, name);
      const n = w === 1 ? bytes[pos] : readUint(bytes, pos, 4) | 0;
      if (n < 0) fail("CORRUPT", PICKLE_FORMAT, `${name}: negative byte count ${n}`, { offset: opOffset });
      need(bytes, pos + w, n, opOffset, name);
      const data = bytes.subarray(pos + w, pos + w + n);
      if (n > HUGE_INT_BYTES) return [{ kind: "hugeint", bytes: data }, pos + w + n];
      return [decodeLong(data, 0, data.length), pos + w + n];
    }
    case "string1":
    case "string4":
    case "bytes1":
    case "bytes4":
    case "bytes8":
    case "bytearray8":
    case "unicodestring1":
    case "unicodestring4":
    case "unicodestring8": {
      const w = kind.endsWith("1") ? 1 : kind.endsWith("4") ? 4 : 8;
      need(bytes, pos, w, opOffset, name);
      const n = w === 4 && kind === "string4" ? readUint(bytes, pos, 4) | 0 : readUint(bytes, pos, w);
      if (n < 0) fail("CORRUPT", PICKLE_FORMAT, `${name}: negative byte count ${n}`, { offset: opOffset });
      need(bytes, pos + w, n, opOffset, name);
      const data = bytes.subarray(pos + w, pos + w + n);
      const end = pos + w + n;
      if (kind.startsWith("unicode")) return [utf8Lossy(data), end];
      if (kind.startsWith("string")) return [{ kind: "pystr", bytes: data }, end];
      if (kind === "bytearray8") return [{ kind: "bytearray", bytes: data }, end];
      return [data, end];
    }
    case "float8": {
      need(bytes, pos, 8, opOffset, name);
      const v = new DataView(bytes.buffer, bytes.byteOffset + pos, 8).getFloat64(0, false);
      return [{ kind: "float", value: v }, pos + 8];
    }
    case "decimalnl_short":
    case "decimalnl_long": {
      const [line, next] = readLine(bytes, pos, opOffset);
      const text = latin1String(line);
      if (kind === "decimalnl_short" && name === "INT") {
        if (text === "00") return [false, next];
        if (text === "01") return [true, next];
      }
      const v = parseIntLine(text);
      if (v === null) fail("CORRUPT", PICKLE_FORMAT, `${name}: invalid literal ${JSON.stringify(text.slice(0, 40))}`, { offset: opOffset });
      return [v, next];
    }
    case "floatnl": {
      const [line, next] = readLine(bytes, pos, opOffset);
      const v = parseFloatLine(latin1String(line));
      if (v === null) fail("CORRUPT", PICKLE_FORMAT, "FLOAT: could not convert string to float", { offset: opOffset });
      return [{ kind: "float", value: v }, next];
    }
    case "stringnl": {
      const [line, next] = readLine(bytes, pos, opOffset);
      // load_string (CPython _pickle.c): the line minus its newline must start and end with the same quote.
      const end = line.length;
      const q = line[0];
      if (end < 2 || (q !== 0x22 && q !== 0x27) || line[end - 1] !== q) {
        fail("CORRUPT", PICKLE_FORMAT, "the STRING opcode argument must be quoted", { offset: opOffset });
      }
      const decoded = escapeDecode(line.subarray(1, end - 1));
      if (decoded === null) fail("CORRUPT", PICKLE_FORMAT, "STRING: invalid \\x escape", { offset: opOffset });
      return [{ kind: "pystr", bytes: decoded }, next];
    }
    case "stringnl_noescape": {
      const [line, next] = readLine(bytes, pos, opOffset);
      return [latin1String(line), next];
    }
    case "stringnl_noescape_pair": {
      const [a, p1] = readLine(bytes, pos, opOffset);
      const [b, p2] = readLine(bytes, p1, opOffset);
      return [{ kind: "pair", module: utf8Lossy(a), name: utf8Lossy(b) }, p2];
    }
    case "unicodestringnl": {
      const [line, next] = readLine(bytes, pos, opOffset);
      const text = rawUnicodeEscapeDecode(line);
      if (text === null) fail("CORRUPT", PICKLE_FORMAT, "UNICODE: truncated or out-of-range \\uXXXX escape", { offset: opOffset });
      return [text, next];
    }
  }
}

/** Read the opcode at `pos`. Throws CodecError for an unknown byte or a truncated/malformed argument. */
export function readOp(bytes: Uint8Array, pos: number): RawOp {
  if (pos >= bytes.length) truncated("no STOP opcode", pos);
  const code = bytes[pos];
  const info = OPCODES[code];
  if (info === undefined) {
    fail("CORRUPT", PICKLE_FORMAT, `invalid load key, '\\x${code.toString(16).padStart(2, "0")}'`, { offset: pos });
  }
  const [arg, end] = readArg(info.arg, bytes, pos + 1, pos, info.name);
  return { offset: pos, code, info, arg, end };
}
