import { utf8Decode } from "@codec/core";
import { describe, expect, it } from "vitest";
import { encodeNpyHeader, parseNpyHeader, readNpyPrelude } from "./header.js";

function handmade(header: string, major = 1, data = new Uint8Array(0)): Uint8Array {
  const body = new TextEncoder().encode(header);
  const lenBytes = major === 1 ? 2 : 4;
  const out = new Uint8Array(8 + lenBytes + body.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
  const view = new DataView(out.buffer);
  if (major === 1) view.setUint16(8, body.length, true);
  else view.setUint32(8, body.length, true);
  out.set(body, 8 + lenBytes);
  out.set(data, 8 + lenBytes + body.length);
  return out;
}

describe("encodeNpyHeader", () => {
  it("matches numpy.save's header text, growth padding and 64-byte alignment", () => {
    const h = encodeNpyHeader("float32", [2, 3]);
    expect(h.length % 64).toBe(0);
    expect(h[6]).toBe(1);
    const text = utf8Decode(h.subarray(10), "npy");
    expect(text).toBe(`{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }${" ".repeat(20)}`.padEnd(h.length - 11, " ") + "\n");
    expect(utf8Decode(encodeNpyHeader("bool", []).subarray(10), "npy").trimEnd()).toBe("{'descr': '|b1', 'fortran_order': False, 'shape': (), }");
    expect(utf8Decode(encodeNpyHeader("complex128", [7]).subarray(10), "npy")).toContain("'shape': (7,), }");
  });

  it("pads a full extra 64 bytes when the header is already aligned, as numpy does", () => {
    // numpy: padlen = 64 - ((10 + hlen) % 64), never 0.
    for (let d = 1; d < 10 ** 12; d = d * 10 + 7) {
      const h = encodeNpyHeader("int8", [d, d, d, d, d]);
      const text = utf8Decode(h.subarray(10), "npy");
      const pad = text.length - text.trimEnd().length;
      expect(pad).toBeGreaterThanOrEqual(1);
      expect(pad).toBeLessThanOrEqual(64 + 21);
    }
  });

  it("refuses dtypes numpy cannot hold", () => {
    expect(() => encodeNpyHeader("bfloat16", [1])).toThrow(expect.objectContaining({ code: "UNSUPPORTED" }));
    expect(() => encodeNpyHeader("string", [1])).toThrow(expect.objectContaining({ code: "UNSUPPORTED" }));
    expect(() => encodeNpyHeader("float32", [-1])).toThrow(expect.objectContaining({ code: "USAGE" }));
  });

  it("writes version 2.0 and 3.0 on request with a u32 length", () => {
    const h = encodeNpyHeader("uint16", [3], { version: "3.0" });
    expect(h[6]).toBe(3);
    expect(h.length % 64).toBe(0);
    expect(new DataView(h.buffer).getUint32(8, true)).toBe(h.length - 12);
  });
});

describe("parseNpyHeader", () => {
  it("round-trips our own headers", () => {
    const h = parseNpyHeader(encodeNpyHeader("int64", [4, 0, 2]));
    expect(h).toMatchObject({ version: "1.0", dtype: "int64", byteOrder: "little", fortranOrder: false, shape: [4, 0, 2], numel: 0, dataLength: 0 });
  });

  it("accepts '=' and '|' byte orders, key order, Python 2 longs and no padding", () => {
    const h = parseNpyHeader(handmade("{'shape': (3L, 2L), 'fortran_order': True, 'descr': '=i4'}"));
    expect(h).toMatchObject({ dtype: "int32", byteOrder: "little", fortranOrder: true, shape: [3, 2] });
    expect(parseNpyHeader(handmade("{'descr': '>u1', 'fortran_order': False, 'shape': ()}")).byteOrder).toBe("little");
  });

  it("decodes version 3.0 headers as UTF-8 and 1.0 as latin-1", () => {
    const h = parseNpyHeader(handmade("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", 3));
    expect(h.version).toBe("3.0");
    expect(() => parseNpyHeader(handmade("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'é': 1}"))).toThrow(/header keys/);
  });

  it.each([
    ["{'descr': '<f4', 'fortran_order': False}", "CORRUPT", /header keys/],
    ["{'descr': '<f4', 'fortran_order': 0, 'shape': ()}", "CORRUPT", /not a bool/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': [1]}", "CORRUPT", /not a tuple/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", "CORRUPT", /negative/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': ('1',)}", "CORRUPT", /non-integer/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}", "LIMIT", /exceeds 2\^53/],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296)}", "LIMIT", /too many elements/],
    ["{'descr': 3, 'fortran_order': False, 'shape': ()}", "CORRUPT", /not a string/],
    ["{'descr': '|O', 'fortran_order': False, 'shape': ()}", "UNSAFE", /pickles/],
    ["{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': ()}", "UNSUPPORTED", /structured/],
    ["{'descr': '<U4', 'fortran_order': False, 'shape': ()}", "UNSUPPORTED", /unicode/],
    ["{'descr': '<f16', 'fortran_order': False, 'shape': ()}", "UNSUPPORTED", /extended/],
    ["{'descr': '<f3', 'fortran_order': False, 'shape': ()}", "UNSUPPORTED", /not supported/],
    ["[]", "CORRUPT", /not a dictionary/],
  ])("%s -> %s", (header, code, message) => {
    expect(() => parseNpyHeader(handmade(header))).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
  });

  it("checks magic, version, header length and limits before parsing", () => {
    expect(() => readNpyPrelude(new Uint8Array([1, 2, 3]))).toThrow(expect.objectContaining({ code: "BAD_MAGIC" }));
    expect(() => readNpyPrelude(new Uint8Array([0x93, 0x4e, 0x55]))).toThrow(expect.objectContaining({ code: "TRUNCATED" }));
    const h = handmade("{}");
    h[6] = 4;
    expect(() => readNpyPrelude(h)).toThrow(expect.objectContaining({ code: "UNSUPPORTED" }));
    const big = handmade("{}", 2);
    new DataView(big.buffer).setUint32(8, 0x7fffffff, true);
    expect(() => readNpyPrelude(big)).toThrow(expect.objectContaining({ code: "LIMIT" }));
    expect(() => parseNpyHeader(handmade("{}").subarray(0, 11))).toThrow(expect.objectContaining({ code: "TRUNCATED" }));
  });
});
