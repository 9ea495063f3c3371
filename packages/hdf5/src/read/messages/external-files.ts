import { ByteReader, fail } from "@codec/core";
import { type ExternalFileSegment, UNLIMITED } from "../../model.js";
import { type Context, FORMAT } from "../context.js";
import { readLocalHeap } from "../local-heap.js";

/** External data files message (spec IV.A.2.h): names live in a local heap. */
export function decodeExternalFiles(ctx: Context, data: Uint8Array, offset: number): ExternalFileSegment[] {
  const r = new ByteReader(data, FORMAT, offset);
  const version = r.u8();
  if (version !== 1) fail("UNSUPPORTED", FORMAT, `external files message version ${version}`, { offset });
  r.skip(3);
  r.u16(); // allocated slots
  const used = r.u16();
  const heapAddress = ctx.addrDefined(r, "external file name heap");
  const heap = readLocalHeap(ctx, heapAddress);
  const out: ExternalFileSegment[] = [];
  for (let i = 0; i < used; i++) {
    const nameOffset = ctx.len(r);
    const fileOffset = ctx.len(r);
    r.need(ctx.lengthSize);
    let ones = true;
    for (let j = 0; j < ctx.lengthSize; j++) if (r.bytes[r.pos + j] !== 0xff) ones = false;
    let size = UNLIMITED;
    if (ones) r.skip(ctx.lengthSize);
    else size = ctx.len(r);
    out.push({ name: heap.string(nameOffset), offset: fileOffset, size });
  }
  return out;
}
