import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../tools/cli/src/main.js";

/**
 * Interop for `codec run`: torchvision models (random weights, perturbed
 * batch-norm statistics, eval mode) saved with torch.save(state_dict()) and
 * an ONNX model exported by torch.onnx.export, run by our CLI and compared
 * with what torch computes for the same input.
 */
const work = mkdtempSync(join(tmpdir(), "infer-interop-"));
const PY = "/usr/bin/python3";

const MAKE = `
import sys, torch, torchvision, numpy as np
arch, out = sys.argv[1], sys.argv[2]
torch.manual_seed(0)
m = getattr(torchvision.models, arch)()
m.eval()
for mod in m.modules():
    if isinstance(mod, torch.nn.BatchNorm2d):
        mod.running_mean.uniform_(-0.1, 0.1); mod.running_var.uniform_(0.5, 1.5)
x = torch.randn(2, 3, 64, 64)
np.save(out + "/x.npy", x.numpy())
with torch.no_grad():
    np.save(out + "/want.npy", m(x).numpy())
torch.save(m.state_dict(), out + "/model.pt")
torch.onnx.export(m, x, out + "/model.onnx", input_names=["images"], output_names=["logits"], opset_version=13)
`;

const COMPARE = `
import sys, numpy as np
a = np.load(sys.argv[1]); e = np.load(sys.argv[2])
assert a.shape == e.shape and a.dtype == e.dtype, (a.shape, e.shape, a.dtype, e.dtype)
print(float(np.abs(a - e).max() / max(1e-6, np.abs(e).max())))
`;

async function codec(args: string[]): Promise<{ status: number; stderr: string }> {
  let stderr = "";
  const status = await main(args, { io: { stdout: { write: () => {} }, stderr: { write: (s) => void (stderr += s) } } });
  return { status, stderr };
}

describe("codec run against torch", () => {
  for (const arch of ["resnet18", "mobilenet_v2"]) {
    it(`${arch}: the state_dict with --arch and the torch.onnx.export model match torch's logits`, async () => {
      const dir = mkdtempSync(join(work, `${arch}-`));
      execFileSync(PY, ["-c", MAKE, arch, dir], { stdio: "pipe" });
      const fromPt = await codec(["run", join(dir, "model.pt"), "--arch", arch, "--input", `input=${join(dir, "x.npy")}`, "--out", join(dir, "pt")]);
      expect(fromPt.stderr).toBe("");
      expect(fromPt.status).toBe(0);
      const relPt = Number(execFileSync(PY, ["-c", COMPARE, join(dir, "pt", "output.npy"), join(dir, "want.npy")], { encoding: "utf8" }));
      expect(relPt).toBeLessThan(1e-4);
      const fromOnnx = await codec(["run", join(dir, "model.onnx"), "--input", `images=${join(dir, "x.npy")}`, "--out", join(dir, "onnx")]);
      expect(fromOnnx.stderr).toBe("");
      expect(fromOnnx.status).toBe(0);
      const relOnnx = Number(execFileSync(PY, ["-c", COMPARE, join(dir, "onnx", "logits.npy"), join(dir, "want.npy")], { encoding: "utf8" }));
      expect(relOnnx).toBeLessThan(1e-4);
    });
  }
});
