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

  it("stays fast on huge integers and floods of nested pickles", () => {
    const n = 4_000_000;
    const huge = new Uint8Array(6 + n);
    huge[0] = 0x8b; // LONG4
    new DataView(huge.buffer).setInt32(1, n, true);
    huge.fill(0x7f, 5, 5 + n);
    huge[5 + n] = 0x2e;
    let t = performance.now();
    expect(scanPickle(huge).verdict).toBe("safe");
    expect(performance.now() - t).toBeLessThan(1500);
    // 200 calls of an unknown function on the same 1 MB nested pickle: scanned once.
    const inner = new Uint8Array(1 << 20).fill(0x4e); // NONE...
    inner[0] = 0x80;
    inner[1] = 2;
    inner[inner.length - 1] = 0x2e;
    const parts: number[] = [0x80, 0x02, 0x63, ...new TextEncoder().encode("somepkg\nrestore\n"), 0x71, 0, 0x42];
    const len = [inner.length & 0xff, (inner.length >> 8) & 0xff, (inner.length >> 16) & 0xff, 0];
    const head = Uint8Array.from([...parts, ...len]);
    const call = Uint8Array.from([0x71, 1, 0x85, 0x52, 0x30]); // BINPUT 1, TUPLE1, REDUCE, POP
    const again = Uint8Array.from([0x68, 0, 0x68, 1, 0x85, 0x52, 0x30]); // BINGET 0, BINGET 1, TUPLE1, REDUCE, POP
    const total = head.length + inner.length + call.length + 200 * again.length + 2;
    const flood = new Uint8Array(total);
    let o = 0;
    for (const part of [head, inner, call]) {
      flood.set(part, o);
      o += part.length;
    }
    for (let i = 0; i < 200; i++) {
      flood.set(again, o);
      o += again.length;
    }
    flood.set([0x4e, 0x2e], o);
    t = performance.now();
    const r = scanPickle(flood);
    expect(r.verdict).toBe("suspicious");
    expect(r.calls.length).toBe(201);
    expect(performance.now() - t).toBeLessThan(5000);
  });
});
