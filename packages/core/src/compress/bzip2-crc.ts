/**
 * bzip2's CRC-32: the same polynomial as zip (0x04C11DB7) but processed
 * most significant bit first (not reflected), initial value 0xFFFFFFFF and
 * the result inverted. Each block carries the CRC of its decoded bytes; the
 * stream trailer carries the combination of all block CRCs
 * (combined = rotl(combined, 1) ^ blockCrc).
 */
const TABLE = /* @__PURE__ */ (() => {
  const t = new Int32Array(8 * 256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    t[i] = c;
  }
  // Slicing tables: t[k * 256 + b] is the CRC register after byte b is
  // followed by k zero bytes, so eight bytes fold in with eight lookups
  // that do not depend on each other.
  for (let k = 1; k < 8; k++) {
    for (let i = 0; i < 256; i++) {
      const prev = t[(k - 1) * 256 + i];
      t[k * 256 + i] = (prev << 8) ^ t[prev >>> 24];
    }
  }
  return t;
})();

/** CRC of `bytes[from, to)`. */
export function bzip2Crc(bytes: Uint8Array, from: number, to: number): number {
  const t = TABLE;
  let crc = -1;
  let i = from;
  // Eight bytes per step (MSB first: the first byte meets the register's top byte).
  for (const stop = to - 8; i <= stop; i += 8) {
    const x = crc ^ ((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]);
    const y = (bytes[i + 4] << 24) | (bytes[i + 5] << 16) | (bytes[i + 6] << 8) | bytes[i + 7];
    crc =
      t[1792 + (x >>> 24)] ^
      t[1536 + ((x >>> 16) & 255)] ^
      t[1280 + ((x >>> 8) & 255)] ^
      t[1024 + (x & 255)] ^
      t[768 + (y >>> 24)] ^
      t[512 + ((y >>> 16) & 255)] ^
      t[256 + ((y >>> 8) & 255)] ^
      t[y & 255];
  }
  for (; i < to; i++) crc = (crc << 8) ^ t[((crc >>> 24) ^ bytes[i]) & 0xff];
  return ~crc >>> 0;
}

export function combineBzip2Crc(combined: number, blockCrc: number): number {
  return (((combined << 1) | (combined >>> 31)) ^ blockCrc) >>> 0;
}
