import { type CodecError, isCodecError } from "@codec/core";
import { describe, expect, it } from "vitest";
import { openTorch } from "../src/index.js";
import { fuzzDecoder } from "@codec/testing";
import { fixture, handPickle, handZip, rewriteZip } from "./helpers.js";

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "ok";
  } catch (e) {
    if (!isCodecError(e)) throw e;
    return (e as CodecError).code;
  }
}

async function readAllTensors(bytes: Uint8Array): Promise<void> {
  const t = await openTorch(bytes, { maxEntrySize: 1 << 24 });
  for (const n of t.names()) {
    t.info(n);
    await t.get(n);
  }
}

describe("bad input (DESIGN.md section 7)", () => {
  it("random bytes and empty input are BAD_MAGIC", async () => {
    expect(await codeOf(openTorch(new Uint8Array(0)))).toBe("BAD_MAGIC");
    expect(await codeOf(openTorch(new Uint8Array([1, 2, 3, 4, 5])))).toBe("BAD_MAGIC");
  });

  it("a tar archive without the members of torch's pre-0.4 format is CORRUPT", async () => {
    const tar = new Uint8Array(1024);
    tar.set(new TextEncoder().encode("ustar"), 257);
    expect(await codeOf(openTorch(tar))).toBe("CORRUPT");
  });

  it("truncated zips and legacy files fail cleanly", async () => {
    for (const name of ["dtypes.pt", "dtypes_legacy.pt", "script_small.pt"]) {
      const bytes = fixture(name);
      for (const cut of [10, 100, bytes.length >> 1, bytes.length - 30, bytes.length - 1]) {
        expect(await codeOf(readAllTensors(bytes.subarray(0, cut)))).not.toBe("ok");
      }
    }
    // A tar ends in zero padding; cuts inside its members must fail.
    const tar = fixture("legacy_tar.pt");
    for (const cut of [10, 300, 700, 1200, 1600]) expect([cut, await codeOf(readAllTensors(tar.subarray(0, cut)))]).not.toEqual([cut, "ok"]);
  });

  it("a wrong CRC fails when the storage is read, not when listing", async () => {
    const bytes = fixture("dtypes.pt").slice();
    const t0 = await openTorch(bytes);
    const ref = t0.tensorRef("float32");
    const entry = t0.archive?.entry("dtypes/data/" + (ref as { storage: { key: string } }).storage.key);
    expect(entry).toBeDefined();
    bytes[(entry?.dataOffset ?? 0) + 3] ^= 0x55;
    const t = await openTorch(bytes);
    expect(t.names()).toContain("float32");
    await expect(t.get("float32")).rejects.toThrow(/CRC-32/);
    expect(await codeOf(t.get("float32"))).toBe("CORRUPT");
    // Other storages are unaffected.
    expect((await t.get("int8")).shape).toEqual([4]);
    // Opting out of checksums reads the (corrupted) bytes as they are.
    const unchecked = await openTorch(bytes, { verifyChecksums: false });
    expect((await unchecked.get("float32")).shape).toEqual([2, 3, 4]);
  });

  it("storages shorter than size x stride require are CORRUPT", async () => {
    const pkl = handPickle([{ name: "w", numel: 6, size: [2, 3], stride: [4, 1] }]);
    expect(await codeOf(openTorch(handZip(pkl, { "0": new Uint8Array(24) })))).toBe("CORRUPT");
    // Declared numel larger than the record holds.
    const pkl2 = handPickle([{ name: "w", numel: 100, size: [2], stride: [1] }]);
    expect(await codeOf(openTorch(handZip(pkl2, { "0": new Uint8Array(24) })))).toBe("CORRUPT");
    // A record shorter than numel x element size.
    const pkl3 = handPickle([{ name: "w", numel: 6, size: [6], stride: [1] }]);
    expect(await codeOf(openTorch(handZip(pkl3, { "0": new Uint8Array(20) })))).toBe("CORRUPT");
  });

  it("negative or overflowing strides, sizes and offsets are CORRUPT", async () => {
    const data = { "0": new Uint8Array(24) };
    const cases = [
      { name: "w", numel: 6, size: [3], stride: [-1] },
      { name: "w", numel: 6, size: [-3], stride: [1] },
      { name: "w", numel: 6, offset: -1, size: [3], stride: [1] },
      { name: "w", numel: 6, offset: 2n ** 62n, size: [3], stride: [1] },
      { name: "w", numel: 6, size: [3, 2n ** 60n], stride: [1, 1] },
      { name: "w", numel: 6, size: [2, 2], stride: [2n ** 61n, 1] },
      { name: "w", numel: 6, size: [2, 2], stride: [1] },
      { name: "w", numel: 2n ** 61n, size: [2], stride: [1] },
    ];
    for (const c of cases) expect([c, await codeOf(openTorch(handZip(handPickle([c]), data)))]).toEqual([c, "CORRUPT"]);
  });

  it("an expanded view that would materialise more than 1 GiB from a tiny storage is LIMIT", async () => {
    const pkl = handPickle([{ name: "w", numel: 1, size: [1 << 20, 1 << 12], stride: [0, 0] }]);
    const t = await openTorch(handZip(pkl, { "0": new Uint8Array(4) }));
    expect(t.info("w").shape).toEqual([1 << 20, 1 << 12]);
    expect(await codeOf(t.get("w"))).toBe("LIMIT");
  });

  it("a hand-made valid pickle decodes (the helper is sound)", async () => {
    const f32 = new Float32Array([1, 2, 3, 4, 5, 6]);
    const pkl = handPickle([{ name: "w", numel: 6, offset: 1, size: [2, 2], stride: [1, 2] }]);
    const t = await openTorch(handZip(pkl, { "0": new Uint8Array(f32.buffer) }));
    const w = await t.get("w");
    expect(w.copied).toBe(true);
    expect(Array.from(w.typed() as Float32Array)).toEqual([2, 4, 3, 5]);
  });

  it("missing records are CORRUPT: data.pkl, and storages the pickle references", async () => {
    const noPkl = rewriteZip(fixture("dtypes.pt"), (n, d) => (n.endsWith("data.pkl") ? null : d));
    expect(await codeOf(openTorch(noPkl))).toBe("CORRUPT");
    const noStorage = rewriteZip(fixture("dtypes.pt"), (n, d) => (n.endsWith("/data/3") ? null : d));
    await expect(openTorch(noStorage)).rejects.toThrow(/no dtypes\/data\/3 record/);
    const pkl = handPickle([{ name: "w", key: "7", numel: 1, size: [1], stride: [1] }]);
    expect(await codeOf(openTorch(handZip(pkl, { "0": new Uint8Array(4) })))).toBe("CORRUPT");
  });

  it("deflated records are read, and zip bombs are bounded by maxEntrySize", async () => {
    const deflated = rewriteZip(fixture("dtypes.pt"), (_n, d) => d, () => true);
    const t = await openTorch(deflated);
    expect((await t.get("float32")).shape).toEqual([2, 3, 4]);
    const big = new Uint8Array(8 << 20);
    const pkl = handPickle([{ name: "w", numel: big.length / 4, size: [big.length / 4], stride: [1] }]);
    const bomb = rewriteZip(handZip(pkl, { "0": big }), (_n, d) => d, (n) => n.endsWith("data/0"));
    expect(bomb.length).toBeLessThan(64 << 10);
    const opened = await openTorch(bomb, { maxEntrySize: 1 << 20 });
    expect(await codeOf(opened.get("w"))).toBe("LIMIT");
  });

  it("fuzz: mutated real checkpoints give a value or a CodecError", async () => {
    const seeds = ["dtypes.pt", "views.pt", "checkpoint_sgd.pt", "dtypes_legacy.pt", "views_legacy.pt", "script_small.pt", "sparse.pt", "whole_module.pt", "legacy_tar.pt"].map(fixture);
    const iterations = Number(process.env.TORCH_FUZZ_ITER ?? 150);
    const report = await fuzzDecoder(seeds, readAllTensors, { iterations, seed: Number(process.env.TORCH_FUZZ_SEED ?? 7) });
    expect(report.cases).toBe(seeds.length * iterations);
    expect(report.codecErrors).toBeGreaterThan(0);
    expect(report.ok).toBeGreaterThan(0);
    expect(report.ok + report.codecErrors).toBe(report.cases);
  });
});
