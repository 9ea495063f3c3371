import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { MemorySource, ZipWriter, openZip, openZipSync } from "@codec/core";
import { fuzzDecoder, repoPath } from "@codec/testing";
import { describe, expect, it } from "vitest";

const dir = repoPath("packages/core/test/fixtures/zips");

function seeds(): Uint8Array[] {
  const files = readdirSync(dir)
    .filter((f) => /\.(zip|pt)$/.test(f))
    .sort();
  const out: Uint8Array[] = files.map((f) => new Uint8Array(readFileSync(join(dir, f))));
  // Plus our own output, ZIP64 records included.
  const w = new ZipWriter({ forceZip64: true });
  w.add("a/data.pkl", new TextEncoder().encode("not really a pickle"), { compress: true });
  w.add("a/data/0", new Uint8Array(40).fill(3), { align: 64 });
  out.push(w.finish());
  return out;
}

describe("zip fuzz (DESIGN.md section 7)", () => {
  it("open + read every entry of mutated real zips gives a value or a CodecError", async () => {
    const report = await fuzzDecoder(
      seeds(),
      async (bytes) => {
        const zip = await openZip(new MemorySource(bytes));
        for (const e of zip.entries) await zip.read(e);
      },
      { seed: Number(process.env.ZF_SEED ?? 7), iterations: Number(process.env.ZF_ITER ?? 150), maxMsPerCase: 2000 },
    );
    if (process.env.ZF_ITER) console.log(report);
    expect(report.cases).toBeGreaterThan(1000);
    expect(report.codecErrors).toBeGreaterThan(0);
    expect(report.ok).toBeGreaterThan(0);
  });

  it("the synchronous path keeps the same contract", async () => {
    const report = await fuzzDecoder(
      seeds(),
      (bytes) => {
        const zip = openZipSync(new MemorySource(bytes));
        for (const e of zip.entries) zip.readSync(e);
      },
      { seed: 11, iterations: 60 },
    );
    expect(report.cases).toBeGreaterThan(500);
  });
});
