import { ByteReader } from "../byte-reader.js";
import { fail } from "../errors.js";
import {
  CENTRAL_HEADER_SIZE,
  EOCD_SIZE,
  EXTRA_ZIP64,
  FLAG_UTF8,
  LOCAL_HEADER_SIZE,
  MAX_COMMENT,
  SIG_CENTRAL,
  SIG_EOCD,
  SIG_LOCAL,
  SIG_ZIP64_EOCD,
  SIG_ZIP64_LOCATOR,
  U16_SENTINEL,
  U32_SENTINEL,
  ZIP64_EOCD_SIZE,
  ZIP64_LOCATOR_SIZE,
} from "./constants.js";
import { decodeEntryName } from "./names.js";
import type { ZipEntry } from "./zip-entry.js";

/**
 * Locating and parsing the central directory (PKWARE APPNOTE.TXT 4.3.6
 * overall layout, 4.3.12 central headers, 4.3.14-4.3.16 end records,
 * 4.5.3 ZIP64 extra field), then the local headers (4.3.7) for the data
 * offsets.
 *
 * Written as a generator that yields the byte ranges it needs and receives
 * their bytes, so one parser serves both synchronous sources (memory, local
 * files) and asynchronous ones (Blob, HTTP) without duplicating logic.
 */

export interface ByteRange {
  readonly offset: number;
  readonly length: number;
}

export type ZipLayoutSteps = Generator<ByteRange[], ZipLayout, Uint8Array[]>;

export interface ZipLayout {
  readonly entries: ZipEntry[];
  /** The archive comment bytes (4.3.16), uninterpreted. */
  readonly comment: Uint8Array;
  /** Bytes before the archive (self-extractor stubs, concatenated files); 0 normally. */
  readonly prefixBytes: number;
  readonly zip64: boolean;
}

/** Local headers are fetched this many at a time (concurrent range reads for remote sources). */
const LOCAL_HEADER_BATCH = 64;

interface EndRecord {
  /** Absolute offset of the record that follows the central directory (EOCD or ZIP64 EOCD). */
  readonly recordStart: number;
  readonly count: number;
  readonly cdSize: number;
  readonly cdOffset: number;
  readonly zip64: boolean;
  readonly comment: Uint8Array;
}

function* findEnd(byteLength: number, format: string): Generator<ByteRange[], EndRecord, Uint8Array[]> {
  if (byteLength < EOCD_SIZE) fail("BAD_MAGIC", format, `not a zip archive: ${byteLength} bytes is shorter than an end of central directory record`);
  // 4.3.16: the EOCD is the last record, followed only by a comment of at
  // most 65535 bytes; read enough to also cover a ZIP64 locator before it.
  const tailLength = Math.min(byteLength, EOCD_SIZE + MAX_COMMENT + ZIP64_LOCATOR_SIZE);
  const tailStart = byteLength - tailLength;
  const [tail] = yield [{ offset: tailStart, length: tailLength }];
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  // Search backwards. A record whose comment length reaches exactly the end
  // of the file wins; otherwise (trailing garbage) the last signature whose
  // comment fits. This skips signature bytes that happen to sit in a comment.
  let found = -1;
  let loose = -1;
  for (let p = tail.length - EOCD_SIZE; p >= 0; p--) {
    if (tail[p] !== 0x50 || view.getUint32(p, true) !== SIG_EOCD) continue;
    const commentLength = view.getUint16(p + 20, true);
    if (p + EOCD_SIZE + commentLength === tail.length) {
      found = p;
      break;
    }
    if (loose < 0 && p + EOCD_SIZE + commentLength <= tail.length) loose = p;
  }
  if (found < 0) found = loose;
  if (found < 0) fail("BAD_MAGIC", format, "not a zip archive: no end of central directory record");
  const eocdAt = tailStart + found;
  const r = new ByteReader(tail, format, tailStart).seek(found + 4);
  const disk = r.u16();
  const cdDisk = r.u16();
  const countOnDisk = r.u16();
  let count = r.u16();
  let cdSize = r.u32();
  let cdOffset = r.u32();
  const commentLength = r.u16();
  const comment = tail.subarray(found + EOCD_SIZE, found + EOCD_SIZE + commentLength);

  // 4.3.15: a ZIP64 locator immediately precedes the EOCD when ZIP64 is in use.
  const loc = found - ZIP64_LOCATOR_SIZE;
  if (loc >= 0 && view.getUint32(loc, true) === SIG_ZIP64_LOCATOR) {
    const lr = new ByteReader(tail, format, tailStart).seek(loc + 4);
    const z64Disk = lr.u32();
    const z64At = lr.u64();
    const totalDisks = lr.u32();
    if (z64Disk !== 0 || totalDisks > 1) fail("UNSUPPORTED", format, "multi-disk (spanned) zip archives are not supported", { offset: tailStart + loc });
    // The record normally sits right before the locator; a prefix before the
    // archive shifts it, and then the locator's offset is stale (Python's
    // zipfile reads it at the fixed position for the same reason).
    const fixedAt = eocdAt - ZIP64_LOCATOR_SIZE - ZIP64_EOCD_SIZE;
    const candidates = [z64At, fixedAt].filter((at, i, all) => at >= 0 && at + ZIP64_EOCD_SIZE <= eocdAt - ZIP64_LOCATOR_SIZE && all.indexOf(at) === i);
    let record: { at: number; bytes: Uint8Array } | undefined;
    for (const at of candidates) {
      const [bytes] = yield [{ offset: at, length: ZIP64_EOCD_SIZE }];
      if (new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true) === SIG_ZIP64_EOCD) {
        record = { at, bytes };
        break;
      }
    }
    if (record === undefined) fail("CORRUPT", format, "ZIP64 end of central directory record not found where its locator points", { offset: z64At });
    const zr = new ByteReader(record.bytes, format, record.at).seek(4);
    const recordSize = zr.u64();
    zr.skip(4); // version made by, version needed
    const d = zr.u32();
    const cd = zr.u32();
    const onDisk = zr.u64();
    const total = zr.u64();
    cdSize = zr.u64();
    cdOffset = zr.u64();
    if (d !== 0 || cd !== 0 || onDisk !== total) fail("UNSUPPORTED", format, "multi-disk (spanned) zip archives are not supported", { offset: record.at });
    if (recordSize < ZIP64_EOCD_SIZE - 12 || record.at + 12 + recordSize > eocdAt - ZIP64_LOCATOR_SIZE) {
      fail("CORRUPT", format, `ZIP64 end record size ${recordSize} does not fit before its locator`, { offset: record.at + 4 });
    }
    count = total;
    return { recordStart: record.at, count, cdSize, cdOffset, zip64: true, comment };
  }
  if (disk !== 0 || cdDisk !== 0 || countOnDisk !== count) {
    fail("UNSUPPORTED", format, "multi-disk (spanned) zip archives are not supported", { offset: eocdAt + 4 });
  }
  return { recordStart: eocdAt, count, cdSize, cdOffset, zip64: false, comment };
}

interface CentralRecord {
  name: string;
  flags: number;
  method: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localHeaderOffset: number;
}

/** 4.5.3: the ZIP64 extra field holds, in this order, only the values whose 32/16-bit fields are all ones. */
function applyZip64Extra(rec: CentralRecord, extra: Uint8Array, extraAt: number, diskStart: number, format: string): void {
  const needSize = rec.size === U32_SENTINEL;
  const needCompressed = rec.compressedSize === U32_SENTINEL;
  const needOffset = rec.localHeaderOffset === U32_SENTINEL;
  const needDisk = diskStart === U16_SENTINEL;
  if (!needSize && !needCompressed && !needOffset && !needDisk) return;
  const r = new ByteReader(extra, format, extraAt);
  while (r.remaining >= 4) {
    const id = r.u16();
    const len = r.u16();
    if (len > r.remaining) fail("CORRUPT", format, `extra field 0x${id.toString(16)} of ${len} bytes overruns its header`, { offset: r.offset - 4 });
    if (id !== EXTRA_ZIP64) {
      r.skip(len);
      continue;
    }
    const f = new ByteReader(r.bytesView(len), format, r.offset - len);
    if (needSize) rec.size = f.u64();
    if (needCompressed) rec.compressedSize = f.u64();
    if (needOffset) rec.localHeaderOffset = f.u64();
    if (needDisk && f.u32() !== 0) fail("UNSUPPORTED", format, "multi-disk (spanned) zip archives are not supported", { offset: f.offset - 4 });
    return;
  }
  fail("CORRUPT", format, `entry ${JSON.stringify(rec.name)} uses ZIP64 values but has no ZIP64 extra field`, { offset: extraAt });
}

function parseCentral(cd: Uint8Array, cdAt: number, format: string): CentralRecord[] {
  const r = new ByteReader(cd, format, cdAt);
  const out: CentralRecord[] = [];
  // Walk by size, as Python's zipfile does: every header is at least 46 real
  // bytes, so a lying entry count cannot make us allocate anything.
  while (r.remaining > 0) {
    const at = r.offset;
    if (r.remaining < CENTRAL_HEADER_SIZE || r.u32() !== SIG_CENTRAL) fail("CORRUPT", format, "bad central directory file header", { offset: at });
    r.skip(4); // version made by, version needed
    const flags = r.u16();
    const method = r.u16();
    r.skip(4); // last modification time and date
    const crc = r.u32();
    const compressedSize = r.u32();
    const size = r.u32();
    const nameLength = r.u16();
    const extraLength = r.u16();
    const commentLength = r.u16();
    const diskStart = r.u16();
    r.skip(6); // internal and external attributes
    const localHeaderOffset = r.u32();
    const nameAt = r.offset;
    const nameBytes = r.bytesView(nameLength);
    const extraAt = r.offset;
    const extra = r.bytesView(extraLength);
    r.skip(commentLength);
    const name = decodeEntryName(nameBytes, (flags & FLAG_UTF8) !== 0, format, nameAt);
    const rec: CentralRecord = { name, flags, method, crc32: crc, compressedSize, size, localHeaderOffset };
    applyZip64Extra(rec, extra, extraAt, diskStart, format);
    if (diskStart !== 0 && diskStart !== U16_SENTINEL) fail("UNSUPPORTED", format, "multi-disk (spanned) zip archives are not supported", { offset: at });
    out.push(rec);
  }
  return out;
}

export function* zipLayout(byteLength: number, format: string): ZipLayoutSteps {
  const end = yield* findEnd(byteLength, format);
  // Bytes before the archive (Python's zipfile calls this "concat"): the
  // central directory must end where the end record begins.
  const prefix = end.recordStart - end.cdSize - end.cdOffset;
  if (prefix < 0) {
    fail("CORRUPT", format, `central directory (${end.cdSize} bytes at ${end.cdOffset}) overlaps the end record at ${end.recordStart}`, { offset: end.recordStart });
  }
  const cdStart = end.cdOffset + prefix;
  // Every central header is at least 46 bytes: reject absurd counts up front.
  if (end.count > end.cdSize / CENTRAL_HEADER_SIZE) {
    fail("CORRUPT", format, `${end.count} entries cannot fit in a ${end.cdSize}-byte central directory`, { offset: cdStart });
  }
  const [cd] = end.cdSize > 0 ? yield [{ offset: cdStart, length: end.cdSize }] : [new Uint8Array(0)];
  const records = parseCentral(cd, cdStart, format);
  // Writers that predate ZIP64 stored the count modulo 65536; accept that.
  if (records.length !== end.count && (end.zip64 || records.length % 0x10000 !== end.count)) {
    fail("CORRUPT", format, `end record declares ${end.count} entries, central directory holds ${records.length}`, { offset: cdStart });
  }
  for (const rec of records) {
    const lho = rec.localHeaderOffset + prefix;
    if (lho + LOCAL_HEADER_SIZE > cdStart) {
      fail("CORRUPT", format, `entry ${JSON.stringify(rec.name)}: local header offset ${rec.localHeaderOffset} is not before the central directory`, { offset: cdStart });
    }
  }
  // Local headers (4.3.7) give the data offset; their size fields may be zero
  // when a data descriptor follows (4.4.4 bit 3), so sizes come from the
  // central directory. Fetch them in batches.
  const entries: ZipEntry[] = [];
  for (let i = 0; i < records.length; i += LOCAL_HEADER_BATCH) {
    const batch = records.slice(i, i + LOCAL_HEADER_BATCH);
    const heads = yield batch.map((rec) => ({ offset: rec.localHeaderOffset + prefix, length: LOCAL_HEADER_SIZE }));
    for (let k = 0; k < batch.length; k++) {
      const rec = batch[k];
      const lho = rec.localHeaderOffset + prefix;
      const h = new ByteReader(heads[k], format, lho);
      if (h.u32() !== SIG_LOCAL) fail("CORRUPT", format, `entry ${JSON.stringify(rec.name)}: bad local file header signature`, { offset: lho });
      h.seek(26);
      const dataOffset = lho + LOCAL_HEADER_SIZE + h.u16() + h.u16();
      if (dataOffset + rec.compressedSize > cdStart) {
        const code = dataOffset + rec.compressedSize > byteLength ? "TRUNCATED" : "CORRUPT";
        fail(code, format, `entry ${JSON.stringify(rec.name)}: ${rec.compressedSize} data bytes at ${dataOffset} run into the central directory`, { offset: lho });
      }
      entries.push({
        name: rec.name,
        compressedSize: rec.compressedSize,
        size: rec.size,
        crc32: rec.crc32,
        method: rec.method,
        localHeaderOffset: lho,
        dataOffset,
        flags: rec.flags,
      });
    }
  }
  rejectOverlaps(entries, format);
  return { entries, comment: end.comment, prefixBytes: prefix, zip64: end.zip64 };
}

/**
 * Members must not share bytes: overlapping members are the classic
 * "overlapping file" zip bomb (one compressed kernel referenced many times).
 */
function rejectOverlaps(entries: readonly ZipEntry[], format: string): void {
  const order = entries.map((_, i) => i).sort((a, b) => entries[a].localHeaderOffset - entries[b].localHeaderOffset);
  for (let k = 1; k < order.length; k++) {
    const prev = entries[order[k - 1]];
    const next = entries[order[k]];
    if (prev.dataOffset + prev.compressedSize > next.localHeaderOffset) {
      fail("CORRUPT", format, `entries ${JSON.stringify(prev.name)} and ${JSON.stringify(next.name)} overlap`, { offset: next.localHeaderOffset });
    }
  }
}
