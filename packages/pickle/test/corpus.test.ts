/**
 * Conformance against ../shared/corpus/pickle (DESIGN.md section 8): every
 * benign pickle decodes, and its canonicalRepr is compared with the
 * manifest's expected_repr (tools/canon.py of the value CPython unpickled);
 * every invalid pickle is rejected with a CodecError. Pass counts are
 * printed; the assertions hold the counts measured when this was written
 * so that a regression fails.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { corpusPath, hasCorpus } from "@codec/testing";
import { isCodecError } from "@codec/core";
import { describe, expect, it } from "vitest";
import { canonicalRepr, PyGlobal, type UnpickleOptions, unpickle, unpickleAll } from "../src/index.js";

interface Entry {
  path: string;
  class: string;
  container: string;
  expected_repr?: string;
  expected_repr_by_encoding?: Record<string, string>;
  expected_repr_sha256?: string;
  expected_symbolic?: string;
  expected_error?: { C_unpickler?: string; Python_unpickler?: string; message?: string } | null;
  test_context?: string[];
  ext_registry?: Record<string, [string, string]>;
  out_of_band_buffers?: string[];
}

const ready = hasCorpus("pickle");
const files: Entry[] = ready ? (JSON.parse(readFileSync(corpusPath("pickle", "manifest.json"), "utf8")) as { files: Entry[] }).files : [];
const isPickle = (e: Entry) => e.container === "pickle" || e.container === "pickle (multiple streams)";

function optionsFor(e: Entry, encoding?: UnpickleOptions["encoding"]): UnpickleOptions {
  const o: UnpickleOptions = {};
  if (encoding !== undefined) o.encoding = encoding;
  else if (e.test_context?.some((c) => c.includes("as_bytes"))) o.encoding = "bytes";
  if (e.ext_registry !== undefined) o.extensions = new Map(Object.entries(e.ext_registry).map(([k, v]) => [Number(k), v]));
  if (e.out_of_band_buffers !== undefined) o.buffers = e.out_of_band_buffers.map((p) => new Uint8Array(readFileSync(corpusPath("pickle", p))));
  return o;
}

function reprOf(bytes: Uint8Array, o: UnpickleOptions): string {
  // pickle.loads reads the first pickle and ignores what follows.
  return canonicalRepr(unpickle(bytes, o));
}

describe.runIf(ready)("pickle corpus conformance", () => {
  it("benign pickles decode to their expected canonical repr", () => {
    let total = 0;
    let pass = 0;
    let decoded = 0;
    const misses: string[] = [];
    for (const e of files.filter((f) => f.class === "benign" && isPickle(f))) {
      const bytes = new Uint8Array(readFileSync(corpusPath("pickle", e.path)));
      const cases: Array<[UnpickleOptions, string | undefined, string | undefined]> = [];
      if (e.expected_repr_by_encoding !== undefined) {
        for (const [enc, exp] of Object.entries(e.expected_repr_by_encoding)) {
          cases.push([optionsFor(e, enc as UnpickleOptions["encoding"]), exp.startsWith("ERROR ") ? undefined : exp, exp.includes("<") && exp.includes("sha256") ? e.expected_repr_sha256 : undefined]);
        }
      } else {
        cases.push([optionsFor(e), e.expected_repr, e.expected_repr_sha256]);
      }
      for (const [o, exp, sha] of cases) {
        total++;
        let got: string | Error;
        try {
          got = reprOf(bytes, o);
          decoded++;
        } catch (err) {
          got = err as Error;
        }
        const wantError = exp === undefined && sha === undefined && e.expected_symbolic === undefined && e.expected_repr_by_encoding !== undefined;
        let ok: boolean;
        if (wantError) ok = got instanceof Error && isCodecError(got);
        else if (got instanceof Error) ok = false;
        else if (sha !== undefined) ok = createHash("sha256").update(got).digest("hex") === sha;
        else if (exp !== undefined) ok = got === exp;
        else ok = true; // expected_symbolic only: decoding without error is the check
        if (ok) pass++;
        else misses.push(`${e.path} [${o.encoding ?? "ASCII"}]: ${got instanceof Error ? got.message : got.slice(0, 160)} != ${(exp ?? sha ?? (e.expected_symbolic !== undefined ? "decode (expected_symbolic)" : "ERROR")).slice(0, 160)}`);
      }
    }
    console.log(`pickle corpus: ${pass}/${total} benign cases match (${decoded} decoded)\n  ${misses.join("\n  ")}`);
    expect(pass).toBeGreaterThanOrEqual(PASS_FLOOR);
  });

  it("invalid pickles are rejected with a CodecError (import failures excepted)", () => {
    let rejected = 0;
    let importOnly = 0;
    const accepted: string[] = [];
    const invalid = files.filter((f) => f.class === "invalid");
    for (const e of invalid) {
      const bytes = new Uint8Array(readFileSync(corpusPath("pickle", e.path)));
      try {
        const v = unpickleAll(bytes.length === 0 ? bytes : bytes.subarray(0), {});
        // A decoder that never imports cannot see a missing module: CPython fails at import time.
        if (e.expected_error?.C_unpickler === "ModuleNotFoundError" && v.length === 1 && v[0] instanceof PyGlobal) importOnly++;
        else accepted.push(e.path);
      } catch (err) {
        expect(isCodecError(err), `${e.path}: ${String(err)}`).toBe(true);
        rejected++;
      }
    }
    console.log(`pickle corpus: ${rejected}/${invalid.length} invalid rejected, ${importOnly} fail only at import in CPython; accepted: ${accepted.join(", ")}`);
    expect(accepted).toEqual([]);
  });

  it("malicious pickles decode inertly or fail with a CodecError", () => {
    for (const e of files.filter((f) => f.class === "malicious" && isPickle(f))) {
      const bytes = new Uint8Array(readFileSync(corpusPath("pickle", e.path)));
      try {
        unpickleAll(bytes);
      } catch (err) {
        expect(isCodecError(err), `${e.path}: ${String(err)}`).toBe(true);
      }
    }
  });
});

/** Benign cases matched when this suite was written (see the console line for the current count). */
const PASS_FLOOR = 541;
