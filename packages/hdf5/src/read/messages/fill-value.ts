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
    return { allocTime, fillTime, value };
  }
  const flags = r.u8();
  if (flags & 0xc0) fail("CORRUPT", FORMAT, "fill value message with unknown flags", { offset });
  let value: Uint8Array | undefined;
  if (flags & 0x20) {
    const size = r.u32();
    if (size > r.remaining) fail("CORRUPT", FORMAT, `fill value of ${size} bytes overruns its message`, { offset });
    value = size > 0 ? r.bytesView(size) : undefined;
  }
  return { allocTime: flags & 3, fillTime: (flags >> 2) & 3, value };
}

/** Old fill value message (spec IV.A.2.e): a size and the raw value. */
export function decodeOldFillValue(data: Uint8Array, offset: number): FillValue {
  const r = new ByteReader(data, FORMAT, offset);
  const size = r.u32();
  if (size > r.remaining) fail("CORRUPT", FORMAT, `old fill value of ${size} bytes overruns its message`, { offset });
  return { allocTime: 2, fillTime: 2, value: size > 0 ? r.bytesView(size) : undefined };
}
