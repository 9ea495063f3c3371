/**
 * joblib files put array bytes (and object arrays as nested pickles) inside
 * the pickle stream after each NumpyArrayWrapper BUILD. With `joblib: true`
 * the scanner steps over them the way NumpyUnpickler does, and scans the
 * nested object-array pickles. Fixtures: tools/fixtures/pickle/scan/make_joblib_fixtures.py.
 */
import { readdirSync, readFileSync } from "node:fs";
import { repoPath } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { scanPickle } from "../../src/scan/index.js";
import { BININT1, BUILD, bytesOf, callWithString, EMPTY_DICT, EMPTY_TUPLE, GLOBAL, MARK, NEWOBJ, PROTO, REDUCE, STOP, TUPLE1, X } from "./assemble.js";

const dir = repoPath("packages/pickle/test/scan/fixtures/joblib");
const read = (f: string) => new Uint8Array(readFileSync(`${dir}/${f}`));

describe("joblib scanning", () => {
  for (const f of readdirSync(dir).filter((n) => n.startsWith("arrays_"))) {
    it(`${f}: arrays are stepped over, the file is safe`, () => {
      const r = scanPickle(read(f), { joblib: true });
      expect(r.errors).toEqual([]);
      expect(r.verdict).toBe("safe");
    });
  }

  it("without the joblib context the inline array bytes are not a pickle: never safe", () => {
    expect(scanPickle(read("arrays_p4.joblib")).verdict).not.toBe("safe");
  });

  it("a pickled scikit-learn estimator is suspicious (unknown class)", () => {
    const r = scanPickle(read("linear_regression.joblib"), { joblib: true });
    expect(r.verdict).toBe("suspicious");
    expect(r.globals.some((g) => g.name === "LinearRegression" && g.risk === "suspicious")).toBe(true);
  });

  it("structured-dtype arrays (tree nodes of a random forest) are stepped over", () => {
    const r = scanPickle(read("forest.joblib"), { joblib: true });
    expect(r.errors).toEqual([]);
    expect(r.verdict).toBe("suspicious");
    expect(r.dataRegions?.length).toBeGreaterThan(2);
  });

  it("a payload hidden in an object array's nested pickle is found", () => {
    const dtype = [GLOBAL("numpy", "dtype"), X("O8"), "\x89", "\x88", "\x87", REDUCE];
    const bytes = bytesOf(
      PROTO(2),
      GLOBAL("joblib.numpy_pickle", "NumpyArrayWrapper"),
      EMPTY_TUPLE,
      NEWOBJ,
      EMPTY_DICT,
      MARK,
      X("shape"),
      BININT1(1),
      TUPLE1,
      X("dtype"),
      dtype,
      "u",
      BUILD,
      // NumpyUnpickler.load_build reads a nested pickle here for object arrays.
      PROTO(2),
      callWithString("os", "system", "id"),
      STOP,
      STOP,
    );
    const r = scanPickle(bytes, { joblib: true });
    expect(r.errors).toEqual([]);
    expect(r.verdict).toBe("dangerous");
    expect(r.globals.find((g) => g.name === "system")?.stream).toMatch(/^0\+\d+$/);
  });
});
