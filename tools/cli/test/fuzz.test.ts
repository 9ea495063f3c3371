import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { mutate, rng } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { run, samples, tmp } from "./run-cli.js";

/**
 * DESIGN.md sections 6 and 7 at the command level: whatever bytes a file
 * holds, `codec` answers with status 0 or 1 and at most one stderr line
 * `codec: <format>: ...` — never a stack trace or an "internal error".
 */
describe("codec on mutated files", () => {
  it.each(["mlp.safetensors", "image.npy", "arrays.npz"])("%s: inspect --digest, scan and convert stay within the contract", async (file) => {
    const original = new Uint8Array(readFileSync(join(samples, file)));
    const random = rng(file.length * 31);
    const dir = tmp();
    let failures = 0;
    for (let i = 0; i < 120; i++) {
      const path = join(dir, `m${i}.${file.split(".").pop()}`);
      writeFileSync(path, mutate(original, random));
      for (const argv of [
        ["inspect", path, "--json", "--digest"],
        ["scan", path, "--json"],
        ["convert", path, join(dir, `out${i}.safetensors`)],
      ]) {
        const r = await run(argv);
        expect([0, 1]).toContain(r.status);
        const dangerous = r.status === 1 && r.stdout !== "" && JSON.parse(r.stdout).verdict === "dangerous";
        if (r.status === 1 && !dangerous) {
          failures++;
          expect(r.stdout).toBe("");
          expect(r.stderr).toMatch(/^codec: [^\n]+\n$/);
          expect(r.stderr).not.toMatch(/internal error/);
        }
        if (r.status === 0 && argv[0] !== "convert") JSON.parse(r.stdout);
      }
    }
    expect(failures).toBeGreaterThan(0);
  });
});
