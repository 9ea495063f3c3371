import { fail } from "@codec/core";
import { FORMAT } from "../context.js";
import type { FilterContext } from "./registry.js";

/**
 * LZF filter (id 32000, h5py's lzf_filter.c around liblzf): literal runs
 * (control < 32: control + 1 bytes) and back references (length in the
 * top 3 bits, extended by a byte when 7; distance in 13 bits).
 */
export function lzfDecode(input: Uint8Array, ctx: FilterContext): Uint8Array {
  const size = ctx.clientData[2] && ctx.clientData[2] > 0 ? Math.min(ctx.clientData[2], ctx.chunkBytes) : ctx.chunkBytes;
  const out = new Uint8Array(size);
  let ip = 0;
  let op = 0;
  const bad = (why: string): never => fail("CORRUPT", FORMAT, `lzf data in dataset ${ctx.dataset} is invalid (${why})`);
  while (ip < input.length) {
    const ctrl = input[ip++];
    if (ctrl < 32) {
      const len = ctrl + 1;
      if (ip + len > input.length) bad("literal past the input");
      if (op + len > out.length) bad("output larger than the chunk");
      out.set(input.subarray(ip, ip + len), op);
      ip += len;
      op += len;
    } else {
      let len = ctrl >> 5;
      if (len === 7) {
        if (ip >= input.length) bad("truncated length");
        len += input[ip++];
      }
      if (ip >= input.length) bad("truncated reference");
      const ref = op - ((ctrl & 0x1f) << 8) - 1 - input[ip++];
      len += 2;
      if (ref < 0) bad("reference before the start");
      if (op + len > out.length) bad("output larger than the chunk");
      for (let k = 0; k < len; k++) out[op + k] = out[ref + k];
      op += len;
    }
  }
  return op === out.length ? out : out.subarray(0, op);
}
