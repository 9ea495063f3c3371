import { isCodecError } from "@codec/core";
import { describe, expect, it } from "vitest";
import { ZfpBitReader } from "./zfp-bitstream.js";
import { ZFP_MAX_BITS_055, readZfpHeader, zfpFieldFromMeta, zfpModeFromBits } from "./zfp-header.js";

/** cd_values[1..] as little-endian words: the bit stream H5Z-ZFP wrote into them. */
function words(values: number[]): Uint8Array {
  const out = new Uint8Array(4 * values.length);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setUint32(4 * i, values[i], true);
  return out;
}

describe("zfp bit stream", () => {
  it("reads bits least significant first across word boundaries", () => {
    const r = new ZfpBitReader(new Uint8Array([0b10110001, 0xff, 0x00, 0x12, 0x34, 0x56]), "test");
    expect(r.readBit()).toBe(1);
    expect(r.readBits(3)).toBe(0b000);
    expect(r.readBits(4)).toBe(0b1011);
    expect(r.readBits(12)).toBe(0x0ff);
    expect(r.position()).toBe(20);
    expect(r.readBits(28)).toBe(0x5634120 >>> 0);
    expect(r.position()).toBe(48);
    expect(() => r.readBit()).toThrow(/ends/);
  });

  it("reads 32 bits at any alignment and skips without reading", () => {
    const r = new ZfpBitReader(new Uint8Array([0xff, 0x78, 0x56, 0x34, 0x12, 0xab]), "test");
    r.skip(8);
    expect(r.readBits(32)).toBe(0x12345678);
    r.skip(3);
    expect(r.readBits(5)).toBe(0xab >>> 3);
    r.skip(100);
    let error: unknown;
    try {
      r.readBit();
    } catch (e) {
      error = e;
    }
    expect(isCodecError(error) && error.code).toBe("TRUNCATED");
  });
});

describe("zfp header", () => {
  it("reads the corpus file's header (H5Z-ZFP 1.0.1, zfp 0.5.5: expert mode with zfp's defaults)", () => {
    const r = new ZfpBitReader(words([91252346, 805306486, 4293918720, 3767009280, 493487]), "cd_values");
    const h = readZfpHeader(r, ZFP_MAX_BITS_055);
    expect(h.type).toBe("float32");
    expect(h.dims).toEqual([8, 4]);
    expect(h.mode).toMatchObject({ minbits: 1, maxbits: 16657, maxprec: 64, minexp: -1074, reversible: false, kind: "expert" });
    expect(r.position()).toBe(32 + 52 + 64);
  });

  it("decodes the short modes", () => {
    expect(zfpModeFromBits(127, 0)).toMatchObject({ kind: "fixed-rate", minbits: 128, maxbits: 128 });
    expect(zfpModeFromBits(2048 + 15, 0)).toMatchObject({ kind: "fixed-precision", maxprec: 16, maxbits: 16658 });
    expect(zfpModeFromBits(2176, 0)).toMatchObject({ kind: "reversible", minexp: -1075 });
    expect(zfpModeFromBits(2177 + 1064, 0)).toMatchObject({ kind: "fixed-accuracy", minexp: -10 });
  });

  it("decodes field metadata for 1..4 dimensions", () => {
    expect(zfpFieldFromMeta(2 + 4 * 0 + 16 * 12)).toEqual({ type: "float32", dims: [13] });
    const meta4 = 3 + 4 * 3 + 16 * (2 + 4096 * (4 + 4096 * (5 + 4096 * 6)));
    expect(zfpFieldFromMeta(meta4)).toEqual({ type: "float64", dims: [3, 5, 6, 7] });
  });

  it("rejects invalid modes", () => {
    expect(() => zfpModeFromBits(4095, 5 + 32768 * 2)).toThrow(/invalid/);
  });
});
