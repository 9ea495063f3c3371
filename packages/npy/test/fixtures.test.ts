import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MemorySource, ZipWriter, isCodecError, openZip, sniffFormat } from "@codec/core";
import { FileSource } from "@codec/core/node";
import { decodeNpy, encodeNpy, encodeNpz, openNpy, openNpz, readNpyHeader } from "@codec/npy";
import { describe, expect, it } from "vitest";

const dir = join(import.meta.dirname, "fixtures");
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

interface NpyCase {
  file: string;
  dtype: string;
  shape: number[];
  sha256: string;
  save_sha256: string;
  fortran_order: boolean;
  byte_order: string;
  version: string;
}
interface NpzCase {
  file: string;
  compressed: boolean;
  tensors: Array<{ name: string; dtype: string; shape: number[]; sha256: string }>;
}
const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as {
  npy: NpyCase[];
  npz: NpzCase[];
  errors: Array<{ file: string; code: string }>;
};

describe("golden .npy files written by numpy", () => {
  it.each(expected.npy.map((c) => [c.file, c] as const))("%s decodes to the expected tensor", (_f, c) => {
    const bytes = new Uint8Array(readFileSync(join(dir, c.file)));
    const t = decodeNpy(bytes);
    expect(t.dtype).toBe(c.dtype);
    expect(t.shape).toEqual(c.shape);
    expect(sha(t.bytes())).toBe(c.sha256);
    // Copies happen exactly for byte swaps and Fortran transposes of 2+ long axes.
    const transposed = c.fortran_order && c.shape.filter((d) => d > 1).length > 1;
    expect(t.copied).toBe(transposed || (c.byte_order === "big" && !["bool", "int8", "uint8"].includes(c.dtype)));
    if (!t.copied) expect(t.bytes().buffer).toBe(bytes.buffer);
  });

  it.each(expected.npy.map((c) => [c.file, c] as const))("%s re-encodes exactly as numpy.save would", (_f, c) => {
    const t = decodeNpy(new Uint8Array(readFileSync(join(dir, c.file))));
    expect(sha(encodeNpy(t))).toBe(c.save_sha256);
  });

  it("C-order little-endian version 1.0 files are byte-identical after a round trip", () => {
    let n = 0;
    for (const c of expected.npy) {
      if (c.fortran_order || c.byte_order === "big" || c.version !== "1.0") continue;
      const bytes = new Uint8Array(readFileSync(join(dir, c.file)));
      expect(encodeNpy(decodeNpy(bytes))).toEqual(bytes);
      n++;
    }
    expect(n).toBeGreaterThan(15);
  });

  it("writes versions 2.0 and 3.0 identically to numpy's write_array(version=...)", () => {
    for (const [file, version] of [
      ["v2_float32.npy", "2.0"],
      ["v3_int64.npy", "3.0"],
    ] as const) {
      const bytes = new Uint8Array(readFileSync(join(dir, file)));
      expect(encodeNpy(decodeNpy(bytes), { version })).toEqual(bytes);
    }
  });

  it("reads lazily through a FileSource: header first, data on get", async () => {
    const c = expected.npy.find((x) => x.file === "fortran_be_float64.npy") as NpyCase;
    const source = new FileSource(join(dir, c.file));
    const map = await openNpy(source);
    expect(map.format).toBe("npy");
    expect(map.names()).toEqual(["array"]);
    expect(map.info("array")).toEqual({ name: "array", dtype: "float64", shape: [4, 5] });
    expect(map.metadata).toEqual({ npy: { version: "1.0", descr: ">f8", fortran_order: true } });
    const t = await map.get("array");
    expect(sha(t.bytes())).toBe(c.sha256);
    expect(() => map.info("other")).toThrow(/no tensor named/);
    await map.close?.();
  });

  it("readNpyHeader reports version, order and data offset", async () => {
    const h = await readNpyHeader(new MemorySource(new Uint8Array(readFileSync(join(dir, "v2_fortran_be_int32.npy")))));
    expect(h).toMatchObject({ version: "2.0", dtype: "int32", byteOrder: "big", fortranOrder: true, shape: [3, 3], dataOffset: 128, dataLength: 36 });
  });

  it.each(expected.errors.map((c) => [c.file, c.code] as const))("%s is refused with %s", async (file, code) => {
    const bytes = new Uint8Array(readFileSync(join(dir, file)));
    let err: unknown;
    try {
      decodeNpy(bytes);
    } catch (e) {
      err = e;
    }
    expect(isCodecError(err)).toBe(true);
    expect((err as { code: string }).code).toBe(code);
    await expect(openNpy(bytes)).rejects.toMatchObject({ code });
  });

  it("sniffs .npy by magic and .npz as plausible from the head", () => {
    const npy = new Uint8Array(readFileSync(join(dir, "le_float32.npy")));
    expect(sniffFormat(npy.subarray(0, 4096), npy.length)).toBe("npy");
    const npz = new Uint8Array(readFileSync(join(dir, "stored.npz")));
    expect(sniffFormat(npz.subarray(0, 4096), npz.length, "x.npz")).toBe("npz");
  });
});

describe("golden .npz files written by numpy", () => {
  it.each(expected.npz.map((c) => [c.file, c] as const))("%s lists and decodes every array", async (_f, c) => {
    const map = await openNpz(new FileSource(join(dir, c.file)));
    expect(map.format).toBe("npz");
    expect(map.names().sort()).toEqual(c.tensors.map((t) => t.name).sort());
    expect((map.metadata.npz as { compressed: boolean }).compressed).toBe(c.compressed && c.tensors.length > 0);
    for (const e of c.tensors) {
      expect(map.info(e.name)).toEqual({ name: e.name, dtype: e.dtype, shape: e.shape });
      const t = await map.get(e.name);
      expect(sha(t.bytes())).toBe(e.sha256);
    }
    await map.close?.();
  });

  it("stored members decode as views into an in-memory archive", async () => {
    const bytes = new Uint8Array(readFileSync(join(dir, "stored.npz")));
    const t = await (await openNpz(bytes)).get("weight");
    expect(t.copied).toBe(false);
    expect(t.bytes().buffer).toBe(bytes.buffer);
  });

  it.each([false, true])("encodeNpz round-trips every tensor (compress=%s)", async (compress) => {
    const src = await openNpz(new Uint8Array(readFileSync(join(dir, "stored.npz"))));
    const tensors: Array<[string, Awaited<ReturnType<typeof src.get>>]> = [];
    for (const name of src.names()) tensors.push([name, await src.get(name)]);
    const out = encodeNpz(tensors, { compress });
    const back = await openNpz(out);
    expect(back.names()).toEqual(src.names());
    for (const [name, t] of tensors) {
      const u = await back.get(name);
      expect(u.dtype).toBe(t.dtype);
      expect(u.shape).toEqual(t.shape);
      expect(u.bytes()).toEqual(t.bytes());
      if (!compress) expect(u.bytes().byteOffset % 64).toBe(0);
    }
  });

  it("deflated members: only the header is inflated on open, the data (CRC-checked) on get", async () => {
    const data = new Uint8Array(4 * 256 * 1024);
    let x = 1;
    for (let i = 0; i < data.length; i++) data[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    const archive = encodeNpz({ big: { dtype: "float32", shape: [256, 1024], data } }, { compress: true });
    const zip = await openZip(new MemorySource(archive));
    const entry = zip.entries[0];
    // Damage the end of the compressed stream: the header still inflates.
    archive[entry.dataOffset + entry.compressedSize - 100] ^= 0xff;
    const map = await openNpz(archive);
    expect(map.info("big")).toEqual({ name: "big", dtype: "float32", shape: [256, 1024] });
    await expect(map.get("big")).rejects.toMatchObject({ code: "CORRUPT", format: "npz" });
  });

  it("object-dtype members fail the open (UNSAFE) unless skipped and listed", async () => {
    const zip = new ZipWriter();
    zip.add("w.npy", new Uint8Array(readFileSync(join(dir, "le_float32.npy"))));
    zip.add("objs.npy", new Uint8Array(readFileSync(join(dir, "err_object.npy"))), { compress: true });
    const archive = zip.finish();
    await expect(openNpz(archive)).rejects.toMatchObject({ code: "UNSAFE" });
    const map = await openNpz(archive, { skipObjectArrays: true });
    expect(map.names()).toEqual(["w"]);
    expect(map.metadata).toEqual({ npz: { compressed: false, entries: 1, object_arrays: ["objs"] } });
  });

  it("string, record and datetime members are left out and named with the reason, not failing the open", async () => {
    const zip = new ZipWriter();
    zip.add("w.npy", new Uint8Array(readFileSync(join(dir, "le_float32.npy"))));
    zip.add("labels.npy", new Uint8Array(readFileSync(join(dir, "err_unicode.npy"))), { compress: true });
    zip.add("rec.npy", new Uint8Array(readFileSync(join(dir, "err_structured.npy"))));
    zip.add("when.npy", new Uint8Array(readFileSync(join(dir, "err_datetime.npy"))));
    const map = await openNpz(zip.finish());
    expect(map.names()).toEqual(["w"]);
    const npz = map.metadata.npz as { unsupported_arrays: { [k: string]: string } };
    expect(Object.keys(npz.unsupported_arrays)).toEqual(["labels", "rec", "when"]);
    expect(npz.unsupported_arrays.when).toMatch(/datetime/);
    expect(npz.unsupported_arrays.labels).toMatch(/unicode/);
    expect(npz.unsupported_arrays.rec).toMatch(/structured/);
    expect((await map.get("w")).shape).toEqual(map.info("w").shape);
  });

  it("a .npy given to openNpz is BAD_MAGIC, a zip is not an npy", async () => {
    const npy = new Uint8Array(readFileSync(join(dir, "le_float32.npy")));
    await expect(openNpz(npy)).rejects.toMatchObject({ code: "BAD_MAGIC" });
    const npz = new Uint8Array(readFileSync(join(dir, "stored.npz")));
    expect(() => decodeNpy(npz)).toThrow(expect.objectContaining({ code: "BAD_MAGIC" }));
  });
});
