import { describe, expect, it } from "vitest";
import { type FormatDetector, registerFormat, registeredFormats, sniffFormat, startsWith } from "./sniff.js";

const magic = (format: string, bytes: number[], extensions: string[]): FormatDetector => ({
  format,
  extensions,
  detect: (head) => (startsWith(head, bytes) ? 2 : 0),
});

describe("sniffFormat", () => {
  // The registry is module-global: use names no codec registers.
  registerFormat(magic("test-a", [0x41, 0x41], ["aa"]));
  registerFormat({ format: "test-structure", extensions: ["st"], detect: (head) => (head.length > 0 && head[0] === 0x7b ? 1 : 0) });
  registerFormat({ format: "test-structure-2", extensions: ["st2"], detect: (head) => (head.length > 0 && head[0] === 0x7b ? 1 : 0) });
  registerFormat({
    format: "test-throws",
    extensions: [],
    detect: () => {
      throw new RangeError("buggy detector");
    },
  });

  it("picks the detector with the highest confidence", () => {
    expect(sniffFormat(Uint8Array.of(0x41, 0x41, 0), 3)).toBe("test-a");
    expect(sniffFormat(Uint8Array.of(0x7b), 1)).toBe("test-structure");
    expect(sniffFormat(Uint8Array.of(0x00), 1)).toBeUndefined();
  });

  it("lets the extension break ties but not beat magic bytes", () => {
    expect(sniffFormat(Uint8Array.of(0x7b), 1, "model.st2")).toBe("test-structure-2");
    expect(sniffFormat(Uint8Array.of(0x7b), 1, "MODEL.ST")).toBe("test-structure");
    expect(sniffFormat(Uint8Array.of(0x41, 0x41), 2, "x.st")).toBe("test-a");
  });

  it("replaces a detector registered twice under one name, and survives a throwing detector", () => {
    const before = registeredFormats().length;
    registerFormat(magic("test-a", [0x42], ["aa"]));
    expect(registeredFormats().length).toBe(before);
    expect(sniffFormat(Uint8Array.of(0x42), 1)).toBe("test-a");
    expect(sniffFormat(Uint8Array.of(0x41, 0x41), 2)).toBeUndefined();
  });
});

describe("startsWith", () => {
  it("compares at an offset and handles short heads", () => {
    expect(startsWith(Uint8Array.of(1, 2, 3), [2, 3], 1)).toBe(true);
    expect(startsWith(Uint8Array.of(1, 2), [2, 3], 1)).toBe(false);
    expect(startsWith(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(startsWith(new Uint8Array(0), [])).toBe(true);
  });
});
