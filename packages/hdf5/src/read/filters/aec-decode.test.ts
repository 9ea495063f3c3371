import { isCodecError } from "@codec/core";
import { rng } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { aecDecode } from "./aec-decode.js";
import { szipDecode } from "./szip.js";

/** Pack a string of '0'/'1' (spaces ignored) MSB-first into bytes. */
function bits(s: string): Uint8Array {
  const b = s.replace(/\s+/g, "");
  const out = new Uint8Array(Math.ceil(b.length / 8));
  for (let i = 0; i < b.length; i++) if (b[i] === "1") out[i >> 3] |= 0x80 >> (i & 7);
  return out;
}
const u8 = (v: number) => v.toString(2).padStart(8, "0");

describe("CCSDS 121.0-B adaptive entropy decoder", () => {
  it("decodes the no-compression, split, zero-block and second-extension options", () => {
    const stream = bits(
      `111 ${u8(1)}${u8(2)}${u8(3)}${u8(4)}` + // no compression
        " 010 001 1 01 01 1 0 1 0" + // split k=1: 5,0,3,2
        " 000 0 1" + // one zero block
        " 000 1 01 000001", // second extension: pairs (1,0) and (0,2)
    );
    const out = aecDecode(stream, { bitsPerSample: 8, blockSize: 4, rsi: 4, msb: false, preprocess: false }, 16);
    expect([...out]).toEqual([1, 2, 3, 4, 5, 0, 3, 2, 0, 0, 0, 0, 1, 0, 0, 2]);
  });

  it("undoes the unit-delay predictor from each interval's reference sample", () => {
    // Reference 10, then residuals 4 (+2), 5 (-3) and 255 (beyond theta: 9 + 246).
    const stream = bits(`111 ${u8(10)}${u8(4)}${u8(5)}${u8(255)}`);
    const out = aecDecode(stream, { bitsPerSample: 8, blockSize: 4, rsi: 1, msb: false, preprocess: true }, 4);
    expect([...out]).toEqual([10, 12, 9, 255]);
  });

  it("writes 16-bit samples in the requested byte order", () => {
    const stream = bits("1111 0000000100000010 0000001100000100 0000000000000000 0000000000000000");
    const p = { bitsPerSample: 16, blockSize: 4, rsi: 1, preprocess: false };
    expect([...aecDecode(stream, { ...p, msb: true }, 4)]).toEqual([1, 2, 3, 4]);
    expect([...aecDecode(stream, { ...p, msb: false }, 4)]).toEqual([2, 1, 4, 3]);
  });

  it("fails with a CodecError on truncated or inconsistent streams", () => {
    for (const s of [bits("111 0000"), bits("000 0 0000 0000 1"), new Uint8Array(0)]) {
      let err: unknown;
      try {
        aecDecode(s, { bitsPerSample: 8, blockSize: 4, rsi: 1, msb: false, preprocess: false }, 8);
      } catch (e) {
        err = e;
      }
      expect(isCodecError(err)).toBe(true);
    }
  });

  it("decodes random bytes under random szip parameters to a value or a CodecError", () => {
    const random = rng(11);
    const int = (n: number) => Math.floor(random() * n);
    for (let i = 0; i < 300; i++) {
      const input = new Uint8Array(4 + int(200));
      for (let k = 0; k < input.length; k++) input[k] = int(256);
      const chunkBytes = 1 + int(400);
      input[0] = chunkBytes & 0xff;
      input[1] = chunkBytes >> 8;
      input[2] = 0;
      input[3] = 0;
      const bpp = [8, 16, 24, 32, 64, 1 + int(32)][int(6)];
      const clientData = [int(256), [2, 4, 8, 16, 32][int(5)], bpp, 1 + int(64)];
      try {
        const out = szipDecode(input, { clientData, elementSize: Math.max(1, bpp >> 3), chunkBytes, dataset: "/fuzz" });
        expect(out.length).toBeLessThanOrEqual(chunkBytes);
      } catch (e) {
        expect(isCodecError(e)).toBe(true);
      }
    }
  });
});
