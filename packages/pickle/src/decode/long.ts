import { normalizeInt } from "./text-args.js";

const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * LONG1/LONG4 payloads: the little-endian two's complement integer in
 * `n` bytes at `start` (pickle.decode_long), a number when it is safe,
 * else a bigint. Used by the decoder and by the scanner's op reader.
 */
export function decodeLong(bytes: Uint8Array, start: number, n: number): number | bigint {
  if (n === 0) return 0;
  if (n <= 6) {
    let v = 0;
    for (let i = n - 1; i >= 0; i--) v = v * 256 + bytes[start + i];
    if (bytes[start + n - 1] & 0x80) v -= 2 ** (8 * n);
    return v;
  }
  // Hex text then one BigInt parse: linear, where shifting byte by byte would
  // be quadratic on LONG4's multi-megabyte integers.
  let hex = "";
  for (let i = n - 1; i >= 0; i--) hex += HEX_BYTE[bytes[start + i]];
  let v = BigInt(`0x${hex}`);
  if (bytes[start + n - 1] & 0x80) v -= 1n << BigInt(8 * n);
  return normalizeInt(v);
}
