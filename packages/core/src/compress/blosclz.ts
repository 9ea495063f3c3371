import { fail } from "../errors.js";

/**
 * BloscLZ block decompression (c-blosc blosc/blosclz.c, a FastLZ level-1
 * derivative). A stream is a run of instructions, each led by a control
 * byte:
 *
 * - `ctrl < 32`: a literal run of `ctrl + 1` bytes copied from the input.
 * - `ctrl >= 32`: a match. The top 3 bits hold the length minus 2 (7 means
 *   "add the following bytes until one is not 255"); the low 5 bits are the
 *   high bits of the distance, the next byte its low bits. A distance
 *   byte of 255 with high bits 31 escapes to a 16-bit big-endian distance
 *   beyond `MAX_DISTANCE`. The copy starts `distance + 1` bytes back and is
 *   `len + 3` bytes long; overlapping copies repeat bytes (a run).
 *
 * The top 3 bits of the very first byte are a format marker the encoder
 * sets and the decoder masks off. Returns the bytes written to `output`.
 */

/** Largest distance a short match encodes (blosclz.c MAX_DISTANCE). */
const MAX_DISTANCE = 8191;

export function blosclzDecodeBlock(input: Uint8Array, output: Uint8Array, format = "blosclz"): number {
  const ilen = input.length;
  const olen = output.length;
  if (ilen === 0) fail("TRUNCATED", format, "blosclz stream is empty", { offset: 0 });
  let ip = 1;
  let op = 0;
  let ctrl = input[0] & 31;
  for (;;) {
    if (ctrl >= 32) {
      const at = ip - 1;
      let len = (ctrl >> 5) - 1;
      let dist = (ctrl & 31) << 8;
      if (len === 6) {
        let code: number;
        do {
          if (ip >= ilen) fail("TRUNCATED", format, "blosclz match length runs past the input", { offset: ip });
          code = input[ip++];
          len += code;
        } while (code === 255);
      }
      if (ip >= ilen) fail("TRUNCATED", format, "blosclz match distance runs past the input", { offset: ip });
      const code = input[ip++];
      dist += code;
      if (code === 255 && (ctrl & 31) === 31) {
        // 16-bit far distance (blosclz.c "match from 16-bit distance").
        if (ip + 2 > ilen) fail("TRUNCATED", format, "blosclz far distance runs past the input", { offset: ip });
        dist = ((input[ip] << 8) | input[ip + 1]) + MAX_DISTANCE;
        ip += 2;
      }
      len += 3;
      const ref = op - dist - 1;
      if (ref < 0) fail("CORRUPT", format, "blosclz match reaches before the output start", { offset: at });
      if (len > olen - op) fail("CORRUPT", format, "blosclz output is larger than expected", { offset: at });
      if (dist === 0) {
        // A run of the previous byte.
        if (len < 16) {
          const b = output[ref];
          for (let k = 0; k < len; k++) output[op + k] = b;
        } else output.fill(output[ref], op, op + len);
      } else if (len < 32) {
        // Short copies: a byte loop beats a call, and gives the overlapping semantics.
        for (let k = 0; k < len; k++) output[op + k] = output[ref + k];
      } else if (dist + 1 >= len) {
        output.copyWithin(op, ref, ref + len);
      } else {
        // Long overlapping copy of a period dist + 1: copy what exists, which doubles each step.
        let done = 0;
        while (done < len) {
          const n = Math.min(op + done - ref, len - done);
          output.copyWithin(op + done, ref, ref + n);
          done += n;
        }
      }
      op += len;
    } else {
      const n = ctrl + 1;
      if (n > ilen - ip) fail("TRUNCATED", format, "blosclz literal runs past the input", { offset: ip - 1 });
      if (n > olen - op) fail("CORRUPT", format, "blosclz output is larger than expected", { offset: ip - 1 });
      // At most 32 bytes: a loop, no subarray allocation.
      for (let k = 0; k < n; k++) output[op + k] = input[ip + k];
      ip += n;
      op += n;
    }
    if (ip >= ilen) break;
    ctrl = input[ip++];
  }
  return op;
}
