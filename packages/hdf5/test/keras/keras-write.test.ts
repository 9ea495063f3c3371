import { type JsonValue, openZip, Tensor, toByteSource, utf8Decode } from "@codec/core";
import { describe, expect, it } from "vitest";
import { openHdf5File } from "../../src/read/file.js";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { kerasLayerPaths, openKeras, reencodeKerasArchive, toSnakeCase, writeKerasArchive, writeKerasWeights } from "../../src/keras/index.js";

const f32 = (shape: number[], seed: number) => {
  const n = shape.reduce((a, b) => a * b, 1);
  const a = new Float32Array(n).map((_, i) => Math.sin(i + seed));
  return new Tensor({ dtype: "float32", shape, data: new Uint8Array(a.buffer) });
};

const CONFIG: JsonValue = {
  module: "keras",
  class_name: "Sequential",
  config: {
    name: "sequential",
    layers: [
      { class_name: "InputLayer", config: { name: "input_layer", batch_shape: [null, 4] } },
      { class_name: "Dense", config: { name: "dense", units: 3 } },
      { class_name: "Conv2D", config: { name: "conv" } },
      { class_name: "Dense", config: { name: "dense_9", units: 2 } },
    ],
  },
};

describe("Keras 3 writing", () => {
  it("names saving paths like saving_lib", () => {
    expect(toSnakeCase("Dense")).toBe("dense");
    expect(toSnakeCase("Conv2D")).toBe("conv2d");
    expect(toSnakeCase("BatchNormalization")).toBe("batch_normalization");
    expect(toSnakeCase("LSTMCell")).toBe("lstm_cell");
    expect(kerasLayerPaths(CONFIG).map((l) => l.path)).toEqual(["layers/dense", "layers/conv2d", "layers/dense_1"]);
  });

  it("writes a .weights.h5 that reads back in Keras' layout", async () => {
    const bf = new Tensor({ dtype: "bfloat16", shape: [2], data: new Uint8Array(new Uint16Array([0x3f80, 0xc000]).buffer) });
    const bytes = writeKerasWeights([
      { path: "layers/dense", vars: [f32([4, 3], 1), f32([3], 2)] },
      { path: "layers/conv2d", vars: [] },
      { path: "layers/dense_1", vars: [f32([3, 2], 3), bf] },
      { path: "optimizer", vars: [new Tensor({ dtype: "int64", shape: [], data: new Uint8Array(8) })] },
    ]);
    const file = await openHdf5File(bytes);
    expect(file.root.links().map((l) => l.name)).toEqual(["layers", "optimizer", "vars"]);
    const m = await openKeras(bytes);
    expect(m.kind).toBe("keras3-weights");
    expect(m.layers.map((l) => [l.path, l.weights.length])).toEqual([
      ["layers/conv2d", 0],
      ["layers/dense", 2],
      ["layers/dense_1", 2],
    ]);
    expect(m.info("layers/dense_1/vars/1").dtype).toBe("bfloat16");
    expect([...new Uint16Array((await m.get("layers/dense_1/vars/1")).bytes().slice().buffer)]).toEqual([0x3f80, 0xc000]);
    expect((await m.get("layers/dense/vars/0")).bytes()).toEqual(f32([4, 3], 1).bytes());
  });

  it("writes a .keras archive that reads back with its config", async () => {
    const bytes = writeKerasArchive({
      config: CONFIG,
      weights: [
        { path: "layers/dense", vars: [f32([4, 3], 1), f32([3], 2)] },
        { path: "layers/conv2d", vars: [f32([1, 1, 3, 3], 5)] },
        { path: "layers/dense_1", vars: [f32([3, 2], 3), f32([2], 4)] },
      ],
      metadata: { keras_version: "3.5.0", date_saved: "2025-01-01@00:00:00" },
    });
    const zip = await openZip(toByteSource(bytes));
    expect(zip.entries.map((e) => [e.name, e.method])).toEqual([
      ["metadata.json", 0],
      ["config.json", 0],
      ["model.weights.h5", 0],
    ]);
    expect(JSON.parse(utf8Decode(await zip.read(zip.entries[0]), "t"))).toEqual({ keras_version: "3.5.0", date_saved: "2025-01-01@00:00:00" });
    const m = await openKeras(bytes);
    expect(m.kind).toBe("keras-archive");
    expect(m.kerasVersion).toBe("3.5.0");
    expect(m.layers.map((l) => [l.name, l.path, l.weights.length])).toEqual([
      ["dense", "layers/dense", 2],
      ["conv", "layers/conv2d", 1],
      ["dense_9", "layers/dense_1", 2],
    ]);
  });

  it("re-encodes a .keras archive keeping config, metadata and every weight", async () => {
    const src = new Uint8Array(readFileSync(join(__dirname, "fixtures", "sequential.keras")));
    const a = await openKeras(src);
    const b = await openKeras(await reencodeKerasArchive(src));
    expect(b.config).toEqual(a.config);
    expect(b.metadata).toEqual(a.metadata);
    expect(b.names()).toEqual(a.names());
    for (const n of a.names()) expect((await b.get(n)).bytes()).toEqual((await a.get(n)).bytes());
  });
});
