import { readFileSync } from "node:fs";
import { join } from "node:path";
import { openKeras } from "@codec/hdf5";
import { type KerasModelLike, runKeras } from "@codec/infer";
import { decodeNpy, openNpz } from "@codec/npy";
import { corpusPath, hasCorpus } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { conv2d, pool2d } from "../src/keras/layers.js";

/** References from tools/fixtures/infer/make_keras.py (numpy re-implementations over h5py's weights). */
const dir = join(import.meta.dirname, "fixtures", "keras");

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

describe.runIf(hasCorpus("hdf5/keras"))("Keras Sequential models from the corpus", () => {
  for (const file of ["Churn_Modeling_ANN_Classification__model.h5", "python-keras-mnist-classifier__mnist_model.h5", "lstm-multi__model.h5"]) {
    it(`${file} matches the numpy reference`, async () => {
      const model = await openKeras(readFileSync(corpusPath("hdf5", "keras", file)));
      const x = decodeNpy(readFileSync(join(dir, `${file}.x.npy`)));
      const want = decodeNpy(readFileSync(join(dir, `${file}.y.npy`)));
      const got = await runKeras(model as unknown as KerasModelLike, x);
      expect(got.shape).toEqual(want.shape);
      expect(maxDiff(got.typed() as Float32Array, want.typed() as Float32Array)).toBeLessThan(1e-5);
    });
  }
});

describe("Keras layers", () => {
  it("Conv2D and pooling with 'same' padding match TensorFlow's padding split", async () => {
    const npz = await openNpz(readFileSync(join(dir, "conv.npz")));
    const arr = async (n: string) => {
      const t = await npz.get(n);
      return { shape: [...t.shape], data: t.typed() as Float32Array };
    };
    const x = await arr("x");
    const conv = conv2d(x, { strides: [2, 2], padding: "same" }, await arr("kernel"), await arr("bias"));
    expect(maxDiff(conv.data, (await arr("conv")).data)).toBeLessThan(1e-5);
    expect(maxDiff(pool2d(x, { pool_size: [3, 3], strides: [2, 2], padding: "same" }, true).data, (await arr("max")).data)).toBe(0);
    expect(maxDiff(pool2d(x, { pool_size: [3, 3], strides: [2, 2], padding: "same" }, false).data, (await arr("avg")).data)).toBeLessThan(1e-6);
  });
});
