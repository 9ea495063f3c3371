import { ByteReader, fail } from "@codec/core";
import { type Context, FORMAT } from "../context.js";

/** Link info (spec IV.A.2.c) and attribute info (IV.A.2.v) share a shape: a fractal heap and name / creation-order v2 B-tree indexes. */
export interface DenseStorageInfo {
  readonly heapAddress: number | undefined;
  readonly nameIndexAddress: number | undefined;
  readonly orderIndexAddress: number | undefined;
}

export function decodeLinkInfo(ctx: Context, data: Uint8Array, offset: number): DenseStorageInfo {
  const r = new ByteReader(data, FORMAT, offset);
  const version = r.u8();
  if (version !== 0) fail("UNSUPPORTED", FORMAT, `link info message version ${version}`, { offset });
  const flags = r.u8();
  if (flags & 1) r.skip(8);
  const heapAddress = ctx.addr(r);
  const nameIndexAddress = ctx.addr(r);
  const orderIndexAddress = flags & 2 ? ctx.addr(r) : undefined;
  return { heapAddress, nameIndexAddress, orderIndexAddress };
}

export function decodeAttributeInfo(ctx: Context, data: Uint8Array, offset: number): DenseStorageInfo {
  const r = new ByteReader(data, FORMAT, offset);
  const version = r.u8();
  if (version !== 0) fail("UNSUPPORTED", FORMAT, `attribute info message version ${version}`, { offset });
  const flags = r.u8();
  if (flags & 1) r.skip(2);
  const heapAddress = ctx.addr(r);
  const nameIndexAddress = ctx.addr(r);
  const orderIndexAddress = flags & 2 ? ctx.addr(r) : undefined;
  return { heapAddress, nameIndexAddress, orderIndexAddress };
}

/** Symbol table message (spec IV.A.2.r): v1 B-tree and local heap of an old-style group. */
export function decodeSymbolTable(ctx: Context, data: Uint8Array, offset: number): { btree: number; heap: number } {
  const r = new ByteReader(data, FORMAT, offset);
  const btree = ctx.addrDefined(r, "symbol table B-tree");
  const heap = ctx.addrDefined(r, "symbol table local heap");
  return { btree, heap };
}
