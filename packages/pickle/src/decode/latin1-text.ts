/**
 * Large latin-1-range text, the way Python 2 era numpy pickles carry array
 * bytes: protocol 2 writes `_codecs.encode(str, 'latin1')` with the bytes as
 * a BINUNICODE str (every code point <= 0xFF, so UTF-8 of one or two bytes
 * per code point). Decoding such a str to a JS string and encoding it back
 * to bytes would walk megabytes twice; instead the UTF-8 decoder writes the
 * latin-1 bytes in the same pass and remembers them here for the current
 * unpickle run, so the `_codecs.encode(..., 'latin1')` reconstructor finds
 * them by the string it is given.
 */

/** Strings at least this long (UTF-8 bytes) take the latin-1 fast path. */
import { PyTuple, type PyValue } from "../model.js";

export const LARGE_TEXT = 1 << 16;

let scope: Map<string, Uint8Array> | null = null;

/** Opens a scope for one unpickle run; returns the enclosing scope to restore (runs may nest via persistentLoad). */
export function enterLatin1Scope(): Map<string, Uint8Array> | null {
  const prev = scope;
  scope = null;
  return prev;
}

export function leaveLatin1Scope(prev: Map<string, Uint8Array> | null): void {
  scope = prev;
}

/** Records the latin-1 bytes of a large decoded str. */
export function rememberLatin1(s: string, bytes: Uint8Array): void {
  scope ??= new Map();
  scope.set(s, bytes);
}

/**
 * The latin-1 bytes of `s` if this run decoded it from UTF-8. Handed out
 * once (the caller owns them); a second request falls back to encoding.
 */
export function takeLatin1(s: string): Uint8Array | undefined {
  if (scope === null || s.length < LARGE_TEXT / 2) return undefined;
  const b = scope.get(s);
  if (b !== undefined) scope.delete(s);
  return b;
}

const utf16 = new TextDecoder("utf-16le");

/**
 * The latin-1 bytes of UTF-8 text whose code points are all <= 0xFF (1- and
 * 2-byte sequences: lead byte C2/C3 and one continuation byte, RFC 3629).
 * Null when another sequence appears, so the caller takes the general path
 * (which also reports malformed input).
 */
export function latin1FromUtf8(buf: Uint8Array, start: number, end: number): Uint8Array | null {
  const bytes = new Uint8Array(end - start);
  let k = 0;
  let bad = 0;
  let i = start;
  // Branch-free body: array bytes are random, so "is this a lead byte" branches would
  // mispredict about half the time. t is 1 for a lead byte; for t = 1 the pair must be
  // C2/C3 then 80..BF (a stray continuation byte fails the lead test), else `bad` is set.
  const last = end - 1;
  while (i < last) {
    const c = buf[i];
    const d = buf[i + 1];
    const t = c >>> 7;
    bytes[k++] = c ^ ((c ^ (((c & 0x1f) << 6) | (d & 0x3f))) & -t);
    bad |= (((c & 0xfe) ^ 0xc2) | ((d & 0xc0) ^ 0x80)) & -t;
    i += 1 + t;
  }
  if (i === last) {
    const c = buf[i];
    if (c >= 0x80) return null;
    bytes[k++] = c;
  }
  return bad === 0 ? bytes.subarray(0, k) : null;
}

/** A JS string of latin-1 bytes (code units 0..FF). */
export function latin1String(bytes: Uint8Array): string {
  const units = new Uint16Array(bytes.length);
  units.set(bytes);
  // No BOM can appear (every unit <= 0xFF), so the UTF-16 decoder returns the units as they are.
  return utf16.decode(units);
}

/** Large UTF-8 text with only latin-1 code points, its bytes kept for `_codecs.encode` (null otherwise). */
export function decodeLatin1Utf8(buf: Uint8Array, start: number, end: number): string | null {
  const bytes = latin1FromUtf8(buf, start, end);
  if (bytes === null) return null;
  const s = latin1String(bytes);
  rememberLatin1(s, bytes);
  return s;
}

/** A memo entry stored by the `_codecs.encode(str, 'latin1')` fast path, turned into the real value on first GET. */
export class LazyMemoValue {
  private value: PyValue | undefined = undefined;
  constructor(
    private readonly bytes: Uint8Array,
    /** The encoding name for the args tuple `(str, encoding)`, or null for the str itself. */
    private readonly encoding: string | null,
  ) {}

  resolve(): PyValue {
    if (this.value === undefined) {
      const s = latin1String(this.bytes);
      this.value = this.encoding === null ? s : new PyTuple([s, this.encoding]);
    }
    return this.value;
  }
}

/** Encoding names Python's codec registry maps to latin-1 (what the `_codecs.encode` reconstructor accepts). */
export function isLatin1Name(enc: PyValue): boolean {
  if (typeof enc !== "string") return false;
  const e = enc.toLowerCase().replace(/_/g, "-");
  return e === "latin1" || e === "latin-1" || e === "iso-8859-1" || e === "l1";
}
