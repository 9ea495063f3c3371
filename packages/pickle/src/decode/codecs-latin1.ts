/**
 * Fast path for the protocol 2 spelling of bytes (Python 3 pickling bytes
 * for protocol < 3, and numpy array data in such pickles):
 *
 *   <_codecs.encode on the stack> BINUNICODE text [PUT] <'latin1'> TUPLE2 [PUT] REDUCE
 *
 * where <'latin1'> is BINGET/LONG_BINGET of a memoized name or a
 * SHORT_BINUNICODE [PUT]. CPython decodes the text to a str and encodes it
 * back; the result is only the latin-1 bytes, so here the UTF-8 payload is
 * converted to bytes in one pass and no JS string is built. Memo entries the
 * sequence stores (the str, the args tuple) become LazyMemoValues that build
 * the real value if a later GET asks for it. Anything unexpected returns null
 * and the ordinary opcode loop runs the same bytes (and reports any error).
 */
import type { PyValue } from "../model.js";
import { isLatin1Name, LazyMemoValue, latin1FromUtf8 } from "./latin1-text.js";

export interface LatinMemo {
  get(i: number): PyValue | LazyMemoValue | undefined;
  put(i: number, v: PyValue | LazyMemoValue): void;
  readonly size: number;
}

const NO_PUT = -1;
const BAD = -2;
const MEMOIZE = -3; // index decided when applied: the memo's size then

export interface CodecsLatin1Result {
  bytes: Uint8Array;
  /** Offset just past REDUCE. */
  end: number;
}

/** `a`..`b` is the UTF-8 payload of the BINUNICODE; `lim` bounds every read (no frame may be open). */
export function codecsLatin1Reduce(buf: Uint8Array, a: number, b: number, lim: number, memo: LatinMemo, maxMemo: number): CodecsLatin1Result | null {
  let q = b;
  let puts = 0;
  // An optional memo store after a value: BINPUT, LONG_BINPUT or MEMOIZE.
  const readPut = (): number => {
    if (q >= lim) return BAD;
    const c = buf[q];
    if (c === 0x71) {
      if (q + 2 > lim) return BAD;
      q += 2;
      puts++;
      return buf[q - 1];
    }
    if (c === 0x72) {
      if (q + 5 > lim) return BAD;
      const i = (buf[q + 1] | (buf[q + 2] << 8) | (buf[q + 3] << 16) | (buf[q + 4] << 24)) >>> 0;
      if (i > 0x7fffffff) return BAD;
      q += 5;
      puts++;
      return i;
    }
    if (c === 0x94) {
      q++;
      puts++;
      return MEMOIZE;
    }
    return NO_PUT;
  };
  const strPut = readPut();
  if (strPut === BAD || q + 2 > lim) return null;
  let enc: PyValue | LazyMemoValue | undefined;
  let encPut = NO_PUT;
  const c = buf[q];
  if (c === 0x68) {
    enc = memo.get(buf[q + 1]);
    q += 2;
  } else if (c === 0x6a) {
    if (q + 5 > lim) return null;
    enc = memo.get((buf[q + 1] | (buf[q + 2] << 8) | (buf[q + 3] << 16) | (buf[q + 4] << 24)) >>> 0);
    q += 5;
  } else if (c === 0x8c) {
    const n = buf[q + 1];
    if (n > 16 || q + 2 + n > lim) return null;
    let s = "";
    for (let i = q + 2; i < q + 2 + n; i++) {
      if (buf[i] >= 0x80) return null;
      s += String.fromCharCode(buf[i]);
    }
    enc = s;
    q += 2 + n;
    encPut = readPut();
    if (encPut === BAD) return null;
  } else {
    return null;
  }
  if (typeof enc !== "string" || !isLatin1Name(enc)) return null;
  if (q >= lim || buf[q] !== 0x86) return null;
  q++;
  const tuplePut = readPut();
  if (tuplePut === BAD || q >= lim || buf[q] !== 0x52) return null;
  q++;
  if (memo.size + puts > maxMemo) return null; // let the opcode loop raise the LIMIT error
  const bytes = latin1FromUtf8(buf, a, b);
  if (bytes === null) return null;
  const put = (i: number, v: PyValue | LazyMemoValue): void => {
    if (i !== NO_PUT) memo.put(i === MEMOIZE ? memo.size : i, v);
  };
  put(strPut, new LazyMemoValue(bytes, null));
  put(encPut, enc);
  put(tuplePut, new LazyMemoValue(bytes, enc));
  return { bytes, end: q };
}
