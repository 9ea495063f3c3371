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
