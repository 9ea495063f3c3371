/**
 * The protobuf wire format (protobuf.dev "Encoding"), read synchronously
 * from bytes in memory. ONNX is proto2 with no groups in use; a field is a
 * varint tag `(field << 3) | wireType` followed by a varint (0), 8 bytes
 * (1), a varint length and that many bytes (2) or 4 bytes (5). Every length
 * is checked against the bytes that exist before anything is sliced.
 */
import { fail, keepShapeAlive } from "@codec/core";

export const F = "onnx";

export const WIRE_VARINT = 0;
export const WIRE_I64 = 1;
export const WIRE_LEN = 2;
export const WIRE_I32 = 5;

/** One field as read: its number, wire type and where its payload lies. */
export interface WireField {
  field: number;
  wire: number;
  /** The varint value (wire type 0; exact up to 2^53, see `WireReader.varint`). */
  value: number;
  /** Payload [start, end) within the reader's bytes; for wire type 0 the varint's own bytes. */
  start: number;
  end: number;
}

export class WireReader {
  pos: number;

  /**
   * @param bytes the buffer; reads stay within [start, end)
   * @param base the file offset of bytes[0], for error messages
   */
  constructor(
    public bytes: Uint8Array,
    start = 0,
    public end = bytes.length,
    public base = 0,
  ) {
    this.pos = start;
  }

  /** Points the reader at other bytes (one reader serves a whole walk without allocating). */
  reset(bytes: Uint8Array, start: number, end: number, base: number): this {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
    this.base = base;
    return this;
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  private truncated(): never {
    return fail("TRUNCATED", F, "protobuf message ends inside a field", { offset: this.base + this.pos });
  }

  /**
   * A varint as a number. Values past 2^53 lose their low bits, which no
   * length, count, enum or dimension can legitimately need; negative int32
   * and int64 values (10-byte varints) come back as numbers >= 2^63 and are
   * rejected where a size is expected.
   */
  varint(): number {
    const b = this.bytes;
    let p = this.pos;
    if (p >= this.end) this.truncated();
    let c = b[p++];
    if (c < 0x80) {
      this.pos = p;
      return c;
    }
    let lo = c & 0x7f;
    let shift = 7;
    // The first 28 bits in an int, then doubles (exact to 2^53).
    while (shift < 28) {
      if (p >= this.end) this.truncated();
      c = b[p++];
      lo |= (c & 0x7f) << shift;
      if (c < 0x80) {
        this.pos = p;
        return lo >>> 0;
      }
      shift += 7;
    }
    let value = lo >>> 0;
    let scale = 2 ** 28;
    for (let i = 4; i < 10; i++) {
      if (p >= this.end) this.truncated();
      c = b[p++];
      value += (c & 0x7f) * scale;
      if (c < 0x80) {
        this.pos = p;
        return value;
      }
      scale *= 128;
    }
    return fail("CORRUPT", F, "varint longer than 10 bytes", { offset: this.base + p });
  }

  /** A varint's low and high 32 bits (int64/uint64 element values; int32 values sign-extend). */
  varint64(out: { lo: number; hi: number }): void {
    const b = this.bytes;
    let p = this.pos;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (p >= this.end) this.truncated();
      const c = b[p++];
      const bits = c & 0x7f;
      if (i < 4) lo |= bits << (7 * i);
      else if (i === 4) {
        lo |= bits << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (7 * i - 32);
      if (c < 0x80) {
        this.pos = p;
        out.lo = lo >>> 0;
        out.hi = hi >>> 0;
        return;
      }
    }
    fail("CORRUPT", F, "varint longer than 10 bytes", { offset: this.base + p });
  }

  /** The next field's tag and payload position; the reader moves past the payload. */
  next(f: WireField): WireField {
    const at = this.pos;
    const tag = this.varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 0 || field > 0x1fffffff) fail("CORRUPT", F, `invalid protobuf field number ${field}`, { offset: this.base + at });
    f.field = field;
    f.wire = wire;
    f.value = 0;
    switch (wire) {
      case WIRE_VARINT:
        // [start, end) spans the varint itself, so 64-bit values can be re-read exactly.
        f.start = this.pos;
        f.value = this.varint();
        f.end = this.pos;
        break;
      case WIRE_I64:
        this.span(f, 8);
        break;
      case WIRE_LEN:
        this.span(f, this.varint());
        break;
      case WIRE_I32:
        this.span(f, 4);
        break;
      default:
        fail("CORRUPT", F, `unsupported protobuf wire type ${wire} (field ${field})`, { offset: this.base + at });
    }
    return f;
  }

  private span(f: WireField, n: number): void {
    if (n > this.end - this.pos) this.truncated();
    f.start = this.pos;
    f.end = this.pos + n;
    this.pos = f.end;
  }
}

// See keepShapeAlive: readers are made per message, and their map must outlive a GC.
keepShapeAlive(new WireReader(new Uint8Array(0)));

export function newField(): WireField {
  return { field: 0, wire: 0, value: 0, start: 0, end: 0 };
}

/** Requires a field's wire type (a mismatch means the bytes are not this message). */
export function expectWire(f: WireField, wire: number, what: string, base = 0): void {
  if (f.wire !== wire) fail("CORRUPT", F, `${what} (field ${f.field}) has wire type ${f.wire}, expected ${wire}`, { offset: base + f.start });
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A proto `string` field: UTF-8 by the protobuf spec, so invalid bytes are corrupt. */
export function wireString(bytes: Uint8Array, f: WireField, base = 0): string {
  try {
    return utf8.decode(bytes.subarray(f.start, f.end));
  } catch {
    return fail("CORRUPT", F, `invalid UTF-8 in a string field ${f.field}`, { offset: base + f.start });
  }
}
