import { describe, expect, it } from "vitest";
import { HOST_LITTLE_ENDIAN, swapBytes, swapBytesInPlace } from "./byteorder.js";

/** Naive reference: reverse each unit-sized group. */
function reference(data: Uint8Array, unit: number): Uint8Array {
  const out = data.slice();
  for (let i = 0; i + unit <= data.length; i += unit) for (let j = 0; j < unit; j++) out[i + j] = data[i + unit - 1 - j];
  return out;
}

describe("byteorder", () => {
  it("detects the host byte order", () => {
    expect(HOST_LITTLE_ENDIAN).toBe(new Uint8Array(Uint32Array.of(1).buffer)[0] === 1);
  });

  it("swaps 1, 2, 4, 8 and 16-byte units like the naive reference, leaving a trailing partial unit alone", () => {
    const data = Uint8Array.from({ length: 67 }, (_, i) => (i * 37 + 11) & 0xff);
    for (const unit of [1, 2, 3, 4, 8, 16]) {
      const copy = swapBytes(data, unit);
      expect(copy).toEqual(reference(data, unit));
      expect(copy).not.toBe(data);
      const inPlace = data.slice();
      expect(swapBytesInPlace(inPlace, unit)).toBe(inPlace);
      expect(inPlace).toEqual(reference(data, unit));
    }
  });

  it("agrees with DataView big-endian reads", () => {
    const be = new Uint8Array(16);
    const v = new DataView(be.buffer);
    v.setUint16(0, 0x1234, false);
    v.setUint32(4, 0xdeadbeef, false);
    v.setFloat64(8, Math.PI, false);
    const le = new DataView(swapBytes(be.subarray(0, 2), 2).buffer);
    expect(le.getUint16(0, true)).toBe(0x1234);
    expect(new DataView(swapBytes(be.subarray(4, 8), 4).buffer).getUint32(0, true)).toBe(0xdeadbeef);
    expect(new DataView(swapBytes(be.subarray(8, 16), 8).buffer).getFloat64(0, true)).toBe(Math.PI);
  });

  it("works on views with a byte offset and leaves the rest of the buffer alone", () => {
    const buf = Uint8Array.from([9, 1, 2, 3, 4, 9]);
    swapBytesInPlace(buf.subarray(1, 5), 4);
    expect([...buf]).toEqual([9, 4, 3, 2, 1, 9]);
  });
});
