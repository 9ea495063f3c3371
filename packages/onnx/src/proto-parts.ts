/**
 * Writing protobuf messages as a list of byte parts: small fields are
 * appended to a scratch buffer, large payloads (tensor data) are kept as
 * the caller's own arrays, so a model is written without copying its
 * weights until the parts are joined or streamed to a file. A nested
 * message is built first and then added with its length, which protobuf
 * needs before the message (protobuf.dev "Encoding": length-delimited).
 */
import { ByteWriter } from "@codec/core";
import { WIRE_LEN, WIRE_VARINT } from "./wire.js";

/** Payloads at least this long are referenced, not copied. */
const BIG = 4096;

const encoder = new TextEncoder();

export class ProtoParts {
  readonly chunks: Uint8Array[] = [];
  private scratch = new ByteWriter(256);
  private flushed = 0;

  get length(): number {
    return this.flushed + this.scratch.length;
  }

  private flush(): void {
    if (this.scratch.length === 0) return;
    const bytes = this.scratch.finish();
    this.chunks.push(bytes);
    this.flushed += bytes.length;
    this.scratch = new ByteWriter(256);
  }

  /** An unsigned varint up to 2^53. */
  varint(n: number): this {
    let v = n;
    while (v >= 0x80) {
      this.scratch.u8((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.scratch.u8(v);
    return this;
  }

  tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }

  varintField(field: number, n: number): this {
    return this.tag(field, WIRE_VARINT).varint(n);
  }

  bytesField(field: number, bytes: Uint8Array): this {
    this.tag(field, WIRE_LEN).varint(bytes.length);
    return this.raw(bytes);
  }

  stringField(field: number, s: string): this {
    return this.bytesField(field, encoder.encode(s));
  }

  /** A nested message with its length. */
  messageField(field: number, message: ProtoParts): this {
    this.tag(field, WIRE_LEN).varint(message.length);
    return this.append(message);
  }

  /** Bytes as they are (already encoded fields, or a payload after its length). */
  raw(bytes: Uint8Array): this {
    if (bytes.length >= BIG) {
      this.flush();
      this.chunks.push(bytes);
      this.flushed += bytes.length;
    } else {
      this.scratch.bytes(bytes);
    }
    return this;
  }

  append(other: ProtoParts): this {
    other.flush();
    this.flush();
    for (const c of other.chunks) this.chunks.push(c);
    this.flushed += other.flushed;
    return this;
  }

  /** The parts, ready to be written in order. */
  parts(): Uint8Array[] {
    this.flush();
    return this.chunks;
  }

  /** One array with everything. */
  join(): Uint8Array {
    const parts = this.parts();
    if (parts.length === 1) return parts[0];
    const out = new Uint8Array(this.flushed);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}
