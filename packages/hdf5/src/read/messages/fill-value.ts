import { ByteReader, fail } from "@codec/core";
import type { FillValue } from "../../model.js";
import { FORMAT } from "../context.js";

/** Fill value message, new style (spec IV.A.2.f), versions 1-3. */
export function decodeFillValue(data: Uint8Array, offset: number): FillValue {
  const r = new ByteReader(data, FORMAT, offset);
  const version = r.u8();
  if (version < 1 || version > 3) fail("UNSUPPORTED", FORMAT, `fill value message version ${version}`, { offset });
  if (version < 3) {
    const allocTime = r.u8();
    const fillTime = r.u8();
    const defined = r.u8();
    let value: Uint8Array | undefined;
    if (version === 1 || defined) {
      if (r.remaining >= 4) {
        const size = r.u32();
        if (size > r.remaining) fail("CORRUPT", FORMAT, `fill value of ${size} bytes overruns its message`, { offset });
        value = size > 0 ? r.bytesView(size) : undefined;
      }
    }
    // Version 1 always stores the size; a zero "defined" byte still means undefined.
    return { allocTime, fillTime, defined: defined !== 0, value: defined ? value : undefined };
  }
  const flags = r.u8();
  if (flags & 0xc0) fail("CORRUPT", FORMAT, "fill value message with unknown flags", { offset });
  let value: Uint8Array | undefined;
  if (flags & 0x20) {
    const size = r.u32();
    if (size > r.remaining) fail("CORRUPT", FORMAT, `fill value of ${size} bytes overruns its message`, { offset });
    value = size > 0 ? r.bytesView(size) : undefined;
  }
  // Bit 4 is "fill value undefined"; it excludes bit 5 ("fill value defined", with a value).
  if ((flags & 0x30) === 0x30) fail("CORRUPT", FORMAT, "fill value message both undefined and defined", { offset });
  return { allocTime: flags & 3, fillTime: (flags >> 2) & 3, defined: (flags & 0x10) === 0, value };
}

/** Old fill value message (spec IV.A.2.e): a size and the raw value. */
export function decodeOldFillValue(data: Uint8Array, offset: number): FillValue {
  const r = new ByteReader(data, FORMAT, offset);
  const size = r.u32();
  if (size > r.remaining) fail("CORRUPT", FORMAT, `old fill value of ${size} bytes overruns its message`, { offset });
  // libhdf5 (H5D__open_oid) maps an old message of size 0 to an undefined fill value.
  return { allocTime: 2, fillTime: 2, defined: size > 0, value: size > 0 ? r.bytesView(size) : undefined };
}
