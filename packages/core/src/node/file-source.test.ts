import { closeSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isCodecError } from "../errors.js";
import { openZip } from "../zip/zip-archive.js";
import { ZipWriter } from "../zip/zip-writer.js";
import { FileSource, openFile } from "./file-source.js";
import { codeOf } from "@codec/testing";

const dir = mkdtempSync(join(tmpdir(), "codec-core-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


describe("FileSource", () => {
  it("reads ranges synchronously and asynchronously, checking bounds", async () => {
    const path = join(dir, "small.bin");
    writeFileSync(path, Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff));
    const src = openFile(path);
    expect(src.byteLength).toBe(1000);
    expect(src.name).toBe(path);
    expect([...src.readSync(250, 4)]).toEqual([250, 251, 252, 253]);
    expect([...(await src.read(998, 2))]).toEqual([230, 231]);
    expect(src.readSync(1000, 0).length).toBe(0);
    expect(codeOf(() => src.readSync(999, 2))).toBe("TRUNCATED");
    expect(codeOf(() => src.readSync(-1, 2))).toBe("CORRUPT");
    expect(codeOf(() => src.readSync(0.5, 2))).toBe("CORRUPT");
    await expect(src.read(2000, 1)).rejects.toMatchObject({ code: "TRUNCATED" });
    await src.close();
    expect(codeOf(() => src.readSync(0, 1))).toBe("USAGE");
    await src.close(); // idempotent
  });

  it("reports a file that shrank after opening as TRUNCATED", async () => {
    const path = join(dir, "shrink.bin");
    writeFileSync(path, new Uint8Array(100));
    const src = new FileSource(path);
    truncateSync(path, 10);
    expect(codeOf(() => src.readSync(0, 100))).toBe("TRUNCATED");
    await src.close();
  });

  it("reads near the end of a sparse file larger than 2 GiB (and 4 GiB)", async () => {
    const path = join(dir, "sparse.bin");
    const size = 5 * 1024 ** 3 + 123; // beyond both the int32 and uint32 ranges
    writeFileSync(path, new Uint8Array(0));
    truncateSync(path, size);
    const marker = new TextEncoder().encode("tail marker");
    const fd = openSync(path, "r+");
    writeSync(fd, marker, 0, marker.length, size - marker.length);
    writeSync(fd, marker, 0, marker.length, 2 ** 31 - 3); // straddles the 2 GiB boundary
    closeSync(fd);
    const src = new FileSource(path);
    expect(src.byteLength).toBe(size);
    expect(new TextDecoder().decode(src.readSync(size - marker.length, marker.length))).toBe("tail marker");
    expect(new TextDecoder().decode(await src.read(2 ** 31 - 3, marker.length))).toBe("tail marker");
    expect([...src.readSync(3 * 1024 ** 3, 4)]).toEqual([0, 0, 0, 0]);
    expect(codeOf(() => src.readSync(size - 1, 2))).toBe("TRUNCATED");
    await src.close();
    rmSync(path);
  });

  it("reads a hand-built ZIP64 archive with a >4 GiB member and offsets past 4 GiB", async () => {
    // Written field by field from APPNOTE.TXT (4.3.7 local header, 4.3.12
    // central header, 4.5.3 ZIP64 extra, 4.3.14-4.3.16 end records) into a
    // sparse file, independently of ZipWriter. (Python's zipfile lists it
    // identically: checked when this test was written.)
    const path = join(dir, "zip64-real.zip");
    const bigSize = 2 ** 32 + 16;
    const enc = new TextEncoder();
    const chunks: [number, Uint8Array][] = [];
    const rec = (at: number, size: number, fill: (v: DataView, b: Uint8Array) => void) => {
      const b = new Uint8Array(size);
      fill(new DataView(b.buffer), b);
      chunks.push([at, b]);
      return at + size;
    };
    const n1 = enc.encode("big.bin");
    const n2 = enc.encode("small.txt");
    const small = enc.encode("hi there");
    const smallCrc = 0xe3a376ec; // crc32("hi there")
    const local = (v: DataView, b: Uint8Array, name: Uint8Array, crc: number, size: number, z64: boolean) => {
      v.setUint32(0, 0x04034b50, true);
      v.setUint16(4, 45, true);
      v.setUint32(14, crc, true);
      v.setUint32(18, z64 ? 0xffffffff : size, true);
      v.setUint32(22, z64 ? 0xffffffff : size, true);
      v.setUint16(26, name.length, true);
      v.setUint16(28, z64 ? 20 : 0, true);
      b.set(name, 30);
      if (z64) {
        v.setUint16(30 + name.length, 1, true);
        v.setUint16(32 + name.length, 16, true);
        v.setBigUint64(34 + name.length, BigInt(size), true);
        v.setBigUint64(42 + name.length, BigInt(size), true);
      }
    };
    let at = rec(0, 30 + n1.length + 20, (v, b) => local(v, b, n1, 0x12345678, bigSize, true));
    const bigData = at;
    at += bigSize; // a hole: never written, reads as zeros
    const smallLho = at;
    at = rec(at, 30 + n2.length, (v, b) => local(v, b, n2, smallCrc, small.length, false));
    const smallData = at;
    at = rec(at, small.length, (_, b) => b.set(small));
    const cdStart = at;
    const central = (v: DataView, b: Uint8Array, name: Uint8Array, crc: number, size: number, lho: number, extra: bigint[]) => {
      v.setUint32(0, 0x02014b50, true);
      v.setUint16(4, 45, true);
      v.setUint16(6, 45, true);
      v.setUint32(16, crc, true);
      const bigSz = size >= 0xffffffff;
      v.setUint32(20, bigSz ? 0xffffffff : size, true);
      v.setUint32(24, bigSz ? 0xffffffff : size, true);
      v.setUint16(28, name.length, true);
      v.setUint16(30, extra.length ? 4 + 8 * extra.length : 0, true);
      v.setUint32(42, Math.min(lho, 0xffffffff), true);
      b.set(name, 46);
      if (extra.length) {
        v.setUint16(46 + name.length, 1, true);
        v.setUint16(48 + name.length, 8 * extra.length, true);
        for (let i = 0; i < extra.length; i++) v.setBigUint64(50 + name.length + 8 * i, extra[i], true);
      }
    };
    at = rec(at, 46 + n1.length + 20, (v, b) => central(v, b, n1, 0x12345678, bigSize, 0, [BigInt(bigSize), BigInt(bigSize)]));
    at = rec(at, 46 + n2.length + 12, (v, b) => central(v, b, n2, smallCrc, small.length, smallLho, [BigInt(smallLho)]));
    const cdSize = at - cdStart;
    const z64At = at;
    at = rec(at, 56, (v) => {
      v.setUint32(0, 0x06064b50, true);
      v.setBigUint64(4, 44n, true);
      v.setUint16(12, 45, true);
      v.setUint16(14, 45, true);
      v.setBigUint64(24, 2n, true);
      v.setBigUint64(32, 2n, true);
      v.setBigUint64(40, BigInt(cdSize), true);
      v.setBigUint64(48, BigInt(cdStart), true);
    });
    at = rec(at, 20, (v) => {
      v.setUint32(0, 0x07064b50, true);
      v.setBigUint64(8, BigInt(z64At), true);
      v.setUint32(16, 1, true);
    });
    at = rec(at, 22, (v) => {
      v.setUint32(0, 0x06054b50, true);
      v.setUint16(8, 2, true);
      v.setUint16(10, 2, true);
      v.setUint32(12, cdSize, true);
      v.setUint32(16, 0xffffffff, true);
    });
    writeFileSync(path, new Uint8Array(0));
    truncateSync(path, at);
    const fd = openSync(path, "r+");
    for (const [o, b] of chunks) writeSync(fd, b, 0, b.length, o);
    closeSync(fd);

    const zip = await openZip(new FileSource(path));
    expect(zip.zip64).toBe(true);
    expect(zip.entries.map((e) => ({ ...e }))).toEqual([
      { name: "big.bin", size: bigSize, compressedSize: bigSize, crc32: 0x12345678, method: 0, localHeaderOffset: 0, dataOffset: bigData, flags: 0 },
      { name: "small.txt", size: 8, compressedSize: 8, crc32: smallCrc, method: 0, localHeaderOffset: smallLho, dataOffset: smallData, flags: 0 },
    ]);
    expect(new TextDecoder().decode(await zip.read(zip.entry("small.txt")!))).toBe("hi there");
    // The 4 GiB member is over the default 4 GiB limit for a copied read.
    const err = await zip.read(zip.entry("big.bin")!).catch((e: unknown) => e);
    expect(isCodecError(err) && err.code).toBe("LIMIT");
    await zip.close();
    rmSync(path);
  });

  it("serves a zip whose central directory sits beyond 4 GiB (ZIP64 offsets)", async () => {
    // A sparse 4 GiB+ hole of zeros, then a real archive: the archive's
    // offsets are relative to its start, so the reader must treat the hole
    // as prepended bytes; ZIP64 records are forced to exercise them too.
    const path = join(dir, "far.zip");
    const w = new ZipWriter({ forceZip64: true });
    w.add("x.bin", new Uint8Array([1, 2, 3]), { align: 64 });
    const archive = w.finish();
    const hole = 4 * 1024 ** 3 + 64;
    writeFileSync(path, new Uint8Array(0));
    truncateSync(path, hole);
    const fd = openSync(path, "r+");
    writeSync(fd, archive, 0, archive.length, hole);
    closeSync(fd);
    const src = new FileSource(path);
    const zip = await openZip(src);
    const e = zip.entry("x.bin")!;
    expect(e.localHeaderOffset).toBe(hole);
    expect(e.dataOffset % 64).toBe(0);
    expect([...zip.readSync(e)]).toEqual([1, 2, 3]);
    await zip.close();
    rmSync(path);
  });
});
