/**
 * Everyday ML objects pickled by CPython (tools/fixtures/pickle/scan/make_ml_fixtures.py):
 * none may be `dangerous`. Unknown classes (estimators, modules) are
 * `suspicious`; plainly pickled torch tensors go through
 * torch.storage._load_from_bytes, which is judged by the nested file.
 */
import { readdirSync, readFileSync } from "node:fs";
import { repoPath } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { scanPickle } from "../../src/scan/index.js";

const dir = repoPath("packages/pickle/test/scan/fixtures/ml");

describe("no false positives on ML pickles", () => {
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".pkl"))) {
    it(f, () => {
      const r = scanPickle(new Uint8Array(readFileSync(`${dir}/${f}`)));
      expect(r.verdict, JSON.stringify([...r.findings, ...r.globals.filter((g) => g.risk === "dangerous")])).not.toBe("dangerous");
      expect(r.errors).toEqual([]);
    });
  }
});
