/**
 * Field-by-field reading of protobuf messages that live in a ByteSource,
 * so a model's structure can be walked without reading its tensor payloads
 * (a 2 GiB model opens by reading its headers; DESIGN.md section 3). Field
 * headers come from a window of the source read in chunks; payloads are
 * read only when asked for.
 */
import { type ByteSource, fail } from "@codec/core";
import { F, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT, type WireField, WireReader } from "./wire.js";

/** Window size: big enough that a walk over small fields reads rarely. */
const WINDOW = 1 << 16;
/** A tag and a length are two varints of at most 10 bytes each. */
const MAX_HEADER = 20;

export class SourceCursor {
  private win: Uint8Array = new Uint8Array(0);
  private winStart = 0;

  constructor(readonly source: ByteSource) {}

  /** Makes [pos, pos + n) (cut at `limit`) part of the window. */
  private async cover(pos: number, n: number, limit: number): Promise<void> {
    const want = Math.min(pos + n, limit);
    if (pos >= this.winStart && want <= this.winStart + this.win.length) return;
    const len = Math.min(Math.max(WINDOW, want - pos), this.source.byteLength - pos);
    if (len < want - pos) fail("TRUNCATED", F, "file ends inside a protobuf message", { offset: pos });
    this.win = await this.source.read(pos, len);
    this.winStart = pos;
  }

  /**
   * Reads the field header at absolute offset `pos` of a message ending at
   * `end`; `f.start`/`f.end` are absolute. Returns the offset after the field.
   */
  async header(pos: number, end: number, f: WireField): Promise<number> {
    await this.cover(pos, MAX_HEADER, end);
    const local = pos - this.winStart;
    const r = new WireReader(this.win, local, Math.min(this.win.length, end - this.winStart), this.winStart);
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 0 || field > 0x1fffffff) fail("CORRUPT", F, `invalid protobuf field number ${field}`, { offset: pos });
    f.field = field;
    f.wire = wire;
    f.value = 0;
    let size = 0;
    switch (wire) {
      case WIRE_VARINT: {
        // [start, end) spans the varint itself (as WireReader.next does).
        f.start = this.winStart + r.pos;
        f.value = r.varint();
        f.end = this.winStart + r.pos;
        return f.end;
      }
      case WIRE_I64:
        size = 8;
        break;
      case WIRE_LEN:
        size = r.varint();
        break;
      case WIRE_I32:
        size = 4;
        break;
      default:
        fail("CORRUPT", F, `unsupported protobuf wire type ${wire} (field ${field})`, { offset: pos });
    }
    f.start = this.winStart + r.pos;
    if (size > end - f.start) fail("TRUNCATED", F, `protobuf field ${field} runs past the end of its message`, { offset: pos });
    f.end = f.start + size;
    return f.end;
  }

  /** The bytes [start, end): a view of the window when they are in it. */
  async bytes(start: number, end: number): Promise<Uint8Array> {
    if (start >= this.winStart && end <= this.winStart + this.win.length) return this.win.subarray(start - this.winStart, end - this.winStart);
    if (end - start <= WINDOW) {
      await this.cover(start, end - start, end);
      return this.win.subarray(start - this.winStart, end - this.winStart);
    }
    return this.source.read(start, end - start);
  }
}
