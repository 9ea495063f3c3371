import { ByteWriter, fail, utf8Encode } from "@codec/core";
import type { Dataspace, FillValue, Filter } from "../model.js";
import { lookup3 } from "../read/checksum.js";
import { UNDEF } from "./constants.js";
import type { HeaderMessage } from "./messages.js";
import { writeAddress } from "./messages.js";
import { chunkSizeWidth } from "./chunk-size-width.js";

export { chunkSizeWidth };
import { BT2_MERGE_PERCENT, BT2_NODE_SIZE, BT2_SPLIT_PERCENT } from "./btree-v2-chunks.js";
import {
  EA_DATA_BLK_MIN_ELMTS,
  EA_IDX_BLK_ELMTS,
  EA_MAX_DBLK_PAGE_NELMTS_BITS,
  EA_MAX_NELMTS_BITS,
  EA_SUP_BLK_MIN_DATA_PTRS,
} from "./extensible-array.js";

/**
 * Encoders for the libver="latest" profile (what h5py writes with
 * `h5py.File(..., libver="latest")`): superblock v2, version 2 object
 * headers ("OHDR" with a lookup3 checksum), groups as link messages with
 * link info and group info messages, attribute message v3, dataspace v2,
 * fill value v3, filter pipeline v2, layout v4 with the fixed-array and
 * single-chunk indexes (HDF5 spec II.A, IV.A.1.b, IV.A.2.*, VII.B).
 */

export const MSG_LINK_INFO = 0x0002;
export const MSG_GROUP_INFO = 0x000a;
export const MSG_LINK = 0x0006;
export const MSG_ATTRIBUTE_INFO = 0x0015;
/** Header message flag libhdf5 sets on attribute info messages: the message must not be shared. */
export const FLAG_DONT_SHARE = 0x04;

export const SUPERBLOCK_V2_SIZE = 48;
/** Entries per fixed array data block page (libhdf5's default H5D_FARRAY_MAX_DBLK_PAGE_NELMTS_BITS = 10). */
export const FIXED_ARRAY_PAGE_BITS = 10;

function putChecksum(out: Uint8Array, start: number, end: number): void {
  new DataView(out.buffer, out.byteOffset).setUint32(end, lookup3(out.subarray(start, end)), true);
}

/** Superblock version 2 (spec II.A): no free-space or driver info, no extension. */
export function encodeSuperblockV2(out: Uint8Array, eof: number, rootHeader: number): void {
  const view = new DataView(out.buffer, out.byteOffset);
  out.set([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a, 2, 8, 8, 0], 0);
  view.setBigUint64(12, 0n, true);
  view.setBigUint64(20, 0xffffffffffffffffn, true);
  view.setBigUint64(28, BigInt(eof), true);
  view.setBigUint64(36, BigInt(rootHeader), true);
  putChecksum(out, 0, 44);
}

function chunk0Width(size: number): number {
  return size < 256 ? 1 : size < 65536 ? 2 : 4;
}

/** Size of a version 2 object header: prefix, messages (4-byte headers, no padding), checksum. */
export function objectHeaderV2Size(messages: readonly HeaderMessage[]): number {
  const body = messages.reduce((n, m) => n + 4 + m.body.length, 0);
  return 4 + 1 + 1 + chunk0Width(body) + body + 4;
}

export function encodeObjectHeaderV2(out: Uint8Array, at: number, messages: readonly HeaderMessage[], where: string): void {
  const body = messages.reduce((n, m) => n + 4 + m.body.length, 0);
  const width = chunk0Width(body);
  const view = new DataView(out.buffer, out.byteOffset);
  out.set([0x4f, 0x48, 0x44, 0x52, 2, width === 1 ? 0 : width === 2 ? 1 : 2], at);
  let p = at + 6;
  if (width === 1) view.setUint8(p, body);
  else if (width === 2) view.setUint16(p, body, true);
  else view.setUint32(p, body, true);
  p += width;
  for (const m of messages) {
    if (m.body.length > 0xffff) fail("LIMIT", "hdf5", `header message of ${m.body.length} bytes in ${where} exceeds 64 KiB`);
    view.setUint8(p, m.type);
    view.setUint16(p + 1, m.body.length, true);
    view.setUint8(p + 3, m.flags);
    out.set(m.body, p + 4);
    p += 4 + m.body.length;
  }
  putChecksum(out, at, p);
}

/**
 * Link info message (IV.A.2.c), no creation order tracked: the fractal heap
 * and name index B-tree of dense storage, both undefined for compact storage.
 */
export function linkInfoMessage(heap = UNDEF, nameIndex = UNDEF): Uint8Array {
  const w = new ByteWriter(18);
  w.u8(0).u8(0);
  writeAddress(w, heap);
  writeAddress(w, nameIndex);
  return w.finish();
}

/** Attribute info message (IV.A.2.v), no creation order tracked: the dense storage's fractal heap and name index. */
export function attributeInfoMessage(heap: number, nameIndex: number): Uint8Array {
  const w = new ByteWriter(18);
  w.u8(0).u8(0);
  writeAddress(w, heap);
  writeAddress(w, nameIndex);
  return w.finish();
}

/** Group info message (IV.A.2.k) with the default limits (none stored). */
export function groupInfoMessage(): Uint8Array {
  return new Uint8Array([0, 0]);
}

function isAscii(b: Uint8Array): boolean {
  for (const x of b) if (x > 0x7f) return false;
  return true;
}

/**
 * Link message (spec IV.A.2.g) version 1, as H5O__link_encode writes it: a hard
 * link to `target` (an object header address); a soft link (a path: flag bit 3,
 * link type 1, 2-byte length, the path); or an external link (link type 64,
 * 2-byte length, then a version/flags byte 0 and the file name and object path,
 * each null-terminated).
 */
export function linkMessageOf(name: string, target: number | string | { readonly file: string; readonly path: string }): Uint8Array {
  const nameBytes = utf8Encode(name);
  const lenWidth = nameBytes.length < 256 ? 0 : nameBytes.length < 65536 ? 1 : 2;
  const utf8 = !isAscii(nameBytes);
  let info: Uint8Array | undefined;
  let linkType = 0;
  if (typeof target === "string") {
    info = utf8Encode(target);
    linkType = 1;
  } else if (typeof target === "object") {
    const file = utf8Encode(target.file);
    const path = utf8Encode(target.path);
    info = new Uint8Array(1 + file.length + 1 + path.length + 1);
    info.set(file, 1);
    info.set(path, 2 + file.length);
    linkType = 64;
  }
  const w = new ByteWriter(16 + nameBytes.length + (info?.length ?? 0));
  w.u8(1).u8(lenWidth | (info ? 0x08 : 0) | (utf8 ? 0x10 : 0));
  if (info) w.u8(linkType);
  if (utf8) w.u8(1);
  w.uint(nameBytes.length, 1 << lenWidth);
  w.bytes(nameBytes);
  if (info) {
    if (info.length > 0xffff) fail("UNSUPPORTED", "hdf5", `link value of ${info.length} bytes for ${name}`);
    w.u16(info.length);
    w.bytes(info);
  } else w.u64(target as number);
  return w.finish();
}

/** Dataspace message version 2 (scalar / simple / null). */
export function dataspaceMessageV2(space: Dataspace): Uint8Array {
  const w = new ByteWriter(64);
  const dims = space.kind === "simple" ? space.dims : [];
  const max = space.maxDims ?? dims;
  w.u8(2).u8(dims.length).u8(dims.length > 0 ? 1 : 0).u8(space.kind === "scalar" ? 0 : space.kind === "simple" ? 1 : 2);
  for (const d of dims) w.u64(d);
  if (dims.length > 0) for (const d of max) w.u64(d === Number.POSITIVE_INFINITY ? 0xffffffffffffffffn : d);
  return w.finish();
}

/** Fill value message version 3: flags carry the times; a value follows only when one is set. */
export function fillValueMessageV3(fill: FillValue): Uint8Array {
  const undefinedFill = fill.defined === false;
  const v = fill.value;
  const flags = (fill.allocTime & 3) | ((fill.fillTime & 3) << 2) | (undefinedFill ? 0x10 : 0) | (v && !undefinedFill ? 0x20 : 0);
  const w = new ByteWriter(8 + (v?.length ?? 0));
  w.u8(3).u8(flags);
  if (v && !undefinedFill) w.u32(v.length).bytes(v);
  return w.finish();
}

/**
 * Filter pipeline message version 2: names only for filters with id >= 256, no padding.
 * Field order per filter (spec IV.A.2.l, libhdf5 H5O__pline_encode): id, name length
 * (id >= 256 only), flags, number of client values, then the name, then the values.
 */
export function filterPipelineMessageV2(filters: readonly Filter[]): Uint8Array {
  const w = new ByteWriter(64);
  w.u8(2).u8(filters.length);
  for (const f of filters) {
    w.u16(f.id);
    const name = f.id >= 256 && f.name ? utf8Encode(f.name) : new Uint8Array(0);
    if (f.id >= 256) w.u16(name.length ? name.length + 1 : 0);
    w.u16(f.optional ? 1 : 0).u16(f.clientData.length);
    if (name.length) w.bytes(name).u8(0);
    for (const x of f.clientData) w.u32(x >>> 0);
  }
  return w.finish();
}

/** Attribute message version 3: name with its charset, datatype and dataspace unpadded. */
export function attributeMessageV3(name: string, datatype: Uint8Array, dataspace: Uint8Array, data: Uint8Array): Uint8Array {
  const nameBytes = utf8Encode(name);
  const w = new ByteWriter(9 + nameBytes.length + 1 + datatype.length + dataspace.length + data.length);
  w.u8(3).u8(0).u16(nameBytes.length + 1).u16(datatype.length).u16(dataspace.length).u8(isAscii(nameBytes) ? 0 : 1);
  w.bytes(nameBytes).u8(0).bytes(datatype).bytes(dataspace).bytes(data);
  return w.finish();
}

export type LayoutV4Spec =
  | { kind: "contiguous"; address: number; size: number }
  | { kind: "compact"; data: Uint8Array }
  | {
      kind: "single-chunk";
      chunkDims: readonly number[];
      elementSize: number;
      address: number;
      /** Present when the dataset is filtered: the stored chunk's size and filter mask. */
      filtered?: { size: number; mask: number };
    }
  | { kind: "fixed-array"; chunkDims: readonly number[]; elementSize: number; address: number }
  | { kind: "extensible-array"; chunkDims: readonly number[]; elementSize: number; address: number }
  | { kind: "btree-v2"; chunkDims: readonly number[]; elementSize: number; address: number };

function dimWidth(dims: readonly number[]): number {
  const max = Math.max(...dims);
  let n = 1;
  while (n < 8 && max >= 2 ** (8 * n)) n++;
  return n;
}

/** Data layout message version 4 (IV.A.2.i). */
export function layoutMessageV4(l: LayoutV4Spec): Uint8Array {
  const w = new ByteWriter(64);
  w.u8(4);
  if (l.kind === "compact") {
    w.u8(0).u16(l.data.length).bytes(l.data);
    return w.finish();
  }
  if (l.kind === "contiguous") {
    w.u8(1);
    writeAddress(w, l.address);
    w.u64(l.size);
    return w.finish();
  }
  const dims = [...l.chunkDims, l.elementSize];
  const width = dimWidth(dims);
  const flags = l.kind === "single-chunk" && l.filtered ? 2 : 0;
  w.u8(2).u8(flags).u8(dims.length).u8(width);
  for (const d of dims) w.uint(d, width);
  if (l.kind === "single-chunk") {
    w.u8(1);
    if (l.filtered) w.u64(l.filtered.size).u32(l.filtered.mask);
  } else if (l.kind === "fixed-array") {
    w.u8(3).u8(FIXED_ARRAY_PAGE_BITS);
  } else if (l.kind === "extensible-array") {
    // Index type 4 with libhdf5's creation parameters, in H5O__layout_encode's order:
    // max bits, index block elements, min data block pointers, min data block elements, page bits.
    w.u8(4).u8(EA_MAX_NELMTS_BITS).u8(EA_IDX_BLK_ELMTS).u8(EA_SUP_BLK_MIN_DATA_PTRS).u8(EA_DATA_BLK_MIN_ELMTS).u8(EA_MAX_DBLK_PAGE_NELMTS_BITS);
  } else {
    // Index type 5: node size, split and merge percentages.
    w.u8(5).u32(BT2_NODE_SIZE).u8(BT2_SPLIT_PERCENT).u8(BT2_MERGE_PERCENT);
  }
  writeAddress(w, l.address);
  return w.finish();
}


export interface FixedArrayPlan {
  count: number;
  filtered: boolean;
  entrySize: number;
  sizeWidth: number;
  headerSize: number;
  blockSize: number;
}

export function planFixedArray(count: number, filtered: boolean, chunkBytes: number): FixedArrayPlan {
  const sizeWidth = filtered ? chunkSizeWidth(chunkBytes) : 0;
  const entrySize = 8 + (filtered ? sizeWidth + 4 : 0);
  const pageElems = 2 ** FIXED_ARRAY_PAGE_BITS;
  const paged = count > pageElems;
  const npages = paged ? Math.ceil(count / pageElems) : 0;
  const prefix = 4 + 1 + 1 + 8 + (paged ? Math.ceil(npages / 8) : 0);
  const blockSize = paged ? prefix + 4 + count * entrySize + npages * 4 : prefix + count * entrySize + 4;
  return { count, filtered, entrySize, sizeWidth, headerSize: 4 + 1 + 1 + 1 + 1 + 8 + 8 + 4, blockSize };
}

/** Fixed array header "FAHD" at `at` and its data block "FADB" right after it (spec VII.B). */
export function encodeFixedArray(
  out: Uint8Array,
  at: number,
  plan: FixedArrayPlan,
  entries: ReadonlyArray<{ address: number; size: number; mask: number } | undefined>,
): void {
  const view = new DataView(out.buffer, out.byteOffset);
  const block = at + plan.headerSize;
  out.set([0x46, 0x41, 0x48, 0x44, 0, plan.filtered ? 1 : 0, plan.entrySize, FIXED_ARRAY_PAGE_BITS], at);
  view.setBigUint64(at + 8, BigInt(plan.count), true);
  view.setBigUint64(at + 16, BigInt(block), true);
  putChecksum(out, at, at + 24);
  out.set([0x46, 0x41, 0x44, 0x42, 0, plan.filtered ? 1 : 0], block);
  view.setBigUint64(block + 6, BigInt(at), true);
  const pageElems = 2 ** FIXED_ARRAY_PAGE_BITS;
  const paged = plan.count > pageElems;
  const npages = paged ? Math.ceil(plan.count / pageElems) : 0;
  let p = block + 14;
  if (paged) {
    // A page is initialised (bit set, written) once a chunk in it is; libhdf5 leaves other pages unwritten.
    for (let i = 0; i < npages; i++) {
      if (entries.slice(i * pageElems, (i + 1) * pageElems).some((e) => e !== undefined)) out[p + (i >> 3)] |= 0x80 >> (i & 7);
    }
    p += Math.ceil(npages / 8);
    putChecksum(out, block, p);
    p += 4;
  }
  const writeEntry = (q: number, entry: { address: number; size: number; mask: number } | undefined): void => {
    // Unset entries hold libhdf5's fill element: undefined address, size 0, mask 0.
    const e = entry ?? { address: UNDEF, size: 0, mask: 0 };
    view.setBigUint64(q, e.address === UNDEF ? 0xffffffffffffffffn : BigInt(e.address), true);
    if (plan.filtered) {
      let s = e.size;
      for (let i = 0; i < plan.sizeWidth; i++) {
        out[q + 8 + i] = s % 256;
        s = Math.floor(s / 256);
      }
      view.setUint32(q + 8 + plan.sizeWidth, e.mask, true);
    }
  };
  if (!paged) {
    for (let i = 0; i < plan.count; i++) writeEntry(p + i * plan.entrySize, entries[i]);
    putChecksum(out, block, p + plan.count * plan.entrySize);
    return;
  }
  for (let page = 0; page < npages; page++) {
    const first = page * pageElems;
    const n = Math.min(pageElems, plan.count - first);
    if ((out[block + 14 + (page >> 3)] & (0x80 >> (page & 7))) === 0) {
      p += n * plan.entrySize + 4;
      continue;
    }
    for (let i = 0; i < n; i++) writeEntry(p + i * plan.entrySize, entries[first + i]);
    putChecksum(out, p, p + n * plan.entrySize);
    p += n * plan.entrySize + 4;
  }
}
