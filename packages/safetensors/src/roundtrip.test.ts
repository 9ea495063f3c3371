import { DTYPES, type DType, MemorySource, Tensor, isCodecError } from "@codec/core";
import { describe, expect, it } from "vitest";
import { SAFETENSORS_DTYPES, fromCoreDType, toCoreDType } from "./dtypes.js";
import { encodeSafetensors } from "./encode.js";
import { decodeSafetensors, openSafetensors, readSafetensorsHeader } from "./file.js";

const CORE: DType[] = ["bool", "uint8", "int8", "int16", "uint16", "float16", "bfloat16", "int32", "uint32", "float32", "float64", "int64", "uint64", "float8_e4m3fn", "float8_e5m2", "complex64"];

function make(dtype: DType, shape: number[], seed = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Uint8Array(n * DTYPES[dtype].size);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + seed * 7) & 0xff;
  if (dtype === "bool") for (let i = 0; i < data.length; i++) data[i] &= 1;
  return new Tensor({ dtype, shape, data });
}

function detailOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (isCodecError(e)) return e.detail;
    throw e;
  }
  return undefined;
}

describe("dtype mapping", () => {
  it("maps every spec dtype both ways", () => {
    for (const d of CORE) expect(toCoreDType(fromCoreDType(d)!)).toBe(d);
    expect(fromCoreDType("complex128")).toBeUndefined();
    expect(SAFETENSORS_DTYPES.filter((d) => toCoreDType(d) !== undefined)).toHaveLength(16);
  });
});

describe("encode -> decode", () => {
  it("round-trips every dtype, 0-d and empty tensors, with metadata", async () => {
    const tensors: Record<string, Tensor> = {};
    for (const d of CORE) tensors[`t_${d}`] = make(d, [3, 5]);
    tensors.scalar = make("float32", []);
    tensors.empty = make("int64", [0, 4]);
    const bytes = encodeSafetensors(tensors, { format: "pt", note: 'quote " and \\ and \n' });
    const f = decodeSafetensors(bytes);
    expect(f.metadata).toEqual({ format: "pt", note: 'quote " and \\ and \n' });
    expect(new Set(f.names())).toEqual(new Set(Object.keys(tensors)));
    for (const [name, t] of Object.entries(tensors)) {
      const got = f.getSync(name);
      expect(got.dtype).toBe(t.dtype);
      expect(got.shape).toEqual(t.shape);
      expect(got.bytes()).toEqual(t.bytes());
      // The writer aligns the data section to 8 and orders by width, so all are views.
      expect(got.copied).toBe(false);
      expect(got.bytes().buffer).toBe(bytes.buffer);
      const viaAsync = await f.get(name);
      expect(viaAsync.bytes()).toEqual(t.bytes());
    }
    expect(f.info("scalar")).toMatchObject({ dtype: "float32", shape: [], fileDType: "F32", byteLength: 4 });
  });

  it("copies unaligned tensors (and says so), or keeps views when asked", () => {
    // Header length 0x3d (61): data starts at 69, so an I32 view would be unaligned.
    const json = '{"t":{"dtype":"I32","shape":[2],"data_offsets":[0,8]}}    ';
    const head = new TextEncoder().encode(json);
    const bytes = new Uint8Array(8 + head.length + 8);
    new DataView(bytes.buffer).setUint32(0, head.length, true);
    bytes.set(head, 8);
    bytes.set([1, 0, 0, 0, 2, 0, 0, 0], 8 + head.length);
    expect((8 + head.length) % 4).not.toBe(0);
    const t = decodeSafetensors(bytes).getSync("t");
    expect(t.copied).toBe(true);
    expect(Array.from(t.typed() as Int32Array)).toEqual([1, 2]);
    const v = decodeSafetensors(bytes, { align: false }).getSync("t");
    expect(v.copied).toBe(false);
    expect(Array.from(v.typed() as Int32Array)).toEqual([1, 2]);
  });

  it("names follow data order; bytes match the reference ordering", () => {
    const f = decodeSafetensors(encodeSafetensors({ b: make("uint8", [1]), a: make("uint8", [1]), w: make("float64", [2]) }));
    expect(f.names()).toEqual(["w", "a", "b"]);
  });

  it("accepts Maps and iterables, rejects duplicates and the reserved name", () => {
    const t = make("float32", [2]);
    const m = new Map([["x", t]]);
    expect(decodeSafetensors(encodeSafetensors(m)).names()).toEqual(["x"]);
    expect(detailOf(() => encodeSafetensors([["x", t], ["x", t]]))).toBe("InvalidArgument");
    expect(detailOf(() => encodeSafetensors({ __metadata__: t }))).toBe("InvalidArgument");
    expect(detailOf(() => encodeSafetensors({ x: new Tensor({ dtype: "complex128", shape: [1], data: new Uint8Array(16) }) }))).toBe("UnsupportedDtype");
    expect(detailOf(() => encodeSafetensors({ x: t }, { n: 1 as unknown as string }))).toBe("InvalidArgument");
  });

  it("writes raw safetensors dtypes core cannot name, and reads their header", async () => {
    const bytes = encodeSafetensors({ packed: { dtype: "F4", shape: [4], data: new Uint8Array([0x21, 0x43]) } });
    const h = await readSafetensorsHeader(bytes);
    expect(h.tensors[0]).toEqual({ name: "packed", dtype: "F4", shape: [4], dataOffsets: [0, 2] });
    expect(detailOf(() => decodeSafetensors(bytes))).toBe("UnsupportedDtype");
  });
});

describe("slicing", () => {
  const data = new Uint8Array(4 * 24);
  new Float32Array(data.buffer).forEach((_, i, a) => {
    a[i] = i;
  });
  const t = new Tensor({ dtype: "float32", shape: [4, 2, 3], data });
  const bytes = encodeSafetensors({ t });

  it("reads rows of the first dimension, touching only their bytes", async () => {
    const reads: Array<[number, number]> = [];
    const mem = new MemorySource(bytes);
    const spy = { byteLength: mem.byteLength, read: (o: number, n: number) => {
        reads.push([o, n]);
        return mem.read(o, n);
      },
    };
    const f = await openSafetensors(spy);
    reads.length = 0;
    const s = await f.getSlice("t", 1, 3);
    expect(s.shape).toEqual([2, 2, 3]);
    expect(Array.from(s.typed() as Float32Array)).toEqual(Array.from({ length: 12 }, (_, i) => 6 + i));
    expect(reads).toEqual([[f.header.dataStart + 24, 48]]);
  });

  it("opens with one read when the header fits the prefetch, two otherwise", async () => {
    for (const [prefetch, expected] of [
      [undefined, 1],
      [16, 2],
    ] as const) {
      let calls = 0;
      const mem = new MemorySource(bytes);
      const src = {
        byteLength: mem.byteLength,
        read: (o: number, n: number) => {
          calls++;
          return mem.read(o, n);
        },
      };
      const f = await openSafetensors(src, { headPrefetch: prefetch });
      expect(calls).toBe(expected);
      expect(f.names()).toEqual(["t"]);
    }
  });

  it("supports per-dimension select/narrow", async () => {
    const f = decodeSafetensors(bytes);
    const s = await f.getSlice("t", [null, 1, [1, 3]]);
    expect(s.shape).toEqual([4, 2]);
    expect(Array.from(s.typed() as Float32Array)).toEqual([4, 5, 10, 11, 16, 17, 22, 23]);
    expect(s.copied).toBe(true);
    const e = await f.getSlice("t", [0, 0, [0, 0]]);
    expect(e.shape).toEqual([0]);
    await expect(f.getSlice("t", 3, 5)).rejects.toMatchObject({ detail: "SliceOutOfRange" });
    await expect(f.getSlice("t", [0, 0, 0, 0])).rejects.toMatchObject({ detail: "TooManySlices" });
    await expect(f.getSlice("missing", 0, 1)).rejects.toMatchObject({ detail: "TensorNotFound" });
  });
});
