import { deflateSync } from "fflate";
import { utf8Encode } from "../byte-reader.js";
import { fail } from "../errors.js";
import {
  CENTRAL_HEADER_SIZE,
  EOCD_SIZE,
  EXTRA_PYTORCH_PAD,
  EXTRA_ZIP64,
  FLAG_UTF8,
  LOCAL_HEADER_SIZE,
  METHOD_DEFLATE,
  METHOD_STORED,
  SIG_CENTRAL,
  SIG_EOCD,
  SIG_LOCAL,
  SIG_ZIP64_EOCD,
  SIG_ZIP64_LOCATOR,
  U16_SENTINEL,
  U32_SENTINEL,
  VERSION_DEFAULT,
  VERSION_ZIP64,
  ZIP64_EOCD_SIZE,
  ZIP64_LOCATOR_SIZE,
} from "./constants.js";
import { crc32 } from "./crc32.js";
import { isAscii } from "./names.js";
import type { ZipEntry } from "./zip-entry.js";

export type DeflateLevel = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;

export interface ZipWriterOptions {
  /**
   * Receives the archive in order, chunk by chunk; entry data is passed
   * through as the caller's own array (never copied). With a sink,
   * `finish()` returns an empty array.
   */
  sink?: (chunk: Uint8Array) => void;
  /**
   * Write ZIP64 extra fields and end records even when no value needs them
   * (APPNOTE.TXT 4.5.3, 4.3.14). For testing readers without 4 GiB files.
   */
  forceZip64?: boolean;
  /** Deflate level for compressed entries (fflate, 0..9). Default 6. */
  level?: DeflateLevel;
}

export interface ZipAddOptions {
  /**
   * Stored entries only: place the data at a multiple of `align` bytes by
   * padding the local header with an "FB" extra field of 'Z' bytes, as
   * PyTorch's PyTorchStreamWriter does (torch uses 64). 1..32768.
   */
  align?: number;
  /** Deflate the data (method 8) instead of storing it. */
  compress?: boolean;
  /** The data's CRC-32 when the caller already has it (skips a pass over the bytes). */
  crc32?: number;
}

interface Written {
  entry: ZipEntry;
  nameBytes: Uint8Array;
}

// 4.4.6: MS-DOS date 1980-01-01 00:00:00, for reproducible archives.
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;

/**
 * Writes zip archives (PKWARE APPNOTE.TXT 4.3.6 layout): local header +
 * data per entry, then the central directory and end records. Sizes are
 * known up front, so no data descriptors are written. ZIP64 extra fields
 * and end records are added exactly when a size, offset or count needs them.
 */
export class ZipWriter {
  private readonly sink: ((chunk: Uint8Array) => void) | undefined;
  private readonly forceZip64: boolean;
  private readonly level: DeflateLevel;
  private readonly parts: Uint8Array[] = [];
  private readonly written: Written[] = [];
  private readonly names = new Set<string>();
  private pos = 0;
  private done = false;

  constructor(options: ZipWriterOptions = {}) {
    this.sink = options.sink;
    this.forceZip64 = options.forceZip64 ?? false;
    const level = options.level ?? 6;
    if (!(Number.isInteger(level) && level >= 0 && level <= 9)) fail("USAGE", "zip", `deflate level must be 0..9, got ${level}`);
    this.level = level;
  }

  /** Bytes emitted so far (the offset where the next local header goes). */
  get offset(): number {
    return this.pos;
  }

  /** The entries written so far, with their offsets. */
  get entries(): ZipEntry[] {
    return this.written.map((w) => w.entry);
  }

  private emit(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.sink) this.sink(chunk);
    else this.parts.push(chunk);
    this.pos += chunk.length;
  }

  /**
   * Append an entry. Without a sink, `data` is kept by reference until
   * `finish()` copies it into the archive: do not modify it meanwhile.
   */
  add(name: string, data: Uint8Array, options: ZipAddOptions = {}): ZipEntry {
    if (this.done) fail("USAGE", "zip", "add() after finish()");
    if (this.names.has(name)) fail("USAGE", "zip", `duplicate entry name ${JSON.stringify(name)}`);
    const nameBytes = utf8Encode(name);
    if (nameBytes.length > 0xffff) fail("USAGE", "zip", `entry name of ${nameBytes.length} bytes is longer than 65535`);
    const compress = options.compress ?? false;
    const align = options.align ?? 1;
    if (!(Number.isInteger(align) && align >= 1 && align <= 0x8000)) fail("USAGE", "zip", `align must be an integer in 1..32768, got ${align}`);
    const crc = options.crc32 ?? crc32(data);
    if (!(Number.isInteger(crc) && crc >= 0 && crc <= 0xffffffff)) fail("USAGE", "zip", `crc32 must be an unsigned 32-bit integer, got ${crc}`);
    const stored = compress ? deflateSync(data, { level: this.level }) : data;
    const method = compress ? METHOD_DEFLATE : METHOD_STORED;
    const localHeaderOffset = this.pos;
    // 4.5.3: in a local header the ZIP64 field carries both sizes.
    const zip64Sizes = this.forceZip64 || data.length >= U32_SENTINEL || stored.length >= U32_SENTINEL;
    const zip64Len = zip64Sizes ? 20 : 0;
    let padLen = -1;
    if (!compress && align > 1) {
      // As PyTorchStreamWriter: the "FB" field is always present when aligning,
      // its payload the padding that brings the data to the boundary.
      const start = localHeaderOffset + LOCAL_HEADER_SIZE + nameBytes.length + zip64Len + 4;
      padLen = (align - (start % align)) % align;
    }
    const extraLen = zip64Len + (padLen >= 0 ? 4 + padLen : 0);
    const flags = isAscii(name) ? 0 : FLAG_UTF8;
    const h = new Uint8Array(LOCAL_HEADER_SIZE + nameBytes.length + extraLen);
    const v = new DataView(h.buffer);
    v.setUint32(0, SIG_LOCAL, true);
    v.setUint16(4, zip64Sizes ? VERSION_ZIP64 : VERSION_DEFAULT, true);
    v.setUint16(6, flags, true);
    v.setUint16(8, method, true);
    v.setUint16(10, DOS_TIME, true);
    v.setUint16(12, DOS_DATE, true);
    v.setUint32(14, crc, true);
    v.setUint32(18, zip64Sizes ? U32_SENTINEL : stored.length, true);
    v.setUint32(22, zip64Sizes ? U32_SENTINEL : data.length, true);
    v.setUint16(26, nameBytes.length, true);
    v.setUint16(28, extraLen, true);
    h.set(nameBytes, LOCAL_HEADER_SIZE);
    let p = LOCAL_HEADER_SIZE + nameBytes.length;
    if (zip64Sizes) {
      v.setUint16(p, EXTRA_ZIP64, true);
      v.setUint16(p + 2, 16, true);
      v.setBigUint64(p + 4, BigInt(data.length), true);
      v.setBigUint64(p + 12, BigInt(stored.length), true);
      p += 20;
    }
    if (padLen >= 0) {
      v.setUint16(p, EXTRA_PYTORCH_PAD, true);
      v.setUint16(p + 2, padLen, true);
      h.fill(0x5a, p + 4, p + 4 + padLen); // 'Z'
    }
    this.emit(h);
    const dataOffset = this.pos;
    this.emit(stored);
    const entry: ZipEntry = {
      name,
      compressedSize: stored.length,
      size: data.length,
      crc32: crc,
      method,
      localHeaderOffset,
      dataOffset,
      flags,
    };
    this.written.push({ entry, nameBytes });
    this.names.add(name);
    return entry;
  }

  /** Write the central directory and end records. Returns the archive, or an empty array with a sink. */
  finish(): Uint8Array {
    if (this.done) fail("USAGE", "zip", "finish() called twice");
    this.done = true;
    const cdOffset = this.pos;
    for (const w of this.written) this.emit(this.centralHeader(w));
    const cdSize = this.pos - cdOffset;
    const count = this.written.length;
    const zip64End = this.forceZip64 || count >= U16_SENTINEL || cdSize >= U32_SENTINEL || cdOffset >= U32_SENTINEL;
    const tail = new Uint8Array((zip64End ? ZIP64_EOCD_SIZE + ZIP64_LOCATOR_SIZE : 0) + EOCD_SIZE);
    const v = new DataView(tail.buffer);
    let p = 0;
    if (zip64End) {
      // 4.3.14 ZIP64 end of central directory record (version 1, no extensible data).
      const recordAt = this.pos;
      v.setUint32(0, SIG_ZIP64_EOCD, true);
      v.setBigUint64(4, BigInt(ZIP64_EOCD_SIZE - 12), true);
      v.setUint16(12, VERSION_ZIP64, true);
      v.setUint16(14, VERSION_ZIP64, true);
      // disk numbers (16, 20) stay 0
      v.setBigUint64(24, BigInt(count), true);
      v.setBigUint64(32, BigInt(count), true);
      v.setBigUint64(40, BigInt(cdSize), true);
      v.setBigUint64(48, BigInt(cdOffset), true);
      // 4.3.15 locator
      p = ZIP64_EOCD_SIZE;
      v.setUint32(p, SIG_ZIP64_LOCATOR, true);
      v.setBigUint64(p + 8, BigInt(recordAt), true);
      v.setUint32(p + 16, 1, true);
      p += ZIP64_LOCATOR_SIZE;
    }
    // 4.3.16 end of central directory record; values that do not fit (or all,
    // when forced) are the sentinels pointing at the ZIP64 record.
    const big = (x: number, limit: number) => (this.forceZip64 || x >= limit ? limit : x);
    v.setUint32(p, SIG_EOCD, true);
    v.setUint16(p + 8, big(count, U16_SENTINEL), true);
    v.setUint16(p + 10, big(count, U16_SENTINEL), true);
    v.setUint32(p + 12, big(cdSize, U32_SENTINEL), true);
    v.setUint32(p + 16, big(cdOffset, U32_SENTINEL), true);
    this.emit(tail);
    if (this.sink) return new Uint8Array(0);
    const out = new Uint8Array(this.pos);
    let o = 0;
    for (const part of this.parts) {
      out.set(part, o);
      o += part.length;
    }
    this.parts.length = 0;
    return out;
  }

  /** 4.3.12 central directory header, with a ZIP64 field for the values that need it (4.5.3). */
  private centralHeader(w: Written): Uint8Array {
    const e = w.entry;
    const force = this.forceZip64;
    const bigSize = force || e.size >= U32_SENTINEL;
    const bigCompressed = force || e.compressedSize >= U32_SENTINEL;
    const bigOffset = force || e.localHeaderOffset >= U32_SENTINEL;
    const z64Values = (bigSize ? 1 : 0) + (bigCompressed ? 1 : 0) + (bigOffset ? 1 : 0);
    const extraLen = z64Values > 0 ? 4 + 8 * z64Values : 0;
    const h = new Uint8Array(CENTRAL_HEADER_SIZE + w.nameBytes.length + extraLen);
    const v = new DataView(h.buffer);
    const version = z64Values > 0 ? VERSION_ZIP64 : VERSION_DEFAULT;
    v.setUint32(0, SIG_CENTRAL, true);
    v.setUint16(4, version, true); // made by: MS-DOS host, spec version
    v.setUint16(6, version, true);
    v.setUint16(8, e.flags, true);
    v.setUint16(10, e.method, true);
    v.setUint16(12, DOS_TIME, true);
    v.setUint16(14, DOS_DATE, true);
    v.setUint32(16, e.crc32, true);
    v.setUint32(20, bigCompressed ? U32_SENTINEL : e.compressedSize, true);
    v.setUint32(24, bigSize ? U32_SENTINEL : e.size, true);
    v.setUint16(28, w.nameBytes.length, true);
    v.setUint16(30, extraLen, true);
    // comment length, disk start, internal attributes: 0
    // 4.4.15 external attributes: MS-DOS directory bit for names ending in '/'.
    v.setUint32(38, e.name.endsWith("/") ? 0x10 : 0, true);
    v.setUint32(42, bigOffset ? U32_SENTINEL : e.localHeaderOffset, true);
    h.set(w.nameBytes, CENTRAL_HEADER_SIZE);
    if (z64Values > 0) {
      let p = CENTRAL_HEADER_SIZE + w.nameBytes.length;
      v.setUint16(p, EXTRA_ZIP64, true);
      v.setUint16(p + 2, 8 * z64Values, true);
      p += 4;
      for (const [need, value] of [
        [bigSize, e.size],
        [bigCompressed, e.compressedSize],
        [bigOffset, e.localHeaderOffset],
      ] as const) {
        if (!need) continue;
        v.setBigUint64(p, BigInt(value), true);
        p += 8;
      }
    }
    return h;
  }
}
