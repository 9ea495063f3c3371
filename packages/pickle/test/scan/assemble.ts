/**
 * A tiny pickle assembler for hand-crafted test vectors: each helper emits
 * one opcode with its argument, laid out as pickletools documents them.
 */
const enc = new TextEncoder();

export type Part = number | Uint8Array | string | readonly Part[];

function flatten(p: Part, out: number[]): void {
  if (typeof p === "number") out.push(p);
  else if (typeof p === "string") for (let i = 0; i < p.length; i++) out.push(p.charCodeAt(i) & 0xff);
  else if (p instanceof Uint8Array) for (const b of p) out.push(b);
  else for (const q of p) flatten(q, out);
}

/** Concatenate parts; strings are latin-1 opcode/argument text, numbers single bytes, arrays nest. */
export function bytesOf(...parts: Part[]): Uint8Array {
  const chunks: number[] = [];
  for (const p of parts) flatten(p, chunks);
  return Uint8Array.from(chunks);
}

const le = (v: number, n: number) => Array.from({ length: n }, (_, i) => Math.floor(v / 2 ** (8 * i)) & 0xff);

export const PROTO = (p: number) => [0x80, p];
export const FRAME = (n: number) => [0x95, ...le(n, 8)];
export const STOP = ".";
export const MARK = "(";
export const NONE = "N";
export const POP = "0";
export const DUP = "2";
export const TUPLE = "t";
export const TUPLE1 = [0x85];
export const TUPLE2 = [0x86];
export const LIST = "l";
export const DICT = "d";
export const EMPTY_DICT = "}";
export const EMPTY_LIST = "]";
export const EMPTY_TUPLE = ")";
export const APPEND = "a";
export const SETITEM = "s";
export const SETITEMS = "u";
export const REDUCE = "R";
export const BUILD = "b";
export const NEWOBJ = [0x81];
export const OBJ = "o";
export const STACK_GLOBAL = [0x93];
export const MEMOIZE = [0x94];
export const GLOBAL = (module: string, name: string) => `c${module}\n${name}\n`;
export const INST = (module: string, name: string) => `i${module}\n${name}\n`;
export const BINPUT = (i: number) => [0x71, i];
export const BINGET = (i: number) => [0x68, i];
export const BININT1 = (v: number) => [0x4b, v];
export const BININT = (v: number) => [0x4a, ...le(v >>> 0, 4)];
export const EXT1 = (code: number) => [0x82, code];
/** SHORT_BINUNICODE (protocol 4). */
export function U(s: string): number[] {
  const b = enc.encode(s);
  return [0x8c, b.length, ...b];
}
/** BINUNICODE (protocol 1+). */
export function X(s: string): number[] {
  const b = enc.encode(s);
  return [0x58, ...le(b.length, 4), ...b];
}
/** SHORT_BINBYTES / BINBYTES. */
export function B(b: Uint8Array): number[] {
  return b.length < 256 ? [0x43, b.length, ...b] : [0x42, ...le(b.length, 4), ...b];
}
/** SHORT_BINSTRING (a Python 2 str). */
export function S(s: string): number[] {
  return [0x55, s.length, ...Array.from(s, (c) => c.charCodeAt(0) & 0xff)];
}

/** `module.name(arg)` with one string argument, protocol 2+ style (GLOBAL, arg, TUPLE1, REDUCE). */
export function callWithString(module: string, name: string, arg: string): Part[] {
  return [GLOBAL(module, name), X(arg), TUPLE1, REDUCE];
}
