import { describe, expect, it } from "vitest";
import { xxhash64 } from "./xxhash64.js";

const hex = (h: [number, number]): string => h[0].toString(16).padStart(8, "0") + h[1].toString(16).padStart(8, "0");
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("xxhash64 (seed 0)", () => {
  it("matches the published values of the reference implementation", () => {
    expect(hex(xxhash64(new Uint8Array(0)))).toBe("ef46db3751d8e999");
    expect(hex(xxhash64(bytes("a")))).toBe("d24ec4f1a98c6e5b");
    expect(hex(xxhash64(bytes("abc")))).toBe("44bc2cf5ad770999");
  });

  it("hashes a sub-range like a copy of it (every tail length around the 32-byte stripes)", () => {
    const data = new Uint8Array(300);
    for (let i = 0; i < data.length; i++) data[i] = (i * 131 + 7) & 255;
    for (let n = 0; n < 80; n++) {
      expect(xxhash64(data, 5, 5 + n)).toEqual(xxhash64(data.slice(5, 5 + n)));
    }
  });

  it("agrees with a BigInt transcription of the spec on extreme lane values", () => {
    // The spec's XXH64 (seed 0) in 64-bit BigInt arithmetic, as an independent reference.
    const M = (1n << 64n) - 1n;
    const [P1, P2, P3, P4, P5] = [0x9e3779b185ebca87n, 0xc2b2ae3d27d4eb4fn, 0x165667b19e3779f9n, 0x85ebca77c2b2ae63n, 0x27d4eb2f165667c5n];
    const rotl = (x: bigint, r: bigint): bigint => ((x << r) | (x >> (64n - r))) & M;
    const round = (acc: bigint, lane: bigint): bigint => (rotl((acc + lane * P2) & M, 31n) * P1) & M;
    const reference = (b: Uint8Array): bigint => {
      const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
      let p = 0;
      let h: bigint;
      if (b.length >= 32) {
        const v = [(P1 + P2) & M, P2, 0n, (M + 1n - P1) & M];
        for (; p + 32 <= b.length; p += 32) for (let i = 0; i < 4; i++) v[i] = round(v[i], dv.getBigUint64(p + 8 * i, true));
        h = (rotl(v[0], 1n) + rotl(v[1], 7n) + rotl(v[2], 12n) + rotl(v[3], 18n)) & M;
        for (let i = 0; i < 4; i++) h = (((h ^ round(0n, v[i])) * P1) & M) + P4 & M;
      } else h = P5;
      h = (h + BigInt(b.length)) & M;
      for (; p + 8 <= b.length; p += 8) h = (rotl(h ^ round(0n, dv.getBigUint64(p, true)), 27n) * P1 + P4) & M;
      if (p + 4 <= b.length) {
        h = (rotl(h ^ ((BigInt(dv.getUint32(p, true)) * P1) & M), 23n) * P2 + P3) & M;
        p += 4;
      }
      for (; p < b.length; p++) h = (rotl(h ^ ((BigInt(b[p]) * P5) & M), 11n) * P1) & M;
      h ^= h >> 33n;
      h = (h * P2) & M;
      h ^= h >> 29n;
      h = (h * P3) & M;
      return h ^ (h >> 32n);
    };
    const inputs = [new Uint8Array(1000).fill(0xff), new Uint8Array(999).fill(0x80), new Uint8Array(517)];
    const mixed = new Uint8Array(4099);
    for (let i = 0; i < mixed.length; i++) mixed[i] = i % 3 === 0 ? 0xff : (i * 197 + 11) & 255;
    inputs.push(mixed);
    for (const b of inputs) expect(hex(xxhash64(b))).toBe(reference(b).toString(16).padStart(16, "0"));
  });
});
