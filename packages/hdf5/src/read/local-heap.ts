import { fail } from "@codec/core";
import { type Context, FORMAT, expectSignature } from "./context.js";
import { decodeText } from "./text.js";

export interface LocalHeap {
  readonly data: Uint8Array;
  /** The NUL-terminated string at an offset of the data segment. */
  string(offset: number): string;
}

/** Local heap (spec III.D): "HEAP", version 0, data segment size and address. */
export function readLocalHeap(ctx: Context, address: number): LocalHeap {
  ctx.spend("local heap");
  const r = ctx.readerUpTo(address, 8 + 2 * ctx.lengthSize + ctx.offsetSize, "local heap");
  expectSignature(r, "HEAP", "local heap");
  const version = r.u8();
  if (version !== 0) fail("UNSUPPORTED", FORMAT, `local heap version ${version}`, { offset: r.offset - 1 });
  r.skip(3);
  const size = ctx.len(r);
  ctx.len(r); // free list head
  const dataAddress = ctx.addrDefined(r, "local heap data segment");
  const data = ctx.bytes(dataAddress, size, "local heap data segment");
  const abs = ctx.base + dataAddress;
  return {
    data,
    string(offset: number): string {
      if (!(offset >= 0 && offset < data.length)) fail("CORRUPT", FORMAT, `local heap offset ${offset} is outside its ${data.length}-byte data segment`, { offset: abs });
      let end = data.indexOf(0, offset);
      if (end < 0) end = data.length;
      return decodeText(data.subarray(offset, end));
    },
  };
}
