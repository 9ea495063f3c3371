import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { repoPath } from "@codec/testing";
import { describe, expect, it } from "vitest";
import { openTorch } from "./torch-file.js";
import { reencodeTorch } from "./reencode.js";
import { TorchTensor } from "./torch-tensor.js";

// quantized.pt (tools/fixtures/torch/make_fixtures.py, torch 1.13):
// {"q": torch.quantize_per_tensor(torch.tensor([0.1, 0.5, 1.0]), 0.1, 0, torch.quint8), "plain": torch.ones(3)}
const file = () => readFileSync(repoPath("packages/torch-zip/test/fixtures/quantized.pt"));

describe("_rebuild_qtensor", () => {
  it("reads a quantized tensor as its stored integers (torch int_repr(): quint8 -> uint8)", async () => {
    const t = await openTorch(file());
    expect(t.info("q")).toEqual({ name: "q", dtype: "uint8", shape: [3] });
    const q = await t.get("q");
    // round(x / scale) + zero_point = 1, 5, 10
    expect([...q.bytes()]).toEqual([1, 5, 10]);
    const ref = t.tensorRef("q");
    expect(ref instanceof TorchTensor && ref.quantized).toBe(true);
  });

  it("re-encodes the quantized tensor with its quantizer (the _rebuild_qtensor call is kept)", async () => {
    const out = await reencodeTorch(file());
    const again = await openTorch(out);
    expect([...(await again.get("q")).bytes()]).toEqual([1, 5, 10]);
    const ref = again.tensorRef("q");
    expect(ref instanceof TorchTensor && ref.rebuilder).toBe("_rebuild_qtensor");
  });
});

// quantized_subbyte*.pt and .json (tools/fixtures/torch/make_quantized_subbyte.py, torch 1.13): quint4x2,
// quint2x4 and quint8 tensors; the JSON holds what torch's int_repr() returns for each.
describe("_rebuild_qtensor over sub-byte storages (QUInt4x2Storage, QUInt2x4Storage)", () => {
  const expected = JSON.parse(readFileSync(repoPath("packages/torch-zip/test/fixtures/quantized_subbyte.json"), "utf8")) as Record<
    string,
    { dtype: string; shape: number[]; sha256: string }
  >;
  for (const name of ["quantized_subbyte.pt", "quantized_subbyte_legacy.pt"]) {
    it(`${name}: lists the packed bytes as int_repr() does (1-d uint8, ceil(numel * bits / 8))`, async () => {
      const bytes = readFileSync(repoPath(`packages/torch-zip/test/fixtures/${name}`));
      const t = await openTorch(bytes);
      expect(t.names()).toEqual(["q4", "q2", "q8"]);
      for (const [k, e] of Object.entries(expected)) {
        expect(t.info(k)).toEqual({ name: k, dtype: e.dtype, shape: e.shape });
        expect(createHash("sha256").update((await t.get(k)).bytes()).digest("hex")).toBe(e.sha256);
      }
      // A same-format re-encode keeps the quantized call, so the packed tensor reads back the same.
      const again = await openTorch(await reencodeTorch(bytes));
      expect(createHash("sha256").update((await again.get("q4")).bytes()).digest("hex")).toBe(expected.q4.sha256);
    });
  }
});
