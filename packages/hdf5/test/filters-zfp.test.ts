/**
 * The pure-TypeScript zfp decoder (H5Z-ZFP filter 32013) against the
 * reference: raw zfpy streams (every type, 1D..4D, every mode) must decode
 * to exactly the bytes zfpy.decompress_numpy gave, and HDF5 files written
 * through the real H5Z-ZFP plugin to exactly what h5py + plugin read.
 * Fixtures: tools/fixtures/hdf5/make_zfp_fixtures.py.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { isCodecError } from "@codec/core";
import { corpusPath, fuzzDecoder, hasCorpus } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { Hdf5Dataset, openHdf5FileSync } from "../src/index.js";
import type { FilterContext } from "../src/read/filters/registry.js";
import { zfpDecode } from "../src/read/filters/zfp.js";
import { ZfpBitReader } from "../src/read/filters/zfp/zfp-bitstream.js";
import { decodeZfpStream } from "../src/read/filters/zfp/zfp-decode.js";
import { readZfpHeader } from "../src/read/filters/zfp/zfp-header.js";

interface Entry {
  dtype: string;
  shape: number[];
  sha256: string;
  chunks?: number[];
  cd_values?: number[];
}
interface Expected {
  streams: Record<string, Entry>;
  h5: Record<string, Entry>;
  corpus: Record<string, Entry & { dataset: string }>;
}

const dir = new URL("./fixtures/zfp/", import.meta.url);
const expected = JSON.parse(readFileSync(new URL("expected.json", dir), "utf8")) as Expected;
const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");
const stream = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`streams/${name}.zfp`, dir)));

function readDataset(bytes: Uint8Array, path: string): Uint8Array {
  const file = openHdf5FileSync(bytes);
  const o = file.get(path);
  if (!(o instanceof Hdf5Dataset)) throw new Error(`${path} is not a dataset`);
  return o.read().bytes();
}

describe("zfp streams (zfpy 1.0.0)", () => {
  const names = Object.keys(expected.streams);
  it("has vectors for every type, dimensionality and mode", () => {
    expect(names.length).toBeGreaterThanOrEqual(80);
    for (const t of ["float32", "float64", "int32", "int64"]) for (const d of [1, 2, 3, 4]) expect(names.some((n) => n.startsWith(`${t}-${d}d-`))).toBe(true);
  });
  for (const name of names) {
    it(`decodes ${name} bit-exactly`, () => {
      const e = expected.streams[name];
      const { header, data } = decodeZfpStream(stream(name), 1 << 24);
      expect(header.type).toBe(e.dtype);
      expect([...header.dims].reverse()).toEqual(e.shape);
      expect(sha256(data)).toBe(e.sha256);
    });
  }

  it("reads the mode from the header", () => {
    const mode = (n: string) => readZfpHeader(new ZfpBitReader(stream(n), n)).mode;
    expect(mode("float32-2d-rate8")).toMatchObject({ kind: "fixed-rate", minbits: 128, maxbits: 128 });
    expect(mode("float64-3d-prec14")).toMatchObject({ kind: "fixed-precision", maxprec: 14 });
    expect(mode("float32-1d-tol1e-3")).toMatchObject({ kind: "fixed-accuracy", minexp: -10 });
    expect(mode("int64-4d-rev")).toMatchObject({ kind: "reversible", reversible: true });
  });

  it("refuses what it cannot decode with CodecErrors", () => {
    const bytes = stream("float32-2d-prec14");
    const code = (b: Uint8Array, max = 1 << 24): string => {
      try {
        decodeZfpStream(b, max);
        return "ok";
      } catch (e) {
        return isCodecError(e) ? e.code : String(e);
      }
    };
    expect(code(bytes.subarray(0, bytes.length - 8))).toBe("TRUNCATED");
    expect(code(bytes, 100)).toBe("CORRUPT");
    const otherCodec = bytes.slice();
    otherCodec[3] = 6;
    expect(code(otherCodec)).toBe("UNSUPPORTED");
    const badMagic = bytes.slice();
    badMagic[0] = 0;
    expect(code(badMagic)).toBe("BAD_MAGIC");
  });

  it("fuzzed streams give values or CodecErrors, never hangs", async () => {
    const seeds = ["float32-2d-rate8", "float64-3d-tol1e-3", "int32-4d-rev", "float32-1d-rev", "int64-2d-prec20"].map(stream);
    const report = await fuzzDecoder(seeds, (b) => decodeZfpStream(b, 1 << 20), { iterations: 60, maxMsPerCase: 2000, seed: 13 });
    expect(report.cases).toBe(seeds.length * 60);
  });
});

describe("H5Z-ZFP files (plugin 1.1.0, zfp 1.0.0)", () => {
  for (const [tag, e] of Object.entries(expected.h5)) {
    it(`reads ${tag} (${e.dtype} ${e.shape.join("x")}, chunks ${e.chunks?.join("x")}) as h5py does`, () => {
      const bytes = new Uint8Array(readFileSync(new URL(`h5/${tag}.h5`, dir)));
      expect(sha256(readDataset(bytes, "data"))).toBe(e.sha256);
    });
  }

  it("checks the chunk against the filter context", () => {
    const e = expected.h5["f32-rate-edge"];
    const cd = e.cd_values ?? [];
    const ctx = (over: Partial<FilterContext>): FilterContext => ({ clientData: cd, elementSize: 4, chunkBytes: 4 * 8 * 4, dataset: "data", ...over });
    const code = (input: Uint8Array, c: FilterContext): string => {
      try {
        zfpDecode(input, c);
        return "ok";
      } catch (err) {
        return isCodecError(err) ? err.code : String(err);
      }
    };
    expect(code(new Uint8Array(0), ctx({}))).toBe("TRUNCATED");
    expect(code(new Uint8Array(64), ctx({ chunkBytes: 16 }))).toBe("CORRUPT");
    expect(code(new Uint8Array(64), ctx({ elementSize: 8 }))).toBe("CORRUPT");
    expect(code(new Uint8Array(64), ctx({ clientData: [cd[0]] }))).toBe("CORRUPT");
    expect(code(new Uint8Array(64), ctx({ clientData: [0x04005110, ...cd.slice(1)] }))).toBe("UNSUPPORTED");
    expect(code(new Uint8Array(64), ctx({ clientData: [cd[0], 0x0670667a, ...cd.slice(2)] }))).toBe("UNSUPPORTED");
  });

  it("reads a header written on a big-endian machine and returns big-endian values", () => {
    const e = expected.h5["f32-rate-edge"];
    const cd = e.cd_values ?? [];
    const swapWord = (v: number) => ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24);
    const input = new Uint8Array(40).fill(0x55);
    const le = zfpDecode(input, { clientData: cd, elementSize: 4, chunkBytes: 128, dataset: "d" });
    const be = zfpDecode(input, { clientData: [cd[0], ...cd.slice(1).map((v) => swapWord(v) >>> 0)], elementSize: 4, chunkBytes: 128, dataset: "d" });
    const back = be.slice();
    for (let i = 0; i < back.length; i += 4) back.subarray(i, i + 4).reverse();
    expect(back).toEqual(le);
  });

  it("fuzzed chunks give values or CodecErrors", async () => {
    const e = expected.h5["f64-rev"];
    const ctx: FilterContext = { clientData: e.cd_values ?? [], elementSize: 8, chunkBytes: 8 * 49, dataset: "d" };
    const seeds = [new Uint8Array(readFileSync(new URL("h5/f64-rev.h5", dir)))];
    const report = await fuzzDecoder(seeds, (b) => zfpDecode(b.subarray(b.length >> 1), ctx), { iterations: 40, maxMsPerCase: 2000, seed: 3 });
    expect(report.cases).toBe(40);
  });
});

describe.runIf(hasCorpus("hdf5"))("H5Z-ZFP corpus file (plugin 1.0.1, zfp 0.5.5)", () => {
  for (const [file, e] of Object.entries(expected.corpus)) {
    it(`reads ${file} as h5py + plugin does`, () => {
      const bytes = new Uint8Array(readFileSync(corpusPath("hdf5", file)));
      expect(sha256(readDataset(bytes, e.dataset))).toBe(e.sha256);
    });
  }
});
