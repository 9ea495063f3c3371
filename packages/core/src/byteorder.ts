/**
 * Byte-order helpers. Tensor data is little-endian (DESIGN.md section 4);
 * big-endian sources (numpy '>f4', HDF5 BE datatypes, torch byteorder=big)
 * are swapped once into a fresh buffer.
 */

export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Reverse the bytes of every `unit`-byte element, in place. */
export function swapBytesInPlace(data: Uint8Array, unit: number): Uint8Array {
  const n = data.length - (data.length % unit);
  switch (unit) {
    case 1:
      return data;
    case 2:
      for (let i = 0; i < n; i += 2) {
        const a = data[i];
        data[i] = data[i + 1];
        data[i + 1] = a;
      }
      return data;
    case 4:
      for (let i = 0; i < n; i += 4) {
        const a = data[i];
        const b = data[i + 1];
        data[i] = data[i + 3];
        data[i + 1] = data[i + 2];
        data[i + 2] = b;
        data[i + 3] = a;
      }
      return data;
    default:
      for (let i = 0; i < n; i += unit) {
        for (let lo = i, hi = i + unit - 1; lo < hi; lo++, hi--) {
          const t = data[lo];
          data[lo] = data[hi];
          data[hi] = t;
        }
      }
      return data;
  }
}

/** A byte-swapped copy; the source is left untouched. */
export function swapBytes(data: Uint8Array, unit: number): Uint8Array {
  return swapBytesInPlace(data.slice(), unit);
}
