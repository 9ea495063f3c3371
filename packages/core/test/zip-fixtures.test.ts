import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BlobSource, type ByteSource, MemorySource, isCodecError, openZip, openZipSync } from "@codec/core";
import { FileSource } from "@codec/core/node";
import { repoPath } from "@codec/testing";
import { describe, expect, it } from "vitest";

/** Archives written by Python's zipfile and torch.save (tools/fixtures/core/make_zips.py). */
interface Expected {
  file: string;
  bytes: number;
  comment: string;
  entries: {
    name: string;
    size: number;
    compressedSize: number;
    crc32: number;
    method: number;
    flags: number;
    localHeaderOffset: number;
    dataOffset: number;
    sha256: string | null;
  }[];
}

const dir = repoPath("packages/core/test/fixtures/zips");
const manifest = JSON.parse(readFileSync(join(dir, "zips.json"), "utf8")) as { archives: Expected[] };
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const latin1 = (b: Uint8Array) => String.fromCharCode(...b);

const sources: [string, (path: string) => ByteSource][] = [
  ["memory", (p) => new MemorySource(readFileSync(p))],
  ["file", (p) => new FileSource(p)],
  ["blob", (p) => new BlobSource(new Blob([readFileSync(p)]))],
];

describe("zip: archives made by Python's zipfile and torch.save", () => {
  it("has the fixtures", () => {
    expect(manifest.archives.length).toBeGreaterThanOrEqual(8);
  });

  for (const archive of manifest.archives) {
    for (const [kind, open] of sources) {
      it(`${archive.file} via ${kind} source lists and reads every member as Python does`, async () => {
        const source = open(join(dir, archive.file));
        expect(source.byteLength).toBe(archive.bytes);
        const zip = await openZip(source);
        expect(latin1(zip.comment)).toBe(archive.comment);
        expect(zip.entries.map((e) => e.name)).toEqual(archive.entries.map((e) => e.name));
        for (const want of archive.entries) {
          const e = zip.entry(want.name);
          expect(e).toBeDefined();
          if (e === undefined) continue;
          expect({ ...e }).toEqual({
            name: want.name,
            size: want.size,
            compressedSize: want.compressedSize,
            crc32: want.crc32,
            method: want.method,
            flags: want.flags,
            localHeaderOffset: want.localHeaderOffset,
            dataOffset: want.dataOffset,
          });
          if (want.method !== 0 && want.method !== 8) {
            const err = await zip.read(e).catch((x: unknown) => x);
            expect(isCodecError(err) && err.code).toBe("UNSUPPORTED");
            expect(String(err)).toContain(`method ${want.method}`);
            continue;
          }
          const data = await zip.read(e);
          expect(sha256(data)).toBe(want.sha256);
          if (source.readSync) expect(sha256(zip.readSync(e))).toBe(want.sha256);
        }
        await zip.close();
      });
    }
  }

  it("gives zero-copy views of stored members in memory", async () => {
    const bytes = readFileSync(join(dir, "torch_state_dict.pt"));
    const zip = openZipSync(new MemorySource(bytes));
    const e = zip.entry("torch_state_dict/data/0");
    expect(e?.method).toBe(0);
    if (!e) return;
    const view = await zip.read(e);
    expect(view.buffer).toBe(bytes.buffer);
    expect(view.byteOffset).toBe(bytes.byteOffset + e.dataOffset);
  });

  it("sees PyTorch's 64-byte alignment of tensor records", async () => {
    for (const f of ["torch_state_dict.pt", "torch_checkpoint.pt"]) {
      const zip = await openZip(new MemorySource(readFileSync(join(dir, f))));
      for (const e of zip.entries) expect(e.dataOffset % 64).toBe(0);
    }
  });
});
