/**
 * bzip2's CRC-32: the same polynomial as zip (0x04C11DB7) but processed
 * most significant bit first (not reflected), initial value 0xFFFFFFFF and
 * the result inverted. Each block carries the CRC of its decoded bytes; the
 * stream trailer carries the combination of all block CRCs
 * (combined = rotl(combined, 1) ^ blockCrc).
 */
const TABLE = /* @__PURE__ */ (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** CRC of `bytes[from, to)`. */
export function bzip2Crc(bytes: Uint8Array, from: number, to: number): number {
  let crc = 0xffffffff;
  for (let i = from; i < to; i++) crc = (crc << 8) ^ TABLE[((crc >>> 24) ^ bytes[i]) & 0xff];
  return ~crc >>> 0;
}

export function combineBzip2Crc(combined: number, blockCrc: number): number {
  return (((combined << 1) | (combined >>> 31)) ^ blockCrc) >>> 0;
}
