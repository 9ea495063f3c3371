import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isCodecError } from "@codec/core";
import { predictSklearn, sklearnInput } from "@codec/infer";
import { decodeNpy } from "@codec/npy";
import { decodeJoblib, unpickle } from "@codec/pickle";
import { describe, expect, it } from "vitest";

/** Fixtures from tools/fixtures/infer/make_sklearn.py: each model, 20 input rows and scikit-learn's own output. */
const dir = join(import.meta.dirname, "fixtures", "sklearn");
const models = JSON.parse(readFileSync(join(dir, "models.json"), "utf8")) as Record<string, string>;

function expectClose(got: Float64Array | ArrayLike<number | bigint>, want: ArrayLike<number | bigint>, exact: boolean): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const a = Number(got[i]);
    const b = Number(want[i]);
    if (exact) expect(a).toBe(b);
    else expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-9 + 1e-6 * Math.abs(b));
  }
}

describe("scikit-learn predict / transform from decoded pickles", () => {
  for (const [name, dtype] of Object.entries(models)) {
    it(`${name} (${dtype}) matches scikit-learn`, () => {
      const x = decodeNpy(readFileSync(join(dir, `${name}_X.npy`)));
      const got = predictSklearn(unpickle(readFileSync(join(dir, `${name}.pkl`))), sklearnInput(x));
      if (dtype.startsWith("<U")) {
        // Text class labels: scikit-learn's predict gives a str array.
        expect(got.dtype).toBe("string");
        expect(got.strings()).toEqual(JSON.parse(readFileSync(join(dir, `${name}_y.json`), "utf8")));
        return;
      }
      const want = decodeNpy(readFileSync(join(dir, `${name}_y.npy`)));
      expect(got.dtype).toBe(want.dtype);
      expect(got.shape).toEqual(want.shape);
      expectClose(got.typed() as ArrayLike<number>, want.typed() as ArrayLike<number>, !want.dtype.startsWith("float"));
    });
  }

  it("reads joblib files the same way", () => {
    for (const name of ["rfc", "pipe", "logreg3"]) {
      const x = decodeNpy(readFileSync(join(dir, `${name}_X.npy`)));
      const want = decodeNpy(readFileSync(join(dir, `${name}_y.npy`)));
      const got = predictSklearn(decodeJoblib(readFileSync(join(dir, `${name}.joblib`))).value, sklearnInput(x));
      expectClose(got.typed() as ArrayLike<number>, want.typed() as ArrayLike<number>, true);
    }
  });

  it("refuses wrong input widths, 1-D inputs and things that are not estimators with CodecErrors", () => {
    const model = unpickle(readFileSync(join(dir, "linreg.pkl")));
    const x = decodeNpy(readFileSync(join(dir, "pca_X.npy")));
    const bad = [() => predictSklearn(model, { data: new Float64Array(3), shape: [1, 3] }), () => predictSklearn(model, { data: new Float64Array(6), shape: [6] }), () => predictSklearn(unpickle(readFileSync(join(dir, "linreg_X.npy")).subarray(0, 0)), sklearnInput(x))];
    for (const f of bad) {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(isCodecError(err)).toBe(true);
    }
  });
});
