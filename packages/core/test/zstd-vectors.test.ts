import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isCodecError, zstdDecompress } from "@codec/core";
import { fuzzDecoder, mutate, repoPath, rng, codeOf } from "@codec/testing";
import { describe, expect, it } from "vitest";

/** Vectors from tools/fixtures/core/make_zstd_vectors.py (zstd CLI 1.5 and python3-zstandard). */
const dir = repoPath("packages/core/test/fixtures/compress/zstd");
const expected: Record<string, { length: number; sha256: string; compressed: number }> = JSON.parse(
  readFileSync(join(dir, "expected.json"), "utf8"),
);
const names = Object.keys(expected).sort();
const load = (name: string): Uint8Array => new Uint8Array(readFileSync(join(dir, `${name}.zst`)));
const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");


describe("zstd vectors (RFC 8878, reference encoder output)", () => {
  it("has the full vector set", () => {
    expect(names.length).toBeGreaterThanOrEqual(26);
  });

  for (const name of names) {
    it(`decodes ${name}`, () => {
      const input = load(name);
      expect(input.length).toBe(expected[name].compressed);
      const out = zstdDecompress(input, 64 << 20);
      expect(out.length).toBe(expected[name].length);
      expect(sha256(out)).toBe(expected[name].sha256);
    });
  }

  it("bounds the output by maxOutputBytes with LIMIT, with and without a declared content size", () => {
    for (const name of ["text-l3", "text-stream-py", "text-nosize-nocheck-py", "zeros-stream-py", "random-raw"]) {
      const n = expected[name].length;
      expect(codeOf(() => zstdDecompress(load(name), n - 1)), name).toBe("LIMIT");
      expect(zstdDecompress(load(name), n).length).toBe(n);
    }
    expect(codeOf(() => zstdDecompress(load("one-byte"), 0))).toBe("LIMIT");
    expect(codeOf(() => zstdDecompress(load("one-byte"), -1))).toBe("USAGE");
  });

  it("reports every truncation as a CodecError (never a RangeError)", () => {
    for (const name of ["text-l19", "concat-skippable", "small-text-l19", "floats-l3", "runs-l3"]) {
      const input = load(name);
      const step = Math.max(1, Math.floor(input.length / 300));
      for (let cut = 1; cut < input.length; cut += step) {
        const code = codeOf(() => zstdDecompress(input.subarray(0, cut), 64 << 20));
        expect(["TRUNCATED", "CORRUPT"], `${name} cut at ${cut}`).toContain(code);
      }
    }
  });

  it("verifies the content checksum", () => {
    const input = load("text-l3").slice();
    input[input.length - 1] ^= 1;
    expect(codeOf(() => zstdDecompress(input, 1 << 20))).toBe("CORRUPT");
  });

  it("keeps the format name of the caller in errors", () => {
    try {
      zstdDecompress(Uint8Array.of(1, 2, 3, 4, 5), 100, "blosc");
      expect.unreachable();
    } catch (e) {
      expect(isCodecError(e) && e.format).toBe("blosc");
      expect(isCodecError(e) && e.code).toBe("BAD_MAGIC");
    }
  });
});

/** A frame by hand: magic, a header descriptor, then the given bytes. */
function frame(descriptor: number, ...rest: number[]): Uint8Array {
  return Uint8Array.of(0x28, 0xb5, 0x2f, 0xfd, descriptor, ...rest);
}
/** Block header: last flag, type, size (section 3.1.1.2). */
function block(last: number, type: number, size: number): number[] {
  const h = last | (type << 1) | (size << 3);
  return [h & 255, (h >> 8) & 255, h >> 16];
}

describe("zstd frames built by hand", () => {
  it("decodes raw and RLE blocks in a single-segment frame", () => {
    // Single segment, 1-byte content size 7: raw "abc" then RLE 'x' x 4.
    const f = frame(0x20, 7, ...block(0, 0, 3), 97, 98, 99, ...block(1, 1, 4), 120);
    expect(new TextDecoder().decode(zstdDecompress(f, 100))).toBe("abcxxxx");
  });

  it("rejects a content size that the blocks do not match", () => {
    expect(codeOf(() => zstdDecompress(frame(0x20, 8, ...block(1, 0, 3), 97, 98, 99), 100))).toBe("CORRUPT");
    expect(codeOf(() => zstdDecompress(frame(0x20, 2, ...block(1, 0, 3), 97, 98, 99), 100))).toBe("CORRUPT");
  });

  it("says UNSUPPORTED for a dictionary id and accepts a zero one", () => {
    // Window descriptor 0, 1-byte dictionary id.
    expect(codeOf(() => zstdDecompress(frame(0x01, 0, 7, ...block(1, 0, 1), 65), 100))).toBe("UNSUPPORTED");
    expect(zstdDecompress(frame(0x01, 0, 0, ...block(1, 0, 1), 65), 100)).toEqual(Uint8Array.of(65));
  });

  it("rejects reserved bits, reserved block types and oversized blocks", () => {
    expect(codeOf(() => zstdDecompress(frame(0x28, 1, ...block(1, 0, 1), 65), 100))).toBe("CORRUPT");
    expect(codeOf(() => zstdDecompress(frame(0x20, 1, ...block(1, 3, 1), 65), 100))).toBe("CORRUPT");
    // Window 1 KiB: a 2000-byte RLE block exceeds Block_Maximum_Size.
    expect(codeOf(() => zstdDecompress(frame(0x00, 0, ...block(1, 1, 2000), 65), 1 << 20))).toBe("CORRUPT");
  });

  it("decodes RLE literals with 32512 sequences (3-byte count) from RLE tables", () => {
    // Literals: RLE, 20-bit size 32512 of 'x'. Sequences: count 0x7F00 in the
    // 3-byte form, all three tables RLE (LL code 1, OF code 0, ML code 0), so
    // each sequence is 1 literal + a 3-byte match at repeat offset 1, and the
    // bit stream is only its end marker.
    const n = 32512;
    const lits = [1 | (3 << 2) | ((n & 15) << 4), (n >> 4) & 255, n >> 12, 120];
    const seqs = [255, 0, 0, 0x54, 1, 0, 0, 0x01];
    const body = [...lits, ...seqs];
    // Window descriptor 0x38: 128 KiB.
    const out = zstdDecompress(frame(0x00, 0x38, ...block(1, 2, body.length), ...body), 1 << 20);
    expect(out.length).toBe(4 * n);
    expect(out.every((b) => b === 120)).toBe(true);
  });

  it("decodes Huffman literals whose weights are sent directly (4-bit form)", () => {
    // 98 explicit weights (header 127 + 98): only 'a' (97) has weight 1; the
    // implied last symbol 'b' gets weight 1, so both codes are 1 bit ('a' = 0).
    const weights = new Array(49).fill(0);
    weights[48] = 0x01; // symbols 96 and 97: the even symbol is in the high nibble
    const tree = [127 + 98, ...weights];
    // One stream, "abba": below the end marker the bits read 0, 1, 1, 0.
    const stream = [0b10110];
    const comp = tree.length + stream.length;
    const h = 2 | (4 << 4) | (comp << 14);
    const body = [h & 255, (h >> 8) & 255, h >> 16, ...tree, ...stream, 0];
    const out = zstdDecompress(frame(0x00, 0x00, ...block(1, 2, body.length), ...body), 100);
    expect(new TextDecoder().decode(out)).toBe("abba");
    // A stream with a bit left over is corrupt.
    body[body.length - 2] = 0b101100;
    expect(codeOf(() => zstdDecompress(frame(0x00, 0x00, ...block(1, 2, body.length), ...body), 100))).toBe("CORRUPT");
  });

  it("rejects treeless literals, repeat tables with nothing to repeat and impossible offsets", () => {
    // Treeless literals (type 3) in the first block.
    const treeless = [3 | (4 << 4), 0, 0, 0];
    expect(codeOf(() => zstdDecompress(frame(0x00, 0x00, ...block(1, 2, 4), ...treeless), 100))).toBe("CORRUPT");
    // Empty raw literals, one sequence with the LL table in repeat mode.
    const repeat = [0, 1, 0xc0, 0x01];
    expect(codeOf(() => zstdDecompress(frame(0x00, 0x00, ...block(1, 2, 4), ...repeat), 100))).toBe("CORRUPT");
    // litLen 0 with offset value 3 means rep1 - 1, which is 0 in a fresh frame.
    const rep = [0, 1, 0x54, 0, 1, 0, 0x03];
    expect(codeOf(() => zstdDecompress(frame(0x00, 0x00, ...block(1, 2, rep.length), ...rep), 100))).toBe("CORRUPT");
    // Offset value 2 with litLen 0 is rep3 (8): before the start of the frame.
    const far = [0, 1, 0x54, 0, 1, 0, 0x02];
    expect(codeOf(() => zstdDecompress(frame(0x00, 0x00, ...block(1, 2, far.length), ...far), 100))).toBe("CORRUPT");
  });

  it("refuses an impossible declared content size before allocating", () => {
    // 8-byte content size of 2^40 with a 4-byte tail: LIMIT under a small bound, TRUNCATED under a huge one.
    const f = frame(0xc0, 0x58, 0, 0, 0, 0, 0, 1, 0, 0, ...block(1, 0, 0));
    expect(codeOf(() => zstdDecompress(f, 1 << 20))).toBe("LIMIT");
    expect(codeOf(() => zstdDecompress(f, Number.MAX_SAFE_INTEGER))).toBe("TRUNCATED");
  });

  it("handles empty input, skippable-only input and trailing garbage", () => {
    expect(zstdDecompress(new Uint8Array(0), 10).length).toBe(0);
    expect(zstdDecompress(Uint8Array.of(0x5a, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 9, 9), 10).length).toBe(0);
    expect(codeOf(() => zstdDecompress(Uint8Array.of(0x5a, 0x2a, 0x4d, 0x18, 9, 0, 0, 0, 9), 10))).toBe("TRUNCATED");
    const ok = load("one-byte");
    const tail = new Uint8Array(ok.length + 2);
    tail.set(ok);
    expect(codeOf(() => zstdDecompress(tail, 10))).toBe("TRUNCATED");
  });
});

describe("zstd fuzz (DESIGN.md section 7)", () => {
  it("locates every CORRUPT/TRUNCATED error with an input offset", () => {
    const random = rng(17);
    let located = 0;
    for (const name of ["small-text-l19", "text-l9", "floats-l19", "runs-fast3", "concat-frames"]) {
      const seed = load(name);
      for (let i = 0; i < 150; i++) {
        try {
          zstdDecompress(mutate(seed, random), 4 << 20);
        } catch (e) {
          if (!isCodecError(e)) throw e;
          if (e.code === "CORRUPT" || e.code === "TRUNCATED") {
            expect(e.offset, e.message).toBeTypeOf("number");
            located++;
          }
        }
      }
    }
    expect(located).toBeGreaterThan(100);
  });

  it("mutated vectors give a value or a CodecError in bounded time", async () => {
    const seeds = ["small-text-l19", "text-l19", "floats-l3", "runs-l3", "concat-skippable", "text-fast7", "two-bytes"].map(
      load,
    );
    const report = await fuzzDecoder(seeds, (b) => zstdDecompress(b, 4 << 20), {
      seed: Number(process.env.ZSTD_FUZZ_SEED ?? 3),
      iterations: Number(process.env.ZSTD_FUZZ_ITER ?? 150),
      maxMsPerCase: 2000,
    });
    if (process.env.ZSTD_FUZZ_ITER) console.log(report);
    expect(report.cases).toBe(seeds.length * Number(process.env.ZSTD_FUZZ_ITER ?? 150));
    expect(report.codecErrors).toBeGreaterThan(0);
  });
});
