import { Buffer } from "node:buffer";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { ByteSource } from "../byte-source.js";
import { checkRange } from "../byte-source.js";
import { fail } from "../errors.js";
import { keepShapeAlive } from "../keep-shape-alive.js";

/**
 * A ByteSource over a local file (Node only). Reads use positioned
 * `fs.readSync`, so files larger than 2 GiB work (positions are exact
 * numbers up to 2^53) and only the requested range is read.
 */
export class FileSource implements ByteSource {
  readonly name: string;
  readonly byteLength: number;
  private fd: number | null;

  constructor(path: string) {
    this.name = path;
    this.fd = openSync(path, "r");
    this.byteLength = fstatSync(this.fd).size;
  }

  readSync(offset: number, length: number): Uint8Array {
    checkRange(this, offset, length, "source");
    if (this.fd === null) fail("USAGE", "source", `FileSource ${this.name} is closed`);
    // Unzeroed memory (every byte is overwritten below, or the read fails and
    // the array is dropped): zero-filling would be a second pass over large
    // ranges. allocUnsafeSlow: an ArrayBuffer of its own, never Buffer's
    // shared pool, returned as a plain Uint8Array (Buffer#slice is a view).
    const mem = Buffer.allocUnsafeSlow(length);
    const out = new Uint8Array(mem.buffer, mem.byteOffset, length);
    let done = 0;
    // A single readSync call is capped near 2 GiB; loop for larger ranges.
    while (done < length) {
      const n = readSync(this.fd, out, done, Math.min(length - done, 0x40000000), offset + done);
      // The file shrank since it was opened.
      if (n === 0) fail("TRUNCATED", "source", `unexpected end of file ${this.name}`, { offset: offset + done });
      done += n;
    }
    return out;
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    try {
      return Promise.resolve(this.readSync(offset, length));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  async close(): Promise<void> {
    if (this.fd !== null) {
      closeSync(this.fd);
      this.fd = null;
    }
    // A closed source holds no file and no memory: keeping the first one
    // keeps FileSource's V8 map alive, so parsers that inlined its reads are
    // not deoptimised by every later GC (see keepShapeAlive).
    if (!closedShapeKept) {
      keepShapeAlive(this);
      closedShapeKept = true;
    }
  }
}

let closedShapeKept = false;

export function openFile(path: string): FileSource {
  return new FileSource(path);
}
