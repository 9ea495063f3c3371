import { ByteWriter, fail, utf8Encode } from "@codec/core";
import type { Dataspace, FillValue, Filter } from "../model.js";
import { align8, OBJECT_HEADER_V1_PREFIX, UNDEF } from "./constants.js";

/**
 * Header message encoders for the default profile (HDF5 spec IV.A.2) and
 * the version 1 object header that holds them (IV.A.1.a).
 */

export const MSG_DATASPACE = 0x0001;
export const MSG_DATATYPE = 0x0003;
export const MSG_FILL_VALUE = 0x0005;
export const MSG_LAYOUT = 0x0008;
export const MSG_FILTER_PIPELINE = 0x000b;
export const MSG_ATTRIBUTE = 0x000c;
export const MSG_SYMBOL_TABLE = 0x0011;

/** Message flag bit 0: the message is constant (libhdf5 sets it on datatype, fill and pipeline). */
export const FLAG_CONSTANT = 1;

export interface HeaderMessage {
  type: number;
  flags: number;
  body: Uint8Array;
}

/** An address field: UNDEF (-1) becomes all ones. */
export function writeAddress(w: ByteWriter, addr: number): void {
  if (addr === UNDEF) w.u64(0xffffffffffffffffn);
  else w.u64(addr);
}

function writeLength(w: ByteWriter, n: number): void {
  if (n === Number.POSITIVE_INFINITY) w.u64(0xffffffffffffffffn);
  else w.u64(n);
}

/**
 * Dataspace message (IV.A.2.b). Version 1 for scalar and simple spaces (with
 * maximum dimensions always present, as libhdf5 stores them); a null space
 * needs version 2.
 */
export function dataspaceMessage(space: Dataspace): Uint8Array {
  const w = new ByteWriter(64);
  if (space.kind === "null") {
    w.u8(2).u8(0).u8(0).u8(2);
    return w.finish();
  }
  const dims = space.kind === "scalar" ? [] : space.dims;
  const max = space.maxDims ?? dims;
  if (max.length !== dims.length) fail("USAGE", "hdf5", "maxshape rank differs from shape rank");
  w.u8(1).u8(dims.length).u8(dims.length > 0 ? 1 : 0).u8(0).u32(0);
  for (const d of dims) writeLength(w, d);
  if (dims.length > 0) for (const d of max) writeLength(w, d);
  return w.finish();
}

/** Fill value message version 2 (IV.A.2.f): what h5py writes by default. */
export function fillValueMessage(fill: FillValue): Uint8Array {
  const w = new ByteWriter(16);
  // An explicitly undefined fill value (`defined: false`) is written as such:
  // no size or value follows (spec IV.A.2.f, version 2).
  const undefinedFill = fill.defined === false;
  w.u8(2).u8(fill.allocTime).u8(fill.fillTime).u8(undefinedFill ? 0 : 1);
  if (undefinedFill) return w.finish();
  const v = fill.value;
  w.u32(v ? v.length : 0);
  if (v) w.bytes(v);
  return w.finish();
}

export type LayoutSpec =
  | { kind: "contiguous"; address: number; size: number }
  | { kind: "compact"; data: Uint8Array }
  | { kind: "chunked"; address: number; chunkDims: readonly number[]; elementSize: number };

/** Data layout message version 3 (IV.A.2.i). */
export function layoutMessage(l: LayoutSpec): Uint8Array {
  const w = new ByteWriter(48);
  w.u8(3);
  if (l.kind === "compact") {
    if (l.data.length > 0xffff) fail("LIMIT", "hdf5", "compact dataset larger than 64 KiB");
    w.u8(0).u16(l.data.length).bytes(l.data);
  } else if (l.kind === "contiguous") {
    w.u8(1);
    writeAddress(w, l.address);
    w.u64(l.size);
  } else {
    w.u8(2).u8(l.chunkDims.length + 1);
    writeAddress(w, l.address);
    for (const d of l.chunkDims) w.u32(d);
    w.u32(l.elementSize);
  }
  return w.finish();
}

/** Filter pipeline message version 1 (IV.A.2.l), names included as libhdf5 writes them. */
export function filterPipelineMessage(filters: readonly Filter[]): Uint8Array {
  const w = new ByteWriter(64);
  w.u8(1).u8(filters.length).zeros(6);
  for (const f of filters) {
    const name = f.name ? utf8Encode(f.name) : new Uint8Array(0);
    const nameLen = name.length ? align8(name.length + 1) : 0;
    w.u16(f.id).u16(nameLen).u16(f.optional ? 1 : 0).u16(f.clientData.length);
    if (nameLen) w.bytes(name).zeros(nameLen - name.length);
    for (const v of f.clientData) w.u32(v >>> 0);
    if (f.clientData.length % 2 === 1) w.u32(0);
  }
  return w.finish();
}

/** Attribute message version 1 (IV.A.2.m): name, datatype and dataspace each padded to 8. */
export function attributeMessage(name: string, datatype: Uint8Array, dataspace: Uint8Array, data: Uint8Array): Uint8Array {
  const nameBytes = utf8Encode(name);
  const w = new ByteWriter(align8(nameBytes.length + 1) + align8(datatype.length) + align8(dataspace.length) + data.length + 8);
  w.u8(1).u8(0).u16(nameBytes.length + 1).u16(datatype.length).u16(dataspace.length);
  w.bytes(nameBytes).zeros(align8(nameBytes.length + 1) - nameBytes.length);
  w.bytes(datatype).zeros(align8(datatype.length) - datatype.length);
  w.bytes(dataspace).zeros(align8(dataspace.length) - dataspace.length);
  w.bytes(data);
  return w.finish();
}

export function symbolTableMessage(btree: number, heap: number): Uint8Array {
  const w = new ByteWriter(16);
  writeAddress(w, btree);
  writeAddress(w, heap);
  return w.finish();
}

/** The largest message body a v1 header can hold (16-bit size, padded to 8). */
export const MAX_V1_MESSAGE = 0xfff8;

/** Size on disk of a v1 object header holding `messages`. */
export function objectHeaderSize(messages: readonly HeaderMessage[]): number {
  let n = OBJECT_HEADER_V1_PREFIX;
  for (const m of messages) n += 8 + align8(m.body.length);
  return n;
}

/**
 * Version 1 object header (IV.A.1.a): version, reserved, message count,
 * reference count 1, header data size, padding to 8; then each message as
 * type u16, size u16, flags u8, 3 reserved bytes and the body padded to 8.
 */
export function encodeObjectHeader(out: Uint8Array, at: number, messages: readonly HeaderMessage[], where: string, refCount = 1): void {
  const view = new DataView(out.buffer, out.byteOffset + at);
  const dataSize = objectHeaderSize(messages) - OBJECT_HEADER_V1_PREFIX;
  view.setUint8(0, 1);
  view.setUint8(1, 0);
  view.setUint16(2, messages.length, true);
  view.setUint32(4, refCount, true); // hard links to the object (spec IV.A.1.a "Object Reference Count")
  view.setUint32(8, dataSize, true);
  let p = OBJECT_HEADER_V1_PREFIX;
  for (const m of messages) {
    const size = align8(m.body.length);
    if (size > MAX_V1_MESSAGE) {
      fail("LIMIT", "hdf5", `header message of ${m.body.length} bytes in ${where} exceeds the 64 KiB limit of version 1 object headers`);
    }
    view.setUint16(p, m.type, true);
    view.setUint16(p + 2, size, true);
    view.setUint8(p + 4, m.flags);
    out.set(m.body, at + p + 8);
    p += 8 + size;
  }
}
