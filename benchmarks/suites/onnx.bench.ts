import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { openOnnx } from "@codec/onnx";
import { openOnnxFile } from "@codec/onnx/node";
import { benchGroup } from "../harness.js";
import { scratchDir } from "../scratch.js";

/**
 * ONNX models (@codec/onnx), made by python onnx into the scratch dir:
 *  (a) 256 MiB of weights: 64 float32 initializers of 1M elements;
 *  (b) structure: 20,000 small initializers and 20,000 nodes (~8 MiB).
 * Every initializer is loaded (views for raw_data). Peers: `onnx-proto`
 * (protobufjs-generated ModelProto decoder, what Netron-style JS tools
 * use) on the same bytes; floor: fs.readFileSync of the file.
 * Targets: from a path within 1.1x of readFileSync on (a); faster than
 * onnx-proto on both.
 */

const dir = scratchDir();
const PY = "/usr/bin/python3";
const weights = join(dir, "onnx-256m.onnx");
const structure = join(dir, "onnx-20k.onnx");

const GEN = `
import sys, numpy as np, onnx
from onnx import helper, numpy_helper, TensorProto
rng = np.random.default_rng(0)
inits = [numpy_helper.from_array(rng.standard_normal(1 << 20, dtype=np.float32), "layer%d.weight" % i) for i in range(64)]
g = helper.make_graph([], "weights", [], [], initializer=inits)
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), sys.argv[1])
inits = [numpy_helper.from_array(rng.standard_normal(16, dtype=np.float32), "c%d" % i) for i in range(20000)]
nodes = [helper.make_node("Add", ["x%d" % i, "c%d" % i], ["x%d" % (i + 1)], name="add%d" % i) for i in range(20000)]
g = helper.make_graph(nodes, "chain", [helper.make_tensor_value_info("x0", TensorProto.FLOAT, [16])], [helper.make_tensor_value_info("x20000", TensorProto.FLOAT, [16])], initializer=inits)
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), sys.argv[2])
`;
if (!existsSync(weights) || !existsSync(structure)) execFileSync(PY, ["-c", GEN, weights, structure], { stdio: "inherit" });

const require = createRequire(import.meta.url);
const { onnx } = require("onnx-proto") as { onnx: { ModelProto: { decode(b: Uint8Array): { graph: { initializer: { rawData: Uint8Array }[] } } } } };

async function loadAll(model: Awaited<ReturnType<typeof openOnnx>>): Promise<number> {
  let bytes = 0;
  for (const name of model.names()) bytes += (await model.get(name)).byteLength;
  await model.close();
  return bytes;
}

function peerLoadAll(bytes: Uint8Array): number {
  let n = 0;
  for (const t of onnx.ModelProto.decode(bytes).graph.initializer) n += t.rawData.length;
  return n;
}

for (const [label, path] of [
  ["256 MiB of weights (64 initializers)", weights],
  ["20,000 initializers and 20,000 nodes", structure],
] as const) {
  const size = readFileSync(path).length;
  await benchGroup(
    `onnx open + load every initializer: ${label}`,
    `${(size / 2 ** 20).toFixed(1)} MiB`,
    [
      { name: "readFileSync", role: "floor", run: () => readFileSync(path).length },
      { name: "openOnnxFile (path)", role: "ours", run: () => openOnnxFile(path).then(loadAll) },
      { name: "openOnnx (readFileSync bytes)", role: "ours", run: () => openOnnx(readFileSync(path)).then(loadAll) },
      { name: "onnx-proto ModelProto.decode (readFileSync bytes)", role: "peer", run: () => peerLoadAll(readFileSync(path)) },
    ],
    [
      ...(path === weights ? [{ case: "openOnnxFile (path)", against: "readFileSync", maxRatio: 1.1, label: "from a path <= 1.1x readFileSync" }] : []),
      { case: "openOnnx (readFileSync bytes)", against: "onnx-proto ModelProto.decode (readFileSync bytes)", maxRatio: 1, label: "faster than onnx-proto" },
    ],
    { rounds: 7 },
  );
}
