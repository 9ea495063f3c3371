/**
 * Lenient UTF-8 decoding for HDF5 names and string values: HDF5 "ASCII"
 * strings may hold any bytes, so invalid sequences become U+FFFD (the same
 * replacement Python's `bytes.decode("utf-8", "replace")` makes) instead of
 * failing the whole file.
 */
const decoder = new TextDecoder("utf-8");

export function decodeText(bytes: Uint8Array): string {
  // ASCII fast path: most names are short and plain.
  if (bytes.length < 32) {
    let s = "";
    let i = 0;
    for (; i < bytes.length; i++) {
      const b = bytes[i];
      if (b > 0x7f) break;
      s += String.fromCharCode(b);
    }
    if (i === bytes.length) return s;
  }
  return decoder.decode(bytes);
}
