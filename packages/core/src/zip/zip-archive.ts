import { inflateSync } from "fflate";
import { type ByteInput, type ByteSource, MemorySource, toByteSource } from "../byte-source.js";
import { fail, guardDecode, guardDecodeAsync, isCodecError } from "../errors.js";
import { FLAG_ENCRYPTED, FLAG_STRONG_ENCRYPTION, MAX_DEFLATE_RATIO, METHOD_DEFLATE, METHOD_STORED, methodName } from "./constants.js";
import { type ByteRange, type ZipLayout, type ZipLayoutSteps, zipLayout } from "./central-directory.js";
import { crc32 } from "./crc32.js";
import { DEFAULT_MAX_ENTRY_SIZE, type ZipEntry, type ZipOpenOptions } from "./zip-entry.js";

/** Concurrent range reads while opening an asynchronous source. */
async function runAsync(steps: ZipLayoutSteps, source: ByteSource): Promise<ZipLayout> {
  let step = steps.next([]);
  while (!step.done) {
    const bytes = await Promise.all(step.value.map((r) => readRange(source, r)));
    step = steps.next(bytes);
  }
  return step.value;
}

function runSync(steps: ZipLayoutSteps, source: ByteSource & { readSync: NonNullable<ByteSource["readSync"]> }): ZipLayout {
  let step = steps.next([]);
  while (!step.done) {
    step = steps.next(step.value.map((r) => source.readSync(r.offset, r.length)));
  }
  return step.value;
}

async function readRange(source: ByteSource, r: ByteRange): Promise<Uint8Array> {
  const bytes = await source.read(r.offset, r.length);
  if (bytes.length !== r.length) fail("TRUNCATED", "source", `asked for ${r.length} bytes at ${r.offset}, got ${bytes.length}`, { offset: r.offset });
  return bytes;
}

/**
 * A zip archive opened over a ByteSource: the central directory is parsed
 * up front, member bytes are read on demand. See `openZip`.
 */
export class ZipArchive {
  readonly source: ByteSource;
  readonly entries: ZipEntry[];
  /** The archive comment (APPNOTE.TXT 4.3.16), raw bytes. */
  readonly comment: Uint8Array;
  /** True when the archive has ZIP64 end records (4.3.14). */
  readonly zip64: boolean;
  readonly format: string;
  readonly maxEntrySize: number;
  readonly verifyCrc: boolean;
  private readonly byName = new Map<string, ZipEntry>();
  private readonly own = new Set<ZipEntry>();

  constructor(source: ByteSource, layout: ZipLayout, options: ZipOpenOptions = {}) {
    this.source = source;
    this.entries = layout.entries;
    this.comment = layout.comment;
    this.zip64 = layout.zip64;
    this.format = options.format ?? "zip";
    this.maxEntrySize = options.maxEntrySize ?? DEFAULT_MAX_ENTRY_SIZE;
    this.verifyCrc = options.verifyCrc ?? true;
    // Duplicate names: the last one wins, as in Python's zipfile.
    for (const e of this.entries) {
      this.byName.set(e.name, e);
      this.own.add(e);
    }
  }

  /** The member called `name`, if any. */
  entry(name: string): ZipEntry | undefined {
    return this.byName.get(name);
  }

  /** Entry names in central directory order. */
  names(): string[] {
    return this.entries.map((e) => e.name);
  }

  /** True when `readSync` works (the source can be read synchronously). */
  get canReadSync(): boolean {
    return typeof this.source.readSync === "function";
  }

  /**
   * The member's uncompressed bytes, CRC-32 checked. Stored members of a
   * MemorySource are zero-copy views into its bytes (treat as read-only);
   * anything else is one ranged read of the member's data.
   */
  read(entry: ZipEntry): Promise<Uint8Array> {
    return guardDecodeAsync(this.format, async () => {
      const length = this.plan(entry);
      const raw = await readRange(this.source, { offset: entry.dataOffset, length });
      return this.finishRead(entry, raw);
    });
  }

  /** Like `read`, for sources with `readSync` (memory, local files); USAGE otherwise. */
  readSync(entry: ZipEntry): Uint8Array {
    return guardDecode(this.format, () => {
      const source = this.source;
      if (typeof source.readSync !== "function") fail("USAGE", this.format, "readSync needs a source with readSync (memory or a local file)");
      const length = this.plan(entry);
      const raw = source.readSync(entry.dataOffset, length);
      if (raw.length !== length) fail("TRUNCATED", this.format, `asked for ${length} bytes, got ${raw.length}`, { offset: entry.dataOffset });
      return this.finishRead(entry, raw);
    });
  }

  /** Checks that need no bytes; returns how many bytes to read. */
  private plan(entry: ZipEntry): number {
    const f = this.format;
    if (!this.own.has(entry)) fail("USAGE", f, "entry does not belong to this archive (use archive.entries or archive.entry(name))");
    const where = { offset: entry.localHeaderOffset };
    if (entry.flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) fail("UNSUPPORTED", f, `entry ${JSON.stringify(entry.name)} is encrypted`, where);
    const zeroCopy = this.source instanceof MemorySource;
    if (entry.method === METHOD_STORED) {
      if (entry.compressedSize !== entry.size) {
        fail("CORRUPT", f, `stored entry ${JSON.stringify(entry.name)} declares ${entry.compressedSize} stored but ${entry.size} uncompressed bytes`, where);
      }
      if (!zeroCopy && entry.size > this.maxEntrySize) this.tooBig(entry);
      return entry.compressedSize;
    }
    if (entry.method === METHOD_DEFLATE) {
      if (entry.size > this.maxEntrySize) this.tooBig(entry);
      if (entry.size > entry.compressedSize * MAX_DEFLATE_RATIO + 64 || (entry.compressedSize === 0 && entry.size > 0)) {
        fail("CORRUPT", f, `entry ${JSON.stringify(entry.name)} declares ${entry.size} bytes from ${entry.compressedSize} deflated bytes, more than deflate can produce`, where);
      }
      return entry.compressedSize;
    }
    return fail("UNSUPPORTED", f, `entry ${JSON.stringify(entry.name)} uses compression method ${entry.method} (${methodName(entry.method)}); only stored and deflate are supported`, where);
  }

  private tooBig(entry: ZipEntry): never {
    return fail("LIMIT", this.format, `entry ${JSON.stringify(entry.name)} declares ${entry.size} bytes, over the ${this.maxEntrySize}-byte limit (raise maxEntrySize to read it)`, {
      offset: entry.localHeaderOffset,
    });
  }

  private finishRead(entry: ZipEntry, raw: Uint8Array): Uint8Array {
    let data = raw;
    if (entry.method === METHOD_DEFLATE) {
      // The output buffer is sized by the declared size (already checked
      // against maxEntrySize): inflate never grows it, so a bomb cannot
      // allocate more than was declared.
      const out = new Uint8Array(entry.size);
      try {
        data = inflateSync(raw, { out });
      } catch (e) {
        if (isCodecError(e)) throw e;
        const message = e instanceof Error ? e.message : String(e);
        fail("CORRUPT", this.format, `entry ${JSON.stringify(entry.name)}: invalid deflate data (${message})`, { offset: entry.dataOffset });
      }
      if (data.length !== entry.size) {
        fail("CORRUPT", this.format, `entry ${JSON.stringify(entry.name)} inflated to ${data.length} bytes, declared ${entry.size}`, { offset: entry.dataOffset });
      }
    }
    if (!this.verifyCrc) return data;
    const actual = crc32(data);
    if (actual !== entry.crc32) {
      fail("CORRUPT", this.format, `entry ${JSON.stringify(entry.name)}: CRC-32 mismatch (stored ${hex8(entry.crc32)}, computed ${hex8(actual)})`, {
        offset: entry.dataOffset,
      });
    }
    return data;
  }

  async close(): Promise<void> {
    await this.source.close?.();
  }
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, "0");
}

/**
 * Open a zip archive (PKWARE APPNOTE.TXT): find the end of central
 * directory record, follow ZIP64 records when present, parse the central
 * directory and every local header. Only the end of the file, the central
 * directory and 30 bytes per member are read. Bytes (Uint8Array,
 * ArrayBuffer) are wrapped in a MemorySource. Any malformed input gives a
 * CodecError (BAD_MAGIC, TRUNCATED, CORRUPT, UNSUPPORTED or LIMIT).
 */
export function openZip(input: ByteInput, options: ZipOpenOptions = {}): Promise<ZipArchive> {
  const format = options.format ?? "zip";
  return guardDecodeAsync(format, async () => {
    checkOptions(options, format);
    const source = toByteSource(input);
    const steps = zipLayout(source.byteLength, format);
    const layout = hasReadSync(source) ? runSync(steps, source) : await runAsync(steps, source);
    return new ZipArchive(source, layout, options);
  });
}

/** `openZip` for sources with `readSync` (memory, local files). */
export function openZipSync(input: ByteInput, options: ZipOpenOptions = {}): ZipArchive {
  const format = options.format ?? "zip";
  return guardDecode(format, () => {
    checkOptions(options, format);
    const source = toByteSource(input);
    if (!hasReadSync(source)) return fail("USAGE", format, "openZipSync needs a source with readSync (memory or a local file)");
    return new ZipArchive(source, runSync(zipLayout(source.byteLength, format), source), options);
  });
}

function hasReadSync(source: ByteSource): source is ByteSource & { readSync: NonNullable<ByteSource["readSync"]> } {
  return typeof source.readSync === "function";
}

function checkOptions(options: ZipOpenOptions, format: string): void {
  const m = options.maxEntrySize;
  if (m !== undefined && !(Number.isSafeInteger(m) && m >= 0)) fail("USAGE", format, `maxEntrySize must be a non-negative integer, got ${m}`);
}
