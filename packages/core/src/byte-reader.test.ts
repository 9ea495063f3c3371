import { describe, expect, it } from "vitest";
import { ByteReader, ByteWriter, utf8Decode, utf8Encode, utf32Decode } from "./byte-reader.js";
import { isCodecError } from "./errors.js";
import { codeOf } from "@codec/testing";


describe("ByteWriter -> ByteReader", () => {
  it("round-trips every field type in both byte orders", () => {
    for (const le of [true, false]) {
      const w = new ByteWriter(4);
      w.u8(0xab).u16(0xbeef, le).i32(-5, le).u32(0xfedcba98, le).u64(2n ** 63n + 5n, le).i64(-7n, le).f32(1.5, le).f64(-Math.E, le);
      w.uint(0x123456, 3, le).uint(2 ** 53 - 1, 7, le).bytes(Uint8Array.of(1, 2, 3)).zeros(2);
      const r = new ByteReader(w.finish(), "test", 100);
      expect(r.u8()).toBe(0xab);
      expect(r.u16(le)).toBe(0xbeef);
      expect(r.i32(le)).toBe(-5);
      expect(r.u32(le)).toBe(0xfedcba98);
      expect(r.u64big(le)).toBe(2n ** 63n + 5n);
      expect(r.i64big(le)).toBe(-7n);
      expect(r.f32(le)).toBe(1.5);
      expect(r.f64(le)).toBe(-Math.E);
      expect(r.uint(3, le)).toBe(0x123456);
      expect(r.uint(7, le)).toBe(2 ** 53 - 1);
      expect([...r.bytesView(3)]).toEqual([1, 2, 3]);
      expect(r.offset).toBe(100 + r.pos);
      expect(r.remaining).toBe(2);
      r.skip(2);
      expect(r.remaining).toBe(0);
    }
  });

  it("reads signed and small integers and u64 as a number", () => {
    const r = new ByteReader(Uint8Array.of(0xff, 0xfe, 0xff, 1, 0, 0, 0, 0, 0, 0, 0), "t");
    expect(r.i8()).toBe(-1);
    expect(r.i16()).toBe(-2);
    expect(r.u64()).toBe(1);
  });

  it("grows from a zero-capacity writer (used to loop forever)", () => {
    const w = new ByteWriter(0);
    w.u32(1).bytes(new Uint8Array(1000));
    expect(w.length).toBe(1004);
    expect(w.view8().length).toBe(1004);
  });

  it("back-patches lengths and refuses to patch unwritten bytes", () => {
    const w = new ByteWriter();
    w.u32(0).u32(7);
    w.patchU32(0, 42);
    expect(new DataView(w.finish().buffer).getUint32(0, true)).toBe(42);
    expect(codeOf(() => w.patchU32(6, 1))).toBe("USAGE");
  });
});

describe("ByteReader bounds", () => {
  it("throws TRUNCATED with the absolute offset instead of a RangeError", () => {
    const r = new ByteReader(new Uint8Array(3), "fmt", 0x10);
    r.u16();
    try {
      r.u32();
      expect.unreachable();
    } catch (e) {
      expect(isCodecError(e) && e.code).toBe("TRUNCATED");
      expect(isCodecError(e) && e.offset).toBe(0x12);
      expect(isCodecError(e) && e.format).toBe("fmt");
    }
    const empty = () => new ByteReader(new Uint8Array(0), "f");
    const ops: ((x: ByteReader) => unknown)[] = [
      (x) => x.u8(),
      (x) => x.i8(),
      (x) => x.u16(),
      (x) => x.i16(),
      (x) => x.u32(),
      (x) => x.i32(),
      (x) => x.f32(),
      (x) => x.f64(),
      (x) => x.u64(),
      (x) => x.u64big(),
      (x) => x.i64big(),
      (x) => x.uint(4),
      (x) => x.bytesView(1),
      (x) => x.skip(1),
    ];
    for (const op of ops) expect(codeOf(() => op(empty()))).toBe("TRUNCATED");
    expect(codeOf(() => empty().skip(Number.NaN))).toBe("TRUNCATED");
    expect(codeOf(() => new ByteReader(new Uint8Array(2), "f").skip(-1))).toBe("TRUNCATED");
    expect(codeOf(() => new ByteReader(new Uint8Array(2), "f").bytesView(3))).toBe("TRUNCATED");
    expect(codeOf(() => new ByteReader(new Uint8Array(2), "f").seek(3))).toBe("CORRUPT");
    expect(codeOf(() => new ByteReader(new Uint8Array(2), "f").seek(Number.NaN))).toBe("CORRUPT");
    expect(codeOf(() => new ByteReader(new Uint8Array(2), "f").seek(0.5))).toBe("CORRUPT");
    expect(new ByteReader(new Uint8Array(2), "f").seek(2).remaining).toBe(0);
  });

  it("refuses 64-bit values beyond 2^53 as numbers (LIMIT)", () => {
    const w = new ByteWriter();
    w.u64(2n ** 60n);
    expect(codeOf(() => new ByteReader(w.finish(), "f").u64())).toBe("LIMIT");
    expect(codeOf(() => new ByteReader(new Uint8Array(8).fill(0xff), "f").uint(8))).toBe("LIMIT");
  });

  it("reads views, not copies", () => {
    const bytes = Uint8Array.of(1, 2, 3, 4);
    const v = new ByteReader(bytes.subarray(1), "f").bytesView(2);
    expect(v.buffer).toBe(bytes.buffer);
    expect(v.byteOffset).toBe(1);
  });
});

describe("utf8", () => {
  it("round-trips text including astral characters, and keeps a leading BOM", () => {
    for (const s of ["", "abc", "ünïcödé 名前 🎉", "\ufeffkey"]) expect(utf8Decode(utf8Encode(s), "f")).toBe(s);
  });

  it("rejects invalid UTF-8 with CORRUPT instead of U+FFFD", () => {
    for (const bad of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf]]) {
      expect(codeOf(() => utf8Decode(Uint8Array.from(bad), "f", 5))).toBe("CORRUPT");
    }
  });
});

describe("utf32Decode", () => {
  it("reads little- and big-endian code units, astral planes included; non-scalar values become U+FFFD", () => {
    const le = new Uint8Array(new Uint32Array([0x63, 0x1d11e, 0xd800, 0x110000]).buffer);
    expect(utf32Decode(le)).toBe("c\u{1d11e}\ufffd\ufffd");
    expect(utf32Decode(new Uint8Array([0, 0, 0, 0x41, 0, 0, 0x30, 0xb9]), true)).toBe("A\u30b9");
    expect(utf32Decode(new Uint8Array([0x41, 0, 0, 0, 0x42]))).toBe("A");
  });
});
