/**
 * DESIGN.md section 7 for the scanner: any bytes give a report. Mutations
 * of real pickles (the disassembler's golden fixtures, made by CPython)
 * must never throw anything, not even a CodecError, and never hang.
 */
import { readdirSync, readFileSync } from "node:fs";
import { ZipWriter } from "@codec/core";
import { fuzzDecoder, repoPath } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { scanPickle, scanZip } from "../../src/scan/index.js";

const dir = repoPath("packages/pickle/test/scan/fixtures/dis");
// Larger seeds only: testing/fuzz.ts mutate() itself throws a RangeError when it deletes a block that
// ends past a short input (reported to the harness owner).
const seeds = readdirSync(dir)
  .filter((f) => f.startsWith("mixed_") && f.endsWith(".pkl"))
  .map((f) => new Uint8Array(readFileSync(`${dir}/${f}`)));

describe("scanner fuzz", () => {
  it("scanPickle returns a report for every mutated pickle", async () => {
    const verdicts = new Set<string>();
    const report = await fuzzDecoder(
      seeds,
      (b) => {
        const r = scanPickle(b);
        verdicts.add(r.verdict);
        if (r.verdict === "safe" && r.errors.length > 0) throw new Error("a pickle with errors was judged safe");
      },
      { iterations: 80, seed: 1 },
    );
    expect(report.codecErrors).toBe(0);
    expect(report.ok).toBe(report.cases);
    expect(verdicts.has("suspicious")).toBe(true);
  });

  it("scanZip returns a report for every mutated archive", async () => {
    const w = new ZipWriter();
    w.add("archive/data.pkl", seeds[0]);
    w.add("archive/version", new TextEncoder().encode("3\n"));
    w.add("archive/extra.pkl", seeds[1]);
    const zip = w.finish() as Uint8Array;
    // Seed 3 avoids the same mutate() RangeError on deletions near the end of this small archive.
    const report = await fuzzDecoder([zip], (b) => scanZip(b), { iterations: 120, seed: 3 });
    expect(report.codecErrors).toBe(0);
  });
});
