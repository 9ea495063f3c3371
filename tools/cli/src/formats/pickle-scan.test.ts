import { readFileSync } from "node:fs";
import { MemorySource } from "@codec/core";
import { repoPath } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { describePickleSource, scanPickleSource } from "./pickle-scan.js";

const enc = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe("pickle scan/describe for the CLI", () => {
  it("reports os.system as dangerous with offset and opcode", async () => {
    const r = await scanPickleSource(new MemorySource(enc("cos\nsystem\n(S'id'\ntR.")), "pickle");
    expect(r.verdict).toBe("dangerous");
    expect(r.globals[0]).toMatchObject({ module: "os", name: "system", risk: "dangerous", offset: 0, opcode: "GLOBAL" });
    expect(Object.keys(r.extra ?? {})).toEqual(expect.arrayContaining(["calls", "findings", "errors", "streams"]));
    expect(r.lines[0]).toBe("globals:");
  });

  it("scans joblib files with their inline arrays", async () => {
    const bytes = new Uint8Array(readFileSync(repoPath("packages/pickle/test/scan/fixtures/joblib/arrays_p4.joblib")));
    expect((await scanPickleSource(new MemorySource(bytes), "joblib")).verdict).toBe("safe");
  });

  it("steps over joblib inline arrays in the --opcodes listing", async () => {
    const bytes = new Uint8Array(readFileSync(repoPath("packages/pickle/test/scan/fixtures/joblib/arrays_p4.joblib")));
    const lines = (await describePickleSource(new MemorySource(bytes), new Set(["--opcodes"]), "joblib")) ?? [];
    expect(lines.some((l) => /bytes of joblib array data>/.test(l))).toBe(true);
    expect(lines.some((l) => l.startsWith("error:"))).toBe(false);
  });

  it("lists opcodes only with --opcodes", async () => {
    const src = new MemorySource(enc("\x80\x04N."));
    expect(await describePickleSource(src, new Set(), "pickle")).toBeUndefined();
    expect(await describePickleSource(src, new Set(["--opcodes"]), "pickle")).toEqual([
      "    0: \\x80 PROTO      4",
      "    2: N    NONE",
      "    3: .    STOP",
      "highest protocol among opcodes = 2",
    ]);
  });
});
