import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MemorySource, openZipSync, Tensor } from "@codec/core";
import { PyDict, PyOrderedDict } from "@codec/pickle";
import { describe, expect, it } from "vitest";
import { archiveNameFor, openTorch, reencodeTorch, saveTorch, type TorchTensor } from "../src/index.js";
import { fixture, fixtureDir } from "./helpers.js";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const expected = JSON.parse(readFileSync(join(fixtureDir, "expected.json"), "utf8")) as Record<
  string,
  { kind: string; tensors: Array<{ name: string; sha256: string }>; unsupported?: string[] }
>;

describe("writing torch files", () => {
  for (const file of Object.keys(expected).filter((f) => expected[f].kind !== "sharded" && !expected[f].unsupported)) {
    it(`re-encodes ${file} losslessly (same names and digests)`, async () => {
      const out = await reencodeTorch(fixture(file));
      const t = await openTorch(out);
      expect(t.kind).toBe(expected[file].kind.startsWith("legacy") ? "zip" : expected[file].kind);
      expect(t.names()).toEqual(expected[file].tensors.map((x) => x.name));
      for (const x of expected[file].tensors) expect([x.name, sha((await t.get(x.name)).bytes())]).toEqual([x.name, x.sha256]);
      // A second round gives the same bytes (deterministic writer).
      expect(sha(await reencodeTorch(out))).toBe(sha(out));
    });
  }

  it("writes torch.save's record layout: root, data.pkl, byteorder, 64-byte aligned storages, version", async () => {
    const a = new Tensor({ dtype: "float32", shape: [2, 2], data: new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer) });
    const out = await saveTorch({ a, b: a }, { archiveName: "model" });
    const zip = openZipSync(new MemorySource(out));
    expect(zip.names()).toEqual(["model/data.pkl", "model/byteorder", "model/data/0", "model/version", "model/.data/serialization_id"]);
    for (const e of zip.entries) {
      expect(e.method).toBe(0);
      expect(e.dataOffset % 64).toBe(0);
    }
    expect(new TextDecoder().decode(zip.readSync(zip.entries[1]))).toBe("little");
    expect(new TextDecoder().decode(zip.readSync(zip.entries[3]))).toBe("3\n");
    expect(archiveNameFor("/tmp/x/resnet.pth")).toBe("resnet");
  });

  it("keeps shared storages shared: one record per storage, views re-linked", async () => {
    const src = await openTorch(fixture("views.pt"));
    expect(src.storages.size).toBe(4);
    const out = await reencodeTorch(src);
    const t = await openTorch(out);
    expect(t.storages.size).toBe(src.storages.size);
    const base = t.tensorRef("base") as TorchTensor;
    const tr = t.tensorRef("transposed") as TorchTensor;
    expect(tr.storage).toBe(base.storage);
    expect(tr.stride).toEqual([1, 6]);
    expect((await t.get("transposed")).copied).toBe(true);
    expect((await t.get("base")).copied).toBe(false);
  });

  it("a state dict of core Tensors round-trips with every dtype", async () => {
    const src = await openTorch(fixture("dtypes.pt"));
    const tensors: Record<string, Tensor> = {};
    for (const n of src.names()) tensors[n] = await src.get(n);
    const t = await openTorch(await saveTorch(tensors));
    expect(t.names()).toEqual(src.names());
    for (const n of src.names()) {
      const [a, b] = [await t.get(n), await src.get(n)];
      expect([n, b.dtype, b.shape, sha(b.bytes())]).toEqual([n, a.dtype, a.shape, sha(a.bytes())]);
    }
  });
});

describe("dtypes without a typed storage class", () => {
  it("uint16/uint32/uint64/float8 tensors are written as UntypedStorage + _rebuild_tensor_v3 and read back", async () => {
    const make = (dtype: "uint16" | "uint32" | "uint64" | "float8_e4m3fn" | "float8_e5m2", bytes: number[]) =>
      new Tensor({ dtype, shape: [2], data: new Uint8Array(bytes) });
    const tensors = {
      u16: make("uint16", [1, 2, 3, 4]),
      u32: make("uint32", [1, 2, 3, 4, 5, 6, 7, 8]),
      u64: make("uint64", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]),
      f8a: make("float8_e4m3fn", [0x38, 0xb8]),
      f8b: make("float8_e5m2", [0x3c, 0xbc]),
    };
    const t = await openTorch(await saveTorch(tensors));
    for (const [name, x] of Object.entries(tensors)) {
      const ref = t.tensorRef(name) as TorchTensor;
      expect([name, ref.storage.className, ref.rebuilder]).toEqual([name, "UntypedStorage", "_rebuild_tensor_v3"]);
      const y = await t.get(name);
      expect([name, y.dtype, y.shape, Array.from(y.bytes())]).toEqual([name, x.dtype, x.shape, Array.from(x.bytes())]);
    }
  });
});

describe("plain JS inputs", () => {
  it("nested objects become dicts, flat tensor maps state dicts, shared Tensors one storage", async () => {
    const w = new Tensor({ dtype: "float32", shape: [2], data: new Uint8Array(new Float32Array([1, 2]).buffer) });
    const out = await saveTorch({ model: { "fc.weight": w, "fc.bias": w }, epoch: 3, history: [w, 0.5], name: "run" });
    const t = await openTorch(out);
    expect(t.names()).toEqual(["model.fc.weight", "model.fc.bias", "history.0"]);
    expect(t.storages.size).toBe(1);
    const root = t.object as PyDict;
    expect(root).toBeInstanceOf(PyDict);
    expect(root.get("epoch")).toBe(3);
    expect(root.get("name")).toBe("run");
    expect(root.get("model")).toBeInstanceOf(PyOrderedDict);
  });
});

