import { fail, float32ToBfloat16, float32ToFloat16, float32ToFloat8E4M3FN, float32ToFloat8E5M2, utf8Encode } from "@codec/core";
import type { AttributeValue, Datatype, FloatingPointType } from "../model.js";
import type { GlobalHeapBuilder } from "./global-heap.js";
import { BFLOAT16, FLOAT16, FLOAT8_E4M3FN, FLOAT8_E5M2 } from "./standard-types.js";

/**
 * Encodes JS values (the reader's AttributeValue shapes: numbers, bigints,
 * booleans, strings, typed arrays, records, nested arrays) into the element
 * bytes of an HDF5 datatype. Variable-length elements go to the global heap;
 * their descriptors are written with the collection *number* in the address
 * field and listed in `vlenSlots`, to be patched with the collection address
 * once the file layout is known. Dataset region references (spec II.C: a
 * global heap ID whose object is the dataset's address and its selection)
 * are given as `{ heapObject }` and stored the same way.
 */

export interface EncodedElements {
  bytes: Uint8Array;
  /** Byte positions of global heap address fields (vlen descriptors, region references) to patch. */
  vlenSlots: number[];
}

type ArrayView =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

function isTypedArray(v: unknown): v is ArrayView {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

function sameLayout(a: FloatingPointType, b: FloatingPointType): boolean {
  return (
    a.size === b.size &&
    a.exponentLocation === b.exponentLocation &&
    a.exponentSize === b.exponentSize &&
    a.mantissaSize === b.mantissaSize &&
    a.exponentBias === b.exponentBias
  );
}

function isNumericClass(t: Datatype): boolean {
  return t.class === "fixed-point" || t.class === "floating-point" || t.class === "enum" || t.class === "bitfield" || t.class === "time";
}

function bigEndian(t: Datatype): boolean {
  if ("byteOrder" in t) return t.byteOrder === "BE";
  if (t.class === "enum") return bigEndian(t.base);
  return false;
}

class ElementEncoder {
  readonly slots: number[] = [];
  constructor(
    readonly heap: GlobalHeapBuilder,
    readonly where: string,
  ) {}

  private bad(t: Datatype, v: unknown): never {
    const shown = typeof v === "object" ? (v === null ? "null" : (v.constructor?.name ?? "object")) : typeof v;
    return fail("USAGE", "hdf5", `cannot store a ${shown} value as HDF5 ${t.class} in ${this.where}`);
  }

  private writeInt(t: Datatype, v: unknown, out: Uint8Array, pos: number, size: number): void {
    let x: bigint;
    if (typeof v === "bigint") x = v;
    else if (typeof v === "number" && Number.isInteger(v)) x = BigInt(v);
    else if (typeof v === "boolean") x = v ? 1n : 0n;
    else {
      this.bad(t, v);
    }
    x = BigInt.asUintN(size * 8, x);
    const be = bigEndian(t);
    for (let i = 0; i < size; i++) {
      out[pos + (be ? size - 1 - i : i)] = Number(x & 0xffn);
      x >>= 8n;
    }
  }

  private writeFloat(t: FloatingPointType, v: unknown, out: Uint8Array, pos: number): void {
    if (typeof v !== "number") {
      if (typeof v === "bigint") {
        this.writeFloat(t, Number(v), out, pos);
        return;
      }
      this.bad(t, v);
      return;
    }
    const view = new DataView(out.buffer, out.byteOffset + pos, t.size);
    const le = t.byteOrder !== "BE";
    if (t.size === 8) view.setFloat64(0, v, le);
    else if (t.size === 4) view.setFloat32(0, v, le);
    else if (t.size === 2 && sameLayout(t, FLOAT16)) view.setUint16(0, float32ToFloat16(v), le);
    else if (t.size === 2 && sameLayout(t, BFLOAT16)) view.setUint16(0, float32ToBfloat16(v), le);
    else if (t.size === 1 && sameLayout(t, FLOAT8_E4M3FN)) view.setUint8(0, float32ToFloat8E4M3FN(v));
    else if (t.size === 1 && sameLayout(t, FLOAT8_E5M2)) view.setUint8(0, float32ToFloat8E5M2(v));
    else fail("UNSUPPORTED", "hdf5", `cannot convert numbers to a ${t.size}-byte custom float in ${this.where}; pass raw bytes`);
  }

  /** Write one element of type `t` at `out[pos]`. */
  element(t: Datatype, v: unknown, out: Uint8Array, pos: number): void {
    if (v instanceof Uint8Array && v.length === t.size && t.class !== "vlen" && t.class !== "string" && !(t.class === "array" && t.base.size === 1)) {
      // Raw element bytes in the file's byte order (opaque values, references, round-trips).
      out.set(v, pos);
      return;
    }
    switch (t.class) {
      case "reference":
        if (t.kind === "region" && !t.revised) {
          this.region(v, out, pos);
          return;
        }
        this.writeInt(t, v, out, pos, t.size);
        return;
      case "fixed-point":
      case "bitfield":
      case "time":
        this.writeInt(t, v, out, pos, t.size);
        return;
      case "floating-point":
        this.writeFloat(t, v, out, pos);
        return;
      case "enum": {
        if (typeof v === "string") {
          const m = t.members.find((x) => x.name === v);
          if (!m) fail("USAGE", "hdf5", `'${v}' is not a member of the enum in ${this.where}`);
          this.writeInt(t.base, m.value, out, pos, t.size);
          return;
        }
        this.writeInt(t.base, v, out, pos, t.size);
        return;
      }
      case "string": {
        const bytes = typeof v === "string" ? utf8Encode(v) : v instanceof Uint8Array ? v : this.bad(t, v);
        // A value that fills the whole field is kept whole, even for NUL-terminated
        // strings: files written by libhdf5 contain such values and a re-encode must not cut them.
        const room = t.size;
        out.set(bytes.subarray(0, room), pos);
        if (t.padding === "space-pad") out.fill(0x20, pos + Math.min(bytes.length, room), pos + t.size);
        return;
      }
      case "opaque": {
        // The reader's `{opaque}` value (e.g. opaque members of a vlen sequence being re-encoded).
        const bytes = typeof v === "object" && v !== null && "opaque" in v ? (v as { opaque: unknown }).opaque : undefined;
        if (!(bytes instanceof Uint8Array) || bytes.length !== t.size) this.bad(t, v);
        out.set(bytes as Uint8Array, pos);
        return;
      }
      case "compound": {
        if (typeof v !== "object" || v === null || Array.isArray(v) || isTypedArray(v)) {
          this.bad(t, v);
          return;
        }
        const rec = v as { [k: string]: unknown };
        for (const m of t.members) {
          if (!(m.name in rec)) fail("USAGE", "hdf5", `compound value lacks member '${m.name}' in ${this.where}`);
          this.element(m.type, rec[m.name], out, pos + m.offset);
        }
        return;
      }
      case "array": {
        const n = t.dims.reduce((a, b) => a * b, 1);
        this.elements(t.base, v, n, out, pos);
        return;
      }
      case "vlen": {
        let data: Uint8Array;
        let length: number;
        if (t.kind === "string") {
          data = typeof v === "string" ? utf8Encode(v) : v instanceof Uint8Array ? v : this.bad(t, v);
          length = data.length;
        } else {
          length = isTypedArray(v) ? (v as ArrayView & { length: number }).length : Array.isArray(v) ? v.length : this.bad(t, v);
          data = new Uint8Array(length * t.base.size);
          const inner = new ElementEncoder(this.heap, this.where);
          inner.elements(t.base, v, length, data, 0);
          if (inner.slots.length > 0) fail("UNSUPPORTED", "hdf5", `nested variable-length data in ${this.where}`);
        }
        const ref = this.heap.add(data);
        const view = new DataView(out.buffer, out.byteOffset + pos, 16);
        view.setUint32(0, length, true);
        view.setBigUint64(4, BigInt(ref.collection), true);
        view.setUint32(12, ref.index, true);
        this.slots.push(pos + 4);
        return;
      }
    }
  }

  /** A region reference: null (all zero) or `{ heapObject }`, stored as a global heap ID (collection, index). */
  private region(v: unknown, out: Uint8Array, pos: number): void {
    if (v === null || v === 0) return; // a null reference: the zeros already there
    const blob = (v as { heapObject?: unknown } | undefined)?.heapObject;
    if (!(blob instanceof Uint8Array)) fail("USAGE", "hdf5", `a region reference in ${this.where} needs { heapObject: Uint8Array } or null`);
    const ref = this.heap.add(blob);
    const view = new DataView(out.buffer, out.byteOffset + pos, 12);
    view.setBigUint64(0, BigInt(ref.collection), true);
    view.setUint32(8, ref.index, true);
    this.slots.push(pos);
  }

  /** Write `count` elements of `t` from `value` (typed array, flat or nested array, or one scalar). */
  elements(t: Datatype, value: unknown, count: number, out: Uint8Array, pos: number): void {
    if (count === 0) return;
    if (isTypedArray(value) && isNumericClass(t)) {
      const width = value.BYTES_PER_ELEMENT;
      const n = value.byteLength / width;
      const raw = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      if (width === t.size && n === count) {
        out.set(raw, pos);
        if (bigEndian(t) && width > 1 && !(value instanceof Uint8Array)) {
          for (let i = 0; i < count; i++) out.subarray(pos + i * width, pos + (i + 1) * width).reverse();
        }
        return;
      }
      if (value instanceof Uint8Array && value.length === count * t.size) {
        out.set(value, pos);
        return;
      }
      if (n !== count) fail("USAGE", "hdf5", `expected ${count} elements, got ${n} in ${this.where}`);
      const list = Array.from(value as unknown as ArrayLike<number | bigint>);
      for (let i = 0; i < count; i++) this.element(t, list[i], out, pos + i * t.size);
      return;
    }
    // Raw element bytes (a re-encode copies fixed-size values, fixed strings included, bit-exact).
    if (value instanceof Uint8Array && value.length === count * t.size && t.class !== "vlen") {
      out.set(value, pos);
      return;
    }
    const flat = flatten(value, count);
    if (flat === undefined) fail("USAGE", "hdf5", `expected ${count} elements in ${this.where}`);
    for (let i = 0; i < count; i++) this.element(t, flat[i], out, pos + i * t.size);
  }
}

/** The elements of `value` as a flat list of length `count`, flattening nested arrays as needed. */
function flatten(value: unknown, count: number): unknown[] | undefined {
  if (!Array.isArray(value)) return count === 1 ? [value] : undefined;
  let list: unknown[] = value;
  while (list.length !== count) {
    if (list.length > count || !list.some((x) => Array.isArray(x) || isTypedArray(x))) {
      return count === 1 ? [value] : undefined;
    }
    const next: unknown[] = [];
    for (const x of list) {
      if (Array.isArray(x)) next.push(...x);
      else if (isTypedArray(x)) next.push(...Array.from(x as unknown as ArrayLike<unknown>));
      else next.push(x);
    }
    list = next;
  }
  return list;
}

export function encodeElements(
  type: Datatype,
  value: AttributeValue | Uint8Array | readonly unknown[],
  count: number,
  heap: GlobalHeapBuilder,
  where: string,
): EncodedElements {
  const enc = new ElementEncoder(heap, where);
  const bytes = new Uint8Array(count * type.size);
  enc.elements(type, value, count, bytes, 0);
  return { bytes, vlenSlots: enc.slots };
}

/** Vlen descriptors for a list of strings (a string tensor), written in one tight loop. */
export function encodeVlenStrings(strings: readonly string[], heap: GlobalHeapBuilder): EncodedElements {
  const bytes = new Uint8Array(strings.length * 16);
  const view = new DataView(bytes.buffer);
  const slots: number[] = new Array(strings.length);
  for (let i = 0; i < strings.length; i++) {
    const data = utf8Encode(strings[i]);
    const ref = heap.add(data);
    view.setUint32(i * 16, data.length, true);
    view.setBigUint64(i * 16 + 4, BigInt(ref.collection), true);
    view.setUint32(i * 16 + 12, ref.index, true);
    slots[i] = i * 16 + 4;
  }
  return { bytes, vlenSlots: slots };
}

/** Replace collection numbers in vlen descriptors with collection addresses. */
export function patchVlenSlots(bytes: Uint8Array, slots: readonly number[], heap: GlobalHeapBuilder): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (const pos of slots) {
    const collection = Number(view.getBigUint64(pos, true));
    view.setBigUint64(pos, BigInt(heap.address({ collection, index: 0 })), true);
  }
}
