import { type ByteSource, checkRange } from "../byte-source.js";
import { fail } from "../errors.js";

export type FetchLike = (input: string, init?: { method?: string; headers?: Record<string, string>; signal?: AbortSignal }) => Promise<Response>;

export interface HttpRangeSourceOptions {
  /** The fetch to use (default: the global one). */
  fetch?: FetchLike;
  /** Extra request headers (authorization, ...). */
  headers?: Record<string, string>;
  /**
   * Reads up to this size are served from aligned blocks of this size,
   * cached, so the many small header reads of a decoder cost few requests.
   * Default 64 KiB; 0 disables block reads.
   */
  blockSize?: number;
  /** Blocks kept in the cache (least recently used evicted). Default 16. */
  cacheBlocks?: number;
}

interface ContentRange {
  start: number;
  end: number;
  total: number | undefined;
}

/** RFC 9110 section 14.4: `bytes first-last/complete`, `bytes first-last/*` or `bytes *\/complete`. */
function parseContentRange(value: string | null): ContentRange | undefined {
  if (value === null) return undefined;
  const m = /^\s*bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)\s*$/i.exec(value);
  if (!m) return undefined;
  const total = m[3] === "*" ? undefined : Number(m[3]);
  if (m[1] === undefined) return total === undefined ? undefined : { start: 0, end: -1, total };
  return { start: Number(m[1]), end: Number(m[2]), total };
}

/**
 * A ByteSource over a URL, read with HTTP Range requests (RFC 9110 section
 * 14): only the bytes a decoder asks for are downloaded. The server must
 * honour `Range`; one that answers 200 with the whole body is rejected with
 * UNSUPPORTED rather than silently downloading everything.
 */
export class HttpRangeSource implements ByteSource {
  readonly name: string;
  readonly byteLength: number;
  private requests = 1;
  private readonly fetchFn: FetchLike;
  private readonly headers: Record<string, string>;
  private readonly blockSize: number;
  private readonly cacheBlocks: number;
  private readonly cache = new Map<number, Promise<Uint8Array>>();

  private constructor(url: string, byteLength: number, fetchFn: FetchLike, options: HttpRangeSourceOptions) {
    this.name = url;
    this.byteLength = byteLength;
    this.fetchFn = fetchFn;
    this.headers = { ...(options.headers ?? {}) };
    this.blockSize = options.blockSize ?? 64 * 1024;
    this.cacheBlocks = options.cacheBlocks ?? 16;
  }

  /**
   * Probe `url` with `Range: bytes=0-0` to learn its length and check that
   * the server supports ranges (a HEAD cannot show the latter reliably).
   */
  static async open(url: string | URL, options: HttpRangeSourceOptions = {}): Promise<HttpRangeSource> {
    const href = String(url);
    const fetchFn: FetchLike = options.fetch ?? ((input, init) => fetch(input, init));
    const blockSize = options.blockSize ?? 64 * 1024;
    if (!(Number.isSafeInteger(blockSize) && blockSize >= 0)) fail("USAGE", "http", `blockSize must be a non-negative integer, got ${blockSize}`);
    const res = await request(fetchFn, href, { ...(options.headers ?? {}), Range: "bytes=0-0" });
    const range = parseContentRange(res.headers.get("content-range"));
    if (res.status === 416 && range !== undefined && range.end < 0) {
      // An empty resource: no byte 0 to return (RFC 9110 section 15.5.17).
      await discard(res);
      return new HttpRangeSource(href, range.total ?? 0, fetchFn, options);
    }
    if (res.status === 200) {
      await discard(res);
      return fail("UNSUPPORTED", "http", `${href}: the server ignores Range requests (answered 200, not 206); download the file instead`);
    }
    if (res.status !== 206) {
      await discard(res);
      return fail("IO", "http", `${href}: HTTP ${res.status} ${res.statusText}`);
    }
    await discard(res);
    if (range === undefined || range.end < 0 || range.total === undefined) {
      return fail("UNSUPPORTED", "http", `${href}: the server does not report the resource length in Content-Range`);
    }
    if (!Number.isSafeInteger(range.total)) fail("LIMIT", "http", `${href}: length ${range.total} is too large`);
    return new HttpRangeSource(href, range.total, fetchFn, options);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this, offset, length, "http");
    if (length === 0) return new Uint8Array(0);
    const bs = this.blockSize;
    if (bs === 0 || length > bs) return this.fetchRange(offset, length);
    const first = Math.floor(offset / bs);
    const last = Math.floor((offset + length - 1) / bs);
    if (first === last) {
      const block = await this.block(first);
      const at = offset - first * bs;
      return block.subarray(at, at + length);
    }
    // Spans two blocks (length <= blockSize): join the tail of one and the head of the next.
    const [a, b] = await Promise.all([this.block(first), this.block(last)]);
    const out = new Uint8Array(length);
    const head = a.subarray(offset - first * bs);
    out.set(head);
    out.set(b.subarray(0, length - head.length), head.length);
    return out;
  }

  private block(index: number): Promise<Uint8Array> {
    const hit = this.cache.get(index);
    if (hit !== undefined) {
      // Refresh its position: Map iteration order is insertion order.
      this.cache.delete(index);
      this.cache.set(index, hit);
      return hit;
    }
    const start = index * this.blockSize;
    const pending = this.fetchRange(start, Math.min(this.blockSize, this.byteLength - start));
    this.cache.set(index, pending);
    // A failed block is not cached, so a retry refetches it.
    pending.catch(() => this.cache.delete(index));
    while (this.cache.size > this.cacheBlocks) {
      const oldest = this.cache.keys().next().value as number;
      this.cache.delete(oldest);
    }
    return pending;
  }

  private async fetchRange(offset: number, length: number): Promise<Uint8Array> {
    this.requests++;
    const end = offset + length - 1;
    const res = await request(this.fetchFn, this.name, { ...this.headers, Range: `bytes=${offset}-${end}` });
    if (res.status === 200) {
      await discard(res);
      return fail("UNSUPPORTED", "http", `${this.name}: the server stopped honouring Range requests (answered 200)`, { offset });
    }
    if (res.status !== 206) {
      await discard(res);
      return fail("IO", "http", `${this.name}: HTTP ${res.status} ${res.statusText} for bytes ${offset}-${end}`, { offset });
    }
    const range = parseContentRange(res.headers.get("content-range"));
    if (range === undefined || range.start !== offset || range.end !== end) {
      await discard(res);
      return fail("IO", "http", `${this.name}: asked for bytes ${offset}-${end}, server sent ${res.headers.get("content-range") ?? "no Content-Range"}`, { offset });
    }
    if (range.total !== undefined && range.total !== this.byteLength) {
      await discard(res);
      return fail("IO", "http", `${this.name}: resource changed size from ${this.byteLength} to ${range.total} bytes`, { offset });
    }
    let body: ArrayBuffer;
    try {
      body = await res.arrayBuffer();
    } catch (e) {
      return fail("IO", "http", `${this.name}: reading the response failed: ${e instanceof Error ? e.message : String(e)}`, { offset, cause: e });
    }
    if (body.byteLength !== length) fail("TRUNCATED", "http", `${this.name}: got ${body.byteLength} of ${length} bytes`, { offset });
    return new Uint8Array(body);
  }

  /** HTTP requests made so far (the length probe included). */
  get requestCount(): number {
    return this.requests;
  }

  async close(): Promise<void> {
    this.cache.clear();
  }
}

async function request(fetchFn: FetchLike, url: string, headers: Record<string, string>): Promise<Response> {
  // Byte ranges address the stored bytes: ask for no content coding, or a
  // server may compress the slice and the lengths stop matching (RFC 9110
  // section 14.1.2). Browsers ignore this forbidden header, which is harmless.
  const withIdentity = Object.keys(headers).some((k) => k.toLowerCase() === "accept-encoding") ? headers : { ...headers, "Accept-Encoding": "identity" };
  try {
    return await fetchFn(url, { method: "GET", headers: withIdentity });
  } catch (e) {
    return fail("IO", "http", `${url}: request failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** Release a response body we do not need, so the connection can be reused. */
async function discard(res: Response): Promise<void> {
  try {
    await res.body?.cancel();
  } catch {
    // Nothing to release.
  }
}
