import { sniffFormat } from "@codec/core";
import { describe, expect, it } from "vitest";
import { safetensorsDetector } from "./detector.js";
import { encodeSafetensors } from "./encode.js";

describe("format detection", () => {
  it("scores real files 2 and other bytes 0", () => {
    const bytes = encodeSafetensors({});
    expect(safetensorsDetector.detect(bytes, bytes.length)).toBe(2);
    expect(sniffFormat(bytes.subarray(0, 4096), bytes.length, "x.bin")).toBe("safetensors");
    expect(safetensorsDetector.detect(bytes, 12)).toBe(0); // header does not fit
    expect(safetensorsDetector.detect(new TextEncoder().encode("PK\x03\x04aaaaaaaaaa"), 14)).toBe(0);
    const ws = new Uint8Array([4, 0, 0, 0, 0, 0, 0, 0, 0x20, 0x0a, 0x7b, 0x7d]);
    expect(safetensorsDetector.detect(ws, ws.length)).toBe(2);
    const huge = new Uint8Array([0, 0, 0, 0, 1, 0, 0, 0, 0x7b, 0x7d]);
    expect(safetensorsDetector.detect(huge, 1e12)).toBe(0);
  });
});
