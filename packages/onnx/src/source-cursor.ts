/**
 * Field-by-field reading of protobuf messages that live in a ByteSource,
 * so a model's structure can be walked without reading its tensor payloads
 * (a 2 GiB model opens by reading its headers; DESIGN.md section 3). Field
 * headers come from a window of the source read in chunks; payloads are
 * read only when asked for.
 */
import { type ByteSource, fail, keepShapeAlive, MemorySource } from "@codec/core";
import { F, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT, type WireField, WireReader } from "./wire.js";

/** Window size: big enough that a walk over small fields reads rarely. */
const WINDOW = 1 << 16;
/** A tag and a length are two varints of at most 10 bytes each. */
const MAX_HEADER = 20;

export class SourceCursor {
  private win: Uint8Array = new Uint8Array(0);
  private winStart = 0;
  private readonly reader = new WireReader(this.win);

  constructor(readonly source: ByteSource) {}

  /** Whether [start, end) is in the window. */
  covers(start: number, end: number): boolean {
    return start >= this.winStart && end <= this.winStart + this.win.length;
  }

  /** Whether the field header at `pos` of a message ending at `end` can be read without waiting. */
  hasHeader(pos: number, end: number): boolean {
    return this.covers(pos, Math.min(pos + MAX_HEADER, end));
  }

  /** Makes [pos, pos + n) (cut at `limit`) part of the window. */
  async fill(pos: number, n: number, limit: number): Promise<void> {
    const want = Math.min(pos + n, limit);
    if (this.covers(pos, want)) return;
    const len = Math.min(Math.max(WINDOW, want - pos), this.source.byteLength - pos);
    if (len < want - pos) fail("TRUNCATED", F, "file ends inside a protobuf message", { offset: pos });
    const got = this.source.readSync !== undefined ? this.source.readSync(pos, len) : await this.source.read(pos, len);
    // A Node Buffer's subarray builds a Buffer (slow, through its species); views of the window are plain.
    this.win = Object.getPrototypeOf(got) === Uint8Array.prototype ? got : new Uint8Array(got.buffer, got.byteOffset, got.byteLength);
    this.winStart = pos;
  }

  /**
   * Reads the field header at absolute offset `pos` of a message ending at
   * `end`, which must be in the window (`hasHeader`, else `fill` first);
   * `f.start`/`f.end` are absolute. Returns the offset after the field.
   * Callers test and fill before calling, so the walk over fields already
   * in the window runs without a promise per field.
   */
  header(pos: number, end: number, f: WireField): number {
    const local = pos - this.winStart;
    const r = this.reader.reset(this.win, local, Math.min(this.win.length, end - this.winStart), this.winStart);
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

  /** The header at `pos`, filling the window first when needed. */
  async nextHeader(pos: number, end: number, f: WireField): Promise<number> {
    if (!this.hasHeader(pos, end)) await this.fill(pos, MAX_HEADER, end);
    return this.header(pos, end, f);
  }

  /** [start, end) when it is in the window (check with `covers`). */
  view(start: number, end: number): Uint8Array {
    return this.win.subarray(start - this.winStart, end - this.winStart);
  }

  /**
   * [start, end) if it is in the window, else null: `peek(a, b) ?? (await
   * bytes(a, b))` waits only when it must (an `await` always suspends, even
   * on a value that is ready).
   */
  peek(start: number, end: number): Uint8Array | null {
    return this.covers(start, end) ? this.view(start, end) : null;
  }

  /** The bytes [start, end): a view of the window when they are in it (or fit in a new one). */
  async bytes(start: number, end: number): Promise<Uint8Array> {
    if (this.covers(start, end)) return this.view(start, end);
    if (end - start <= WINDOW) {
      await this.fill(start, end - start, end);
      return this.view(start, end);
    }
    return this.source.readSync !== undefined ? this.source.readSync(start, end - start) : this.source.read(start, end - start);
  }
}

// One cursor kept for the process so that V8 keeps its class's map (and the code inlined on it) across GCs.
keepShapeAlive(new SourceCursor(new MemorySource(new Uint8Array(0))));
