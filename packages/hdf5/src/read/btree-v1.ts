import { ByteReader, fail } from "@codec/core";
import { type Context, FORMAT, expectSignature } from "./context.js";

/** A chunk record from a v1 B-tree of node type 1 (spec III.A.1, "raw data chunk" keys). */
export interface V1Chunk {
  readonly address: number;
  readonly size: number;
  readonly filterMask: number;
  /** Chunk offsets in elements, one per dataset dimension. */
  readonly offsets: number[];
}

const MAX_DEPTH = 64;

/**
 * Walk every leaf child of a v1 B-tree ("TREE", spec III.A.1). Visited
 * nodes are remembered so a cycle is refused instead of followed; levels
 * must decrease strictly toward the leaves.
 */
function walk(ctx: Context, root: number, nodeType: number, keySize: number, onLeaf: (r: ByteReader, key: number, child: number) => void): void {
  const seen = new Set<number>();
  const visit = (address: number, expectLevel: number, depth: number) => {
    if (depth > MAX_DEPTH) fail("LIMIT", FORMAT, "v1 B-tree is too deep", { offset: ctx.base + address });
    if (seen.has(address)) fail("CORRUPT", FORMAT, "v1 B-tree cycle", { offset: ctx.base + address });
    seen.add(address);
    ctx.spend("v1 B-tree");
    const hdr = ctx.reader(address, 8 + 2 * ctx.offsetSize, "v1 B-tree node");
    expectSignature(hdr, "TREE", "v1 B-tree node");
    const type = hdr.u8();
    const level = hdr.u8();
    const entries = hdr.u16();
    if (type !== nodeType) fail("CORRUPT", FORMAT, `v1 B-tree node type ${type}, expected ${nodeType}`, { offset: hdr.offset });
    if (expectLevel >= 0 && level !== expectLevel) fail("CORRUPT", FORMAT, `v1 B-tree node level ${level}, expected ${expectLevel}`, { offset: hdr.offset });
    const bodySize = entries * (keySize + ctx.offsetSize) + keySize;
    const r = ctx.reader(address + 8 + 2 * ctx.offsetSize, bodySize, "v1 B-tree node");
    for (let i = 0; i < entries; i++) {
      const keyAt = r.pos;
      r.skip(keySize);
      const child = ctx.addrDefined(r, "v1 B-tree child");
      if (level === 0) {
        const save = r.pos;
        r.pos = keyAt;
        onLeaf(r, keyAt, child);
        r.pos = save;
      } else visit(child, level - 1, depth + 1);
    }
  };
  visit(root, -1, 0);
}

/** Every symbol table node (SNOD) address of a group's v1 B-tree (node type 0). */
export function groupNodeAddresses(ctx: Context, root: number): number[] {
  const out: number[] = [];
  walk(ctx, root, 0, ctx.lengthSize, (_r, _k, child) => out.push(child));
  return out;
}

/** Every chunk of a dataset's v1 B-tree (node type 1); `rank` is the dataset rank. */
export function chunkRecords(ctx: Context, root: number, rank: number): V1Chunk[] {
  const out: V1Chunk[] = [];
  const keySize = 4 + 4 + 8 * (rank + 1);
  walk(ctx, root, 1, keySize, (r, _k, child) => {
    const size = r.u32();
    const filterMask = r.u32();
    const offsets: number[] = [];
    for (let d = 0; d < rank; d++) offsets.push(r.u64());
    out.push({ address: child, size, filterMask, offsets });
  });
  return out;
}

/** A symbol table entry (spec III.C) from a symbol table node. */
export interface SymbolEntry {
  readonly nameOffset: number;
  readonly address: number;
  readonly cacheType: number;
  /** Cache type 2 (soft link): offset of the link value in the local heap. */
  readonly softLinkOffset?: number;
}

/** Symbol table node "SNOD" (spec III.B). */
export function readSymbolNode(ctx: Context, address: number): SymbolEntry[] {
  ctx.spend("symbol table node");
  const head = ctx.reader(address, 8, "symbol table node");
  expectSignature(head, "SNOD", "symbol table node");
  const version = head.u8();
  if (version !== 1) fail("UNSUPPORTED", FORMAT, `symbol table node version ${version}`, { offset: head.offset - 1 });
  head.skip(1);
  const n = head.u16();
  const entrySize = 2 * ctx.offsetSize + 4 + 4 + 16;
  const r = ctx.reader(address + 8, n * entrySize, "symbol table node");
  const out: SymbolEntry[] = [];
  if (ctx.offsetSize === 8) {
    // Common layout, read straight from the bytes (listing walks thousands of entries).
    const v = new DataView(r.bytes.buffer, r.bytes.byteOffset, r.bytes.byteLength);
    for (let i = 0, p = 0; i < n; i++, p += entrySize) {
      const nameLo = v.getUint32(p, true);
      const nameHi = v.getUint32(p + 4, true);
      const addrLo = v.getUint32(p + 8, true);
      const addrHi = v.getUint32(p + 12, true);
      const cacheType = v.getUint32(p + 16, true);
      const undefinedAddr = addrLo === 0xffffffff && addrHi === 0xffffffff;
      if (nameHi >= 0x200000 || (addrHi >= 0x200000 && !undefinedAddr)) fail("LIMIT", FORMAT, "symbol table entry offset past 2^53", { offset: r.base + p });
      if (undefinedAddr && cacheType !== 2) fail("CORRUPT", FORMAT, "symbol table entry with an undefined address", { offset: r.base + p + 24 });
      out.push({ nameOffset: nameHi * 0x100000000 + nameLo, address: undefinedAddr ? -1 : addrHi * 0x100000000 + addrLo, cacheType, softLinkOffset: cacheType === 2 ? v.getUint32(p + 24, true) : undefined });
    }
    return out;
  }
  for (let i = 0; i < n; i++) {
    const nameOffset = r.uint(ctx.offsetSize);
    const addr = ctx.addr(r);
    const cacheType = r.u32();
    r.skip(4);
    const scratch = r.pos;
    r.skip(16);
    let softLinkOffset: number | undefined;
    if (cacheType === 2) {
      softLinkOffset = new ByteReader(r.bytes, FORMAT, r.base).seek(scratch).u32();
    }
    if (addr === undefined && cacheType !== 2) fail("CORRUPT", FORMAT, "symbol table entry with an undefined address", { offset: r.base + scratch });
    out.push({ nameOffset, address: addr ?? -1, cacheType, softLinkOffset });
  }
  return out;
}
