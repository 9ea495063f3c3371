import { closeSync, mkdtempSync, openSync, rmSync, truncateSync, writeFileSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { isCodecError } from "../errors.js";
import { openZip } from "../zip/zip-archive.js";
import { ZipWriter } from "../zip/zip-writer.js";
import { FileSource, openFile } from "./file-source.js";

const dir = mkdtempSync(join(tmpdir(), "codec-core-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return isCodecError(e) ? e.code : `non-codec ${String(e)}`;
  }
  return "ok";
}

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
