import { describe, expect, it } from "vitest";
import { corpusPath, hasCorpus } from "@codec/testing";
import { nodeTestDirs, type Outcome, runNodeTest } from "./node-tests.js";

/**
 * Every ONNX backend test in the corpus: passes are counted (and must not
 * fall below the last recorded count); an op the runner lacks is
 * UNSUPPORTED; nothing may fail with anything but a CodecError.
 */
const MIN_PASSES = 1721;

describe.runIf(hasCorpus("onnx"))("ONNX backend node tests", () => {
  it("run with no crash, and at least the recorded number pass", async () => {
    const counts: Record<Outcome["kind"], number> = { pass: 0, mismatch: 0, unsupported: 0, error: 0, crash: 0 };
    const crashes: string[] = [];
    const mismatches: string[] = [];
    for (const dir of nodeTestDirs(corpusPath("onnx"))) {
      const r = await runNodeTest(dir);
      counts[r.kind]++;
      if (r.kind === "crash") crashes.push(`${dir}: ${r.detail}`);
      if (r.kind === "mismatch") mismatches.push(`${dir}: ${r.detail}`);
    }
    console.log(`ONNX backend tests: ${JSON.stringify(counts)}`);
    if (mismatches.length > 0) console.log(mismatches.slice(0, 20).join("\n"));
    expect(crashes).toEqual([]);
    expect(counts.pass).toBeGreaterThanOrEqual(MIN_PASSES);
  }, 600_000);
});
