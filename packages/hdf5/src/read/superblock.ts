import { ByteReader, fail } from "@codec/core";
import { type Context, FORMAT, verifyChecksum } from "./context.js";

/** The 8-byte format signature (spec II.A "Format Signature"). */
export const SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];

export interface Superblock {
  readonly version: number;
  /** Absolute position of the superblock (0, 512, 1024, ... with a user block). */
  readonly offset: number;
  readonly offsetSize: number;
  readonly lengthSize: number;
  readonly groupLeafK: number;
  readonly groupInternalK: number;
  readonly indexedStorageK: number;
  readonly flags: number;
  readonly eofAddress: number | undefined;
  /** v0/v1: root group symbol table entry's object header address; v2/v3: root object header. */
  readonly rootAddress: number;
  /** v0/v1: the root entry's cached B-tree and heap addresses (cache type 1). */
  readonly rootCache?: { btree: number; heap: number };
  readonly extensionAddress: number | undefined;
  readonly driverInfoAddress: number | undefined;
}

/** Find the signature at 0, 512, 1024, 2048, ... (spec II.A: user block sizes are powers of two >= 512). */
export function findSignature(ctx: Context): number {
  const n = ctx.byteLength;
  for (let at = 0; at + 8 <= n; at = at === 0 ? 512 : at * 2) {
    const head = ctx.readSync(at, 8);
    let ok = true;
    for (let i = 0; i < 8; i++) if (head[i] !== SIGNATURE[i]) ok = false;
    if (ok) return at;
  }
  return fail("BAD_MAGIC", FORMAT, "no HDF5 signature at offset 0 or any power of two >= 512", { offset: 0 });
}

export function readSuperblock(ctx: Context): Superblock {
  const offset = findSignature(ctx);
  const avail = Math.min(ctx.byteLength - offset, 256);
  const bytes = ctx.readSync(offset, avail);
  const r = new ByteReader(bytes, FORMAT, offset);
  r.skip(8);
  const version = r.u8();
  if (version > 3) fail("UNSUPPORTED", FORMAT, `superblock version ${version}`, { offset: offset + 8 });
  if (version <= 1) {
    r.skip(1 + 1 + 1 + 1); // free-space, root group STE, reserved, shared header versions
    const offsetSize = r.u8();
    const lengthSize = r.u8();
    checkSizes(offsetSize, lengthSize, offset);
    r.skip(1);
    const groupLeafK = r.u16();
    const groupInternalK = r.u16();
    const flags = r.u32();
    let indexedStorageK = 32;
    if (version === 1) {
      indexedStorageK = r.u16();
      r.skip(2);
    }
    ctx.offsetSize = offsetSize;
    ctx.lengthSize = lengthSize;
    ctx.base = offset;
    // Base address: libhdf5 (H5Fsuper.c) uses the superblock's own position when they differ.
    ctx.addr(r);
    ctx.addr(r); // free-space info address
    const eofAddress = ctx.addr(r);
    const driverInfoAddress = ctx.addr(r);
    // Root group symbol table entry (spec III.C).
    ctx.addr(r); // link name offset
    const rootAddress = ctx.addrDefined(r, "root group object header");
    const cacheType = r.u32();
    r.skip(4);
    let rootCache: { btree: number; heap: number } | undefined;
    if (cacheType === 1) {
      const btree = ctx.addr(r);
      const heap = ctx.addr(r);
      if (btree !== undefined && heap !== undefined) rootCache = { btree, heap };
    }
    if (groupLeafK === 0 || groupInternalK === 0) fail("CORRUPT", FORMAT, "superblock B-tree K of 0", { offset });
    checkEof(ctx, eofAddress, offset);
    if (driverInfoAddress !== undefined) {
      // Driver information block (spec II.B): version 0, then a size that must fit the file.
      const d = ctx.reader(driverInfoAddress, 16, "driver information block");
      const dv = d.u8();
      d.skip(3);
      const size = d.u32();
      if (dv !== 0) fail("CORRUPT", FORMAT, `driver information block version ${dv}`, { offset: d.offset - 8 });
      ctx.bytes(driverInfoAddress + 16, size, "driver information");
    }
    return { version, offset, offsetSize, lengthSize, groupLeafK, groupInternalK, indexedStorageK, flags, eofAddress, rootAddress, rootCache, extensionAddress: undefined, driverInfoAddress };
  }
  const offsetSize = r.u8();
  const lengthSize = r.u8();
  checkSizes(offsetSize, lengthSize, offset);
  const flags = r.u8();
  ctx.offsetSize = offsetSize;
  ctx.lengthSize = lengthSize;
  ctx.base = offset;
  ctx.addr(r); // base address
  const extensionAddress = ctx.addr(r);
  const eofAddress = ctx.addr(r);
  const rootAddress = ctx.addrDefined(r, "root group object header");
  verifyChecksum(bytes, r.pos, "superblock", offset);
  checkEof(ctx, eofAddress, offset);
  return { version, offset, offsetSize, lengthSize, groupLeafK: 4, groupInternalK: 16, indexedStorageK: 32, flags, eofAddress, rootAddress, extensionAddress, driverInfoAddress: undefined };
}

/** libhdf5 refuses a file shorter than the end-of-file address its superblock records ("truncated file"). */
function checkEof(ctx: Context, eof: number | undefined, offset: number): void {
  if (eof !== undefined && eof > ctx.byteLength) {
    fail("TRUNCATED", FORMAT, `file is truncated: the superblock records ${eof} bytes, the file has ${ctx.byteLength}`, { offset });
  }
}

function checkSizes(offsetSize: number, lengthSize: number, offset: number): void {
  const ok = (n: number) => n === 2 || n === 4 || n === 8;
  if (!ok(offsetSize) || !ok(lengthSize)) {
    fail("CORRUPT", FORMAT, `superblock sizes of offsets/lengths ${offsetSize}/${lengthSize} are not 2, 4 or 8`, { offset });
  }
}
