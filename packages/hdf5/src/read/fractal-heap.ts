import { ByteReader, fail } from "@codec/core";
import { type Context, FORMAT, bytesForBits, expectSignature, limitEncSize, log2floor, verifyChecksum } from "./context.js";
import { type BTreeV2, openBTreeV2, walkBTreeV2 } from "./btree-v2.js";
import { lookup3 } from "./checksum.js";

/**
 * Fractal heap (spec III.G, "FRHP"): objects addressed by heap IDs.
 * Managed objects live in direct blocks laid out by a doubling table of
 * indirect blocks; huge objects are found directly or through a v2 B-tree;
 * tiny objects are inside the ID itself.
 */
export class FractalHeap {
  readonly address: number;
  readonly idLength: number;
  readonly filterLength: number;
  readonly flags: number;
  readonly maxManagedSize: number;
  readonly hugeBTree: number | undefined;
  readonly tableWidth: number;
  readonly startBlockSize: number;
  readonly maxDirectBlockSize: number;
  readonly maxHeapBits: number;
  readonly rootAddress: number | undefined;
  readonly rootRows: number;
  /** Bytes of a heap offset and of an object length inside a managed heap ID. */
  readonly offsetBytes: number;
  readonly lengthBytes: number;
  private readonly ctx: Context;
  private hugeIndex: BTreeV2 | undefined;
  private hugeMap: Map<number, { address: number; length: number }> | undefined;
  /** Direct blocks whose checksum was verified (each block once per heap object). */
  private readonly verifiedBlocks = new Set<number>();

  constructor(ctx: Context, address: number) {
    this.ctx = ctx;
    this.address = address;
    ctx.spend("fractal heap");
    const size = 4 + 1 + 2 + 2 + 1 + 4 + 12 * 8 + 2 + 8 + 8 + 2 + 2 + 8 + 2 + 8 + 4 + 8 + 4;
    const r = ctx.readerUpTo(address, size + 64, "fractal heap header");
    expectSignature(r, "FRHP", "fractal heap header");
    const version = r.u8();
    if (version !== 0) fail("UNSUPPORTED", FORMAT, `fractal heap version ${version}`, { offset: r.offset - 1 });
    this.idLength = r.u16();
    this.filterLength = r.u16();
    this.flags = r.u8();
    this.maxManagedSize = r.u32();
    ctx.len(r); // next huge object id
    this.hugeBTree = ctx.addr(r);
    ctx.len(r); // free space in managed blocks
    ctx.addr(r); // free space manager
    ctx.len(r); // managed space
    ctx.len(r); // allocated managed space
    ctx.len(r); // direct block allocation iterator offset
    ctx.len(r); // managed object count
    ctx.len(r); // huge object size
    ctx.len(r); // huge object count
    ctx.len(r); // tiny object size
    ctx.len(r); // tiny object count
    this.tableWidth = r.u16();
    this.startBlockSize = ctx.len(r);
    this.maxDirectBlockSize = ctx.len(r);
    this.maxHeapBits = r.u16();
    r.u16(); // starting rows of the root indirect block
    this.rootAddress = ctx.addr(r);
    this.rootRows = r.u16();
    if (this.filterLength > 0) {
      ctx.len(r);
      r.u32();
      r.skip(this.filterLength);
    }
    verifyChecksum(r.bytes, r.pos, "fractal heap header", ctx.base + address);
    const pow2 = (n: number) => n > 0 && (n & (n - 1)) === 0;
    if (!pow2(this.tableWidth) || !pow2(this.startBlockSize) || !pow2(this.maxDirectBlockSize) || this.maxHeapBits === 0 || this.maxHeapBits > 64 || this.maxDirectBlockSize < this.startBlockSize) {
      fail("CORRUPT", FORMAT, "fractal heap doubling-table parameters are invalid", { offset: ctx.base + address });
    }
    this.offsetBytes = bytesForBits(this.maxHeapBits);
    this.lengthBytes = Math.min(bytesForBits(log2floor(this.maxDirectBlockSize)), limitEncSize(this.maxManagedSize));
  }

  /** Size of blocks in doubling-table row `row` (rows 0 and 1 share the start size). */
  private rowSize(row: number): number {
    return row === 0 ? this.startBlockSize : this.startBlockSize * 2 ** (row - 1);
  }

  private get maxDirectRows(): number {
    return log2floor(this.maxDirectBlockSize) - log2floor(this.startBlockSize) + 2;
  }

  /** The object a heap ID names. */
  get(id: Uint8Array): Uint8Array {
    const ctx = this.ctx;
    if (id.length < 1) fail("CORRUPT", FORMAT, "empty fractal heap ID");
    const kind = (id[0] >> 4) & 3;
    const r = new ByteReader(id, FORMAT);
    r.skip(1);
    if (kind === 0) {
      const offset = r.uint(this.offsetBytes);
      const length = r.uint(this.lengthBytes);
      return this.managed(offset, length);
    }
    if (kind === 1) {
      if (this.filterLength > 0) fail("UNSUPPORTED", FORMAT, "filtered huge objects in a fractal heap");
      if (this.hugeBTree === undefined) {
        fail("CORRUPT", FORMAT, "huge fractal heap object without a huge-object B-tree");
      }
      // With room for an address and a length, the ID holds them directly
      // (libhdf5 H5HF__huge_init: "huge_ids_direct"); otherwise it is a key.
      if (this.idLength - 1 >= ctx.offsetSize + ctx.lengthSize) {
        const address = ctx.addrDefined(r, "huge object");
        const length = r.uint(ctx.lengthSize);
        return ctx.bytes(address, length, "huge fractal heap object");
      }
      const key = r.uint(Math.min(ctx.lengthSize, this.idLength - 1));
      const rec = this.huge().get(key);
      if (rec === undefined) fail("CORRUPT", FORMAT, `huge fractal heap object ${key} not in its B-tree`);
      return ctx.bytes(rec.address, rec.length, "huge fractal heap object");
    }
    if (kind === 2) {
      // Tiny: length - 1 in the low nibble (plus a second byte for long IDs).
      let len: number;
      let start: number;
      if (this.idLength <= 18) {
        len = (id[0] & 15) + 1;
        start = 1;
      } else {
        if (id.length < 2) fail("CORRUPT", FORMAT, "tiny heap ID too short");
        len = (((id[0] & 15) << 8) | id[1]) + 1;
        start = 2;
      }
      if (start + len > id.length) fail("CORRUPT", FORMAT, "tiny fractal heap object overruns its ID");
      return id.subarray(start, start + len);
    }
    return fail("CORRUPT", FORMAT, `fractal heap ID type ${kind}`);
  }

  private huge(): Map<number, { address: number; length: number }> {
    if (this.hugeMap) return this.hugeMap;
    const ctx = this.ctx;
    this.hugeIndex = openBTreeV2(ctx, this.hugeBTree as number);
    const map = new Map<number, { address: number; length: number }>();
    walkBTreeV2(ctx, this.hugeIndex, (rec, at) => {
      const r = new ByteReader(rec, FORMAT, at);
      const address = ctx.addrDefined(r, "huge object");
      let length: number;
      if (this.hugeIndex?.type === 2 || this.hugeIndex?.type === 4) {
        r.skip(ctx.lengthSize + 4); // filtered: on-disk size, filter mask
        length = r.uint(ctx.lengthSize);
      } else length = r.uint(ctx.lengthSize);
      const id = r.uint(ctx.lengthSize);
      map.set(id, { address, length });
    });
    this.hugeMap = map;
    return map;
  }

  private managed(offset: number, length: number): Uint8Array {
    const ctx = this.ctx;
    if (this.filterLength > 0) fail("UNSUPPORTED", FORMAT, "filtered fractal heap direct blocks");
    if (this.rootAddress === undefined) fail("CORRUPT", FORMAT, "fractal heap object in an empty heap");
    if (length > this.maxManagedSize) fail("CORRUPT", FORMAT, `managed heap object of ${length} bytes exceeds the heap maximum`);
    if (this.rootRows === 0) return this.fromDirect(this.rootAddress, this.startBlockSize, 0, offset, length);
    let iblock = this.rootAddress;
    let rows = this.rootRows;
    let blockOffset = 0;
    for (let depth = 0; depth < 64; depth++) {
      ctx.spend("fractal heap indirect block");
      const maxDirect = this.maxDirectRows;
      const directRows = Math.min(rows, maxDirect);
      const indirectRows = rows - directRows;
      const nDirect = directRows * this.tableWidth;
      const nIndirect = indirectRows * this.tableWidth;
      const entry = ctx.offsetSize; // unfiltered direct block entries are addresses
      const headerSize = 4 + 1 + ctx.offsetSize + this.offsetBytes;
      const r = ctx.reader(iblock, headerSize + (nDirect + nIndirect) * entry + 4, "fractal heap indirect block");
      expectSignature(r, "FHIB", "fractal heap indirect block");
      r.skip(1 + ctx.offsetSize);
      const stored = r.uint(this.offsetBytes);
      if (stored !== blockOffset) fail("CORRUPT", FORMAT, "fractal heap indirect block offset mismatch", { offset: r.offset });
      verifyChecksum(r.bytes, r.bytes.length - 4, "fractal heap indirect block", ctx.base + iblock);
      // Locate the entry whose block covers `offset`.
      let pos = blockOffset;
      let found = false;
      for (let row = 0; row < rows && !found; row++) {
        const size = this.rowSize(row);
        for (let col = 0; col < this.tableWidth; col++) {
          if (offset < pos + size) {
            const idx = row * this.tableWidth + col;
            r.seek(headerSize + idx * entry);
            const child = ctx.addr(r);
            if (child === undefined) fail("CORRUPT", FORMAT, `fractal heap offset ${offset} is in an unallocated block`);
            if (row < maxDirect) return this.fromDirect(child, size, pos, offset, length);
            // Child indirect block: its rows follow from its size.
            iblock = child;
            rows = log2floor(size) - log2floor(this.startBlockSize * this.tableWidth) + 1;
            blockOffset = pos;
            found = true;
            break;
          }
          pos += size;
        }
      }
      if (!found) fail("CORRUPT", FORMAT, `fractal heap offset ${offset} is outside the heap`);
    }
    return fail("LIMIT", FORMAT, "fractal heap indirect blocks nest too deeply");
  }

  private fromDirect(address: number, size: number, blockOffset: number, offset: number, length: number): Uint8Array {
    const ctx = this.ctx;
    ctx.spend("fractal heap direct block");
    const within = offset - blockOffset;
    const headerSize = 4 + 1 + ctx.offsetSize + this.offsetBytes + (this.flags & 2 ? 4 : 0);
    if (within < headerSize || within + length > size) fail("CORRUPT", FORMAT, `fractal heap object (${within}+${length}) is outside its ${size}-byte direct block`, { offset: ctx.base + address });
    const block = ctx.bytes(address, size, "fractal heap direct block");
    if (block[0] !== 0x46 || block[1] !== 0x48 || block[2] !== 0x44 || block[3] !== 0x42) fail("CORRUPT", FORMAT, "fractal heap direct block without 'FHDB' signature", { offset: ctx.base + address });
    if (this.flags & 2 && !this.verifiedBlocks.has(address)) {
      // Flag bit 1: direct blocks carry a checksum (spec III.G), lookup3 over the whole block with the
      // checksum field (the header's last 4 bytes) zeroed, as H5HF__cache_dblock_verify_chksum computes it.
      const copy = block.slice();
      const view = new DataView(copy.buffer);
      const stored = view.getUint32(headerSize - 4, true);
      view.setUint32(headerSize - 4, 0, true);
      const computed = lookup3(copy);
      if (stored !== computed) {
        fail("CORRUPT", FORMAT, `fractal heap direct block checksum mismatch (stored 0x${stored.toString(16)}, computed 0x${computed.toString(16)})`, { offset: ctx.base + address });
      }
      this.verifiedBlocks.add(address);
    }
    return block.subarray(within, within + length);
  }
}
