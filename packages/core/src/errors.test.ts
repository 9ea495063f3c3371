import { describe, expect, it } from "vitest";
import { CodecError, asCodecError, guardDecode, isCodecError } from "./errors.js";

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
