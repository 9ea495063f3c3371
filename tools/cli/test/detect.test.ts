import { join } from "node:path";
import { MemorySource } from "@codec/core";
import { describe, expect, it } from "vitest";
import type { FormatAdapter } from "../src/adapter.js";
import { adapterForOutput, detectAdapter } from "../src/detect.js";
import { ADAPTERS } from "../src/formats/index.js";
import { run } from "./run-cli.js";

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

describe("adapter-specific inspect flags", () => {
  const head = (bytes: Uint8Array) => bytes[0] === 0x93;
  const base = ADAPTERS.find((a) => a.format === "npy") as FormatAdapter;
  const declared: FormatAdapter = {
    ...base,
    format: "npy",
    inspectFlags: ["--opcodes"],
    detect: (ctx) => (head(ctx.head) ? 3 : 0),
    describe: async (_s, _p, flags) => (flags.has("--opcodes") ? ["opcodes listed"] : undefined),
  };
  const undeclared: FormatAdapter = {
    ...base,
    detect: (ctx) => (head(ctx.head) ? 3 : 0),
    describe: async (_s, _p, flags) => (flags.has("--tree") ? ["a tree"] : undefined),
  };
  const npy = join(import.meta.dirname, "..", "demo", "samples", "image.npy");

  it("declared flags are accepted for their adapter and listed in --help", async () => {
    const r = await run(["inspect", npy, "--opcodes"], { adapters: [declared] });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/opcodes listed\n$/);
    const j = await run(["inspect", npy, "--opcodes", "--json"], { adapters: [declared] });
    expect(JSON.parse(j.stdout).describe).toEqual(["opcodes listed"]);
    expect((await run(["--help"], { adapters: [declared] })).stdout).toContain("[--opcodes]");
    const bad = await run(["inspect", npy, "--tree"], { adapters: [declared] });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe("codec: inspect: unknown option '--tree'\n");
  });

  it("a declared flag on a format that does not take it is a usage error", async () => {
    const r = await run(["inspect", npy, "--opcodes"], { adapters: [declared, ...ADAPTERS].map((a) => (a === declared ? { ...declared, detect: () => 0 } : a)) });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("codec: inspect: --opcodes does not apply to npy files\n");
  });

  it("undeclared flags reach describe, and are usage errors when it ignores them", async () => {
    expect((await run(["inspect", npy, "--tree"], { adapters: [undeclared] })).stdout).toMatch(/a tree\n$/);
    const r = await run(["inspect", npy, "--bogus"], { adapters: [undeclared] });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("codec: inspect: unknown option '--bogus'\n");
  });
});
