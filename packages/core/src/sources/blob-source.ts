import { type ByteSource, checkRange } from "../byte-source.js";
import { fail } from "../errors.js";

/**
 * A ByteSource over a Blob or File (browsers, Node >= 20): each read slices
 * the blob and reads only that slice, so a multi-GB file picked in a
 * browser is never loaded whole.
 */
export class BlobSource implements ByteSource {
  readonly blob: Blob;
  readonly name?: string;

  constructor(blob: Blob, name?: string) {
    this.blob = blob;
    const fileName = (blob as Blob & { name?: unknown }).name;
    this.name = name ?? (typeof fileName === "string" ? fileName : undefined);
  }

  get byteLength(): number {
    return this.blob.size;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length, "source");
    if (length === 0) return new Uint8Array(0);
    let buffer: ArrayBuffer;
    try {
      buffer = await this.blob.slice(offset, offset + length).arrayBuffer();
    } catch (e) {
      // A File whose underlying file changed or vanished rejects here (NotReadableError).
      return fail("IO", "source", `reading ${this.name ?? "blob"} failed: ${e instanceof Error ? e.message : String(e)}`, { offset, cause: e });
    }
    if (buffer.byteLength !== length) fail("TRUNCATED", "source", `blob returned ${buffer.byteLength} of ${length} bytes`, { offset });
    return new Uint8Array(buffer);
  }
}
