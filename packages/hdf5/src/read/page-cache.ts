import type { ByteSource } from "@codec/core";

/**
 * How the reader gets bytes at an absolute file position. Implementations
 * are classes rather than per-file closures: V8 then compiles one
 * monomorphic call for every file opened, where a fresh closure per file
 * would discard the optimised metadata walkers each time an old file's
 * closure is collected (listing thousands of objects across many opens
 * measured 2-4x slower that way).
 */
export interface SyncReader {
  read(offset: number, length: number): Uint8Array;
}

/** Reads straight from a synchronous source (memory: in place). */
export class SourceReader implements SyncReader {
  private readonly source: ByteSource & { readSync(offset: number, length: number): Uint8Array };

  constructor(source: ByteSource & { readSync(offset: number, length: number): Uint8Array }) {
    this.source = source;
  }

  read(offset: number, length: number): Uint8Array {
    return this.source.readSync(offset, length);
  }
}

const PAGE = 65536;
// Reads larger than this (chunk and contiguous data) bypass the cache.
const SMALL_READ = 16384;

/**
 * A read-through cache of 64 KiB pages for small metadata reads over a
 * synchronous ByteSource that is not already in memory (FileSource): object
 * headers, B-tree nodes and heaps are many small reads, often in the same
 * page, and each would otherwise be a system call. Large reads (chunk and
 * contiguous data) bypass it. At most `maxPages` pages are kept (LRU).
 */
export class PageCache implements SyncReader {
  private readonly under: SyncReader;
  private readonly byteLength: number;
  private readonly maxPages: number;
  private readonly pages = new Map<number, Uint8Array>();
  // The most recently used page: consecutive reads mostly land in it, and
  // then the LRU order needs no update.
  private lastIndex = -1;
  private lastPage: Uint8Array | undefined = undefined;

  constructor(under: SyncReader, byteLength: number, maxPages = 256) {
    this.under = under;
    this.byteLength = byteLength;
    this.maxPages = maxPages;
  }

  read(offset: number, length: number): Uint8Array {
    const first = Math.floor(offset / PAGE);
    if (length > SMALL_READ || Math.floor((offset + length - 1) / PAGE) !== first || length === 0) return this.under.read(offset, length);
    let page = first === this.lastIndex ? this.lastPage : this.pages.get(first);
    if (page) {
      if (first !== this.lastIndex) {
        this.pages.delete(first);
        this.pages.set(first, page);
      }
    } else {
      const start = first * PAGE;
      page = this.under.read(start, Math.min(PAGE, this.byteLength - start));
      this.pages.set(first, page);
      if (this.pages.size > this.maxPages) this.pages.delete(this.pages.keys().next().value as number);
    }
    this.lastIndex = first;
    this.lastPage = page;
    const at = offset - first * PAGE;
    if (at + length > page.length) return this.under.read(offset, length); // past the end: let the source report it
    return page.subarray(at, at + length);
  }
}

/**
 * Serves the given absolute ranges from these bytes instead of the file
 * (metadata cache image entries), everything else from `under`.
 */
export class OverlayReader implements SyncReader {
  private readonly under: SyncReader;
  private readonly patches: readonly { start: number; bytes: Uint8Array }[];

  constructor(under: SyncReader, patches: readonly { start: number; bytes: Uint8Array }[]) {
    this.under = under;
    this.patches = [...patches].sort((a, b) => a.start - b.start);
  }

  read(offset: number, length: number): Uint8Array {
    const got = this.under.read(offset, length);
    let out: Uint8Array | undefined;
    for (const p of this.patches) {
      if (p.start >= offset + length) break;
      const end = p.start + p.bytes.length;
      if (end <= offset) continue;
      out ??= got.slice();
      const from = Math.max(offset, p.start);
      out.set(p.bytes.subarray(from - p.start, Math.min(end, offset + length) - p.start), from - offset);
    }
    return out ?? got;
  }
}
