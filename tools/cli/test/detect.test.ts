import { MemorySource } from "@codec/core";
import { describe, expect, it } from "vitest";
import type { FormatAdapter } from "../src/adapter.js";
import { adapterForOutput, detectAdapter } from "../src/detect.js";
import { ADAPTERS } from "../src/formats/index.js";

function fake(format: string, ext: string, score: number | (() => number)): FormatAdapter {
  return {
    format,
    outputExtensions: [ext],
    detect: () => (typeof score === "function" ? score() : score),
    open: () => Promise.reject(new Error("not used")),
  };
}

describe("format detection", () => {
  const src = new MemorySource(new Uint8Array([1, 2, 3]));

  it("the highest content score wins regardless of extension", async () => {
    const a = fake("a", "aa", 1);
    const b = fake("b", "bb", 2);
    expect(await detectAdapter(src, "x.aa", [a, b])).toBe(b);
  });

  it("the extension breaks ties only", async () => {
    const a = fake("a", "aa", 1);
    const b = fake("b", "bb", 1);
    expect(await detectAdapter(src, "x.bb", [a, b])).toBe(b);
    expect(await detectAdapter(src, "X.AA", [a, b])).toBe(a);
  });

  it("a detector that throws counts as no match; no match at all is a failure", async () => {
    const boom = fake("boom", "zz", () => {
      throw new RangeError("bad");
    });
    await expect(detectAdapter(src, "x.zz", [boom])).rejects.toThrow(/cannot detect the format of 'x.zz' \(3 bytes; known formats: boom\)/);
  });

  it("output adapters come from the extension, case-insensitively", () => {
    expect(adapterForOutput("a/b.SAFETENSORS", ADAPTERS)?.format).toBe("safetensors");
    expect(adapterForOutput("x.npz", ADAPTERS)?.format).toBe("npz");
    expect(adapterForOutput("x.npy", ADAPTERS)?.format).toBe("npy");
    expect(adapterForOutput("x", ADAPTERS)).toBeUndefined();
    expect(adapterForOutput("x.weird", ADAPTERS)).toBeUndefined();
  });
});
