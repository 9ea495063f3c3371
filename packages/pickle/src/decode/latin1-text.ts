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
 * Per lead-byte pattern p of a 4-byte word (bit j set: byte j is a lead byte
 * C2/C3), four entries: the masks of the kept bytes that stay in place, move
 * down one byte and move down two bytes once the lead bytes are dropped
 * (a lead is always followed by its continuation byte, so at most two of the
 * four bytes are leads), and the number of bytes kept.
 */
const COMPACT = new Int32Array(64);
for (let p = 0; p < 16; p++) {
  let kept = 0;
  for (let j = 0; j < 4; j++) {
    if ((p >> j) & 1) continue;
    let leadsBefore = 0;
    for (let q = 0; q < j; q++) leadsBefore += (p >> q) & 1;
    if (leadsBefore < 3) COMPACT[p * 4 + leadsBefore] |= 0xff << ((j - leadsBefore) * 8);
    kept++;
  }
  COMPACT[p * 4 + 3] = kept;
}

/**
 * The latin-1 bytes of UTF-8 text whose code points are all <= 0xFF (1- and
 * 2-byte sequences: lead byte C2/C3 and one continuation byte, RFC 3629).
 * Null when another sequence appears, so the caller takes the general path
 * (which also reports malformed input).
 *
 * Array bytes are random, so a byte loop that branches on "is this a lead
 * byte" mispredicts half the time, and one that does not is bound by its
 * one-byte-at-a-time dependency on the input position. This works on whole
 * 4-byte little-endian words instead: for latin-1 text the UTF-8 lead byte
 * of a code point >= 0x80 is C2 or C3 and the code point is its continuation
 * byte plus 0x40 after a C3, so each word is adjusted with a few bit
 * operations and its lead bytes dropped by the COMPACT table; an
 * unaligned 4-byte store writes the 2 to 4 kept bytes. Validity is checked
 * for the whole run at once: continuation bytes must be exactly the bytes
 * after a lead, and every lead must be C2 or C3.
 */
export function latin1FromUtf8(buf: Uint8Array, start: number, end: number): Uint8Array | null {
  const out = new Uint8Array(end - start + 4); // + 4: the last word store may write 3 bytes past the text
  const input = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const output = new DataView(out.buffer);
  let k = 0;
  let bad = 0;
  let leadIn = 0; // 0x80 when the previous word ended with a lead byte
  let addIn = 0; // 0x40 when that lead byte was C3
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const w = input.getInt32(i, true);
    const w1 = w << 1;
    const leads = w & w1 & 0x80808080; // bit 7 of each byte that is 11xxxxxx
    const lead1 = leads >>> 7; // bit 0 of each lead byte
    // Continuations (10xxxxxx) must be exactly the bytes after a lead; leads must be C2 or C3.
    bad |= ((w & ~w1 & 0x80808080) ^ ((leads << 8) | leadIn)) | ((w ^ 0xc2c2c2c2) & 0xfefefefe & Math.imul(lead1, 0xff));
    // + 0x40 to each byte after a C3 (its bit 0 moved to bit 6 of the next byte); no byte overflows.
    const adjusted = (w + ((leads & (w << 7)) << 7) + addIn) | 0;
    // The four lead flags gathered into bits 28..31 (no partial products collide below them).
    const t = (Math.imul(lead1, 0x10204080) >>> 28) << 2;
    output.setInt32(k, (adjusted & COMPACT[t]) | ((adjusted >>> 8) & COMPACT[t + 1]) | ((adjusted >>> 16) & COMPACT[t + 2]), true);
    k += COMPACT[t + 3];
    leadIn = leads >>> 24;
    addIn = (leadIn & (w >>> 17)) >>> 1;
  }
  return latin1Tail(buf, i, end, out, k, leadIn | addIn, bad);
}

/**
 * The last 0-3 bytes of latin1FromUtf8 one at a time, continuing a sequence
 * the words left open (`pending`: 0x80 after a lead byte, | 0x40 after C3).
 * A function of its own so that the word loop's optimized code never meets
 * this rarely run code without type feedback (which deoptimized it per call).
 */
function latin1Tail(buf: Uint8Array, i: number, end: number, out: Uint8Array, k: number, pending: number, bad: number): Uint8Array | null {
  for (; i < end; i++) {
    const c = buf[i];
    if (pending !== 0) {
      if ((c & 0xc0) !== 0x80) bad = 1;
      out[k++] = c + (pending & 0x40);
      pending = 0;
    } else if (c < 0x80) out[k++] = c;
    else if ((c & 0xfe) === 0xc2) pending = 0x80 | ((c & 1) << 6);
    else bad = 1;
  }
  return bad === 0 && pending === 0 ? out.subarray(0, k) : null;
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
