import { describe, expect, it } from "vitest";
import { MemorySource } from "../byte-source.js";
import { type CodecError, isCodecError } from "../errors.js";
import { openZip, openZipSync } from "./zip-archive.js";
import { ZipWriter } from "./zip-writer.js";

const enc = (s: string) => new TextEncoder().encode(s);

function pattern(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = (x >>> 16) % 7; // compressible but not constant
  }
  return out;
}

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === "function" ? p() : p);
  } catch (e) {
    if (isCodecError(e)) return e.code;
    throw e;
  }
  return "ok";
}

async function errorOf(p: Promise<unknown>): Promise<CodecError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isCodecError(e)) throw new Error(`expected a CodecError, got ${String(e)}`);
  return e;
}

function sample(options: { forceZip64?: boolean } = {}) {
  const w = new ZipWriter(options);
  const members: [string, Uint8Array, { align?: number; compress?: boolean }][] = [
    ["stored.txt", enc("stored data"), {}],
    ["deflated.bin", pattern(10000), { compress: true }],
    ["aligned/a", pattern(37, 2), { align: 64 }],
    ["aligned/b", pattern(5, 3), { align: 4096 }],
    ["empty", new Uint8Array(0), {}],
    ["empty-deflated", new Uint8Array(0), { compress: true }],
    ["dir/", new Uint8Array(0), {}],
    ["ünï/cödé 名前 🎉.txt", enc("unicode"), { compress: true }],
  ];
  for (const [name, data, opts] of members) w.add(name, data, opts);
  return { bytes: w.finish(), members };
}

describe("ZipWriter + openZip round trip", () => {
  for (const forceZip64 of [false, true]) {
    it(`stored, deflated, aligned, empty and unicode entries${forceZip64 ? " (forced ZIP64)" : ""}`, async () => {
      const { bytes, members } = sample({ forceZip64 });
      const zip = await openZip(new MemorySource(bytes));
      expect(zip.zip64).toBe(forceZip64);
      expect(zip.names()).toEqual(members.map((m) => m[0]));
      for (const [name, data, opts] of members) {
        const e = zip.entry(name);
        if (!e) throw new Error(name);
        expect(e.size).toBe(data.length);
        expect(e.method).toBe(opts.compress ? 8 : 0);
        if (opts.align) expect(e.dataOffset % opts.align).toBe(0);
        expect(await zip.read(e)).toEqual(data);
        expect(zip.readSync(e)).toEqual(data);
      }
      expect(zip.entry("deflated.bin")!.compressedSize).toBeLessThan(10000);
    });
  }

  it("switches to ZIP64 end records by itself when the entry count needs it", async () => {
    const w = new ZipWriter();
    const n = 0x10000 + 3;
    const empty = new Uint8Array(0);
    for (let i = 0; i < n; i++) w.add(`e${i}`, empty, { crc32: 0 });
    const bytes = w.finish();
    const zip = openZipSync(new MemorySource(bytes));
    expect(zip.zip64).toBe(true);
    expect(zip.entries.length).toBe(n);
    expect(zip.entries[n - 1].name).toBe(`e${n - 1}`);
    // The 16-bit count fields hold the sentinel (APPNOTE 4.4.21).
    expect(new DataView(bytes.buffer).getUint16(bytes.length - 12, true)).toBe(0xffff);
    const small = new ZipWriter();
    small.add("a", empty);
    expect(openZipSync(new MemorySource(small.finish())).zip64).toBe(false);
  });

  it("pads aligned entries with PyTorch's 'FB' extra field of 'Z' bytes", () => {
    const w = new ZipWriter();
    w.add("archive/data/0", new Uint8Array(8), { align: 64 });
    const out = w.finish();
    const view = new DataView(out.buffer);
    const nameLen = view.getUint16(26, true);
    const extraLen = view.getUint16(28, true);
    expect(30 + nameLen + extraLen).toBe(64);
    const extraAt = 30 + nameLen;
    expect(view.getUint16(extraAt, true)).toBe(0x4246);
    expect(out[extraAt]).toBe(0x46); // 'F'
    expect(out[extraAt + 1]).toBe(0x42); // 'B'
    expect(view.getUint16(extraAt + 2, true)).toBe(extraLen - 4);
    expect([...out.subarray(extraAt + 4, 64)].every((b) => b === 0x5a)).toBe(true);
  });

  it("streams to a sink without copying entry data", async () => {
    const chunks: Uint8Array[] = [];
    const big = pattern(50000);
    const w = new ZipWriter({ sink: (c) => chunks.push(c) });
    w.add("x", big, { align: 64 });
    w.add("y", enc("tail"));
    expect(w.finish().length).toBe(0);
    expect(chunks.some((c) => c === big)).toBe(true);
    const total = chunks.reduce((n, c) => n + c.length, 0);
    const all = new Uint8Array(total);
    let o = 0;
    for (const c of chunks) {
      all.set(c, o);
      o += c.length;
    }
    const zip = openZipSync(new MemorySource(all));
    expect(zip.readSync(zip.entry("x")!)).toEqual(big);
    expect(w.offset).toBe(total);
  });

  it("writes byte-identical output with and without a sink, and is reproducible", () => {
    const chunks: Uint8Array[] = [];
    const a = new ZipWriter({ sink: (c) => chunks.push(c) });
    const b = new ZipWriter();
    for (const w of [a, b]) {
      w.add("one", pattern(300), { compress: true });
      w.add("two", pattern(77), { align: 64 });
    }
    a.finish();
    const streamed = Buffer.concat(chunks);
    expect(Buffer.from(b.finish()).equals(streamed)).toBe(true);
    expect(sample().bytes).toEqual(sample().bytes);
  });

  it("uses a caller-supplied CRC and then catches a wrong one on read", async () => {
    const w = new ZipWriter();
    w.add("lie", enc("abc"), { crc32: 12345 });
    const zip = await openZip(new MemorySource(w.finish()));
    const err = await errorOf(zip.read(zip.entries[0]));
    expect(err.code).toBe("CORRUPT");
    expect(err.message).toContain('"lie"');
    expect(err.message).toContain("CRC-32");
  });

  it("rejects misuse with USAGE", async () => {
    const w = new ZipWriter();
    w.add("a", enc("1"));
    expect(await codeOf(() => w.add("a", enc("2")))).toBe("USAGE");
    expect(await codeOf(() => w.add("b", enc("2"), { align: 0 }))).toBe("USAGE");
    expect(await codeOf(() => w.add("b", enc("2"), { align: 1.5 }))).toBe("USAGE");
    w.finish();
    expect(await codeOf(() => w.add("c", enc("3")))).toBe("USAGE");
    expect(await codeOf(() => w.finish())).toBe("USAGE");
    const other = openZipSync(new MemorySource(sample().bytes));
    const zip = openZipSync(new MemorySource(sample().bytes));
    expect(await codeOf(zip.read(other.entries[0]))).toBe("USAGE");
  });
});

describe("openZip on bad input", () => {
  it("CRC mismatch in a stored member names the entry", async () => {
    const { bytes } = sample();
    const zip = await openZip(new MemorySource(bytes));
    const e = zip.entry("stored.txt")!;
    const bad = bytes.slice();
    bad[e.dataOffset] ^= 1;
    const zip2 = await openZip(new MemorySource(bad));
    const err = await errorOf(zip2.read(zip2.entry("stored.txt")!));
    expect(err.code).toBe("CORRUPT");
    expect(err.message).toContain("stored.txt");
    expect(err.offset).toBe(e.dataOffset);
    // Opting out of the check returns the (damaged) bytes.
    const unchecked = await openZip(new MemorySource(bad), { verifyCrc: false });
    expect((await unchecked.read(unchecked.entry("stored.txt")!))[0]).toBe(bad[e.dataOffset]);
  });

  it("corrupt deflate data is CORRUPT", async () => {
    const { bytes } = sample();
    const e = openZipSync(new MemorySource(bytes)).entry("deflated.bin")!;
    const bad = bytes.slice();
    for (let i = 0; i < 40; i++) bad[e.dataOffset + 10 + i] = 0xff;
    const zip = await openZip(new MemorySource(bad));
    expect(await codeOf(zip.read(zip.entry("deflated.bin")!))).toBe("CORRUPT");
  });

  it("truncation anywhere is a CodecError, never a crash", async () => {
    const { bytes } = sample();
    const codes = new Set<string>();
    for (let n = 0; n < bytes.length; n += 7) {
      const code = await codeOf(openZip(new MemorySource(bytes.subarray(0, n))));
      codes.add(code);
      expect(code).not.toBe("ok");
    }
    expect(codes.has("BAD_MAGIC")).toBe(true);
  });

  it("a data range past the end of the source is TRUNCATED", async () => {
    const w = new ZipWriter();
    w.add("a", pattern(100));
    const bytes = w.finish();
    const v = new DataView(bytes.buffer);
    const cd = bytes.length - 22 - 46 - 1;
    expect(v.getUint32(cd, true)).toBe(0x02014b50);
    v.setUint32(cd + 20, 1e9, true); // compressed size
    v.setUint32(cd + 24, 1e9, true);
    expect(await codeOf(openZip(new MemorySource(bytes)))).toBe("TRUNCATED");
  });

  it("rejects absurd entry counts without allocating", async () => {
    const bytes = new ZipWriter().finish();
    expect(bytes.length).toBe(22);
    const v = new DataView(bytes.buffer);
    v.setUint16(8, 0xfffe, true);
    v.setUint16(10, 0xfffe, true);
    expect(await codeOf(openZip(new MemorySource(bytes)))).toBe("CORRUPT");
    expect((await openZip(new MemorySource(new ZipWriter().finish()))).entries).toEqual([]);
  });

  it("rejects overlapping members (the overlapping-file zip bomb)", async () => {
    const w = new ZipWriter();
    w.add("a", pattern(100));
    w.add("b", pattern(100));
    const bytes = w.finish();
    const v = new DataView(bytes.buffer);
    // Point b's central header at a's local header.
    const zip = openZipSync(new MemorySource(bytes));
    const cdStart = bytes.length - 22 - 2 * 47;
    const second = cdStart + 47;
    expect(v.getUint32(second, true)).toBe(0x02014b50);
    expect(v.getUint32(second + 42, true)).toBe(zip.entry("b")!.localHeaderOffset);
    v.setUint32(second + 42, 0, true);
    const err = await errorOf(openZip(new MemorySource(bytes)));
    expect(err.code).toBe("CORRUPT");
    expect(err.message).toContain("overlap");
  });

  it("enforces maxEntrySize (LIMIT) and the deflate expansion bound (CORRUPT)", async () => {
    const w = new ZipWriter();
    w.add("z", new Uint8Array(1 << 20), { compress: true });
    const bytes = w.finish();
    const zip = await openZip(new MemorySource(bytes), { maxEntrySize: 1000, format: "torch" });
    const err = await errorOf(zip.read(zip.entry("z")!));
    expect(err.code).toBe("LIMIT");
    expect(err.format).toBe("torch");
    const full = await openZip(new MemorySource(bytes));
    expect(full.readSync(full.entries[0]).length).toBe(1 << 20);
  });

  it("a declared size beyond 1032x the deflated size is CORRUPT before allocating", async () => {
    const w = new ZipWriter();
    w.add("z", enc("tiny"), { compress: true });
    const bytes = w.finish();
    const v = new DataView(bytes.buffer);
    const cd = bytes.length - 22 - 47;
    v.setUint32(cd + 24, 0xfffffff0, true); // uncompressed size: ~4 GiB
    const zip = await openZip(new MemorySource(bytes), { maxEntrySize: 2 ** 40 });
    expect(await codeOf(zip.read(zip.entries[0]))).toBe("CORRUPT");
  });

  it("unsupported methods and encryption are UNSUPPORTED", async () => {
    const w = new ZipWriter();
    w.add("m", enc("data"));
    const bytes = w.finish();
    const v = new DataView(bytes.buffer);
    const cd = bytes.length - 22 - 47;
    v.setUint16(cd + 10, 14, true); // LZMA
    const zip = await openZip(new MemorySource(bytes));
    const err = await errorOf(zip.read(zip.entries[0]));
    expect(err.code).toBe("UNSUPPORTED");
    expect(err.message).toContain("method 14 (LZMA)");
    v.setUint16(cd + 10, 0, true);
    v.setUint16(cd + 8, 1, true); // encrypted
    const enc1 = await openZip(new MemorySource(bytes));
    expect(await codeOf(enc1.read(enc1.entries[0]))).toBe("UNSUPPORTED");
  });

  it("finds the end record behind a comment, and behind a comment holding a fake signature", async () => {
    const { bytes } = sample();
    const comment = new Uint8Array(300);
    comment.set([0x50, 0x4b, 0x05, 0x06], 100); // "PK\5\6" inside the comment
    const withComment = new Uint8Array(bytes.length + comment.length);
    withComment.set(bytes);
    withComment.set(comment, bytes.length);
    new DataView(withComment.buffer).setUint16(bytes.length - 2, comment.length, true);
    const zip = await openZip(new MemorySource(withComment));
    expect(zip.comment.length).toBe(300);
    expect(zip.entries.length).toBe(8);
  });

  it("accepts plain bytes as well as sources", async () => {
    const { bytes } = sample();
    expect((await openZip(bytes)).entries.length).toBe(8);
    expect(openZipSync(bytes.buffer as ArrayBuffer).entries.length).toBe(8);
  });

  it("non-zip input is BAD_MAGIC", async () => {
    expect(await codeOf(openZip(new MemorySource(new Uint8Array(0))))).toBe("BAD_MAGIC");
    expect(await codeOf(openZip(new MemorySource(new Uint8Array(100000))))).toBe("BAD_MAGIC");
    expect(await codeOf(() => openZipSync({ byteLength: 0, read: async () => new Uint8Array(0) }))).toBe("USAGE");
  });

  it("reads through an asynchronous source with batched local-header reads", async () => {
    const w = new ZipWriter();
    for (let i = 0; i < 150; i++) w.add(`t/${i}`, pattern(i + 1, i), { align: 64, compress: i % 3 === 0 });
    const bytes = w.finish();
    let reads = 0;
    const source = {
      byteLength: bytes.length,
      read: async (o: number, n: number) => {
        reads++;
        return bytes.slice(o, o + n);
      },
    };
    const zip = await openZip(source);
    expect(zip.entries.length).toBe(150);
    expect(reads).toBe(2 + 150);
    for (let i = 0; i < 150; i += 13) expect(await zip.read(zip.entry(`t/${i}`)!)).toEqual(pattern(i + 1, i));
    expect(await codeOf(() => zip.readSync(zip.entries[0]))).toBe("USAGE");
  });
});
