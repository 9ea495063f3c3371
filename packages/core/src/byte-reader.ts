import { fail } from "./errors.js";
import { keepShapeAlive } from "./keep-shape-alive.js";

/**
 * A bounds-checked little/big-endian cursor over a Uint8Array. Every read
 * that would cross the end throws TRUNCATED with the offset, so header
 * parsers never see a RangeError.
 */
export class ByteReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly format: string;
  /** Offset of `bytes[0]` in the whole input, for error messages. */
  readonly base: number;
  pos = 0;

  constructor(bytes: Uint8Array, format: string, base = 0) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.format = format;
    this.base = base;
  }

  get length(): number {
    return this.bytes.length;
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  /** Absolute offset of the cursor in the input. */
  get offset(): number {
    return this.base + this.pos;
  }

  need(n: number): void {
    if (!(Number.isInteger(n) && n >= 0) || this.pos + n > this.bytes.length) {
      fail("TRUNCATED", this.format, `need ${n} bytes, ${this.remaining} left`, { offset: this.offset });
    }
  }

  seek(pos: number): this {
    if (!(Number.isInteger(pos) && pos >= 0 && pos <= this.bytes.length)) {
      const at = Number.isFinite(pos) ? this.base + Math.max(0, Math.min(Math.floor(pos), this.bytes.length)) : undefined;
      fail("CORRUPT", this.format, `seek to ${pos} outside ${this.bytes.length} bytes`, { offset: at });
    }
    this.pos = pos;
    return this;
  }

  skip(n: number): this {
    this.need(n);
    this.pos += n;
    return this;
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.pos++];
  }

  i8(): number {
    this.need(1);
    return this.view.getInt8(this.pos++);
  }

  u16(le = true): number {
    this.need(2);
    const v = this.view.getUint16(this.pos, le);
    this.pos += 2;
    return v;
  }

  i16(le = true): number {
    this.need(2);
    const v = this.view.getInt16(this.pos, le);
    this.pos += 2;
    return v;
  }

  u32(le = true): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, le);
    this.pos += 4;
    return v;
  }

  i32(le = true): number {
    this.need(4);
    const v = this.view.getInt32(this.pos, le);
    this.pos += 4;
    return v;
  }

  u64big(le = true): bigint {
    this.need(8);
    const v = this.view.getBigUint64(this.pos, le);
    this.pos += 8;
    return v;
  }

  i64big(le = true): bigint {
    this.need(8);
    const v = this.view.getBigInt64(this.pos, le);
    this.pos += 8;
    return v;
  }

  /** Unsigned 64-bit as a number; LIMIT if it exceeds 2^53 - 1. */
  u64(le = true): number {
    const at = this.offset;
    const v = this.u64big(le);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail("LIMIT", this.format, `64-bit value ${v} exceeds 2^53`, { offset: at });
    return Number(v);
  }

  /** Unsigned little-endian integer of 1..8 bytes (HDF5 offsets/lengths) as a number. */
  uint(size: number, le = true): number {
    this.need(size);
    let v = 0;
    if (le) {
      for (let i = size - 1; i >= 0; i--) v = v * 256 + this.bytes[this.pos + i];
    } else {
      for (let i = 0; i < size; i++) v = v * 256 + this.bytes[this.pos + i];
    }
    if (v > Number.MAX_SAFE_INTEGER) fail("LIMIT", this.format, `${size}-byte value exceeds 2^53`, { offset: this.offset });
    this.pos += size;
    return v;
  }

  f32(le = true): number {
    this.need(4);
    const v = this.view.getFloat32(this.pos, le);
    this.pos += 4;
    return v;
  }

  f64(le = true): number {
    this.need(8);
    const v = this.view.getFloat64(this.pos, le);
    this.pos += 8;
    return v;
  }

  /** A zero-copy view of the next `n` bytes. */
  bytesView(n: number): Uint8Array {
    this.need(n);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
}

// Keeps optimised parsers valid across GCs (see keepShapeAlive).
keepShapeAlive(new ByteReader(new Uint8Array(0), "core"));

/**
 * A growable byte buffer for encoders. Chunks are appended without copying
 * large payloads twice: `chunks()` returns the parts for streaming writers.
 */
export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private len = 0;

  constructor(initial = 1024) {
    this.buf = new Uint8Array(Math.max(0, Math.floor(initial)));
    this.view = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.len;
  }

  private grow(n: number): void {
    const need = this.len + n;
    if (need <= this.buf.length) return;
    // Start from at least 64 so a zero-capacity writer grows (0 * 2 never would).
    let cap = Math.max(64, this.buf.length * 2);
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.grow(1);
    this.buf[this.len++] = v;
    return this;
  }

  u16(v: number, le = true): this {
    this.grow(2);
    this.view.setUint16(this.len, v, le);
    this.len += 2;
    return this;
  }

  i32(v: number, le = true): this {
    this.grow(4);
    this.view.setInt32(this.len, v, le);
    this.len += 4;
    return this;
  }

  u32(v: number, le = true): this {
    this.grow(4);
    this.view.setUint32(this.len, v, le);
    this.len += 4;
    return this;
  }

  u64(v: number | bigint, le = true): this {
    this.grow(8);
    this.view.setBigUint64(this.len, BigInt(v), le);
    this.len += 8;
    return this;
  }

  i64(v: number | bigint, le = true): this {
    this.grow(8);
    this.view.setBigInt64(this.len, BigInt(v), le);
    this.len += 8;
    return this;
  }

  /** Unsigned integer of `size` bytes (1..8). */
  uint(v: number, size: number, le = true): this {
    this.grow(size);
    let x = v;
    for (let i = 0; i < size; i++) {
      const b = x % 256;
      this.buf[this.len + (le ? i : size - 1 - i)] = b;
      x = (x - b) / 256;
    }
    this.len += size;
    return this;
  }

  f32(v: number, le = true): this {
    this.grow(4);
    this.view.setFloat32(this.len, v, le);
    this.len += 4;
    return this;
  }

  f64(v: number, le = true): this {
    this.grow(8);
    this.view.setFloat64(this.len, v, le);
    this.len += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.grow(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  zeros(n: number): this {
    this.grow(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
    return this;
  }

  /** Overwrite a u32 already written (for back-patched lengths). */
  patchU32(at: number, v: number, le = true): void {
    if (!(Number.isInteger(at) && at >= 0 && at + 4 <= this.len)) fail("USAGE", "writer", `patchU32 at ${at} is outside the ${this.len} bytes written`);
    this.view.setUint32(at, v, le);
  }

  /** The written bytes (a view; valid until the next write). */
  view8(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }

  /** A right-sized copy of the written bytes. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

const encoder = new TextEncoder();
// ignoreBOM: a leading U+FEFF is data (a name, a JSON key), not a marker to drop.
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

export function utf8Encode(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Strict UTF-8 decode: invalid sequences are CORRUPT, never U+FFFD. */
export function utf8Decode(bytes: Uint8Array, format: string, offset?: number): string {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return fail("CORRUPT", format, "invalid UTF-8", { offset });
  }
}

/**
 * UTF-32 code units as text (numpy 'U' arrays; TextDecoder has no UTF-32).
 * Code points that are not Unicode scalar values become U+FFFD; a trailing
 * partial unit is ignored.
 */
export function utf32Decode(bytes: Uint8Array, bigEndian = false): string {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  let out = "";
  for (let i = 0; i + 4 <= bytes.length; i += 4) {
    const c = view.getUint32(i, !bigEndian);
    out += c <= 0x10ffff && (c < 0xd800 || c > 0xdfff) ? String.fromCodePoint(c) : "\ufffd";
  }
  return out;
}
