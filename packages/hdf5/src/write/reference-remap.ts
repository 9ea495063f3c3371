import { fail } from "@codec/core";
import type { AttributeValue, Datatype } from "../model.js";

/**
 * Object references across a re-encode. An old-style object reference
 * (class 7, hobj_ref_t: spec II.C "Reference") is the address of the
 * object's header, which a re-encode moves; the values are rewritten through
 * a map from old to new header addresses (reencode.ts finds it by writing
 * the file once, since header addresses do not depend on values). A region
 * reference's global heap object starts with the dataset's address, which is
 * rewritten the same way (remapRegion). HDF5 1.12 revised references are not
 * rewritten: the caller refuses them.
 */

/** Old header address -> new header address of every object reachable by a hard link. */
export type AddressMap = ReadonlyMap<number, number>;

/** Which references a datatype holds anywhere inside it. */
export function referenceKinds(t: Datatype): { object: boolean; other: boolean } {
  const out = { object: false, other: false };
  const visit = (x: Datatype): void => {
    switch (x.class) {
      case "reference":
        if (x.kind === "object" && !x.revised) out.object = true;
        else out.other = true;
        return;
      case "compound":
        for (const m of x.members) visit(m.type);
        return;
      case "array":
      case "enum":
        visit(x.base);
        return;
      case "vlen":
        if (x.kind === "sequence") visit(x.base);
        return;
      default:
        return;
    }
  };
  visit(t);
  return out;
}

/** Byte offsets of the object references inside one element of a fixed-size type (none under vlen). */
function objectRefOffsets(t: Datatype, base: number, out: number[]): void {
  switch (t.class) {
    case "reference":
      out.push(base);
      return;
    case "compound":
      for (const m of t.members) objectRefOffsets(m.type, base + m.offset, out);
      return;
    case "array": {
      const n = t.dims.reduce((a, b) => a * b, 1);
      for (let i = 0; i < n; i++) objectRefOffsets(t.base, base + i * t.base.size, out);
      return;
    }
    default:
      return;
  }
}

function newAddress(old: number, map: AddressMap | undefined, where: string): number {
  // An all-zero (or undefined-address) reference is a null reference and stays one.
  if (old === 0 || !Number.isSafeInteger(old)) return 0;
  if (map === undefined) return 0; // first pass: only the layout matters
  const a = map.get(old);
  if (a === undefined) fail("UNSUPPORTED", "hdf5", `${where} references the object at ${old}, which no hard link reaches`);
  return a;
}

/** A copy of `count` fixed-size elements of `type` with every object reference rewritten (8-byte, little-endian). */
export function remapRaw(raw: Uint8Array, type: Datatype, count: number, map: AddressMap | undefined, where: string): Uint8Array {
  const offsets: number[] = [];
  objectRefOffsets(type, 0, offsets);
  if (offsets.length === 0) return raw;
  const out = raw.slice();
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < count; i++) {
    for (const o of offsets) {
      const at = i * type.size + o;
      if (at + 8 > out.length) fail("CORRUPT", "hdf5", `${where}: reference ${i} is past the end of the data`);
      const lo = view.getUint32(at, true);
      const hi = view.getUint32(at + 4, true);
      const old = hi === 0xffffffff && lo === 0xffffffff ? Number.NaN : hi * 2 ** 32 + lo;
      const a = newAddress(old, map, where);
      view.setUint32(at, a % 2 ** 32, true);
      view.setUint32(at + 4, Math.floor(a / 2 ** 32), true);
    }
  }
  return out;
}

/** One decoded element of `type` (as values() gives it) with object references as new addresses. */
export function remapElement(type: Datatype, v: AttributeValue, map: AddressMap | undefined, where: string): AttributeValue {
  switch (type.class) {
    case "reference": {
      if (v === null) return 0;
      const ref = (v as { ref?: unknown }).ref;
      if (typeof ref !== "number") fail("UNSUPPORTED", "hdf5", `${where}: cannot rewrite reference value ${JSON.stringify(v)}`);
      return newAddress(ref, map, where);
    }
    case "compound": {
      const rec = v as { readonly [member: string]: AttributeValue };
      const out: { [member: string]: AttributeValue } = {};
      for (const m of type.members) out[m.name] = remapElement(m.type, rec[m.name], map, where);
      return out;
    }
    case "array":
      return (v as AttributeValue[]).map((x) => remapElement(type.base, x, map, where));
    case "vlen":
      return type.kind === "sequence" ? (v as AttributeValue[]).map((x) => remapElement(type.base, x, map, where)) : v;
    default:
      return v;
  }
}

/** Elements of a decoded value (a scalar's one element, or a simple dataspace's array) with references rewritten. */
export function remapValues(type: Datatype, scalar: boolean, v: AttributeValue, map: AddressMap | undefined, where: string): AttributeValue {
  if (v === null) return v;
  if (scalar) return remapElement(type, v, map, where);
  return (v as AttributeValue[]).map((x) => remapElement(type, x, map, where));
}

/** Object references must be 8 bytes (the writer's offset size); refuse other widths. */
export function checkReferenceWidths(t: Datatype, where: string): void {
  const visit = (x: Datatype): void => {
    if (x.class === "reference" && x.size !== 8) fail("UNSUPPORTED", "hdf5", `${where}: ${x.size}-byte object references (the output uses 8-byte addresses)`);
    if (x.class === "compound") for (const m of x.members) visit(m.type);
    if (x.class === "array" || x.class === "enum" || (x.class === "vlen" && x.kind === "sequence")) visit(x.base);
  };
  visit(t);
}

/** A region reference's heap object (8-byte dataset address, then the selection) with the address rewritten. */
export function remapRegion(blob: Uint8Array, map: AddressMap | undefined, where: string): Uint8Array {
  if (blob.length < 8) fail("CORRUPT", "hdf5", `${where}: region reference heap object of ${blob.length} bytes`);
  const out = blob.slice();
  const view = new DataView(out.buffer);
  const old = view.getUint32(4, true) * 2 ** 32 + view.getUint32(0, true);
  const a = newAddress(old, map, where);
  view.setUint32(0, a % 2 ** 32, true);
  view.setUint32(4, Math.floor(a / 2 ** 32), true);
  return out;
}
