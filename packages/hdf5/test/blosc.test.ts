import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { corpusPath, fuzzDecoder, hasCorpus, repoPath } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { type Hdf5Dataset, openHdf5FileSync } from "../src/index.js";
import { decodeBlosc2Frame } from "../src/read/filters/blosc/blosc2-frame.js";
import { blosc2Decode } from "../src/read/filters/blosc2.js";
import type { FilterContext } from "../src/read/filters/registry.js";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const fixtures = repoPath("packages", "hdf5", "test", "fixtures", "blosc");

/**
 * Datasets h5py wrote through the Debian hdf5-blosc plugin (filter 32001),
 * every compressor x shuffle mode x type size
 * (tools/fixtures/hdf5/make_blosc_fixtures.py); sha256 of the values h5py
 * reads back.
 */
describe("Blosc filter (32001) on hdf5-blosc files", () => {
  const expected = JSON.parse(readFileSync(`${fixtures}/blosc_filter.json`, "utf8")) as Record<string, { dtype: string; shape: number[]; sha256: string }>;
  const file = openHdf5FileSync(new Uint8Array(readFileSync(`${fixtures}/blosc_filter.h5`)));
  for (const [name, e] of Object.entries(expected)) {
    it(name, () => {
      const ds = file.get(name) as Hdf5Dataset;
      expect(ds.filters.map((f) => f.id)).toContain(32001);
      const t = ds.read();
      expect(t.dtype).toBe(e.dtype);
      expect(t.shape).toEqual(e.shape);
      expect(sha(t.bytes())).toBe(e.sha256);
    });
  }
});

/**
 * HDFGroup's example programs HDF5Examples/C/H5FLT/h5ex_d_blosc.c and
 * h5ex_d_blosc2.c (HDFGroup/hdf5) write a 32x64 H5T_STD_I32LE dataset "DS1"
 * in 4x8 chunks with wdata[i][j] = i * j - j; their expected output
 * (tfiles/h5ex_d_blosc2.tst) reports "Maximum value in DS1 is 1890".
 */
function exampleValues(): Int32Array {
  const v = new Int32Array(32 * 64);
  for (let i = 0; i < 32; i++) for (let j = 0; j < 64; j++) v[i * 64 + j] = i * j - j;
  return v;
}

describe.runIf(hasCorpus("hdf5"))("HDFGroup Blosc examples", () => {
  for (const [file, id] of [
    ["h5ex_d_blosc.h5", 32001],
    ["h5ex_d_blosc2.h5", 32026],
  ] as const) {
    it(`${file} holds the example's i*j - j pattern`, () => {
      const f = openHdf5FileSync(new Uint8Array(readFileSync(corpusPath("hdf5", "hdf5", file))));
      const ds = f.get("DS1") as Hdf5Dataset;
      expect(ds.filters.map((x) => x.id)).toEqual([id]);
      const t = ds.read();
      expect(t.dtype).toBe("int32");
      expect(t.shape).toEqual([32, 64]);
      const got = new Int32Array(t.bytes().slice().buffer);
      expect(got).toEqual(exampleValues());
      expect(Math.max(...got)).toBe(1890);
    });
  }
});

describe.runIf(hasCorpus("hdf5"))("Blosc2 frames", () => {
  const raw = () => {
    const bytes = new Uint8Array(readFileSync(corpusPath("hdf5", "hdf5", "h5ex_d_blosc2.h5")));
    const f = openHdf5FileSync(bytes);
    const ds = f.get("DS1") as Hdf5Dataset;
    // The first chunk's frame: find it by its magic in the file.
    const at = Buffer.from(bytes).indexOf(Buffer.from("9ea862326672616d6500", "hex"));
    const size = new DataView(bytes.buffer, bytes.byteOffset + at + 16, 8).getUint32(4, false);
    return { frame: bytes.slice(at, at + size), ds };
  };
  const ctx: FilterContext = { clientData: [1, 0, 4, 128, 4, 1, 2, 2, 4, 8], elementSize: 4, chunkBytes: 128, dataset: "/DS1" };

  it("reads the header, metalayers and chunk index", () => {
    const { frame } = raw();
    const fr = decodeBlosc2Frame(frame, 1024, "hdf5");
    expect(fr.typesize).toBe(4);
    expect(fr.data.length).toBe(128);
    expect([...fr.metalayers.keys()]).toEqual(["b2nd"]);
    expect(blosc2Decode(frame, ctx)).toEqual(fr.data);
  });

  it("bounds a frame by the chunk size and rejects lies", () => {
    const { frame } = raw();
    expect(() => decodeBlosc2Frame(frame, 64, "hdf5")).toThrow(expect.objectContaining({ code: "LIMIT" }));
    const bad = frame.slice();
    bad[2] = 0x63; // magic
    expect(() => decodeBlosc2Frame(bad, 1024, "hdf5")).toThrow(expect.objectContaining({ code: "BAD_MAGIC" }));
    expect(() => decodeBlosc2Frame(frame.subarray(0, 100), 1024, "hdf5")).toThrow(expect.objectContaining({ code: "TRUNCATED" }));
  });

  it("decodes special chunk offsets (bit 63 set) as zeros or NaNs", () => {
    const { frame } = raw();
    const v = new DataView(frame.buffer, frame.byteOffset);
    // Header size and compressed size are msgpack big-endian fields; the index chunk
    // follows the chunks and is memcpy'd (32-byte header, then the int64 offset).
    const hlen = v.getInt32(11, false);
    const cbytes = v.getUint32(43, false);
    const top = hlen + cbytes + 32 + 7;
    expect(frame[top]).toBe(0);
    const zeros = frame.slice();
    zeros[top] = 0x81;
    expect(decodeBlosc2Frame(zeros, 1024, "hdf5").data).toEqual(new Uint8Array(128));
    const nans = frame.slice();
    nans[top] = 0x82;
    const f = new Float32Array(decodeBlosc2Frame(nans, 1024, "hdf5").data.slice().buffer);
    expect(f.every((x) => Number.isNaN(x))).toBe(true);
    const unknown = frame.slice();
    unknown[top] = 0x88;
    expect(() => decodeBlosc2Frame(unknown, 1024, "hdf5")).toThrow(expect.objectContaining({ code: "CORRUPT" }));
  });

  it("fuzz: mutated frames give values or CodecErrors", async () => {
    const { frame } = raw();
    const report = await fuzzDecoder([frame], (b) => blosc2Decode(b, ctx), { iterations: 400 });
    expect(report.cases).toBe(400);
  });
});
