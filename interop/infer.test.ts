import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../tools/cli/src/main.js";

/**
 * Interop for `codec run`: torchvision's own models (weights=None, full
 * size, random weights with perturbed normalisation statistics, eval mode)
 * saved with torch.save(state_dict()) and exported by torch.onnx.export,
 * run by our CLI and compared with torch's logits for the same input.
 * tools/fixtures/infer/make_torchvision.py builds each model.
 */
const work = mkdtempSync(join(tmpdir(), "infer-interop-"));
const PY = "/usr/bin/python3";
const MAKE = join(import.meta.dirname, "..", "tools", "fixtures", "infer", "make_torchvision.py");

const COMPARE = `
import sys, numpy as np
a = np.load(sys.argv[1]); e = np.load(sys.argv[2])
assert a.shape == e.shape and a.dtype == e.dtype, (a.shape, e.shape, a.dtype, e.dtype)
print(float(np.abs(a - e).max() / max(1e-6, np.abs(e).max())))
`;

/** [arch, ONNX opset for torch.onnx.export (0: no export), batch]: one or more variants per family. */
const CASES: readonly [string, number, number][] = [
  ["resnet18", 13, 2],
  ["mobilenet_v2", 13, 2],
  ["mobilenet_v3_small", 13, 2],
  ["mobilenet_v3_large", 17, 1],
  ["squeezenet1_0", 13, 1],
  ["squeezenet1_1", 17, 2],
  ["densenet121", 13, 1],
  ["shufflenet_v2_x0_5", 13, 2],
  ["shufflenet_v2_x1_5", 17, 1],
  ["mnasnet0_5", 17, 1],
  ["mnasnet1_3", 13, 1],
  ["efficientnet_b0", 13, 1],
  ["efficientnet_b5", 17, 1],
  ["efficientnet_v2_s", 17, 1],
  ["googlenet", 13, 2],
  ["googlenet_transform_input", 16, 1],
  ["inception_v3", 15, 1],
  ["regnet_x_400mf", 13, 1],
  ["regnet_y_400mf", 17, 1],
  ["convnext_tiny", 17, 1],
  // ViT at image_size=64 (full width and depth): loading its 350 MB of weights dominates the run.
  ["vit_b_32", 14, 1],
  // Swin at 64x64: a 16x16 map padded to 21 for 7x7 windows, then 8 (padded to 14, shifted), 4 and 2.
  ["swin_t", 16, 1],
  // torch 1.13 cannot export Swin V2 to ONNX (aten::zero in the qkv bias masking): the state_dict only.
  ["swin_v2_t", 0, 1],
  // MaxViT's partitions need 224x224 (every block's grid divisible by 7).
  ["maxvit_t", 17, 1],
];

async function codec(args: string[]): Promise<{ status: number; stderr: string }> {
  let stderr = "";
  const status = await main(args, { io: { stdout: { write: () => {} }, stderr: { write: (s) => void (stderr += s) } } });
  return { status, stderr };
}

function relativeError(got: string, want: string): number {
  return Number(execFileSync(PY, ["-c", COMPARE, got, want], { encoding: "utf8" }));
}

describe("codec run against torch", () => {
  for (const [arch, opset, batch] of CASES) {
    const what = opset === 0 ? "the state_dict with --arch matches" : `the state_dict with --arch and the torch.onnx.export model (opset ${opset}) match`;
    it(`${arch}: ${what} torch's logits`, async () => {
      const dir = mkdtempSync(join(work, `${arch}-`));
      try {
        execFileSync(PY, [MAKE, "full", arch, dir, String(opset), String(batch)], { stdio: "pipe" });
        const want = join(dir, "want.npy");
        const fromPt = await codec(["run", join(dir, "model.pt"), "--arch", arch, "--input", `input=${join(dir, "x.npy")}`, "--out", join(dir, "pt")]);
        expect(fromPt.stderr).toBe("");
        expect(fromPt.status).toBe(0);
        expect(relativeError(join(dir, "pt", "output.npy"), want)).toBeLessThan(1e-4);
        if (opset === 0) return;
        const fromOnnx = await codec(["run", join(dir, "model.onnx"), "--input", `images=${join(dir, "x.npy")}`, "--out", join(dir, "onnx")]);
        expect(fromOnnx.stderr).toBe("");
        expect(fromOnnx.status).toBe(0);
        expect(relativeError(join(dir, "onnx", "logits.npy"), want)).toBeLessThan(1e-4);
      } finally {
        // Full-size weights are tens of MB per model.
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
