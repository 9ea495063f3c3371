import { describe, expect, it } from "vitest";
import { b2ndStoredBytes, b2ndToC } from "./b2nd.js";
import { decodeBloscChunk } from "./blosc-chunk.js";
import { deltaDecode } from "./blosc-filters.js";

/**
 * Blosc2 chunk features no library here can produce (c-blosc2 is not
 * installed): chunks assembled by hand from README_CHUNK_FORMAT.rst.
 */

interface Ext {
  flags?: number;
  typesize: number;
  nbytes: number;
  blocksize: number;
  filters?: number[];
  filtersMeta?: number[];
  blosc2Flags?: number;
}

/** A 32-byte extended header (flags bits 0 and 2 both set) followed by `body`. */
function chunk(h: Ext, body: number[]): Uint8Array {
  const out = new Uint8Array(32 + body.length);
  const v = new DataView(out.buffer);
  out[0] = 5;
  out[1] = 1;
  out[2] = (h.flags ?? 0) | 0x05;
  out[3] = h.typesize;
  v.setInt32(4, h.nbytes, true);
  v.setInt32(8, h.blocksize, true);
  v.setInt32(12, out.length, true);
  (h.filters ?? [0, 0, 0, 0, 0, 0]).forEach((f, i) => {
    out[16 + i] = f;
  });
  (h.filtersMeta ?? []).forEach((m, i) => {
    out[24 + i] = m;
  });
  out[31] = h.blosc2Flags ?? 0;
  out.set(body, 32);
  return out;
}

const i32 = (x: number) => [x & 255, (x >> 8) & 255, (x >> 16) & 255, (x >>> 24) & 255];
const decode = (c: Uint8Array, max = 1 << 16) => decodeBloscChunk(c, max, "hdf5");

describe("Blosc2 chunks", () => {
  it("special chunks: zeros, NaNs, a repeated value, uninitialized", () => {
    expect([...decode(chunk({ typesize: 4, nbytes: 8, blocksize: 8, blosc2Flags: 0x10 }, []))]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    const nan = decode(chunk({ typesize: 8, nbytes: 16, blocksize: 16, blosc2Flags: 0x20 }, []));
    expect(Number.isNaN(new Float64Array(nan.buffer)[1])).toBe(true);
    const val = decode(chunk({ typesize: 2, nbytes: 10, blocksize: 10, blosc2Flags: 0x30 }, [0x34, 0x12]));
    expect([...new Uint16Array(val.buffer)]).toEqual([0x1234, 0x1234, 0x1234, 0x1234, 0x1234]);
    expect(decode(chunk({ typesize: 1, nbytes: 5, blocksize: 5, blosc2Flags: 0x40 }, [])).length).toBe(5);
    expect(() => decode(chunk({ typesize: 2, nbytes: 4, blocksize: 4, blosc2Flags: 0x20 }, []))).toThrow(expect.objectContaining({ code: "CORRUPT" }));
    expect(() => decode(chunk({ typesize: 2, nbytes: 4, blocksize: 4, blosc2Flags: 0x50 }, []))).toThrow(expect.objectContaining({ code: "CORRUPT" }));
  });

  it("streams: zero-sized (zeros), negative with a run token, raw", () => {
    // Two blocks of 4 bytes, typesize 1 (one stream each), no split flag needed.
    const bstarts = [...i32(40), ...i32(44)];
    const c = chunk({ typesize: 1, nbytes: 8, blocksize: 4 }, [...bstarts, ...i32(0), ...i32(-7), 0x01]);
    expect([...decode(c)]).toEqual([0, 0, 0, 0, 7, 7, 7, 7]);
    const raw = chunk({ typesize: 1, nbytes: 6, blocksize: 4 }, [...i32(40), ...i32(48), ...i32(4), 1, 2, 3, 4, ...i32(2), 5, 6]);
    expect([...decode(raw)]).toEqual([1, 2, 3, 4, 5, 6]);
    const badToken = chunk({ typesize: 1, nbytes: 4, blocksize: 4 }, [...i32(36), ...i32(-7), 0x02]);
    expect(() => decode(badToken)).toThrow(expect.objectContaining({ code: "UNSUPPORTED" }));
  });

  it("splits a full block into one stream per type byte unless flag 0x10 says not to", () => {
    // typesize 2, one block of 4 bytes: two raw streams of 2 bytes.
    const split = chunk({ typesize: 2, nbytes: 4, blocksize: 4 }, [...i32(36), ...i32(2), 1, 2, ...i32(2), 3, 4]);
    expect([...decode(split)]).toEqual([1, 2, 3, 4]);
    const whole = chunk({ typesize: 2, nbytes: 4, blocksize: 4, flags: 0x10 }, [...i32(36), ...i32(4), 1, 2, 3, 4]);
    expect([...decode(whole)]).toEqual([1, 2, 3, 4]);
  });

  it("undoes the filter pipeline from slot 5 down: shuffle rounds and bit shuffle", () => {
    // Byte shuffle in slot 5 of two uint16 [0x0201, 0x0403] -> planes [01 03][02 04].
    const sh = chunk({ typesize: 2, nbytes: 4, blocksize: 4, flags: 0x10, filters: [0, 0, 0, 0, 0, 1] }, [...i32(36), ...i32(4), 1, 3, 2, 4]);
    expect([...decode(sh)]).toEqual([1, 2, 3, 4]);
    // Shuffle with meta 1 runs twice; for 4 one-byte planes of 2-byte items shuffling twice is the identity here.
    const twice = chunk({ typesize: 2, nbytes: 4, blocksize: 4, flags: 0x10, filters: [0, 0, 0, 0, 0, 1], filtersMeta: [0, 0, 0, 0, 0, 1] }, [...i32(36), ...i32(4), 1, 2, 3, 4]);
    expect([...decode(twice)]).toEqual([1, 2, 3, 4]);
    // Bit shuffle of eight bytes 0..7 (typesize 1): row k holds bit k of every byte.
    const bytes = [0, 1, 2, 3, 4, 5, 6, 7];
    const rows = Array.from({ length: 8 }, (_, k) => bytes.reduce((acc, b, i) => acc | (((b >> k) & 1) << i), 0));
    const bs = chunk({ typesize: 1, nbytes: 8, blocksize: 8, flags: 0x10, filters: [0, 0, 0, 0, 0, 2] }, [...i32(36), ...i32(8), ...rows]);
    expect([...decode(bs)]).toEqual(bytes);
    // Truncate-precision needs no undoing; user-defined filters are refused.
    const tp = chunk({ typesize: 1, nbytes: 2, blocksize: 2, flags: 0x10, filters: [4, 0, 0, 0, 0, 0] }, [...i32(36), ...i32(2), 9, 8]);
    expect([...decode(tp)]).toEqual([9, 8]);
    // Format 3 ("alpha") left slot 5 uninitialized: it is ignored.
    const alpha = chunk({ typesize: 2, nbytes: 4, blocksize: 4, flags: 0x10, filters: [0, 0, 0, 0, 0, 1] }, [...i32(36), ...i32(4), 1, 2, 3, 4]);
    alpha[0] = 3;
    expect([...decode(alpha)]).toEqual([1, 2, 3, 4]);
    const ud = chunk({ typesize: 1, nbytes: 2, blocksize: 2, flags: 0x10, filters: [160, 0, 0, 0, 0, 0] }, [...i32(36), ...i32(2), 9, 8]);
    expect(() => decode(ud)).toThrow(expect.objectContaining({ code: "UNSUPPORTED" }));
  });

  it("undoes delta against the first block (c-blosc2 delta.c)", () => {
    // Original 8 bytes in two blocks of 4: block 0 coded against its previous byte, block 1 against block 0.
    const orig = [5, 6, 7, 8, 5, 9, 7, 1];
    const coded = [orig[0], orig[1] ^ orig[0], orig[2] ^ orig[1], orig[3] ^ orig[2], orig[4] ^ orig[0], orig[5] ^ orig[1], orig[6] ^ orig[2], orig[7] ^ orig[3]];
    const c = chunk({ typesize: 1, nbytes: 8, blocksize: 4, filters: [3, 0, 0, 0, 0, 0] }, [...i32(40), ...i32(48), ...i32(4), ...coded.slice(0, 4), ...i32(4), ...coded.slice(4)]);
    expect([...decode(c)]).toEqual(orig);
    // 4-byte units: the trailing partial unit is untouched.
    const buf = Uint8Array.of(1, 2, 3, 4, 1 ^ 9, 2, 3, 4, 7);
    deltaDecode(buf, 0, 9, 4);
    expect([...buf]).toEqual([1, 2, 3, 4, 9, 0, 0, 0, 7]);
  });

  it("names the compressors it cannot decode", () => {
    // Blosc 1 header, compressor format 2 (snappy) in flags bits 5-7; one compressed stream.
    const snappy = Uint8Array.of(2, 1, 0x50, 1, ...i32(4), ...i32(4), ...i32(26), ...i32(20), ...i32(2), 1, 2);
    expect(() => decode(snappy)).toThrow(/'snappy' is not supported/);
    const udcodec = chunk({ typesize: 1, nbytes: 4, blocksize: 4, flags: 0xd0 }, [...i32(36), ...i32(2), 1, 2]);
    expect(() => decode(udcodec)).toThrow(expect.objectContaining({ code: "UNSUPPORTED" }));
  });

  it("refuses lazy and dictionary chunks, and bounds everything", () => {
    expect(() => decode(chunk({ typesize: 1, nbytes: 4, blocksize: 4, blosc2Flags: 0x08 }, [...i32(36)]))).toThrow(expect.objectContaining({ code: "UNSUPPORTED" }));
    expect(() => decode(chunk({ typesize: 1, nbytes: 4, blocksize: 4, blosc2Flags: 0x01 }, [...i32(36)]))).toThrow(expect.objectContaining({ code: "UNSUPPORTED" }));
    expect(() => decode(chunk({ typesize: 1, nbytes: 1 << 20, blocksize: 4, blosc2Flags: 0x10 }, []))).toThrow(expect.objectContaining({ code: "LIMIT" }));
    const c = chunk({ typesize: 1, nbytes: 4, blocksize: 4 }, [...i32(36), ...i32(4), 1, 2, 3, 4]);
    c[0] = 9;
    expect(() => decode(c)).toThrow(expect.objectContaining({ code: "UNSUPPORTED" }));
    // Format 6 with variable-length blocks (flags2, byte 30) is refused by name.
    c[0] = 6;
    c[30] = 1;
    expect(() => decode(c)).toThrow(/variable-length blocks/);
    c[30] = 0;
    expect([...decode(c)]).toEqual([1, 2, 3, 4]);
  });
});

describe("b2nd block layout", () => {
  it("reassembles blocks of a padded chunk into C order", () => {
    // shape 3x5 in one chunk 3x5, blocks 2x2: extended chunk 4x6 as 2x3 blocks of 2x2.
    const s = { shape: [3, 5], chunkshape: [3, 5], blockshape: [2, 2] };
    expect(b2ndStoredBytes(s, 1)).toBe(24);
    const stored = new Uint8Array(24).fill(255);
    // Element (r, c) has value r*5 + c; place it in its block.
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < 5; c++) {
        const block = Math.floor(r / 2) * 3 + Math.floor(c / 2);
        stored[block * 4 + (r % 2) * 2 + (c % 2)] = r * 5 + c;
      }
    }
    expect([...b2ndToC(stored, 1, s, "hdf5")]).toEqual(Array.from({ length: 15 }, (_, i) => i));
  });

  it("walks a grid of chunks", () => {
    // shape 4 (1-D), chunks of 3 (two chunks, the second padded), blocks of 3.
    const s = { shape: [4], chunkshape: [3], blockshape: [3] };
    const stored = Uint8Array.of(0, 1, 2, 3, 0, 0);
    expect([...b2ndToC(stored, 1, s, "hdf5")]).toEqual([0, 1, 2, 3]);
    expect(() => b2ndToC(stored.subarray(0, 5), 1, s, "hdf5")).toThrow(expect.objectContaining({ code: "CORRUPT" }));
  });
});
