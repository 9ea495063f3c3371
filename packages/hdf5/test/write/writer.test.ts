import { Tensor } from "@codec/core";
import type { Dataset, Group } from "h5wasm/node";
import { describe, expect, it } from "vitest";
import {
  defaultDeflate,
  fflateDeflate,
  fixedStrings,
  fletcher32,
  guessChunks,
  Hdf5Writer,
  shuffleBytes,
  writeTensorsAsHdf5,
} from "../../src/write/index.js";
import { type Hdf5Dataset, openHdf5, openHdf5File } from "../../src/read/index.js";
import { withH5wasm } from "./h5wasm-reader.js";

const f32 = (n: number, f = (i: number) => i * 0.5) => new Float32Array(n).map((_, i) => f(i));
const tensor = (dtype: Tensor["dtype"], shape: number[], data: ArrayBufferView | string[]) =>
  new Tensor({ dtype, shape, data: Array.isArray(data) ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });

describe("filters", () => {
  it("fletcher32 matches libhdf5 on known inputs", () => {
    // Checksums libhdf5 1.10 stored for these chunks (h5py read_direct_chunk, last 4 bytes).
    expect(fletcher32(new TextEncoder().encode("abcde"))).toBe(0x4ff029c7);
    const u32 = new Uint32Array(1000).map((_, i) => i);
    expect(fletcher32(new Uint8Array(u32.buffer))).toBe(0xe655339f);
    expect(fletcher32(new Uint8Array(0))).toBe(0);
  });
  it("shuffle transposes bytes and keeps the tail", () => {
    expect([...shuffleBytes(new Uint8Array([1, 2, 3, 4, 5, 6, 7]), 2)]).toEqual([1, 3, 5, 2, 4, 6, 7]);
  });
  it("guessChunks follows h5py's heuristic", () => {
    // Values printed by h5py 3.7 h5py._hl.filters.guess_chunk.
    expect(guessChunks([1000, 1000], 4)).toEqual([63, 125]);
    expect(guessChunks([10], 8)).toEqual([10]);
    expect(guessChunks([100, 200, 300], 4)).toEqual([13, 25, 38]);
    expect(guessChunks([1 << 20], 4)).toEqual([8192]);
    expect(guessChunks([0, 5], 4)).toEqual([512, 5]);
  });
});

describe("Hdf5Writer read back by h5wasm (libhdf5)", () => {
  it("writes groups, contiguous and chunked datasets with filters", async () => {
    const w = new Hdf5Writer();
    w.createGroup("a/b");
    w.createDataset("a/b/x", tensor("float32", [3, 4], f32(12)));
    const i16 = new Int16Array(100).map((_, i) => i * 3 - 50);
    w.createDataset("c", tensor("int16", [10, 10], i16), { chunks: [4, 5], compression: "gzip", level: 4, shuffle: true, fletcher32: true });
    w.createDataset("auto", tensor("float64", [1000], new Float64Array(1000).map((_, i) => Math.sin(i))), { compression: 6 });
    const bytes = w.finish();
    await withH5wasm(bytes, (f) => {
      expect(f.keys().sort()).toEqual(["a", "auto", "c"]);
      const x = f.get("a/b/x") as Dataset;
      expect(x.shape).toEqual([3, 4]);
      expect([...(x.value as Float32Array)]).toEqual([...f32(12)]);
      const c = f.get("c") as Dataset;
      expect([...(c.value as Int16Array)]).toEqual([...i16]);
      expect(c.filters.map((q) => q.id)).toEqual([2, 1, 3]);
      expect(c.filters[1].cd_values).toEqual([4]);
      const auto = f.get("auto") as Dataset;
      expect(auto.filters.map((q) => q.id)).toEqual([1]);
      expect((auto.value as Float64Array)[999]).toBeCloseTo(Math.sin(999));
    });
  });

  it("stores every core dtype", async () => {
    const w = new Hdf5Writer();
    const cases: Array<[Tensor["dtype"], ArrayBufferView | string[]]> = [
      ["bool", new Uint8Array([1, 0, 1])],
      ["int8", new Int8Array([-1, 2, 3])],
      ["uint8", new Uint8Array([1, 2, 255])],
      ["int16", new Int16Array([-300, 2, 3])],
      ["uint16", new Uint16Array([1, 2, 65535])],
      ["int32", new Int32Array([-1, 2, 1 << 30])],
      ["uint32", new Uint32Array([1, 2, 4000000000])],
      ["int64", new BigInt64Array([-1n, 2n, 1n << 60n])],
      ["uint64", new BigUint64Array([1n, 2n, 1n << 63n])],
      ["float16", new Uint16Array([0x3c00, 0xc000, 0x7c00])],
      ["float32", new Float32Array([1.5, -2, 3])],
      ["float64", new Float64Array([1.5, -2, 1e300])],
      ["complex64", new Float32Array([1, 2, 3, 4, 5, 6])],
      ["complex128", new Float64Array([1, 2, 3, 4, 5, 6])],
      ["string", ["a", "", "héllo"]],
    ];
    for (const [dtype, data] of cases) w.createDataset(dtype, tensor(dtype, [3], data));
    await withH5wasm(w.finish(), (f) => {
      const v = (n: string) => (f.get(n) as Dataset).value;
      expect([...(v("bool") as Int8Array)]).toEqual([1, 0, 1]);
      expect((f.get("bool") as Dataset).metadata.enum_type?.members).toEqual({ FALSE: 0, TRUE: 1 });
      expect([...(v("int16") as Int16Array)]).toEqual([-300, 2, 3]);
      expect([...(v("uint32") as Uint32Array)]).toEqual([1, 2, 4000000000]);
      expect([...(v("int64") as BigInt64Array)]).toEqual([-1n, 2n, 1n << 60n]);
      expect([...(v("uint64") as BigUint64Array)]).toEqual([1n, 2n, 1n << 63n]);
      expect((f.get("float16") as Dataset).metadata.size).toBe(2);
      expect([...(v("float64") as Float64Array)]).toEqual([1.5, -2, 1e300]);
      expect(v("complex64")).toEqual([
        [1, 2],
        [3, 4],
        [5, 6],
      ]);
      expect(v("string")).toEqual(["a", "", "héllo"]);
    });
  });

  it("round-trips bfloat16 and float8 dtypes through our own reader (raw bytes, zero-copy)", async () => {
    const cases: Array<[Tensor["dtype"], Uint8Array]> = [
      ["bfloat16", new Uint8Array(new Uint16Array([0x3f80, 0xc000, 0x7f80, 0x0001, 0xffc1]).buffer)],
      // e4m3fn: 0x7f is NaN and 0x7e = 448 (no infinities); e5m2: 0x7c = +inf.
      ["float8_e4m3fn", new Uint8Array([0x38, 0xc0, 0x01, 0x7e, 0x7f])],
      ["float8_e5m2", new Uint8Array([0x3c, 0xc0, 0x7c, 0x01, 0xff])],
    ];
    for (const profile of ["default", "latest"] as const) {
      const w = new Hdf5Writer({ profile });
      for (const [dtype, data] of cases) {
        w.createDataset(dtype, tensor(dtype, [5], data));
        w.createDataset(`${dtype}_chunked`, tensor(dtype, [5], data), { chunks: [2], compression: 4 });
      }
      const bytes = w.finish();
      const m = await openHdf5(bytes);
      const f = await openHdf5File(bytes);
      for (const [dtype, data] of cases) {
        for (const name of [dtype, `${dtype}_chunked`]) {
          expect(m.info(name)).toMatchObject({ dtype, shape: [5] });
          const t = await m.get(name);
          expect(t.dtype).toBe(dtype);
          expect([...t.bytes()]).toEqual([...data]);
        }
        // Contiguous little-endian data is handed out as a view on the file bytes.
        const raw = (f.get(dtype) as Hdf5Dataset).read();
        expect(raw.bytes().buffer).toBe(bytes.buffer);
        // values() still decodes numbers with libhdf5's (IEEE-like) conversion, which agrees
        // with the dtype's own widening except for e4m3fn's top exponent (libhdf5: NaN; e4m3fn: 448).
        const vals = (f.get(dtype) as Hdf5Dataset).values().map(Number);
        const wide = [...raw.toFloat32()];
        if (dtype === "float8_e4m3fn") wide[3] = Number.NaN;
        expect(vals).toEqual(wide);
      }
    }
  });

  it("writes attributes of every kind", async () => {
    const w = new Hdf5Writer();
    w.createDataset("d", tensor("float32", [2], f32(2)));
    w.setAttribute("/", "f", 1.25);
    w.setAttribute("/", "i", 7);
    w.setAttribute("/", "s", "héllo");
    w.setAttribute("/", "b", true);
    w.setAttribute("/", "list", ["x", "yy"]);
    w.setAttribute("/", "fixed", fixedStrings(["dense", "dense_1"]));
    w.setAttribute("d", "arr", new Int32Array([1, 2, 3]));
    w.setAttribute("d", "t", tensor("float64", [2, 2], new Float64Array([1, 2, 3, 4])));
    await withH5wasm(w.finish(), (f) => {
      expect(f.attrs.f.value).toBe(1.25);
      expect(f.attrs.i.value).toBe(7n);
      expect(f.attrs.s.value).toBe("héllo");
      expect(f.attrs.b.value).toBe(1);
      expect(f.attrs.list.value).toEqual(["x", "yy"]);
      expect(f.attrs.fixed.value).toEqual(["dense", "dense_1"]);
      const d = f.get("d") as Dataset;
      expect([...(d.attrs.arr.value as Int32Array)]).toEqual([1, 2, 3]);
      expect(d.attrs.t.shape).toEqual([2, 2]);
    });
  });

  it("builds multi-level B-trees for big groups and many chunks", async () => {
    const w = new Hdf5Writer();
    for (let i = 0; i < 700; i++) w.createDataset(`g/d${i}`, tensor("int32", [1], new Int32Array([i])));
    const big = new Int32Array(200 * 300).map((_, i) => i);
    // 100 x 150 = 15000 chunks: three B-tree levels.
    w.createDataset("chunky", tensor("int32", [200, 300], big), { chunks: [2, 2] });
    w.createDataset("edges", tensor("int32", [7, 5], new Int32Array(35).map((_, i) => i)), { chunks: [3, 2], compression: 1 });
    await withH5wasm(w.finish(), (f) => {
      const g = f.get("g") as Group;
      expect(g.keys().length).toBe(700);
      expect([...((f.get("g/d699") as Dataset).value as Int32Array)]).toEqual([699]);
      expect([...((f.get("g/d345") as Dataset).value as Int32Array)]).toEqual([345]);
      const v = (f.get("chunky") as Dataset).value as Int32Array;
      expect(v.length).toBe(big.length);
      expect(v.every((x, i) => x === i)).toBe(true);
      expect([...((f.get("edges") as Dataset).value as Int32Array)]).toEqual([...new Int32Array(35).map((_, i) => i)]);
    });
  });

  it("writeTensorsAsHdf5 turns '/' into groups and keeps '.'", async () => {
    const bytes = writeTensorsAsHdf5(
      { "model/layer.0.weight": tensor("float32", [2], f32(2)), "scalar": tensor("int64", [], new BigInt64Array([5n])) },
      { note: "hi", n: 3 },
    );
    await withH5wasm(bytes, (f) => {
      expect((f.get("model") as Group).keys()).toEqual(["layer.0.weight"]);
      expect((f.get("scalar") as Dataset).shape).toEqual([]);
      expect(f.attrs.note.value).toBe("hi");
      expect(f.attrs.n.value).toBe("3");
    });
  });

  it("writes the libver=latest profile (superblock v2, v2 headers, link messages, fixed-array index)", async () => {
    const w = new Hdf5Writer({ profile: "latest" });
    const big = new Int32Array(200 * 300).map((_, i) => i);
    w.createDataset("g/paged", tensor("int32", [200, 300], big), { chunks: [2, 3], compression: 1 }); // 10000 chunks: paged
    w.createDataset("g/single", tensor("int32", [200, 300], big), { chunks: [200, 300] });
    w.createDataset("g/plain", tensor("float32", [3], f32(3)));
    w.createDataset("g/grow", tensor("int32", [5], new Int32Array([1, 2, 3, 4, 5])), { chunks: [2], maxShape: [null] });
    for (let i = 0; i < 20; i++) w.createDataset(`many/ü${i}`, tensor("uint8", [1], new Uint8Array([i])));
    w.setAttribute("g", "név", "érték");
    const bytes = w.finish();
    expect(bytes[8]).toBe(2);
    await withH5wasm(bytes, (f) => {
      expect(((f.get("g/paged") as Dataset).value as Int32Array).every((x, i) => x === i)).toBe(true);
      expect(((f.get("g/single") as Dataset).value as Int32Array)[59999]).toBe(59999);
      expect([...((f.get("g/grow") as Dataset).value as Int32Array)]).toEqual([1, 2, 3, 4, 5]);
      expect((f.get("many") as Group).keys().length).toBe(20);
      expect((f.get("g") as Group).attrs["név"].value).toBe("érték");
    });
  });

  it("writes gzip chunks readable by libhdf5 with both deflate implementations", async () => {
    for (const deflate of [fflateDeflate, defaultDeflate]) {
      const w = new Hdf5Writer({ deflate });
      const v = new Float32Array(5000).map((_, i) => Math.round(Math.sin(i / 50) * 100));
      w.createDataset("g", tensor("float32", [50, 100], v), { chunks: [7, 33], compression: 9, shuffle: true });
      await withH5wasm(w.finish(), (f) => {
        expect([...((f.get("g") as Dataset).value as Float32Array)]).toEqual([...v]);
      });
    }
  });

  it("streams the same bytes as finish()", async () => {
    const w = new Hdf5Writer();
    w.createDataset("x", tensor("uint8", [5], new Uint8Array([1, 2, 3, 4, 5])));
    w.createDataset("y", tensor("uint8", [3], new Uint8Array([9, 8, 7])), { chunks: [2] });
    const parts: Uint8Array[] = [];
    const n = await w.writeTo((b) => {
      parts.push(b.slice());
    });
    const joined = new Uint8Array(n);
    let p = 0;
    for (const b of parts) {
      joined.set(b, p);
      p += b.length;
    }
    expect(joined).toEqual(w.finish());
  });

  it("rejects bad usage clearly", () => {
    const w = new Hdf5Writer();
    w.createDataset("x", tensor("uint8", [2], new Uint8Array(2)));
    expect(() => w.createDataset("x", tensor("uint8", [2], new Uint8Array(2)))).toThrow(/already exists/);
    expect(() => w.createDataset("x/y", tensor("uint8", [2], new Uint8Array(2)))).toThrow(/is a dataset/);
    expect(() => w.createDataset("s", tensor("uint8", [], new Uint8Array(1)), { chunks: true })).toThrow(/cannot be chunked/);
    expect(() => w.createDataset("z", tensor("uint8", [4], new Uint8Array(4)), { compression: 12 })).toThrow(/level/);
    expect(() => w.setAttribute("nope", "a", 1)).toThrow(/no/);
    w.setAttribute("x", "huge", new Float64Array(10000));
    expect(() => w.finish()).toThrow(/64 KiB/);
  });
});
