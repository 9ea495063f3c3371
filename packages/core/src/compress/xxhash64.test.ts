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
});
