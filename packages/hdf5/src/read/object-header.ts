import { ByteReader, fail } from "@codec/core";
import { type Context, FORMAT, verifyChecksum } from "./context.js";

/** One header message, undecoded (spec IV.A.1 "Object Header" message entries). */
export interface RawMessage {
  readonly type: number;
  /** Message flags (bit 1: shared, bit 3/7: fail if unknown, ...). */
  readonly flags: number;
  readonly data: Uint8Array;
  /** Absolute offset of the message data, for errors. */
  readonly offset: number;
  readonly creationOrder?: number;
}

export interface ObjectHeader {
  readonly address: number;
  readonly version: number;
  readonly messages: readonly RawMessage[];
  /** v2 flags bit 2: attribute creation order tracked. */
  readonly flags: number;
}

export const MSG = {
  NIL: 0x0,
  DATASPACE: 0x1,
  LINK_INFO: 0x2,
  DATATYPE: 0x3,
  FILL_OLD: 0x4,
  FILL: 0x5,
  LINK: 0x6,
  EXTERNAL_FILES: 0x7,
  LAYOUT: 0x8,
  BOGUS: 0x9,
  GROUP_INFO: 0xa,
  FILTERS: 0xb,
  ATTRIBUTE: 0xc,
  COMMENT: 0xd,
  MTIME_OLD: 0xe,
  SHARED_TABLE: 0xf,
  CONTINUATION: 0x10,
  SYMBOL_TABLE: 0x11,
  MTIME: 0x12,
  BTREE_K: 0x13,
  DRIVER_INFO: 0x14,
  ATTRIBUTE_INFO: 0x15,
  REFCOUNT: 0x16,
  FSINFO: 0x17,
} as const;

/** Highest message type this reader understands (libhdf5 1.10's H5O_FSINFO). */
const KNOWN_MAX = 0x18; // 0x18: metadata cache image (1.10)
const MAX_MESSAGES = 1 << 16;

/**
 * Read an object header and all its continuation chunks (spec IV.A.1.a v1,
 * IV.A.1.b v2). Continuation chunks already seen are refused (a cycle), v2
 * chunk checksums are verified, and unknown messages flagged "fail if
 * unknown" (flag bit 7, or bit 3 which libhdf5 also refuses on read when
 * the type is beyond what it knows) stop the read.
 */
export function readObjectHeader(ctx: Context, address: number): ObjectHeader {
  ctx.spend("object header");
  const head = ctx.readerUpTo(address, 16, "object header");
  const messages: RawMessage[] = [];
  const seen = new Set<number>();
  const pending: { address: number; length: number }[] = [];
  let version: number;
  let flags = 0;
  if (head.bytes.length >= 4 && head.bytes[0] === 0x4f && head.bytes[1] === 0x48 && head.bytes[2] === 0x44 && head.bytes[3] === 0x52) {
    // "OHDR": version 2
    const pre = ctx.readerUpTo(address, 4 + 2 + 16 + 4 + 8, "object header");
    pre.skip(4);
    version = pre.u8();
    if (version !== 2) fail("UNSUPPORTED", FORMAT, `object header version ${version}`, { offset: pre.offset - 1 });
    flags = pre.u8();
    if (flags & 0x20) pre.skip(16);
    if (flags & 0x10) pre.skip(4);
    const sizeBytes = 1 << (flags & 3);
    const chunkSize = pre.uint(sizeBytes);
    const start = pre.pos;
    const total = start + chunkSize + 4;
    const block = ctx.bytes(address, total, "object header");
    verifyChecksum(block, start + chunkSize, "object header", ctx.base + address);
    parseV2Messages(ctx, block, start, start + chunkSize, flags, ctx.base + address, messages, pending);
    seen.add(address);
    while (pending.length > 0) {
      const c = pending.shift() as { address: number; length: number };
      if (seen.has(c.address)) fail("CORRUPT", FORMAT, "object header continuation cycle", { offset: ctx.base + c.address });
      seen.add(c.address);
      ctx.spend("object header continuation");
      const cb = ctx.bytes(c.address, c.length, "object header continuation");
      if (c.length < 8 || cb[0] !== 0x4f || cb[1] !== 0x43 || cb[2] !== 0x48 || cb[3] !== 0x4b) {
        fail("CORRUPT", FORMAT, "object header continuation block without 'OCHK' signature", { offset: ctx.base + c.address });
      }
      verifyChecksum(cb, c.length - 4, "object header continuation", ctx.base + c.address);
      parseV2Messages(ctx, cb, 4, c.length - 4, flags, ctx.base + c.address, messages, pending);
      if (messages.length > MAX_MESSAGES) fail("LIMIT", FORMAT, "object header has too many messages", { offset: ctx.base + address });
    }
  } else {
    version = head.u8();
    if (version !== 1) fail("CORRUPT", FORMAT, `object header version ${version} (expected 1 or 'OHDR')`, { offset: ctx.base + address });
    head.skip(1);
    const nmsgs = head.u16();
    head.skip(4); // reference count
    const size = head.u32();
    pending.push({ address: address + 16, length: size });
    let remaining = nmsgs;
    while (pending.length > 0) {
      const c = pending.shift() as { address: number; length: number };
      if (seen.has(c.address)) fail("CORRUPT", FORMAT, "object header continuation cycle", { offset: ctx.base + c.address });
      seen.add(c.address);
      ctx.spend("object header continuation");
      const cb = ctx.bytes(c.address, c.length, "object header chunk");
      remaining = parseV1Messages(ctx, cb, ctx.base + c.address, messages, pending, remaining);
      if (messages.length > MAX_MESSAGES) fail("LIMIT", FORMAT, "object header has too many messages", { offset: ctx.base + address });
    }
  }
  return { address, version, messages, flags };
}

function checkUnknown(type: number, flags: number, offset: number): void {
  if (type > KNOWN_MAX && (flags & 0x80) !== 0) {
    fail("UNSUPPORTED", FORMAT, `unknown header message type ${type} flagged fail-if-unknown`, { offset });
  }
}

function parseV1Messages(ctx: Context, cb: Uint8Array, abs: number, out: RawMessage[], pending: { address: number; length: number }[], remaining: number): number {
  const r = new ByteReader(cb, FORMAT, abs);
  while (r.remaining >= 8) {
    const type = r.u16();
    const size = r.u16();
    const flags = r.u8();
    r.skip(3);
    const at = r.offset;
    if (size > r.remaining) fail("CORRUPT", FORMAT, `header message of ${size} bytes overruns its chunk`, { offset: at });
    const data = r.bytesView(size);
    remaining--;
    checkUnknown(type, flags, at);
    if (type === MSG.CONTINUATION) pending.push(readContinuation(ctx, data, at));
    else if (type !== MSG.NIL) out.push({ type, flags, data, offset: at });
  }
  return remaining;
}

function parseV2Messages(ctx: Context, block: Uint8Array, start: number, end: number, hdrFlags: number, abs: number, out: RawMessage[], pending: { address: number; length: number }[]): void {
  const r = new ByteReader(block.subarray(0, end), FORMAT, abs);
  r.seek(start);
  const headerSize = hdrFlags & 0x04 ? 6 : 4;
  while (r.remaining >= headerSize) {
    const type = r.u8();
    const size = r.u16();
    const flags = r.u8();
    const creationOrder = hdrFlags & 0x04 ? r.u16() : undefined;
    const at = r.offset;
    if (size > r.remaining) fail("CORRUPT", FORMAT, `header message of ${size} bytes overruns its chunk`, { offset: at });
    const data = r.bytesView(size);
    checkUnknown(type, flags, at);
    if (type === MSG.CONTINUATION) pending.push(readContinuation(ctx, data, at));
    else if (type !== MSG.NIL) out.push({ type, flags, data, offset: at, creationOrder });
  }
}

function readContinuation(ctx: Context, data: Uint8Array, at: number): { address: number; length: number } {
  const r = new ByteReader(data, FORMAT, at);
  const address = ctx.addrDefined(r, "continuation");
  const length = ctx.len(r);
  if (length === 0) fail("CORRUPT", FORMAT, "empty object header continuation", { offset: at });
  return { address, length };
}
