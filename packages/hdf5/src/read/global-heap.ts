import { fail } from "@codec/core";
import { type Context, FORMAT, expectSignature } from "./context.js";

/** One global heap collection (spec III.E, "GCOL"): object index -> bytes. */
export type GlobalHeapCollection = Map<number, Uint8Array>;

const MIN_COLLECTION = 4096;

export function readGlobalHeap(ctx: Context, address: number, cache: Map<number, GlobalHeapCollection>): GlobalHeapCollection {
  const hit = cache.get(address);
  if (hit) return hit;
  ctx.spend("global heap");
  const head = ctx.reader(address, 8 + ctx.lengthSize, "global heap collection");
  expectSignature(head, "GCOL", "global heap collection");
  const version = head.u8();
  if (version !== 1) fail("UNSUPPORTED", FORMAT, `global heap version ${version}`, { offset: head.offset - 1 });
  head.skip(3);
  const size = ctx.len(head);
  if (size < 8 + ctx.lengthSize) fail("CORRUPT", FORMAT, `global heap collection of ${size} bytes`, { offset: head.offset });
  // Collections are at least 4 KiB but the last one may be cut at the end of file.
  const r = ctx.reader(address, Math.min(size, Math.max(MIN_COLLECTION, size)), "global heap collection");
  r.seek(8 + ctx.lengthSize);
  const objects: GlobalHeapCollection = new Map();
  while (r.remaining >= 8 + ctx.lengthSize) {
    const index = r.u16();
    r.skip(2 + 4); // reference count, reserved
    const objSize = ctx.len(r);
    if (index === 0) break; // free space runs to the end of the collection
    if (objSize > r.remaining) fail("CORRUPT", FORMAT, `global heap object ${index} of ${objSize} bytes overruns its collection`, { offset: r.offset });
    objects.set(index, r.bytesView(objSize));
    r.skip(Math.min(r.remaining, (8 - (objSize % 8)) % 8));
  }
  cache.set(address, objects);
  return objects;
}

/** Bytes of a global heap object by (collection address, index); undefined for a null reference. */
export function globalHeapObject(ctx: Context, address: number, index: number, cache: Map<number, GlobalHeapCollection>): Uint8Array {
  const col = readGlobalHeap(ctx, address, cache);
  const obj = col.get(index);
  if (obj === undefined) fail("CORRUPT", FORMAT, `global heap object ${index} is missing from the collection at ${address}`, { offset: ctx.base + address });
  return obj;
}
