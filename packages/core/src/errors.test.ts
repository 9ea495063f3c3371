import { describe, expect, it } from "vitest";
import { CodecError, ERROR_CODES, asCodecError, fail, guardDecode, guardDecodeAsync, isCodecError } from "./errors.js";

describe("CodecError", () => {
  it("carries code, format and offset and is recognised by the guard", () => {
    const e = new CodecError("TRUNCATED", "safetensors", "header cut short", { offset: 0x1a40 });
    expect(e.message).toBe("safetensors: header cut short at offset 0x1a40");
    expect(isCodecError(e)).toBe(true);
    expect(isCodecError(new Error("x"))).toBe(false);
    expect(e.code).toBe("TRUNCATED");
    expect(e.offset).toBe(0x1a40);
  });

  it("turns stray RangeErrors into CORRUPT and stack overflows into LIMIT", () => {
    expect(asCodecError("x", new RangeError("Offset is outside the bounds of the DataView")).code).toBe("CORRUPT");
    expect(asCodecError("x", new RangeError("Maximum call stack size exceeded")).code).toBe("LIMIT");
    expect(() =>
      guardDecode("x", () => {
        throw new TypeError("boom");
      }),
    ).toThrow(CodecError);
  });
});

describe("CodecError details", () => {
  it("formats messages without an offset, keeps detail and cause", () => {
    const cause = new Error("inner");
    const e = new CodecError("UNSUPPORTED", "hdf5", "unsupported filter 'szip' (id 4)", { detail: "FILTER", cause });
    expect(e.message).toBe("hdf5: unsupported filter 'szip' (id 4)");
    expect(e.offset).toBeUndefined();
    expect(e.detail).toBe("FILTER");
    expect(e.cause).toBe(cause);
    expect(e.name).toBe("CodecError");
    expect(e).toBeInstanceOf(Error);
    expect(ERROR_CODES).toContain(e.code);
  });

  it("fail() throws, and isCodecError recognises plain objects tagged by another copy of the package", () => {
    expect(() => fail("BAD_MAGIC", "npy", "no magic", { offset: 0 })).toThrow("npy: no magic at offset 0x0");
    expect(isCodecError({ _tag: "CodecError", code: "CORRUPT" })).toBe(true);
    expect(isCodecError({ _tag: "CodecError" })).toBe(false);
    expect(isCodecError(null)).toBe(false);
    expect(isCodecError("CodecError")).toBe(false);
  });

  it("asCodecError maps stray errors to codes", () => {
    const same = new CodecError("LIMIT", "x", "big");
    expect(asCodecError("y", same)).toBe(same);
    expect(asCodecError("x", new TypeError("Cannot read properties of undefined")).code).toBe("CORRUPT");
    expect(asCodecError("x", new Error("plain")).message).toBe("x: plain");
    expect(asCodecError("x", "a string").code).toBe("CORRUPT");
    // Refused allocations are LIMIT; negative lengths are corrupt sizes.
    const alloc = (() => {
      try {
        new Uint8Array(2 ** 52);
      } catch (e) {
        return e;
      }
    })();
    expect(asCodecError("x", alloc).code).toBe("LIMIT");
    expect(asCodecError("x", new RangeError("Array buffer allocation failed")).code).toBe("LIMIT");
    expect(asCodecError("x", new RangeError("Invalid typed array length: -1")).code).toBe("CORRUPT");
  });

  it("guardDecode passes values and CodecErrors through; guardDecodeAsync does the same for promises", async () => {
    expect(guardDecode("x", () => 5)).toBe(5);
    const inner = new CodecError("TRUNCATED", "x", "short");
    expect(() =>
      guardDecode("x", () => {
        throw inner;
      }),
    ).toThrow(inner);
    await expect(guardDecodeAsync("x", async () => 6)).resolves.toBe(6);
    await expect(
      guardDecodeAsync("fmt", async () => {
        throw new RangeError("Offset is outside the bounds of the DataView");
      }),
    ).rejects.toMatchObject({ code: "CORRUPT", format: "fmt" });
    const deep = (n: number): number => (n === 0 ? 0 : 1 + deep(n - 1));
    expect(() => guardDecode("x", () => deep(1e7))).toThrow(/nests too deeply/);
  });
});
