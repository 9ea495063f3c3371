import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { codec, ensureBuilt, PYTHON } from "./harness.js";
import { defineFamilySuite } from "./suite.js";

// Fresh torch inputs from the real Python libraries, driven through the built CLI (DESIGN.md sections 4-7).
defineFamilySuite("torch");

// A torch.save archive cut short (its central directory lost) is still recognised as a torch file,
// so the one error line names the damage instead of "cannot detect the format".
describe("torch: a damaged archive is reported as a torch file", () => {
  const dir = mkdtempSync(join(tmpdir(), "codec-contract-torch-cut-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  it("inspect and convert of a cut torch.save zip: exit 1, one 'codec: torch: ...' line; scan: a verdict, never safe", async () => {
    ensureBuilt();
    const whole = join(dir, "whole.pt");
    execFileSync(PYTHON, ["-c", `import torch; torch.save({"w": torch.ones(64, 64)}, ${JSON.stringify(whole)})`]);
    const bytes = readFileSync(whole);
    const cut = join(dir, "cut.pt");
    writeFileSync(cut, bytes.subarray(0, bytes.length - 300));
    const r = await codec(["inspect", cut, "--json", "--digest"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^codec: torch: [^\n]+\n$/);
    const c = await codec(["convert", cut, join(dir, "out.safetensors")]);
    expect(c.status).toBe(1);
    expect(c.stderr).toMatch(/^codec: torch: [^\n]+\n$/);
    const s = await codec(["scan", cut, "--json"]);
    expect(s.status).toBe(0);
    expect((JSON.parse(s.stdout) as { verdict: string }).verdict).toBe("suspicious");
  }, 120_000);
});
