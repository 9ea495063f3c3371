import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { decodeNpy, openNpy, openNpz } from "@codec/npy";
import { fuzzDecoder } from "@codec/testing";
import { describe, expect, it } from "vitest";

const dir = join(import.meta.dirname, "fixtures");
const seeds = (ext: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(ext))
    .sort()
    .map((f) => new Uint8Array(readFileSync(join(dir, f))));

describe("bad input (DESIGN.md section 7)", () => {
  it("decodeNpy on mutated .npy files: a tensor or a CodecError", async () => {
    const report = await fuzzDecoder(seeds(".npy"), (b) => decodeNpy(b), { iterations: 60 });
    expect(report.cases).toBeGreaterThan(2000);
    expect(report.codecErrors).toBeGreaterThan(0);
    expect(report.ok).toBeGreaterThan(0);
  });

  it("openNpy + get on mutated .npy files", async () => {
    const report = await fuzzDecoder(
      seeds(".npy").slice(0, 20),
      async (b) => {
        const map = await openNpy(b);
        await map.get("array");
      },
      { iterations: 40, seed: 2 },
    );
    expect(report.codecErrors).toBeGreaterThan(0);
  });

  it("openNpz + every get on mutated .npz files (stored and deflated)", async () => {
    const report = await fuzzDecoder(
      seeds(".npz"),
      async (b) => {
        const map = await openNpz(b);
        for (const name of map.names()) await map.get(name);
      },
      { iterations: 150, seed: 3 },
    );
    expect(report.codecErrors).toBeGreaterThan(0);
  });
});
