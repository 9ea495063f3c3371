import { fail } from "./errors.js";

/**
 * Random-access input (DESIGN.md section 3): decoders read headers first and
 * tensors on demand through this, so nothing needs the whole file in memory.
 * Offsets are plain numbers: exact up to 2^53, so files over 2 GiB work.
 */
export interface ByteSource {
  readonly byteLength: number;
  /**
   * Bytes [offset, offset + length). May return a view into memory the
   * source owns (MemorySource does): treat the result as read-only.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Present when a read can be served without waiting (memory, local files). */
  readSync?(offset: number, length: number): Uint8Array;
  /** Release file handles or connections. */
  close?(): Promise<void>;
  /** A label for messages: a path or URL. */
  readonly name?: string;
}

/** Check a requested range against the source before touching it. */
export function checkRange(source: { byteLength: number }, offset: number, length: number, format: string): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    fail("CORRUPT", format, `invalid byte range ${offset}+${length}`);
  }
  if (offset + length > source.byteLength) {
    fail("TRUNCATED", format, `range ${offset}+${length} is past the end (${source.byteLength} bytes)`, { offset });
  }
}

/** A ByteSource over bytes already in memory; reads are zero-copy views. */
export class MemorySource implements ByteSource {
  readonly bytes: Uint8Array;
  readonly name?: string;

  constructor(bytes: Uint8Array, name?: string) {
    this.bytes = bytes;
    this.name = name;
  }

  get byteLength(): number {
    return this.bytes.byteLength;
  }

  readSync(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length, "source");
    return this.bytes.subarray(offset, offset + length);
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    try {
      return Promise.resolve(this.readSync(offset, length));
    } catch (e) {
      return Promise.reject(e);
    }
  }
}

export type ByteInput = Uint8Array | ArrayBuffer | ByteSource;

export function isByteSource(value: unknown): value is ByteSource {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as ByteSource).read === "function" &&
    typeof (value as ByteSource).byteLength === "number"
  );
}

/** Normalise what users pass to decoders. */
export function toByteSource(input: ByteInput): ByteSource {
  if (input instanceof Uint8Array) return new MemorySource(input);
  if (input instanceof ArrayBuffer) return new MemorySource(new Uint8Array(input));
  if (isByteSource(input)) return input;
  return fail("USAGE", "source", "expected a Uint8Array, ArrayBuffer or ByteSource");
}

/** The whole input as bytes: zero-copy for memory sources. */
export async function readAll(source: ByteSource): Promise<Uint8Array> {
  if (source instanceof MemorySource) return source.bytes;
  return source.read(0, source.byteLength);
}
