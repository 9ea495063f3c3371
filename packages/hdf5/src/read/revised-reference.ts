/**
 * HDF5 1.12 revised references (H5R_ref_t; datatype class 7 version 4,
 * reference types 2 object, 3 dataset region, 4 attribute). Layout as
 * libhdf5 1.12 writes it (H5Rint.c H5R__encode, H5Tref.c disk conversion):
 *
 * - every element starts with a 1-byte reference type and a 1-byte flags
 *   field (bit 0: H5R_IS_EXTERNAL, the target is in another file);
 * - an object reference to the same file keeps its encoding inline: a
 *   1-byte token size and the object token (for the native file format the
 *   object header address, little-endian, in the first `offsetSize` bytes);
 * - every other reference stores a u32 encoded length and a global heap id
 *   (collection address, u32 index); the heap object holds the encoding
 *   without the two header bytes: token size + token, then the file name if
 *   external (u16 length + bytes), then for a region a u32 serial-size
 *   estimate, the u32 dataspace rank and the serialized selection (H5S_SELECT_SERIALIZE), for
 *   an attribute a u16 length and the attribute name.
 *
 * Values decode to JSON-describable records (Infinity in selections, i.e.
 * H5S_UNLIMITED, becomes null); the target path is given when the token is
 * an object of this file reachable by hard links.
 */
import { ByteReader, fail } from "@codec/core";
import type { AttributeValue } from "../model.js";
import { FORMAT } from "./context.js";
import { type Selection, readSelection } from "./selection.js";
import { decodeText } from "./text.js";

/** Access needed to decode revised references (a subset of HeapAccess). */
export interface RevisedRefAccess {
  readonly offsetSize: number;
  globalObject(collection: number, index: number): Uint8Array;
  /** The hard-link path of the object whose header is at `address`, if any. */
  objectPath?(address: number): string | undefined;
}

const TYPE_NAMES: Record<number, string> = { 2: "object", 3: "region", 4: "attribute" };
const IS_EXTERNAL = 1;

function leNumber(b: Uint8Array, at: number, n: number): number | undefined {
  let v = 0;
  let ones = true;
  for (let i = n - 1; i >= 0; i--) {
    if (b[at + i] !== 0xff) ones = false;
    v = v * 256 + b[at + i];
  }
  return ones ? undefined : v;
}

function unlimitedToNull(xs: readonly number[]): AttributeValue[] {
  return xs.map((x) => (x === Number.POSITIVE_INFINITY ? null : x));
}

/** A selection as a JSON-describable record. */
export function selectionValue(s: Selection): AttributeValue {
  switch (s.kind) {
    case "none":
    case "all":
      return { kind: s.kind };
    case "points":
      return { kind: "points", rank: s.rank, coords: s.coords.map((c) => unlimitedToNull(c)) };
    case "regular":
      return { kind: "regular", rank: s.rank, start: unlimitedToNull(s.start), stride: unlimitedToNull(s.stride), count: unlimitedToNull(s.count), block: unlimitedToNull(s.block) };
    case "blocks":
      return { kind: "blocks", rank: s.rank, blocks: s.blocks.map((b) => ({ start: unlimitedToNull(b.start), end: unlimitedToNull(b.end) })) };
  }
}

/** Decode one revised reference element of `size` bytes at `at`; null for an all-zero (unset) reference. */
export function decodeRevisedReference(b: Uint8Array, at: number, size: number, access: RevisedRefAccess): AttributeValue {
  if (at + size > b.length || size < 2) fail("TRUNCATED", FORMAT, "reference element truncated");
  const type = b[at];
  const flags = b[at + 1];
  if (type === 0) return null; // H5R_BADTYPE: a reference that was never set (zero fill)
  const kind = TYPE_NAMES[type];
  if (kind === undefined) fail("CORRUPT", FORMAT, `revised reference of unknown type ${type}`);
  if (flags & ~IS_EXTERNAL) fail("CORRUPT", FORMAT, `revised reference with unknown flags 0x${flags.toString(16)}`);
  let body: ByteReader;
  if (type === 2 && !(flags & IS_EXTERNAL)) {
    body = new ByteReader(b.subarray(at + 2, at + size), FORMAT);
  } else {
    const os = access.offsetSize;
    if (size < 2 + 4 + os + 4) fail("CORRUPT", FORMAT, `revised reference element of ${size} bytes is too small for a heap id`);
    const len = leNumber(b, at + 2, 4) ?? 0;
    const col = leNumber(b, at + 6, os);
    const idx = leNumber(b, at + 6 + os, 4) ?? 0;
    if (col === undefined || col === 0) return null;
    const blob = access.globalObject(col, idx);
    if (len > blob.length) fail("CORRUPT", FORMAT, `revised reference of ${len} bytes in a ${blob.length}-byte heap object`);
    body = new ByteReader(blob.subarray(0, len), FORMAT);
  }
  const tokenSize = body.u8();
  // H5O_token_t is 16 bytes; libhdf5 (H5R__decode_obj_token) rejects larger token sizes.
  if (tokenSize > 16) fail("CORRUPT", FORMAT, `revised reference token of ${tokenSize} bytes`);
  const token = body.bytesView(tokenSize);
  // Native VOL tokens: the object header address in the first offsetSize bytes (H5VL_native_addr_to_token).
  const address = tokenSize >= access.offsetSize ? (leNumber(token, 0, access.offsetSize) ?? null) : null;
  const out: { [k: string]: AttributeValue } = { reference: kind, address };
  if (flags & IS_EXTERNAL) {
    out.file = decodeText(body.bytesView(body.u16()));
    out.path = null;
  } else {
    out.path = address === null ? null : (access.objectPath?.(address) ?? null);
  }
  if (type === 3) {
    // libhdf5 stores its serial-size estimate here (not always the exact length, and the
    // heap object may carry stale bytes past the end), so the selection parses to its own end.
    body.u32();
    out.rank = body.u32();
    out.selection = selectionValue(readSelection(body));
  } else if (type === 4) {
    out.attribute = decodeText(body.bytesView(body.u16()));
  }
  return out;
}
