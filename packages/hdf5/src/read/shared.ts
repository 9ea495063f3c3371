import { ByteReader, fail } from "@codec/core";
import { type Context, FORMAT, expectSignature, verifyChecksum } from "./context.js";
import { FractalHeap } from "./fractal-heap.js";
import { MSG, type RawMessage, readObjectHeader } from "./object-header.js";

/** One index of the shared object header message table (spec III.H "SMTB"). */
interface SohmIndex {
  readonly typeFlags: number;
  readonly heapAddress: number | undefined;
  heap?: FractalHeap;
}

/**
 * Shared message support (spec IV.A.2 "shared message" encoding and
 * III.H): a shared message is stored once, in a committed object's header
 * or in the SOHM table's fractal heap, and referenced from elsewhere.
 */
export class SharedMessages {
  private readonly ctx: Context;
  private indexes: SohmIndex[] | undefined;
  private readonly tableAddress: number | undefined;

  constructor(ctx: Context, tableAddress: number | undefined) {
    this.ctx = ctx;
    this.tableAddress = tableAddress;
  }

  private table(): SohmIndex[] {
    if (this.indexes) return this.indexes;
    const ctx = this.ctx;
    if (this.tableAddress === undefined) fail("CORRUPT", FORMAT, "shared message in the SOHM heap but the file has no shared message table");
    const entry = 1 + 1 + 2 + 4 + 2 + 2 + 2 + 2 * ctx.offsetSize;
    const r = ctx.readerUpTo(this.tableAddress, 4 + 8 * entry + 4, "shared message table");
    expectSignature(r, "SMTB", "shared message table");
    const out: SohmIndex[] = [];
    while (r.remaining >= entry + 4) {
      const version = r.u8();
      if (version !== 0) break;
      r.u8(); // index type: list or B-tree
      const typeFlags = r.u16();
      r.skip(4 + 2 + 2 + 2);
      ctx.addr(r); // index address
      const heapAddress = ctx.addr(r);
      out.push({ typeFlags, heapAddress });
    }
    verifyChecksum(r.bytes, 4 + out.length * entry, "shared message table", ctx.base + this.tableAddress);
    this.indexes = out;
    return out;
  }

  /** The real bytes of message `msg` of type `type` (following a shared reference). */
  resolve(msg: { type: number; flags: number; data: Uint8Array; offset: number }, depth = 0): { data: Uint8Array; offset: number } {
    if ((msg.flags & 2) === 0) return { data: msg.data, offset: msg.offset };
    return this.resolveShared(msg.type, msg.data, msg.offset, depth);
  }

  resolveShared(type: number, data: Uint8Array, offset: number, depth = 0): { data: Uint8Array; offset: number } {
    const ctx = this.ctx;
    if (depth > 8) fail("CORRUPT", FORMAT, "shared message chain too long", { offset });
    const r = new ByteReader(data, FORMAT, offset);
    const version = r.u8();
    const kind = r.u8();
    if (version < 1 || version > 3) fail("CORRUPT", FORMAT, `shared message version ${version}`, { offset });
    // Version 1 holds a whole symbol table entry: reserved bytes, then the name offset before the address (libhdf5 H5O__shared_decode).
    if (version === 1) r.skip(6 + ctx.lengthSize);
    if (version === 3 && kind === 1) {
      const id = r.bytesView(8);
      const index = this.table().find((ix) => (ix.typeFlags & (1 << type)) !== 0);
      if (!index || index.heapAddress === undefined) fail("CORRUPT", FORMAT, `no shared message index for message type ${type}`, { offset });
      index.heap ??= new FractalHeap(ctx, index.heapAddress);
      const bytes = index.heap.get(id);
      return { data: bytes, offset };
    }
    const address = ctx.addrDefined(r, "shared message object");
    const header = readObjectHeader(ctx, address);
    const found: RawMessage | undefined = header.messages.find((m) => m.type === type);
    if (!found) fail("CORRUPT", FORMAT, `shared message type ${type} not found in object header at ${address}`, { offset });
    return this.resolve(found, depth + 1);
  }
}

/** The SOHM table address from the superblock extension (message 0x0F), if any. */
export function sohmTableAddress(ctx: Context, extensionAddress: number | undefined): number | undefined {
  if (extensionAddress === undefined) return undefined;
  const ext = readObjectHeader(ctx, extensionAddress);
  const m = ext.messages.find((x) => x.type === MSG.SHARED_TABLE);
  if (!m) return undefined;
  const r = new ByteReader(m.data, FORMAT, m.offset);
  r.u8();
  return ctx.addr(r);
}
