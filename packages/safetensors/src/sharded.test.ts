import { Tensor } from "@codec/core";
import { describe, expect, it } from "vitest";
import { openShardedSafetensors, parseShardSize, planShards, writeShardedSafetensors } from "./sharded.js";

const u8 = (n: number, v: number) => new Tensor({ dtype: "uint8", shape: [n], data: new Uint8Array(n).fill(v) });

describe("sharded checkpoints", () => {
  it("plans shards like huggingface_hub", () => {
    const e = (name: string, byteLength: number) => ({ name, byteLength });
    const plan = planShards([e("a", 4), e("b", 4), e("big", 20), e("c", 3), e("d", 1)], 10);
    // The oversized tensor gets its own shard at the point it was met.
    expect(plan.map((s) => s.map((x) => x.name))).toEqual([["big"], ["a", "b"], ["c", "d"]]);
    expect(parseShardSize("5GB")).toBe(5e9);
    expect(parseShardSize("2MiB")).toBe(2 * 1024 * 1024);
    expect(() => parseShardSize("lots")).toThrow(/cannot parse/);
  });

  it("writes HF-named shards and an index, and reads them back as one map", async () => {
    const tensors = { "layer.0.w": u8(6, 1), "layer.0.b": u8(2, 2), "layer.1.w": u8(6, 3), "layer.1.b": u8(2, 4) };
    const { files, index } = writeShardedSafetensors(tensors, { maxShardSize: 8, metadata: { format: "pt" } });
    expect(files.map((f) => f.name)).toEqual([
      "model-00001-of-00002.safetensors",
      "model-00002-of-00002.safetensors",
      "model.safetensors.index.json",
    ]);
    expect(index).toEqual({
      metadata: { total_size: 16 },
      weight_map: {
        "layer.0.w": "model-00001-of-00002.safetensors",
        "layer.0.b": "model-00001-of-00002.safetensors",
        "layer.1.w": "model-00002-of-00002.safetensors",
        "layer.1.b": "model-00002-of-00002.safetensors",
      },
    });
    const text = new TextDecoder().decode(files[2].bytes);
    expect(text).toBe(
      '{\n  "metadata": {\n    "total_size": 16\n  },\n  "weight_map": {\n    "layer.0.b": "model-00001-of-00002.safetensors",\n    "layer.0.w": "model-00001-of-00002.safetensors",\n    "layer.1.b": "model-00002-of-00002.safetensors",\n    "layer.1.w": "model-00002-of-00002.safetensors"\n  }\n}\n',
    );
    const byName = new Map(files.map((f) => [f.name, f.bytes]));
    const set = await openShardedSafetensors(files[2].bytes, (name) => byName.get(name)!);
    // Shard by shard, each in data order (same dtype: by name).
    expect(set.names()).toEqual(["layer.0.b", "layer.0.w", "layer.1.b", "layer.1.w"]);
    expect(set.metadata).toEqual({ format: "pt", total_size: 16 });
    for (const [name, t] of Object.entries(tensors)) expect((await set.get(name)).bytes()).toEqual(t.bytes());
    expect(Array.from((await set.getSlice("layer.1.w", 2, 4)).bytes())).toEqual([3, 3]);
  });

  it("writes a single model.safetensors without an index when it fits", () => {
    const { files, index } = writeShardedSafetensors({ a: u8(2, 1) });
    expect(files.map((f) => f.name)).toEqual(["model.safetensors"]);
    expect(index).toBeNull();
  });

  it("rejects bad indexes", async () => {
    const { files } = writeShardedSafetensors({ a: u8(4, 1), b: u8(4, 2) }, { maxShardSize: 4 });
    const byName = new Map(files.map((f) => [f.name, f.bytes]));
    const resolve = (n: string) => byName.get(n) ?? new Uint8Array(0);
    await expect(openShardedSafetensors("{", resolve)).rejects.toMatchObject({ detail: "InvalidIndex" });
    await expect(openShardedSafetensors('{"weight_map":[]}', resolve)).rejects.toMatchObject({ detail: "InvalidIndex" });
    await expect(openShardedSafetensors('{"weight_map":{"a":"../etc/passwd"}}', resolve)).rejects.toMatchObject({ detail: "InvalidIndex" });
    await expect(openShardedSafetensors('{"weight_map":{"zz":"model-00001-of-00002.safetensors"}}', resolve)).rejects.toMatchObject({ detail: "InvalidIndex" });
    await expect(openShardedSafetensors('{"weight_map":{"a":"missing.safetensors"}}', resolve)).rejects.toMatchObject({ detail: "HeaderTooSmall" });
  });
});
