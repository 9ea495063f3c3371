import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Tensor } from "@codec/core";
import { afterAll, describe, expect, it } from "vitest";
import { encodeSafetensors } from "./encode.js";
import { decodeSafetensors } from "./file.js";
import {
  openSafetensorsFile,
  openShardedSafetensorsFiles,
  writeSafetensorsFile,
  writeSafetensorsFileFromMap,
  writeShardedSafetensorsFiles,
} from "./node.js";

const dir = mkdtempSync(join(tmpdir(), "st-node-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const f32 = (vals: number[], shape = [vals.length]) => new Tensor({ dtype: "float32", shape, data: new Uint8Array(new Float32Array(vals).buffer) });

describe("node entry", () => {
  const tensors = { w: f32([1, 2, 3, 4, 5, 6], [2, 3]), b: f32([7, 8]), s: new Tensor({ dtype: "bfloat16", shape: [], data: new Uint8Array([0x80, 0x3f]) }) };

  it("streams exactly the bytes encodeSafetensors makes, and reads them through FileSource", async () => {
    const path = join(dir, "a.safetensors");
    writeSafetensorsFile(path, tensors, { format: "pt" });
    expect(new Uint8Array(readFileSync(path))).toEqual(encodeSafetensors(tensors, { format: "pt" }));
    const f = await openSafetensorsFile(path);
    expect(f.metadata).toEqual({ format: "pt" });
    expect(Array.from((await f.get("w")).toFloat32())).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from((await f.getSlice("w", 1, 2)).toFloat32())).toEqual([4, 5, 6]);
    expect(Array.from(f.getSync("s").toFloat32())).toEqual([1]);
    await f.close();
  });

  it("re-encodes a TensorMap one tensor at a time", async () => {
    const src = decodeSafetensors(encodeSafetensors(tensors));
    const path = join(dir, "b.safetensors");
    await writeSafetensorsFileFromMap(path, src, { k: "v" });
    expect(new Uint8Array(readFileSync(path))).toEqual(encodeSafetensors(tensors, { k: "v" }));
  });

  it("writes and opens sharded directories, index files and single files", async () => {
    const shardDir = join(dir, "sharded");
    mkdirSync(shardDir);
    const res = writeShardedSafetensorsFiles(shardDir, tensors, { maxShardSize: 16 });
    expect(res.files.map((p) => p.slice(shardDir.length + 1))).toEqual([
      "model-00001-of-00002.safetensors",
      "model-00002-of-00002.safetensors",
      "model.safetensors.index.json",
    ]);
    for (const p of [shardDir, join(shardDir, "model.safetensors.index.json")]) {
      const set = await openShardedSafetensorsFiles(p);
      expect(new Set(set.names())).toEqual(new Set(["w", "b", "s"]));
      expect(Array.from((await set.get("b")).toFloat32())).toEqual([7, 8]);
      await set.close();
    }
    rmSync(join(shardDir, "model-00002-of-00002.safetensors"));
    await expect(openShardedSafetensorsFiles(shardDir)).rejects.toMatchObject({ code: "IO" });
    const single = join(dir, "a.safetensors");
    const one = await openShardedSafetensorsFiles(single);
    expect(new Set(one.names())).toEqual(new Set(["w", "b", "s"]));
    await one.close();
    expect(statSync(single).size).toBeGreaterThan(0);
  });

  it("files over 4 GiB: header and slices work, an oversized get says so", async () => {
    const path = join(dir, "huge.safetensors");
    const n = 5 * 2 ** 30;
    const json = `{"big":{"dtype":"U8","shape":[${n / 1024},1024],"data_offsets":[0,${n}]}}`.padEnd(80, " ");
    const head = new Uint8Array(8 + json.length);
    new DataView(head.buffer).setUint32(0, json.length, true);
    head.set(new TextEncoder().encode(json), 8);
    writeFileSync(path, head);
    truncateSync(path, head.length + n);
    const f = await openSafetensorsFile(path);
    expect(f.info("big").byteLength).toBe(n);
    const last = await f.getSlice("big", n / 1024 - 1, n / 1024);
    expect(last.shape).toEqual([1, 1024]);
    await expect(f.get("big")).rejects.toMatchObject({ code: "LIMIT", detail: "TensorTooLarge" });
    await f.close();
    rmSync(path);
  });

  it("errors on a broken file without leaking the handle", async () => {
    const path = join(dir, "bad.safetensors");
    writeFileSync(path, new Uint8Array([1, 2, 3]));
    await expect(openSafetensorsFile(path)).rejects.toMatchObject({ detail: "HeaderTooSmall" });
    await expect(openSafetensorsFile(join(dir, "missing.safetensors"))).rejects.toMatchObject({ code: "IO" });
    expect(() => writeSafetensorsFile(join(dir, "no-such-dir", "x.safetensors"), {})).toThrow(expect.objectContaining({ code: "IO" }));
    await expect(openShardedSafetensorsFiles(join(dir, "missing-dir"))).rejects.toMatchObject({ code: "IO" });
  });
});
