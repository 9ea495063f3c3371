/**
 * One member of a zip archive, as its central directory header (APPNOTE.TXT
 * 4.3.12) and local header (4.3.7) describe it. Sizes and offsets are exact
 * numbers up to 2^53 (ZIP64 values beyond that are rejected with LIMIT).
 */
export interface ZipEntry {
  /** Decoded name: UTF-8 when flag bit 11 is set, code page 437 otherwise. */
  readonly name: string;
  /** Bytes stored in the archive (4.4.8). */
  readonly compressedSize: number;
  /** Bytes after decompression (4.4.9). */
  readonly size: number;
  /** CRC-32 of the uncompressed bytes (4.4.7), unsigned. */
  readonly crc32: number;
  /** Compression method (4.4.5): 0 stored, 8 deflate. */
  readonly method: number;
  /** Offset of the local file header in the source (prepended bytes included). */
  readonly localHeaderOffset: number;
  /** Offset of the first byte of the member's (compressed) data in the source. */
  readonly dataOffset: number;
  /** General purpose bit flags (4.4.4). */
  readonly flags: number;
}

export interface ZipOpenOptions {
  /**
   * Largest member that `read` will allocate (decompressed, or copied from a
   * non-memory source). Larger declared sizes fail with LIMIT before any
   * allocation: zip-bomb protection. Default 4 GiB.
   */
  maxEntrySize?: number;
  /** Format name that errors carry (e.g. "torch", "npz", "keras"). Default "zip". */
  format?: string;
  /**
   * Check every member's CRC-32 on read (default true). Turning it off saves
   * one pass over the bytes (about 1 s per GB in a browser) for callers that
   * verify content another way; deflate streams are still fully validated.
   */
  verifyCrc?: boolean;
}

export const DEFAULT_MAX_ENTRY_SIZE = 4 * 1024 * 1024 * 1024;
