import { ByteReader, fail } from "@codec/core";
import { FILTER_NAMES, type Filter } from "../../model.js";
import { FORMAT } from "../context.js";
import { decodeText } from "../text.js";

/** Filter pipeline message (spec IV.A.2.l), versions 1 and 2. */
export function decodeFilterPipeline(data: Uint8Array, offset: number): Filter[] {
  const r = new ByteReader(data, FORMAT, offset);
  const version = r.u8();
  if (version !== 1 && version !== 2) fail("UNSUPPORTED", FORMAT, `filter pipeline message version ${version}`, { offset });
  const n = r.u8();
  if (n > 32) fail("CORRUPT", FORMAT, `filter pipeline with ${n} filters`, { offset });
  if (version === 1) r.skip(6);
  const filters: Filter[] = [];
  for (let i = 0; i < n; i++) {
    const id = r.u16();
    const nameLen = version === 1 || id >= 256 ? r.u16() : 0;
    const flags = r.u16();
    const nvalues = r.u16();
    let name: string | undefined;
    if (nameLen > 0) {
      const raw = r.bytesView(nameLen);
      let end = raw.indexOf(0);
      if (end < 0) end = nameLen;
      name = decodeText(raw.subarray(0, end));
      if (version === 1) r.skip((8 - (nameLen % 8)) % 8);
    }
    const clientData: number[] = [];
    for (let j = 0; j < nvalues; j++) clientData.push(r.u32());
    if (version === 1 && nvalues % 2 === 1) r.skip(4);
    filters.push({ id, name: FILTER_NAMES[id] ?? name, optional: (flags & 1) !== 0, clientData });
  }
  return filters;
}
