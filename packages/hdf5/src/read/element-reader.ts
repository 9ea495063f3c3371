import { fail, float16ArrayToFloat32 } from "@codec/core";
import type { AttributeValue, Datatype } from "../model.js";
import { FORMAT } from "./context.js";
import { decodeFloatBits, isIeee } from "./float-bits.js";
import { intValue } from "./messages/datatype.js";
import { decodeRevisedReference } from "./revised-reference.js";
import { decodeText } from "./text.js";

/** Access to the global heap for variable-length data and region references. */
export interface HeapAccess {
  readonly offsetSize: number;
  globalObject(collection: number, index: number): Uint8Array;
  /** The hard-link path of the object whose header is at `address` (revised references). */
  objectPath?(address: number): string | undefined;
}

/** Reads one element of a type at a byte position. */
export type ElementReader = (bytes: Uint8Array, at: number) => AttributeValue;

const f16 = new Uint16Array(1);

/** h5py's bool: an enum whose members are exactly FALSE = 0 and TRUE = 1. */
export function isBoolEnum(t: Datatype): boolean {
  if (t.class !== "enum" || t.members.length !== 2) return false;
  const f = t.members.find((m) => m.name === "FALSE");
  const tr = t.members.find((m) => m.name === "TRUE");
  return f !== undefined && tr !== undefined && Number(f.value) === 0 && Number(tr.value) === 1;
}

/** A fixed-length string element: up to the first NUL, trailing spaces dropped for space padding (libhdf5 H5T__conv_s_s). */
export function fixedString(bytes: Uint8Array, at: number, size: number, spacePad: boolean): string {
  let end = at;
  const stop = at + size;
  while (end < stop && bytes[end] !== 0) end++;
  if (spacePad) while (end > at && bytes[end - 1] === 0x20) end--;
  return decodeText(bytes.subarray(at, end));
}

function readU32(b: Uint8Array, p: number): number {
  if (p + 4 > b.length) fail("TRUNCATED", FORMAT, "value truncated");
  return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
}

function readAddr(b: Uint8Array, p: number, size: number): number | undefined {
  if (p + size > b.length) fail("TRUNCATED", FORMAT, "address truncated");
  let ones = true;
  let v = 0;
  for (let i = size - 1; i >= 0; i--) {
    if (b[p + i] !== 0xff) ones = false;
    v = v * 256 + b[p + i];
  }
  return ones ? undefined : v;
}

/**
 * Compile a reader for one element of `t` (built once per type, then run
 * per element: no per-element dispatch on the datatype). Values: numbers
 * (bigint past 2^53), booleans for h5py bools, strings, records for
 * compounds, arrays for array and vlen types, `{ref}` / `{region}` for
 * references and `{opaque}` bytes.
 */
export function elementReader(t: Datatype, heap: HeapAccess, depth = 0): ElementReader {
  if (depth > 32) fail("LIMIT", FORMAT, "datatypes nest too deeply");
  const s = t.size;
  switch (t.class) {
    case "fixed-point":
    case "bitfield":
    case "time": {
      const signed = t.class === "fixed-point" && t.signed;
      const be = t.byteOrder === "BE";
      const full = t.class === "time" || (t.bitOffset === 0 && t.precision === s * 8);
      if (full || s > 8) {
        const n = Math.min(s, 8);
        return (b, at) => intValue(b, at, n, be, signed);
      }
      // Keep `precision` bits at `bitOffset` and sign-extend (libhdf5 H5T__conv_i_i).
      const off = BigInt(t.bitOffset);
      const mask = (1n << BigInt(t.precision)) - 1n;
      const top = 1n << BigInt(t.precision - 1);
      return (b, at) => {
        const raw = intValue(b, at, s, be, false);
        let v = (BigInt(raw) >> off) & mask;
        if (signed && v & top) v -= 1n << BigInt(t.precision);
        return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      };
    }
    case "enum": {
      const base = elementReader(t.base, heap, depth + 1);
      if (isBoolEnum(t)) return (b, at) => Number(base(b, at)) !== 0;
      return base;
    }
    case "floating-point": {
      if (isIeee(t)) {
        const le = t.byteOrder !== "BE";
        if (s === 4) return (b, at) => new DataView(b.buffer, b.byteOffset + at, 4).getFloat32(0, le);
        if (s === 8) return (b, at) => new DataView(b.buffer, b.byteOffset + at, 8).getFloat64(0, le);
        return (b, at) => {
          f16[0] = le ? b[at] | (b[at + 1] << 8) : (b[at] << 8) | b[at + 1];
          return float16ArrayToFloat32(f16)[0];
        };
      }
      const scratch = new Uint8Array(s);
      return (b, at) => decodeFloatBits(t, b, at, scratch);
    }
    case "string": {
      const sp = t.padding === "space-pad";
      return (b, at) => fixedString(b, at, s, sp);
    }
    case "opaque":
      return (b, at) => ({ opaque: b.slice(at, at + s) });
    case "compound": {
      const names = t.members.map((m) => m.name);
      const offs = t.members.map((m) => m.offset);
      const readers = t.members.map((m) => elementReader(m.type, heap, depth + 1));
      const k = readers.length;
      return (b, at) => {
        const rec: { [name: string]: AttributeValue } = {};
        for (let i = 0; i < k; i++) rec[names[i]] = readers[i](b, at + offs[i]);
        return rec;
      };
    }
    case "array": {
      let m = 1;
      for (const d of t.dims) m *= d;
      const base = elementReader(t.base, heap, depth + 1);
      const bs = t.base.size;
      return (b, at) => {
        const out: AttributeValue[] = new Array(m);
        for (let i = 0; i < m; i++) out[i] = base(b, at + i * bs);
        return out;
      };
    }
    case "reference": {
      const os = heap.offsetSize;
      if (t.revised) return (b, at) => decodeRevisedReference(b, at, s, heap);
      if (t.kind === "object") {
        return (b, at) => {
          const a = readAddr(b, at, Math.min(os, s));
          return a === 0 || a === undefined ? null : { ref: a };
        };
      }
      return (b, at) => {
        const col = readAddr(b, at, os);
        const idx = readU32(b, at + os);
        if (col === 0 || col === undefined) return null;
        const obj = heap.globalObject(col, idx);
        return { region: readAddr(obj, 0, os) ?? null };
      };
    }
    case "vlen": {
      const os = heap.offsetSize;
      const body = (b: Uint8Array, at: number): { len: number; data: Uint8Array } => {
        if (at + 4 + os + 4 > b.length) fail("TRUNCATED", FORMAT, "variable-length element is truncated");
        const len = readU32(b, at);
        const col = readAddr(b, at + 4, os);
        const idx = readU32(b, at + 4 + os);
        const data = col === 0 || col === undefined ? new Uint8Array(0) : heap.globalObject(col, idx);
        return { len, data };
      };
      if (t.kind === "string") {
        const sp = t.padding === "space-pad";
        return (b, at) => {
          const { len, data } = body(b, at);
          if (len > data.length) fail("CORRUPT", FORMAT, `variable-length string of ${len} bytes in a ${data.length}-byte heap object`);
          return fixedString(data, 0, len, sp);
        };
      }
      const base = elementReader(t.base, heap, depth + 1);
      const bs = t.base.size;
      return (b, at) => {
        const { len, data } = body(b, at);
        if (len * bs > data.length) fail("CORRUPT", FORMAT, `variable-length sequence of ${len} elements in a ${data.length}-byte heap object`);
        const out: AttributeValue[] = new Array(len);
        for (let i = 0; i < len; i++) out[i] = base(data, i * bs);
        return out;
      };
    }
  }
}
