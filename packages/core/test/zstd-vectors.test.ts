import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isCodecError, zstdDecompress } from "@codec/core";
import { fuzzDecoder, mutate, repoPath, rng } from "@codec/testing";
import { describe, expect, it } from "vitest";

/** Vectors from tools/fixtures/core/make_zstd_vectors.py (zstd CLI 1.5 and python3-zstandard). */
const dir = repoPath("packages/core/test/fixtures/compress/zstd");
const expected: Record<string, { length: number; sha256: string; compressed: number }> = JSON.parse(
  readFileSync(join(dir, "expected.json"), "utf8"),
);
const names = Object.keys(expected).sort();
const load = (name: string): Uint8Array => new Uint8Array(readFileSync(join(dir, `${name}.zst`)));
const sha256 = (b: Uint8Array): string => createHash("sha256").update(b).digest("hex");

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isCodecError(e)) return e.code;
    throw e;
  }
  return "ok";
}

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
