import { isCodecError } from "@codec/core";
import { describe, expect, it } from "vitest";
import { ProtoParts } from "./proto-parts.js";
import { newField, WIRE_LEN, WIRE_VARINT, WireReader } from "./wire.js";

describe("protobuf wire reader and parts writer", () => {
  it("round-trips varints up to 2^53 and 64-bit halves", () => {
    for (const n of [0, 1, 127, 128, 300, 2 ** 31, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER]) {
      const bytes = new ProtoParts().varint(n).join();
      const r = new WireReader(bytes);
      expect(r.varint()).toBe(n);
      expect(r.done).toBe(true);
      const v = { lo: 0, hi: 0 };
      new WireReader(bytes).varint64(v);
      expect(v.hi * 2 ** 32 + v.lo).toBe(n);
    }
  });

  it("reads a negative int64 (ten bytes) as its two's complement halves", () => {
    const minusOne = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    const v = { lo: 0, hi: 0 };
    new WireReader(minusOne).varint64(v);
    expect([v.lo, v.hi]).toEqual([0xffffffff, 0xffffffff]);
  });

  it("reads fields and reports the varint bytes as the payload of wire type 0", () => {
    const p = new ProtoParts().varintField(1, 300).stringField(2, "hé");
    const bytes = p.join();
    const r = new WireReader(bytes);
    const f = newField();
    r.next(f);
    expect([f.field, f.wire, f.value, f.end - f.start]).toEqual([1, WIRE_VARINT, 300, 2]);
    r.next(f);
    expect([f.field, f.wire]).toEqual([2, WIRE_LEN]);
    expect(new TextDecoder().decode(bytes.subarray(f.start, f.end))).toBe("hé");
  });

  it("rejects truncation, field 0, group wire types and over-long varints with CodecErrors", () => {
    for (const bad of [[0x0a, 0x05, 0x61], [0x00, 0x01], [0x0b], [0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01], [0x08]]) {
      const r = new WireReader(new Uint8Array(bad));
      let err: unknown;
      try {
        r.next(newField());
      } catch (e) {
        err = e;
      }
      expect(isCodecError(err)).toBe(true);
    }
  });

  it("keeps large payloads as the caller's arrays", () => {
    const big = new Uint8Array(10000).fill(7);
    const p = new ProtoParts().bytesField(9, big);
    expect(p.parts().includes(big)).toBe(true);
    expect(p.length).toBe(1 + 2 + big.length);
  });
});
