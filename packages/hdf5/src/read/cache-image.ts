/**
 * Metadata cache image (libhdf5 1.10+ H5Pset_mdc_image_config; superblock
 * extension message 0x18, H5Ocache_image.c): at close the library wrote
 * its metadata cache as one block, and entries marked dirty there were
 * never written to their home addresses (the root object header of such a
 * file is zeros on disk). The block (H5Cimage.c) is "MDCI", version 0, a
 * flags byte, the image data length (length size), a 4-byte entry count,
 * then per entry: type, flags, ring, age (1 byte each), flush-dependency
 * child, dirty child and parent counts (2 bytes each), LRU rank (4), home
 * address, size, the parents' addresses, and the entry's bytes; a lookup3
 * checksum ends the data. Reading the file means reading each entry's
 * bytes in place of what is at its home address.
 */
import { ByteReader, fail } from "@codec/core";
import { type Context, FORMAT, expectSignature, verifyChecksum } from "./context.js";

export interface CacheImageEntry {
  /** Home address (relative to the base address). */
  readonly address: number;
  readonly bytes: Uint8Array;
}

/** Parse the cache image message and its block into the entries to read in place of their home addresses. */
export function readCacheImage(ctx: Context, message: Uint8Array, offset: number): CacheImageEntry[] {
  const m = new ByteReader(message, FORMAT, offset);
  const version = m.u8();
  if (version !== 0) fail("UNSUPPORTED", FORMAT, `metadata cache image message version ${version}`, { offset });
  const address = ctx.addrDefined(m, "metadata cache image");
  const length = ctx.len(m);
  const block = ctx.bytes(address, length, "metadata cache image");
  const r = new ByteReader(block, FORMAT, ctx.base + address);
  expectSignature(r, "MDCI", "metadata cache image");
  const blockVersion = r.u8();
  if (blockVersion !== 0) fail("UNSUPPORTED", FORMAT, `metadata cache image block version ${blockVersion}`, { offset: r.offset - 1 });
  r.skip(1); // flags: only "have resize status", which carries nothing yet
  const dataLength = ctx.len(r);
  if (dataLength > block.length || dataLength < 4) fail("CORRUPT", FORMAT, `metadata cache image of ${dataLength} bytes in a ${block.length}-byte block`, { offset: ctx.base + address });
  verifyChecksum(block, dataLength - 4, "metadata cache image", ctx.base + address);
  const body = new ByteReader(block.subarray(0, dataLength - 4), FORMAT, ctx.base + address);
  body.seek(r.pos);
  const count = body.u32();
  const entryHeader = 14 + ctx.offsetSize + ctx.lengthSize;
  if (count * entryHeader > body.remaining) fail("CORRUPT", FORMAT, `metadata cache image claims ${count} entries`, { offset: body.offset - 4 });
  const out: CacheImageEntry[] = [];
  for (let i = 0; i < count; i++) {
    body.skip(4 + 2 + 2); // type, flags, ring, age; child and dirty child counts
    const parents = body.u16();
    body.skip(4); // LRU rank
    const home = ctx.addrDefined(body, "metadata cache image entry");
    const size = ctx.len(body);
    body.skip(parents * ctx.offsetSize);
    if (size === 0 || size > body.remaining) fail("CORRUPT", FORMAT, `metadata cache image entry of ${size} bytes overruns the image`, { offset: body.offset });
    out.push({ address: home, bytes: body.bytesView(size) });
  }
  return out;
}
