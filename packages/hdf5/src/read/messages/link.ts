import { ByteReader, fail } from "@codec/core";
import type { Link } from "../../model.js";
import { type Context, FORMAT } from "../context.js";
import { decodeText } from "../text.js";

/** Link message (spec IV.A.2.g). User-defined link types other than external are skipped (undefined). */
export function decodeLink(ctx: Context, data: Uint8Array, offset: number): Link | undefined {
  const r = new ByteReader(data, FORMAT, offset);
  const version = r.u8();
  if (version !== 1) fail("UNSUPPORTED", FORMAT, `link message version ${version}`, { offset });
  const flags = r.u8();
  const type = flags & 8 ? r.u8() : 0;
  let creationOrder: number | undefined;
  if (flags & 4) {
    const co = r.u64big();
    creationOrder = co > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(co);
  }
  if (flags & 0x10) r.skip(1); // link name character set
  const nameLen = r.uint(1 << (flags & 3));
  if (nameLen === 0) fail("CORRUPT", FORMAT, "link with an empty name", { offset });
  const name = decodeText(r.bytesView(nameLen));
  if (type === 0) {
    const address = ctx.addrDefined(r, `link '${name}'`);
    return { kind: "hard", name, address, creationOrder };
  }
  if (type === 1) {
    const len = r.u16();
    return { kind: "soft", name, target: decodeText(r.bytesView(len)), creationOrder };
  }
  if (type === 64) {
    const len = r.u16();
    const body = r.bytesView(len);
    if (len < 1) fail("CORRUPT", FORMAT, `external link '${name}' without a target`, { offset });
    const end1 = body.indexOf(0, 1);
    if (end1 < 0) fail("CORRUPT", FORMAT, `external link '${name}' target is not terminated`, { offset });
    let end2 = body.indexOf(0, end1 + 1);
    if (end2 < 0) end2 = body.length;
    return { kind: "external", name, file: decodeText(body.subarray(1, end1)), path: decodeText(body.subarray(end1 + 1, end2)), creationOrder };
  }
  return undefined;
}
