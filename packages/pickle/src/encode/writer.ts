/**
 * The pickler's output buffer with protocol 4 framing as CPython's
 * Lib/pickle.py _Framer does it: opcodes accumulate in a frame that is
 * committed (FRAME + 8-byte length) once it reaches 64 KiB, checked before
 * each object is saved; frames under 4 bytes get no FRAME header; payloads
 * of 64 KiB or more are written outside frames (write_large_bytes).
 */
const FRAME_SIZE_TARGET = 64 * 1024;
const FRAME_SIZE_MIN = 4;
const FRAME = 0x95;

export class PickleWriter {
  buf: Uint8Array;
  private view: DataView;
  pos = 0;
  /** Offset of the 9 bytes reserved for the current frame's header, or -1 when not framing. */
  private frameStart = -1;

  constructor(
    readonly framing: boolean,
    initial = 1 << 16,
  ) {
    this.buf = new Uint8Array(initial);
    this.view = new DataView(this.buf.buffer);
  }

  /** Starts framing (after PROTO, as CPython's dump does). */
  beginFraming(): void {
    if (this.framing && this.frameStart < 0) this.startFrame();
  }

  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const b = new Uint8Array(size);
    b.set(this.buf.subarray(0, this.pos));
    this.buf = b;
    this.view = new DataView(b.buffer);
  }

  byte(b: number): void {
    if (this.pos >= this.buf.length) this.ensure(1);
    this.buf[this.pos++] = b;
  }

  bytes2(a: number, b: number): void {
    this.ensure(2);
    this.buf[this.pos++] = a;
    this.buf[this.pos++] = b;
  }

  u16(v: number): void {
    this.ensure(2);
    this.buf[this.pos++] = v & 0xff;
    this.buf[this.pos++] = v >>> 8;
  }

  u32(v: number): void {
    this.ensure(4);
    const b = this.buf;
    b[this.pos++] = v & 0xff;
    b[this.pos++] = (v >>> 8) & 0xff;
    b[this.pos++] = (v >>> 16) & 0xff;
    b[this.pos++] = (v >>> 24) & 0xff;
  }

  u64(v: number): void {
    this.u32(v >>> 0);
    this.u32(Math.floor(v / 0x100000000));
  }

  f64be(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.pos, v, false);
    this.pos += 8;
  }

  raw(data: Uint8Array): void {
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  /** ASCII text (GLOBAL lines, protocol 0 arguments). */
  ascii(s: string): void {
    this.ensure(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.pos++] = s.charCodeAt(i) & 0xff;
  }

  private startFrame(): void {
    this.ensure(9);
    this.frameStart = this.pos;
    this.pos += 9;
  }

  /** Ends the current frame if it is large enough (or `force`), then opens a new one. */
  commitFrame(force = false): void {
    if (this.frameStart < 0) return;
    const n = this.pos - this.frameStart - 9;
    if (n < FRAME_SIZE_TARGET && !force) return;
    if (n >= FRAME_SIZE_MIN) {
      const b = this.buf;
      let p = this.frameStart;
      b[p++] = FRAME;
      let v = n;
      for (let i = 0; i < 8; i++) {
        b[p++] = v % 256;
        v = Math.floor(v / 256);
      }
    } else {
      this.buf.copyWithin(this.frameStart, this.frameStart + 9, this.pos);
      this.pos -= 9;
    }
    this.frameStart = -1;
    if (!force) this.startFrame();
  }

  /** CPython's _Framer.write_large_bytes: header and payload outside any frame when framing. */
  large(header: () => void, payload: Uint8Array): void {
    if (this.frameStart < 0 || payload.length < FRAME_SIZE_TARGET) {
      header();
      this.raw(payload);
      return;
    }
    this.commitFrame(true);
    header();
    this.raw(payload);
    this.startFrame();
  }

  finish(): Uint8Array {
    if (this.frameStart >= 0) this.commitFrame(true);
    return this.buf.subarray(0, this.pos);
  }
}
