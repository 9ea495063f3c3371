import { ByteReader, fail } from "@codec/core";
import { type Context, FORMAT, expectSignature, limitEncSize, verifyChecksum } from "./context.js";

/** A v2 B-tree header (spec III.A.2, "BTHD"). */
export interface BTreeV2 {
  readonly address: number;
  readonly type: number;
  readonly nodeSize: number;
  readonly recordSize: number;
  readonly depth: number;
  readonly rootAddress: number | undefined;
  readonly rootRecords: number;
  /** Per level: bytes of "number of records" and "total records" fields in child pointers. */
  readonly nrecSize: number;
  readonly cumSizes: number[];
}

const PREFIX = 4 + 1 + 1 + 4; // signature, version, type, checksum

export function openBTreeV2(ctx: Context, address: number): BTreeV2 {
  ctx.spend("v2 B-tree header");
  const r = ctx.reader(address, 4 + 1 + 1 + 4 + 2 + 2 + 1 + 1 + ctx.offsetSize + 2 + ctx.lengthSize + 4, "v2 B-tree header");
  expectSignature(r, "BTHD", "v2 B-tree header");
  const version = r.u8();
  if (version !== 0) fail("UNSUPPORTED", FORMAT, `v2 B-tree version ${version}`, { offset: r.offset - 1 });
  const type = r.u8();
  const nodeSize = r.u32();
  const recordSize = r.u16();
  const depth = r.u16();
  r.skip(2);
  const rootAddress = ctx.addr(r);
  const rootRecords = r.u16();
  ctx.len(r);
  verifyChecksum(r.bytes, r.pos, "v2 B-tree header", ctx.base + address);
  if (recordSize === 0 || nodeSize <= PREFIX + recordSize || depth > 32) fail("CORRUPT", FORMAT, "v2 B-tree header parameters are invalid", { offset: ctx.base + address });
  // libhdf5 H5B2__hdr_init: record counts per level and the bytes to encode them.
  const leafMax = Math.floor((nodeSize - PREFIX) / recordSize);
  const nrecSize = limitEncSize(leafMax);
  const cum: number[] = [leafMax];
  const cumSizes: number[] = [0];
  for (let d = 1; d <= depth; d++) {
    const ptr = ctx.offsetSize + nrecSize + (d > 1 ? cumSizes[d - 1] : 0);
    const max = Math.floor((nodeSize - PREFIX - ptr) / (recordSize + ptr));
    if (max < 1) fail("CORRUPT", FORMAT, "v2 B-tree nodes cannot hold a record", { offset: ctx.base + address });
    cum.push((max + 1) * cum[d - 1] + max);
    cumSizes.push(limitEncSize(cum[d]));
  }
  return { address, type, nodeSize, recordSize, depth, rootAddress, rootRecords, nrecSize, cumSizes };
}

/** Visit every record in key order (in-order traversal of internal and leaf nodes). */
export function walkBTreeV2(ctx: Context, tree: BTreeV2, visit: (record: Uint8Array, offset: number) => void): void {
  if (tree.rootAddress === undefined || tree.rootRecords === 0) return;
  const seen = new Set<number>();
  const node = (address: number, nrec: number, depth: number) => {
    if (seen.has(address)) fail("CORRUPT", FORMAT, "v2 B-tree cycle", { offset: ctx.base + address });
    seen.add(address);
    ctx.spend("v2 B-tree node");
    const block = ctx.bytes(address, tree.nodeSize, "v2 B-tree node");
    const r = new ByteReader(block, FORMAT, ctx.base + address);
    expectSignature(r, depth === 0 ? "BTLF" : "BTIN", "v2 B-tree node");
    r.skip(1);
    const type = r.u8();
    if (type !== tree.type) fail("CORRUPT", FORMAT, `v2 B-tree node type ${type}, expected ${tree.type}`, { offset: r.offset });
    const recStart = r.pos;
    if (depth === 0) {
      r.need(nrec * tree.recordSize + 4);
      verifyChecksum(block, recStart + nrec * tree.recordSize, "v2 B-tree leaf", ctx.base + address);
      for (let i = 0; i < nrec; i++) visit(block.subarray(recStart + i * tree.recordSize, recStart + (i + 1) * tree.recordSize), ctx.base + address + recStart + i * tree.recordSize);
      return;
    }
    const ptrSize = ctx.offsetSize + tree.nrecSize + (depth > 1 ? tree.cumSizes[depth - 1] : 0);
    r.need(nrec * tree.recordSize + (nrec + 1) * ptrSize + 4);
    verifyChecksum(block, recStart + nrec * tree.recordSize + (nrec + 1) * ptrSize, "v2 B-tree internal node", ctx.base + address);
    r.seek(recStart + nrec * tree.recordSize);
    const children: { address: number; nrec: number }[] = [];
    for (let i = 0; i <= nrec; i++) {
      const a = ctx.addrDefined(r, "v2 B-tree child");
      const n = r.uint(tree.nrecSize);
      if (depth > 1) r.uint(tree.cumSizes[depth - 1]);
      children.push({ address: a, nrec: n });
    }
    for (let i = 0; i <= nrec; i++) {
      node(children[i].address, children[i].nrec, depth - 1);
      if (i < nrec) visit(block.subarray(recStart + i * tree.recordSize, recStart + (i + 1) * tree.recordSize), ctx.base + address + recStart + i * tree.recordSize);
    }
  };
  node(tree.rootAddress, tree.rootRecords, tree.depth);
}
