/**
 * Conformance of the scanner on the shared pickle corpus
 * (../shared/corpus/pickle, manifest.json classes): every malicious file
 * must be `dangerous`, no benign file may be `dangerous`, and no invalid or
 * suspicious file may be `safe`. Zip containers are opened with
 * @codec/core's zip reader (scanZip); object-array .npy payloads are
 * scanned after their header. Nothing is ever unpickled.
 */
import { readFileSync } from "node:fs";
import { corpusPath, hasCorpus } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { unpickle } from "../../src/index.js";
import { npyPicklePayload, type PickleScanReport, scanPickle, scanZip } from "../../src/scan/index.js";

interface Entry {
  path: string;
  class: "benign" | "malicious" | "invalid" | "suspicious";
  container?: string;
}

async function scanEntry(e: Entry): Promise<PickleScanReport> {
  const bytes = new Uint8Array(readFileSync(corpusPath("pickle", e.path)));
  if (e.container === "zip") return scanZip(bytes, { source: e.path });
  if (e.container === "npy") {
    const payload = npyPicklePayload(bytes);
    // A numeric .npy holds no pickle: nothing to scan, nothing to execute.
    return payload === null ? { verdict: "safe", globals: [], calls: [], findings: [], errors: [], streams: [] } : scanPickle(payload, { source: e.path });
  }
  return scanPickle(bytes, { source: e.path, torch: e.container === "torch-legacy" });
}

function passes(e: Entry, r: PickleScanReport): boolean {
  switch (e.class) {
    case "malicious":
      return r.verdict === "dangerous";
    case "benign":
      return r.verdict !== "dangerous";
    default:
      return r.verdict !== "safe";
  }
}

describe.runIf(hasCorpus("pickle/manifest.json"))("scanner conformance on the pickle corpus", () => {
  it("malicious -> dangerous, benign -> not dangerous, invalid/suspicious -> not safe", async () => {
    const manifest = JSON.parse(readFileSync(corpusPath("pickle", "manifest.json"), "utf8")) as { files: Entry[] };
    const totals: Record<string, { pass: number; total: number; verdicts: Record<string, number> }> = {};
    const failures: string[] = [];
    for (const e of manifest.files) {
      const r = await scanEntry(e);
      const t = (totals[e.class] ??= { pass: 0, total: 0, verdicts: {} });
      t.total++;
      t.verdicts[r.verdict] = (t.verdicts[r.verdict] ?? 0) + 1;
      if (passes(e, r)) t.pass++;
      else failures.push(`${e.class} ${e.path}: ${r.verdict}`);
    }
    for (const [cls, t] of Object.entries(totals)) {
      console.log(`pickle scan corpus: ${cls} ${t.pass}/${t.total} pass (verdicts ${JSON.stringify(t.verdicts)})`);
    }
    expect(failures).toEqual([]);
    expect(totals.malicious.total).toBeGreaterThan(100);
  });

  it("a plain pickle the decoder cannot parse is never safe", () => {
    const manifest = JSON.parse(readFileSync(corpusPath("pickle", "manifest.json"), "utf8")) as { files: Entry[] };
    const mismatches: string[] = [];
    let checked = 0;
    for (const e of manifest.files) {
      if (e.container !== "pickle") continue;
      const bytes = new Uint8Array(readFileSync(corpusPath("pickle", e.path)));
      if (scanPickle(bytes).verdict !== "safe") continue;
      checked++;
      try {
        unpickle(bytes);
      } catch (err) {
        mismatches.push(`${e.path}: ${(err as Error).message}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(200);
  });
});
