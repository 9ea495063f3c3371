import { readFileSync } from "node:fs";
import { join } from "node:path";
import { architectureNames, runTorchvision, torchvisionGraph } from "@codec/infer";
import { decodeNpy } from "@codec/npy";
import { openTorch } from "@codec/torch-zip";
import { describe, expect, it } from "vitest";

/**
 * Reduced-width torchvision models (same layouts as the named arch, 10
 * classes) saved by tools/fixtures/infer/make_torchvision.py with torch's
 * eval-mode logits; the full-size models are compared against torch in
 * interop/infer.test.ts.
 */
const dir = join(import.meta.dirname, "fixtures", "torchvision");

interface Entry {
  arch: string;
  model: string;
  input: string;
  want: string;
  shape: number[];
}

const { models } = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as { models: Entry[] };

function relativeError(got: Float32Array, want: Float32Array): number {
  expect(got.length).toBe(want.length);
  let diff = 0;
  let scale = 1e-6;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return diff / scale;
}

describe("torchvision state_dicts run with --arch", () => {
  for (const entry of models) {
    it(`${entry.arch} (reduced width) matches torch's logits`, async () => {
      const map = await openTorch(new Uint8Array(readFileSync(join(dir, entry.model))));
      const x = decodeNpy(readFileSync(join(dir, entry.input)));
      const want = decodeNpy(readFileSync(join(dir, entry.want)));
      const got = await runTorchvision(entry.arch, map, x);
      expect(got.shape).toEqual(entry.shape);
      expect(relativeError(got.typed() as Float32Array, want.typed() as Float32Array)).toBeLessThan(1e-4);
    });
  }

  it("lists every architecture family", () => {
    const names = architectureNames();
    for (const arch of ["mobilenet_v3_small", "squeezenet1_1", "densenet201", "shufflenet_v2_x2_0", "efficientnet_b7", "mnasnet1_3", "googlenet", "regnet_y_128gf", "convnext_large", "vit_b_32", "vit_h_14", "inception_v3", "swin_b", "swin_v2_b", "maxvit_t"]) {
      expect(names).toContain(arch);
    }
  });

  it("names the missing tensor when the state_dict is of another architecture", async () => {
    const map = await openTorch(new Uint8Array(readFileSync(join(dir, "densenet121.pt"))));
    const x = decodeNpy(readFileSync(join(dir, "densenet121.input.npy")));
    await expect(runTorchvision("mobilenet_v3_small", map, x)).rejects.toMatchObject({ code: "CORRUPT" });
    expect(() => torchvisionGraph("not_a_net", new Map())).toThrow(/not one this runner builds/);
  });
});
