import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { Tensor } from "@codec/core";
import { runOnnxModel } from "@codec/infer";
import { benchGroup } from "../harness.js";
import { scratchDir } from "../scratch.js";

/**
 * The reference runner (@codec/infer) on a torchvision resnet18 exported
 * by torch.onnx.export, one 1x3x224x224 image, beside onnxruntime-node's
 * native CPU kernels (the peer: what a user would otherwise run). No
 * target: ours is a plain-loop reference meant to check answers, not to
 * compete with optimised native code; the ratio is reported so changes to
 * the kernels can be seen.
 */
const dir = scratchDir();
const model = join(dir, "infer-resnet18.onnx");
const GEN = `
import sys, torch, torchvision
torch.manual_seed(0)
m = torchvision.models.resnet18().eval()
torch.onnx.export(m, torch.randn(1, 3, 224, 224), sys.argv[1], input_names=["images"], output_names=["logits"], opset_version=13)
`;
if (!existsSync(model)) execFileSync("/usr/bin/python3", ["-c", GEN, model], { stdio: "inherit" });

const require = createRequire(import.meta.url);
const ort = require("onnxruntime-node") as {
  InferenceSession: { create(path: string, o?: object): Promise<{ run(feeds: Record<string, unknown>): Promise<Record<string, unknown>> }> };
  Tensor: new (type: string, data: Float32Array, dims: number[]) => unknown;
};

const pixels = new Float32Array(3 * 224 * 224);
for (let i = 0; i < pixels.length; i++) pixels[i] = Math.sin(i * 0.37);
const bytes = readFileSync(model);
const input = new Map([["images", new Tensor({ dtype: "float32", shape: [1, 3, 224, 224], data: new Uint8Array(pixels.buffer) })]]);
const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1, interOpNumThreads: 1 });

await benchGroup(
  "infer: resnet18 forward pass (ONNX, 1x3x224x224)",
  "model read, parsed and run each time by ours; onnxruntime-node's session is created once, single-threaded",
  [
    { name: "runOnnxModel", role: "ours", run: () => runOnnxModel(bytes, input) },
    { name: "onnxruntime-node (1 thread)", role: "peer", run: () => session.run({ images: new ort.Tensor("float32", pixels, [1, 3, 224, 224]) }) },
  ],
  [],
  { rounds: 3, budgetMs: 60_000 },
);
