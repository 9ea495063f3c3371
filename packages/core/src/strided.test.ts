import { describe, expect, it } from "vitest";
import { cToFortran, fortranToC, stridedToContiguous } from "./strided.js";
import { codeOf } from "@codec/testing";

/** Naive reference: enumerate C-order indices and gather element by element. */
function reference(src: Uint8Array, itemSize: number, shape: number[], strides: number[], offset: number): Uint8Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(n * itemSize);
  const idx = new Array(shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    let e = offset;
    for (let d = 0; d < shape.length; d++) e += idx[d] * strides[d];
    for (let j = 0; j < itemSize; j++) out[k * itemSize + j] = src[e * itemSize + j];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}


describe("stridedToContiguous", () => {
  it("matches the naive gather on 500 random shapes and strides (negative, zero, 0-d, empty)", () => {
    const r = rng(42);
    const int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
    for (let t = 0; t < 500; t++) {
      const rank = int(0, 4);
      const shape = Array.from({ length: rank }, () => (r() < 0.08 ? 0 : int(1, 5)));
      const strides = Array.from({ length: rank }, () => int(-12, 12));
      const itemSize = [1, 2, 4, 8, 3][int(0, 4)];
      // Smallest offset that keeps negative strides in range, plus some slack.
      let lo = 0;
      let hi = 0;
      for (let d = 0; d < rank; d++) {
        const span = strides[d] * Math.max(0, shape[d] - 1);
        if (span < 0) lo += span;
        else hi += span;
      }
      const offset = -lo + int(0, 3);
      const elems = offset + hi + 1 + int(0, 3);
      const src = Uint8Array.from({ length: elems * itemSize }, () => int(0, 255));
      const got = stridedToContiguous(src, itemSize, shape, strides, offset);
      expect(got).toEqual(reference(src, itemSize, shape, strides, offset));
    }
  });

  it("handles 0-d and empty tensors", () => {
    const src = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...stridedToContiguous(src, 2, [], [], 3)]).toEqual([7, 8]);
    expect(stridedToContiguous(src, 4, [0, 5], [5, 1], 0).length).toBe(0);
    expect(stridedToContiguous(new Uint8Array(0), 4, [3, 0], [1, 1], 0).length).toBe(0);
  });

  it("rejects views outside the storage, bad strides and bad offsets with CORRUPT, before allocating", () => {
    const src = new Uint8Array(16);
    expect(codeOf(() => stridedToContiguous(src, 4, [5], [1], 0))).toBe("CORRUPT");
    expect(codeOf(() => stridedToContiguous(src, 4, [2], [-1], 0))).toBe("CORRUPT");
    expect(codeOf(() => stridedToContiguous(src, 4, [2], [1], -1))).toBe("CORRUPT");
    expect(codeOf(() => stridedToContiguous(src, 4, [2], [1.5], 0))).toBe("CORRUPT");
    expect(codeOf(() => stridedToContiguous(src, 4, [2], [1, 1], 0))).toBe("CORRUPT");
    expect(codeOf(() => stridedToContiguous(src, 4, [-2], [1], 0))).toBe("CORRUPT");
    // A hostile header: a huge shape over tiny storage must fail the check, not the allocation.
    expect(codeOf(() => stridedToContiguous(src, 4, [1e12], [1], 0))).toBe("CORRUPT");
    expect(codeOf(() => stridedToContiguous(src, 4, [2 ** 30, 2 ** 30], [1, 1], 0))).toBe("LIMIT");
  });

  it("broadcasts with zero strides", () => {
    const src = Uint8Array.from([7, 9]);
    expect([...stridedToContiguous(src, 1, [3, 2], [0, 1], 0)]).toEqual([7, 9, 7, 9, 7, 9]);
  });
});

describe("fortranToC / cToFortran", () => {
  it("transpose between orders and round-trip", () => {
    // A 2x3 matrix [[1,2,3],[4,5,6]] in Fortran order is 1 4 2 5 3 6.
    const f = Uint8Array.from([1, 4, 2, 5, 3, 6]);
    expect([...fortranToC(f, 1, [2, 3])]).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...cToFortran(Uint8Array.from([1, 2, 3, 4, 5, 6]), 1, [2, 3])]).toEqual([1, 4, 2, 5, 3, 6]);
    const r = rng(7);
    for (const shape of [[], [5], [2, 3, 4], [3, 1, 2, 2], [0, 3]]) {
      const n = shape.reduce((a, b) => a * b, 1);
      const c = Uint8Array.from({ length: n * 2 }, () => Math.floor(r() * 256));
      expect(fortranToC(cToFortran(c, 2, shape), 2, shape)).toEqual(c);
    }
  });
});
