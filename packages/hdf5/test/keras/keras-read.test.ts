import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isCodecError, sniffFormat } from "@codec/core";
import { corpusPath, hasCorpus } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { openHdf5File } from "../../src/read/file.js";
import { isKerasHdf5, openKeras, registerKerasFormat } from "../../src/keras/index.js";

/**
 * The Keras layer against real Keras files (the shared corpus) and golden
 * fixtures made with h5py in Keras' layouts (tools/fixtures/keras/
 * make_keras_fixtures.py). expected.json lists, per file, the layers and
 * weights in Keras' load order with dtypes, shapes and sha256 digests.
 */

interface ExpectedWeight {
  name: string;
  path: string;
  dtype: string;
  shape: number[];
  sha256: string;
}
interface Expected {
  kind: string;
  layers: Array<{ name: string; weights: ExpectedWeight[] }>;
  datasets: number;
}

const fixtures = join(__dirname, "fixtures");
const expected = JSON.parse(readFileSync(join(fixtures, "expected.json"), "utf8")) as Record<string, Expected>;

function bytesOf(key: string): Uint8Array {
  return key.startsWith("corpus/") ? readFileSync(corpusPath("hdf5", "keras", key.slice(7))) : readFileSync(join(fixtures, key.slice(9)));
}

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

const keys = Object.keys(expected).filter((k) => !k.startsWith("corpus/") || hasCorpus("hdf5/keras"));

describe("openKeras", () => {
  it.each(keys)("%s: layers, weights and digests match Keras' order", async (key) => {
    const want = expected[key];
    const m = await openKeras(bytesOf(key));
    expect(m.format).toBe("keras");
    expect(m.kind).toBe(want.kind);
    expect(m.layers.map((l) => l.name)).toEqual(want.layers.map((l) => l.name));
    for (let i = 0; i < want.layers.length; i++) {
      const got = m.layers[i].weights;
      expect(got.map((w) => [w.name, w.path, w.shape])).toEqual(want.layers[i].weights.map((w) => [w.name, w.path, w.shape]));
      for (let j = 0; j < got.length; j++) {
        const w = want.layers[i].weights[j];
        const t = await m.get(got[j].path);
        if (got[j].dtype === "bfloat16") {
          expect(w.dtype).toBe("float32");
          // Stored as float32 with dtype="bfloat16": exact when the values are bfloat16 values.
          // The fixture's bfloat16-marked variable holds [1, -2, 0.5] (make_keras_fixtures.py).
          expect(t.toFloat32()).toEqual(new Float32Array([1, -2, 0.5]));
          continue;
        }
        expect(t.dtype).toBe(w.dtype);
        expect(sha(t.bytes())).toBe(w.sha256);
      }
    }
    // Every tensor dataset is listed, model weights first in Keras' order.
    expect(m.names().length).toBe(want.datasets);
    const ordered = want.layers.flatMap((l) => l.weights.map((w) => w.path));
    expect(m.names().slice(0, ordered.length)).toEqual(ordered);
  });

  it("reads legacy configs and versions", async () => {
    if (!hasCorpus("hdf5/keras")) return;
    const m = await openKeras(bytesOf("corpus/lstm-multi__model.h5"));
    expect(m.kerasVersion).toBe("2.3.1");
    expect(m.backend).toBe("tensorflow");
    expect((m.config as { class_name: string }).class_name).toBe("Sequential");
    expect(m.trainingConfig).not.toBeNull();
    expect(m.metadata.keras_version).toBe("2.3.1");
  });

  it("reads the .keras archive's config and metadata", async () => {
    const m = await openKeras(bytesOf("fixtures/sequential.keras"));
    expect(m.kerasVersion).toBe("3.3.3");
    expect((m.config as { class_name: string }).class_name).toBe("Sequential");
    expect(m.layers.map((l) => l.path)).toEqual(["layers/dense", "layers/dropout", "layers/dense_1", "layers/batch_normalization"]);
    expect(m.layers[0].className).toBe("Dense");
    expect(m.info("layers/batch_normalization/vars/3").dtype).toBe("bfloat16");
    expect(m.names()).toContain("optimizer/vars/0");
  });

  it("detects Keras files", async () => {
    registerKerasFormat();
    const archive = bytesOf("fixtures/sequential.keras");
    expect(sniffFormat(archive.subarray(0, 4096), archive.length, "m.keras")).toBe("keras");
    expect(isKerasHdf5(await openHdf5File(bytesOf("fixtures/split_attrs.h5")))).toBe(true);
    if (hasCorpus("hdf5/keras")) {
      for (const k of keys.filter((x) => x.startsWith("corpus/"))) expect(isKerasHdf5(await openHdf5File(bytesOf(k)))).toBe(true);
    }
    if (hasCorpus("hdf5/h5py")) {
      expect(isKerasHdf5(await openHdf5File(readFileSync(corpusPath("hdf5", "h5py", "vlen_string_dset.h5"))))).toBe(false);
    }
  });

  it("rejects non-Keras input with a CodecError", async () => {
    for (const bad of [new Uint8Array(0), new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]), new TextEncoder().encode("hello world")]) {
      const e = await openKeras(bad).catch((x: unknown) => x);
      expect(isCodecError(e)).toBe(true);
    }
  });
});
