import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type ByteSource, MemorySource, openZipSync, Tensor, ZipWriter } from "@codec/core";
import { PyDict, PyObject } from "@codec/pickle";
import { describe, expect, it } from "vitest";
import {
  dedupeSharedTensors,
  openTorch,
  openTorchSharded,
  saveTorch,
  TorchSparseTensor,
  TorchStorage,
  type TorchTensor,
  torchTensorFrom,
} from "../src/index.js";
import { openLegacySource } from "../src/legacy-reader.js";
import { parseScriptSource } from "../src/torchscript.js";
import { fixture, fixtureDir } from "./helpers.js";

/** A ByteSource that records every range read. */
class CountingSource implements ByteSource {
  readonly reads: Array<[number, number]> = [];
  constructor(private readonly inner: MemorySource) {}
  get byteLength(): number {
    return this.inner.byteLength;
  }
  read(offset: number, length: number): Promise<Uint8Array> {
    this.reads.push([offset, length]);
    return this.inner.read(offset, length);
  }
  get bytesRead(): number {
    return this.reads.reduce((n, [, l]) => n + l, 0);
  }
}

describe("lazy reading", () => {
  it("listing reads the zip directory and data.pkl only; one tensor reads only its storage", async () => {
    const bytes = fixture("squeezenet1_1.pt");
    const src = new CountingSource(new MemorySource(bytes));
    const t = await openTorch(src);
    expect(t.names().length).toBe(52);
    for (const n of t.names()) t.info(n);
    // The end-of-directory search, the directory, local headers and data.pkl; no storage bytes.
    expect(src.bytesRead).toBeLessThan(128 << 10);
    for (const e of t.archive?.entries ?? []) {
      if (!e.name.includes("/data/")) continue;
      // (The end-of-central-directory search reads the file's last 64 KiB; that read is not a storage read.)
      const touched = src.reads.some(([o, l]) => o + l !== bytes.length && o < e.dataOffset + e.compressedSize && o + l > e.dataOffset);
      expect([e.name, touched]).toEqual([e.name, false]);
    }
    const before = src.reads.length;
    const w = await t.get("classifier.1.weight");
    const extra = src.reads.slice(before).reduce((n, [, l]) => n + l, 0);
    expect(extra).toBe(w.byteLength);
  });
});

describe("lazy legacy reading", () => {
  it("reads a growing prefix for the pickles and 8 bytes per storage; data only on get", async () => {
    const bytes = fixture("checkpoint_legacy.pt");
    const src = new CountingSource(new MemorySource(bytes));
    const d = await openLegacySource(src, 64);
    expect(d.keys.length).toBe(d.storages.size);
    const dataStart = d.sections.dataStart;
    // Prefix reads grow 64, 256, 1024, ... until the pickles decode; then 8-byte headers only.
    const big = src.reads.filter(([o]) => o >= dataStart);
    expect(big.every(([, l]) => l === 8)).toBe(true);
    expect(big.length).toBe(d.keys.length);
    const first = d.storages.get(d.keys[0]) as TorchStorage;
    const before = src.reads.length;
    await first.bytes();
    expect(src.reads.length).toBe(before + 1);
  });
});

describe("archive roots", () => {
  it("finds <root>/data.pkl when the first record is somewhere else (re-zipped archives)", async () => {
    const w = new ZipWriter();
    w.add("README.txt", new TextEncoder().encode("notes"));
    const src = openZipSync(new MemorySource(fixture("dtypes.pt")));
    for (const e of src.entries) w.add(`outer/${e.name}`, src.readSync(e), { align: 64 });
    const t = await openTorch(w.finish());
    expect(t.layout?.root).toBe("outer/dtypes");
    expect((await t.get("float32")).shape).toEqual([2, 3, 4]);
  });
});

describe("the decoded object model", () => {
  it("keeps non-tensor checkpoint values: epoch, floats, Namespace, numpy arrays, optimizer param_groups", async () => {
    const t = await openTorch(fixture("checkpoint_sgd.pt"));
    const root = t.object as PyDict;
    expect(root).toBeInstanceOf(PyDict);
    expect(root.get("epoch")).toBe(3);
    expect(root.get("best_acc")).toBe(0.875);
    const args = root.get("args") as PyObject;
    expect(args).toBeInstanceOf(PyObject);
    expect((args.state as PyDict).get("arch")).toBe("small");
    const opt = root.get("optimizer") as PyDict;
    const groups = opt.get("param_groups") as PyDict[];
    expect(groups[0].get("momentum")).toBe(0.9);
    expect(t.info("np_mean")).toEqual({ name: "np_mean", dtype: "float32", shape: [3] });
    expect(t.names()).toContain("optimizer.state.0.momentum_buffer");
  });

  it("parameters, shared storages, sparse tensors and storage keys are exposed", async () => {
    const m = await openTorch(fixture("whole_module.pt"));
    const w = m.tensorRef("_modules.conv._parameters.weight") as TorchTensor;
    expect(w.isParameter).toBe(true);
    expect(w.requiresGrad).toBe(true);
    const v = await openTorch(fixture("views.pt"));
    const a = v.tensorRef("tied.embed.weight") as TorchTensor;
    const b = v.tensorRef("tied.head.weight") as TorchTensor;
    expect(a.storage).toBe(b.storage);
    expect(a.storage).toBeInstanceOf(TorchStorage);
    expect([a.storage.key, a.byteOffset]).toEqual([b.storage.key, b.byteOffset]);
    const s = await openTorch(fixture("sparse.pt"));
    const sp = (s.object as PyDict).get("sp");
    expect(sp).toBeInstanceOf(TorchSparseTensor);
    expect((sp as TorchSparseTensor).shape).toEqual([3, 3]);
  });

  it("a tensor that is not a view of a whole storage still round-trips through saveTorch", async () => {
    const base = new Tensor({ dtype: "int16", shape: [4], data: new Uint8Array(new Int16Array([1, -2, 3, -4]).buffer) });
    const p = torchTensorFrom(base, { parameter: true });
    const d = new PyDict();
    d.set("p", p);
    d.set("n", 5);
    const t = await openTorch(await saveTorch(d));
    const back = t.tensorRef("p") as TorchTensor;
    expect(back.isParameter).toBe(true);
    expect(Array.from((await t.get("p")).typed() as Int16Array)).toEqual([1, -2, 3, -4]);
    expect((t.object as PyDict).get("n")).toBe(5);
  });
});

describe("shared storages for flat formats", () => {
  it("drops exact aliases (keeps the first name), keeps other views", async () => {
    const v = await openTorch(fixture("views.pt"));
    const { map, aliases } = dedupeSharedTensors(v);
    expect(aliases).toEqual({ alias: "base", "tied.head.weight": "tied.embed.weight" });
    expect(map.names()).not.toContain("alias");
    expect(map.names()).toContain("transposed");
    expect(map.names().length).toBe(v.names().length - 2);
  });
});

describe("sharded checkpoints", () => {
  it("a pytorch_model.bin.index.json set reads as one tensor map", async () => {
    const dir = join(fixtureDir, "sharded");
    const expected = JSON.parse(readFileSync(join(fixtureDir, "expected.json"), "utf8"))["sharded/pytorch_model.bin.index.json"];
    const t = await openTorchSharded(readFileSync(join(dir, "pytorch_model.bin.index.json")), (f) => readFileSync(join(dir, f)));
    expect(t.names()).toEqual(expected.tensors.map((x: { name: string }) => x.name));
    expect(t.shards.size).toBe(2);
    expect((await t.get("fc.bias")).shape).toEqual([2]);
  });

  it("an index naming a tensor its shard lacks is CORRUPT", async () => {
    const dir = join(fixtureDir, "sharded");
    const index = JSON.stringify({ weight_map: { nope: "pytorch_model-00001-of-00002.bin" } });
    await expect(openTorchSharded(index, (f) => readFileSync(join(dir, f)))).rejects.toMatchObject({ code: "CORRUPT" });
    await expect(openTorchSharded("{", () => new Uint8Array())).rejects.toMatchObject({ code: "CORRUPT" });
  });
});

describe("TorchScript class declarations", () => {
  it("reads __parameters__ and __buffers__ of generated classes", () => {
    const into = new Map();
    parseScriptSource('class A(Module):\n  __parameters__ = ["w", "b", ]\n  __buffers__ = ["r", ]\n  w : Tensor\nclass B(object):\n  x : int\n', "__torch__.m", into);
    expect(into.get("__torch__.m.A")).toEqual({ isModule: true, parameters: ["w", "b"], buffers: ["r"] });
    expect(into.get("__torch__.m.B")?.isModule).toBe(false);
  });
});
