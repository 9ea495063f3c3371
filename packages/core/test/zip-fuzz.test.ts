import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { MemorySource, ZipWriter, isCodecError, openZip, openZipSync } from "@codec/core";
import { type FuzzReport, mutate, repoPath, rng } from "@codec/testing";
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

/**
 * The contract loop of @codec/testing's fuzzDecoder. fuzzDecoder itself
 * cannot be used yet: its `mutate` throws a RangeError in the "delete a
 * block" case when the block starts within 64 bytes of the end
 * (testing/fuzz.ts, `next.set(out.subarray(0, at))` with at > next.length).
 * Mutations that crash the mutator are redrawn here; every decode is held to
 * the same contract (a value or a CodecError, bounded time).
 */
async function fuzzDecoder(
  inputs: readonly Uint8Array[],
  decode: (bytes: Uint8Array) => unknown,
  options: { seed: number; iterations: number; maxMsPerCase?: number },
): Promise<FuzzReport> {
  const report: FuzzReport = { cases: 0, ok: 0, codecErrors: 0, byCode: {} };
  for (let s = 0; s < inputs.length; s++) {
    const random = rng(options.seed * 7919 + s);
    for (let i = 0; i < options.iterations; i++) {
      let input: Uint8Array | undefined;
      while (input === undefined) {
        try {
          input = mutate(inputs[s], random);
        } catch {
          // harness bug (see above): draw another mutation
        }
      }
      report.cases++;
      const t0 = performance.now();
      try {
        await decode(input);
        report.ok++;
      } catch (e) {
        if (!isCodecError(e)) throw new Error(`fuzz: seed file ${s}, iteration ${i}: non-CodecError ${String(e)}\n${e instanceof Error ? e.stack : ""}`);
        report.codecErrors++;
        report.byCode[e.code] = (report.byCode[e.code] ?? 0) + 1;
      }
      const ms = performance.now() - t0;
      if (ms > (options.maxMsPerCase ?? 2000)) throw new Error(`fuzz: seed file ${s}, iteration ${i} took ${ms.toFixed(0)} ms`);
    }
  }
  return report;
}

describe("zip fuzz (DESIGN.md section 7)", () => {
  it("open + read every entry of mutated real zips gives a value or a CodecError", async () => {
    const report = await fuzzDecoder(
      seeds(),
      async (bytes) => {
        const zip = await openZip(new MemorySource(bytes));
        for (const e of zip.entries) await zip.read(e);
      },
      { seed: Number(process.env.ZF_SEED ?? 7), iterations: Number(process.env.ZF_ITER ?? 150) },
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
