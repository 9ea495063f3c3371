/**
 * Conformance over /work/shared/corpus/hdf5 (when present): every file
 * libhdf5 opens is read completely (every object, attribute and dataset
 * value) and compared with what h5py read (fixtures/corpus-expected.json,
 * made by tools/fixtures/hdf5/dump_corpus.py), or refused with an
 * UNSUPPORTED error naming the feature. Intentionally corrupt files must
 * give a CodecError quickly.
 */
import { readFileSync } from "node:fs";
import { isCodecError } from "@codec/core";
import { FileSource } from "@codec/core/node";
import { corpusPath, hasCorpus } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { Hdf5Dataset, openHdf5FileSync } from "../src/index.js";
import { type ExpectedObject, type Outcome, checkFile } from "./corpus-check.js";

const expected = JSON.parse(readFileSync(new URL("./fixtures/corpus-expected.json", import.meta.url), "utf8")) as Record<string, { objects: Record<string, ExpectedObject> }>;

interface ManifestEntry {
  path: string;
  opens_with_libhdf5?: boolean;
  intentionally_corrupt?: boolean;
}

describe.runIf(hasCorpus("hdf5"))("hdf5 corpus conformance", () => {
  it("reads every file libhdf5 opens, or refuses it with a named UNSUPPORTED feature", () => {
    const results: Record<string, Outcome> = {};
    for (const [file, v] of Object.entries(expected)) results[file] = checkFile(corpusPath("hdf5", file), v.objects);
    const by = (s: Outcome["status"]) => Object.entries(results).filter(([, r]) => r.status === s);
    const complete = by("complete");
    const unsupported = by("unsupported");
    const failing = by("failing");
    console.log(`hdf5 conformance: ${complete.length} complete, ${unsupported.length} unsupported, ${failing.length} failing of ${Object.keys(results).length}`);
    for (const [f, r] of unsupported) console.log(`  unsupported ${f}: ${"message" in r ? r.message : ""}`);
    for (const [f, r] of failing) console.log(`  FAILING ${f}: ${"message" in r ? r.message : ""}`);
    for (const [, r] of unsupported) expect(r.status === "unsupported" && /unsupported|not supported|not available|VAX|reference type|virtual/i.test(r.message)).toBe(true);
    expect(complete.length).toBeGreaterThanOrEqual(285);
    expect(failing.map(([f]) => f)).toEqual([]);
  }, 240_000);

  it("gives a CodecError quickly for every intentionally corrupt file", () => {
    const manifest = JSON.parse(readFileSync(corpusPath("hdf5", "manifest.json"), "utf8")) as { files: ManifestEntry[] };
    const corrupt = manifest.files.filter((f) => f.intentionally_corrupt);
    expect(corrupt.length).toBeGreaterThan(10);
    for (const entry of corrupt) {
      const t0 = performance.now();
      let error: unknown;
      try {
        const file = openHdf5FileSync(new FileSource(corpusPath("hdf5", entry.path)));
        for (const o of file.walk()) {
          o.attributes();
          if (o instanceof Hdf5Dataset) o.values();
        }
      } catch (e) {
        error = e;
      }
      const ms = performance.now() - t0;
      console.log(`  corrupt ${entry.path}: ${error === undefined ? "read without error" : isCodecError(error) ? `${error.code} ${error.message}` : String(error)} (${ms.toFixed(0)} ms)`);
      if (error !== undefined) expect(isCodecError(error), entry.path).toBe(true);
      // A corrupt file libhdf5 still opens (tbad_msg_count.h5: a wrong message count it tolerates) may read.
      else expect(entry.opens_with_libhdf5, `${entry.path} read without error`).toBe(true);
      expect(ms).toBeLessThan(2000);
    }
  }, 120_000);
});
