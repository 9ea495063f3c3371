import { describe, expect, it } from "vitest";
import { lz4DecodeBlock, lz4DecompressFrame } from "./lz4.js";
import { xxhash32 } from "./xxhash32.js";
import { codecErrorOf } from "@codec/testing";


const ascii = (s: string) => new TextEncoder().encode(s);

/** Hand-assembled frame: magic, FLG, BD, header checksum, blocks, end mark. */
function frame(flg: number, bd: number, blocks: Uint8Array[], extra: number[] = []): Uint8Array {
  const desc = new Uint8Array([flg, bd, ...extra]);
  const hc = (xxhash32(desc) >>> 8) & 0xff;
  const parts: number[] = [0x04, 0x22, 0x4d, 0x18, ...desc, hc];
  for (const b of blocks) parts.push(...b);
  parts.push(0, 0, 0, 0);
  return new Uint8Array(parts);
}

function le32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

describe("xxhash32", () => {
  it("matches the reference values (xxHash spec sanity vectors, lz4.frame content checksums)", () => {
    expect(xxhash32(new Uint8Array(0))).toBe(0x02cc5d05);
    expect(xxhash32(ascii("a"))).toBe(0x550d7456);
    expect(xxhash32(ascii("abc"))).toBe(0x32d153ff);
    expect(xxhash32(ascii("0123456789abcdef0123"))).toBe(0x6350964e);
  });

  it("hashes a sub-range the same as a copy of it", () => {
    const b = ascii("xx0123456789abcdef0123yy");
    expect(xxhash32(b, 0, 2, b.length - 2)).toBe(0x6350964e);
    expect(xxhash32(b, 7, 2, 10)).toBe(xxhash32(b.slice(2, 10), 7));
  });
});

describe("lz4DecodeBlock", () => {
  it("decodes literals only", () => {
    const out = new Uint8Array(5);
    expect(lz4DecodeBlock(new Uint8Array([0x50, ...ascii("hello")]), out)).toBe(5);
    expect(new TextDecoder().decode(out)).toBe("hello");
  });

  it("decodes an overlapping match (offset < length) and extended lengths", () => {
    // "ab", then match offset 2 length 4+15+3=22, then literal "z".
    const block = new Uint8Array([0x2f, 0x61, 0x62, 0x02, 0x00, 0x03, 0x10, 0x7a]);
    const out = new Uint8Array(25);
    expect(lz4DecodeBlock(block, out)).toBe(25);
    expect(new TextDecoder().decode(out)).toBe(`${"ab".repeat(12)}z`);
  });

  it("decodes long overlapping matches of every small period", () => {
    for (let period = 1; period <= 9; period++) {
      const lits = Array.from({ length: period }, (_, i) => 65 + i);
      // token: lit=period, ml=15 (+ext 200) => 219 bytes; then an empty last sequence.
      const block = new Uint8Array([(period << 4) | 15, ...lits, period, 0, 200, 0x00]);
      const out = new Uint8Array(period + 219);
      expect(lz4DecodeBlock(block, out)).toBe(out.length);
      for (let i = 0; i < out.length; i++) expect(out[i]).toBe(65 + (i % period));
    }
  });

  it("rejects offset 0, offsets before the output, truncation and overflow", () => {
    expect(codecErrorOf(() => lz4DecodeBlock(new Uint8Array([0x10, 0x61, 0x00, 0x00]), new Uint8Array(10))).code).toBe("CORRUPT");
    expect(codecErrorOf(() => lz4DecodeBlock(new Uint8Array([0x10, 0x61, 0x02, 0x00]), new Uint8Array(10))).code).toBe("CORRUPT");
    const t = codecErrorOf(() => lz4DecodeBlock(new Uint8Array([0x50, 0x61]), new Uint8Array(10)));
    expect(t.code).toBe("TRUNCATED");
    expect(t.offset).toBe(1);
    expect(codecErrorOf(() => lz4DecodeBlock(new Uint8Array([0x10, 0x61, 0x01]), new Uint8Array(10))).code).toBe("TRUNCATED");
    expect(codecErrorOf(() => lz4DecodeBlock(new Uint8Array([0xf0, 0xff]), new Uint8Array(1000))).code).toBe("TRUNCATED");
    expect(codecErrorOf(() => lz4DecodeBlock(new Uint8Array([0x50, ...ascii("hello")]), new Uint8Array(4))).code).toBe("CORRUPT");
    expect(codecErrorOf(() => lz4DecodeBlock(new Uint8Array([0x1f, 0x61, 0x01, 0x00, 0x10]), new Uint8Array(10))).code).toBe("CORRUPT");
    expect(codecErrorOf(() => lz4DecodeBlock(new Uint8Array(0), new Uint8Array(10))).code).toBe("TRUNCATED");
  });

  it("names the caller's format in errors", () => {
    expect(codecErrorOf(() => lz4DecodeBlock(new Uint8Array(0), new Uint8Array(1), "blosc")).format).toBe("blosc");
  });
});

describe("lz4DecompressFrame", () => {
  const block = [...le32(6), 0x50, ...ascii("hello")];

  it("decodes a hand-made frame with an uncompressed block", () => {
    const f = frame(0x60, 0x40, [new Uint8Array(block), new Uint8Array([...le32(0x80000003), ...ascii("xyz")])]);
    expect(new TextDecoder().decode(lz4DecompressFrame(f, 100))).toBe("helloxyz");
  });

  it("checks the header checksum, reserved bits and version", () => {
    const f = frame(0x60, 0x40, [new Uint8Array(block)]);
    f[6] ^= 1;
    expect(codecErrorOf(() => lz4DecompressFrame(f, 100)).code).toBe("CORRUPT");
    expect(codecErrorOf(() => lz4DecompressFrame(frame(0xa0, 0x40, []), 100)).code).toBe("UNSUPPORTED");
    expect(codecErrorOf(() => lz4DecompressFrame(frame(0x62, 0x40, []), 100)).code).toBe("CORRUPT");
    expect(codecErrorOf(() => lz4DecompressFrame(frame(0x60, 0x30, []), 100)).code).toBe("CORRUPT");
    expect(codecErrorOf(() => lz4DecompressFrame(frame(0x61, 0x40, [], le32(7)), 100)).code).toBe("UNSUPPORTED");
  });

  it("checks block and content checksums and the content size", () => {
    const good = frame(0x70, 0x40, [new Uint8Array([...block, ...le32(xxhash32(new Uint8Array(block.slice(4))))])]);
    expect(lz4DecompressFrame(good, 100).length).toBe(5);
    const bad = frame(0x70, 0x40, [new Uint8Array([...block, ...le32(1)])]);
    expect(codecErrorOf(() => lz4DecompressFrame(bad, 100)).message).toMatch(/block checksum/);
    const withContent = (sum: number) => new Uint8Array([...frame(0x64, 0x40, [new Uint8Array(block)]), ...le32(sum)]);
    expect(lz4DecompressFrame(withContent(xxhash32(ascii("hello"))), 100).length).toBe(5);
    expect(codecErrorOf(() => lz4DecompressFrame(withContent(0), 100)).message).toMatch(/content checksum/);
    const sized = (n: number) => frame(0x68, 0x40, [new Uint8Array(block)], [...le32(n), 0, 0, 0, 0]);
    expect(lz4DecompressFrame(sized(5), 100).length).toBe(5);
    expect(codecErrorOf(() => lz4DecompressFrame(sized(6), 100)).code).toBe("CORRUPT");
  });

  it("enforces maxOutputBytes with LIMIT, also against a declared content size", () => {
    const f = frame(0x60, 0x40, [new Uint8Array(block)]);
    expect(lz4DecompressFrame(f, 5).length).toBe(5);
    expect(codecErrorOf(() => lz4DecompressFrame(f, 4)).code).toBe("LIMIT");
    const huge = frame(0x68, 0x40, [new Uint8Array(block)], [0, 0, 0, 0, 0, 0, 1, 0]);
    expect(codecErrorOf(() => lz4DecompressFrame(huge, 1 << 30)).code).toBe("LIMIT");
    // A lying content size under the limit allocates only what the input can expand to.
    const lying = frame(0x68, 0x40, [new Uint8Array(block)], [0, 0, 0, 0x40, 0, 0, 0, 0]);
    expect(codecErrorOf(() => lz4DecompressFrame(lying, 2 ** 31)).code).toBe("CORRUPT");
    const raw = frame(0x60, 0x40, [new Uint8Array([...le32(0x80000003), ...ascii("xyz")])]);
    expect(codecErrorOf(() => lz4DecompressFrame(raw, 2)).code).toBe("LIMIT");
  });

  it("reads skippable frames and rejects junk, bad magic and truncation", () => {
    const f = frame(0x60, 0x40, [new Uint8Array(block)]);
    const skip = new Uint8Array([0x5f, 0x2a, 0x4d, 0x18, ...le32(2), 1, 2]);
    expect(lz4DecompressFrame(new Uint8Array([...skip, ...f, ...skip]), 100).length).toBe(5);
    expect(codecErrorOf(() => lz4DecompressFrame(new Uint8Array([1, 2, 3, 4]), 100)).code).toBe("BAD_MAGIC");
    expect(codecErrorOf(() => lz4DecompressFrame(new Uint8Array([...f, 1, 2, 3, 4]), 100)).code).toBe("CORRUPT");
    expect(codecErrorOf(() => lz4DecompressFrame(new Uint8Array(0), 100)).code).toBe("TRUNCATED");
    for (let n = 4; n < f.length; n++) expect(codecErrorOf(() => lz4DecompressFrame(f.subarray(0, n), 100)).code).toMatch(/TRUNCATED|CORRUPT/);
  });
});
