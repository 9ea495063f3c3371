import { fail } from "@codec/core";
import { FORMAT } from "../context.js";
import type { FilterContext } from "./registry.js";

/** Fletcher-32 over 16-bit big-endian words, as libhdf5 H5_checksum_fletcher32 computes it. */
export function fletcher32(data: Uint8Array, length: number): number {
  let sum1 = 0;
  let sum2 = 0;
  let words = length >>> 1;
  let p = 0;
  while (words > 0) {
    let t = Math.min(words, 360);
    words -= t;
    while (t-- > 0) {
      sum1 += (data[p] << 8) | data[p + 1];
      p += 2;
      sum2 += sum1;
    }
    sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
  }
  if (length & 1) {
    sum1 += data[p] << 8;
    sum2 += sum1;
    sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
    sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
  }
  sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
  sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
  return ((sum2 << 16) | sum1) >>> 0;
}

/** Fletcher-32 filter (id 3): verify the trailing checksum and drop it. */
export function fletcher32Decode(input: Uint8Array, ctx: FilterContext): Uint8Array {
  if (input.length < 4) fail("CORRUPT", FORMAT, `fletcher32 chunk in dataset ${ctx.dataset} is shorter than its checksum`);
  const n = input.length - 4;
  const stored = (input[n] | (input[n + 1] << 8) | (input[n + 2] << 16) | (input[n + 3] << 24)) >>> 0;
  const computed = fletcher32(input, n);
  // libhdf5 also accepts the byte-swapped value written by 1.6.0-1.6.2.
  const swapped = (((computed & 0xff) << 24) | ((computed & 0xff00) << 8) | ((computed >>> 8) & 0xff00) | (computed >>> 24)) >>> 0;
  if (stored !== computed && stored !== swapped) {
    fail("CORRUPT", FORMAT, `fletcher32 checksum mismatch in dataset ${ctx.dataset} (stored 0x${stored.toString(16)}, computed 0x${computed.toString(16)})`);
  }
  return input.subarray(0, n);
}
