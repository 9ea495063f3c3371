/**
 * A read-through cache of 64 KiB pages for small metadata reads over a
 * synchronous ByteSource that is not already in memory (FileSource): object
 * headers, B-tree nodes and heaps are many small reads, often in the same
 * page, and each would otherwise be a system call. Large reads (chunk and
 * contiguous data) bypass it. At most `maxPages` pages are kept (LRU).
 */
export function cachedReader(readSync: (offset: number, length: number) => Uint8Array, byteLength: number, maxPages = 256): (offset: number, length: number) => Uint8Array {
  const PAGE = 65536;
  const pages = new Map<number, Uint8Array>();
  // The most recently used page: consecutive reads mostly land in it, and
  // then the LRU order needs no update.
  let lastIndex = -1;
  let lastPage: Uint8Array | undefined;
  return (offset: number, length: number): Uint8Array => {
    const first = Math.floor(offset / PAGE);
    if (length > PAGE / 4 || Math.floor((offset + length - 1) / PAGE) !== first || length === 0) return readSync(offset, length);
    let page = first === lastIndex ? lastPage : pages.get(first);
    if (page) {
      if (first !== lastIndex) {
        pages.delete(first);
        pages.set(first, page);
      }
    } else {
      const start = first * PAGE;
      page = readSync(start, Math.min(PAGE, byteLength - start));
      pages.set(first, page);
      if (pages.size > maxPages) pages.delete(pages.keys().next().value as number);
    }
    lastIndex = first;
    lastPage = page;
    const at = offset - first * PAGE;
    if (at + length > page.length) return readSync(offset, length); // past the end: let the source report it
    return page.subarray(at, at + length);
  };
}
