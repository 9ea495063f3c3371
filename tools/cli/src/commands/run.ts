import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Tensor } from "@codec/core";
import { architectureNames, type KerasModelLike, predictSklearn, runKeras, runOnnxModel, runTorchvision, sklearnInput, stateDictNames } from "@codec/infer";
import { decodeNpy, encodeNpy, encodeNpyStrings } from "@codec/npy";
import { decodeTensorProto } from "@codec/onnx";
import { decodeJoblib, unpickle } from "@codec/pickle";
import { onnxFileOptions } from "@codec/onnx/node";
import type { FormatAdapter } from "../adapter.js";
import { parseArgs } from "../args.js";
import { type CliIO, CliFailure, UsageError, errnoPhrase } from "../cli-io.js";
import { detectAdapter, openInput } from "../detect.js";
import { ADAPTERS } from "../formats/index.js";
import { progressFor } from "../progress.js";

export const RUN_USAGE = "codec run MODEL --input NAME=FILE ... --out DIR [--arch NAME]";

/** Output names become file names: path separators and NULs cannot appear in one. */
function fileNameFor(outputName: string): string {
  const safe = outputName.replace(/[/\\\0]/g, "_");
  return safe === "" || safe === "." || safe === ".." ? `_${safe}` : safe;
}

/**
 * `codec run` (DESIGN.md section 6): reference inference. ONNX models run
 * on @codec/infer's graph runner with the graph's own input and output
 * names; each output is written to DIR/<name>.npy. PyTorch state_dicts
 * (with --arch), Keras .h5 models and pickled scikit-learn estimators take
 * `input` and write `output`.
 */
export async function runCommand(argv: readonly string[], io: CliIO, adapters: readonly FormatAdapter[] = ADAPTERS): Promise<number> {
  // --input repeats, which the shared parser keeps once: take those pairs out first.
  const rest: string[] = [];
  const inputs: [string, string][] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    let spec: string | undefined;
    if (a === "--input") {
      spec = argv[++i];
      if (spec === undefined) throw new UsageError("run: option --input needs a value NAME=FILE");
    } else if (a.startsWith("--input=")) spec = a.slice("--input=".length);
    if (spec === undefined) {
      rest.push(a);
      continue;
    }
    const eq = spec.indexOf("=");
    if (eq <= 0) throw new UsageError(`run: --input takes NAME=FILE, got '${spec}'`);
    inputs.push([spec.slice(0, eq), spec.slice(eq + 1)]);
  }
  const args = parseArgs(rest, { flags: [], options: ["--out", "--arch"] }, "run");
  if (args.positionals.length !== 1) throw new UsageError(`run: expected one MODEL (usage: ${RUN_USAGE})`);
  const outDir = args.options.get("--out");
  if (outDir === undefined) throw new UsageError(`run: --out DIR is required (usage: ${RUN_USAGE})`);
  const modelPath = args.positionals[0];
  const source = openInput(modelPath);
  let adapter: FormatAdapter;
  try {
    adapter = await detectAdapter(source, modelPath, adapters);
  } finally {
    await source.close?.();
  }
  if (adapter.format === "pickle" || adapter.format === "joblib") return runSklearn(adapter.format, modelPath, inputs, outDir, args.options.has("--arch"), io);
  if (adapter.format === "torch" || adapter.format === "safetensors") return runStateDict(adapter, modelPath, inputs, outDir, args.options.get("--arch"), io);
  if (adapter.format === "keras" || adapter.format === "hdf5") return runKerasFile(adapter, modelPath, inputs, outDir, args.options.has("--arch"), io);
  if (adapter.format !== "onnx") {
    throw new CliFailure(`run: ${adapter.format} files are not models this command runs (it runs ONNX models, PyTorch state_dicts with --arch, Keras .h5 models and pickled scikit-learn estimators)`);
  }
  if (args.options.has("--arch")) throw new UsageError("run: --arch applies to PyTorch state_dicts, not ONNX models");
  const given = new Map<string, Tensor>();
  for (const [name, path] of inputs) {
    if (given.has(name)) throw new UsageError(`run: input '${name}' is given twice`);
    given.set(name, await readTensorFile(name, path));
  }
  const progress = progressFor(io.stderr);
  const outputs = await runOnnxModel(readFileSync(modelPath), given, {
    ...onnxFileOptions(modelPath),
    onNode: (_node, index, count) => progress.update("running", index + 1, count),
  });
  progress.end();
  writeOutputs(outDir, outputs, io);
  return 0;
}

function writeOutputs(outDir: string, outputs: ReadonlyMap<string, Tensor>, io: CliIO): void {
  try {
    mkdirSync(outDir, { recursive: true });
    if (!statSync(outDir).isDirectory()) throw new Error("not a directory");
  } catch (e) {
    throw new CliFailure(`cannot write to '${outDir}': ${errnoPhrase(e) ?? (e as Error).message}`);
  }
  for (const [name, t] of outputs) {
    // String outputs (a classifier's text labels, ONNX string tensors) are numpy unicode arrays.
    writeFileSync(join(outDir, `${fileNameFor(name)}.npy`), t.dtype === "string" ? encodeNpyStrings(t) : encodeNpy(t));
  }
  io.stdout.write(`${[...outputs.keys()].map((n) => join(outDir, `${fileNameFor(n)}.npy`)).join("\n")}\n`);
}

/**
 * A pickled or joblib-saved scikit-learn estimator: its one input is
 * `input` ([n_samples, n_features]); `output` is predict() (transform()
 * for transformers), computed from the fitted attributes without running
 * any pickled code.
 */
async function runSklearn(format: string, modelPath: string, inputs: readonly [string, string][], outDir: string, arch: boolean, io: CliIO): Promise<number> {
  if (arch) throw new UsageError("run: --arch applies to PyTorch state_dicts, not scikit-learn models");
  if (inputs.length !== 1 || inputs[0][0] !== "input") throw new UsageError("run: a scikit-learn model takes exactly one input, named 'input' (--input input=X.npy)");
  const bytes = readFileSync(modelPath);
  const value = format === "joblib" ? decodeJoblib(bytes).value : unpickle(bytes);
  const x = await readTensorFile("input", inputs[0][1]);
  const y = predictSklearn(value, sklearnInput(x));
  writeOutputs(outDir, new Map([["output", y]]), io);
  return 0;
}

async function readTensorFile(name: string, path: string): Promise<Tensor> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new CliFailure(`cannot read input '${name}' from '${path}': ${errnoPhrase(e) ?? (e as Error).message}`);
  }
  // .npy by its magic; anything else is taken as an ONNX TensorProto (.pb), as DESIGN.md section 6 allows.
  if (bytes.length >= 6 && bytes[0] === 0x93 && String.fromCharCode(...bytes.subarray(1, 6)) === "NUMPY") return decodeNpy(bytes);
  return (await decodeTensorProto(bytes)).tensor;
}

/**
 * A PyTorch state_dict (torch.save, or safetensors) with `--arch`: the
 * torchvision architecture built over its tensors; `input` -> `output`.
 */
async function runStateDict(adapter: FormatAdapter, modelPath: string, inputs: readonly [string, string][], outDir: string, arch: string | undefined, io: CliIO): Promise<number> {
  if (arch === undefined) throw new UsageError(`run: a ${adapter.format} state_dict needs --arch NAME (one of: ${architectureNames().join(", ")})`);
  if (inputs.length !== 1 || inputs[0][0] !== "input") throw new UsageError("run: a state_dict model takes exactly one input, named 'input' (--input input=X.npy)");
  const x = await readTensorFile("input", inputs[0][1]);
  const source = openInput(modelPath);
  try {
    const map = await adapter.open(source, modelPath);
    try {
      const progress = progressFor(io.stderr);
      // A whole pickled module names its tensors by attribute path; state_dict names are what --arch expects.
      const y = await runTorchvision(arch, stateDictNames(map), x, (i, n) => progress.update("running", i + 1, n));
      progress.end();
      writeOutputs(outDir, new Map([["output", y]]), io);
    } finally {
      await map.close?.();
    }
  } finally {
    await source.close?.();
  }
  return 0;
}

/** A Keras .h5 model (Sequential, model_config in the file): `input` -> `output`. */
async function runKerasFile(adapter: FormatAdapter, modelPath: string, inputs: readonly [string, string][], outDir: string, arch: boolean, io: CliIO): Promise<number> {
  if (arch) throw new UsageError("run: --arch applies to PyTorch state_dicts, not Keras models");
  if (inputs.length !== 1 || inputs[0][0] !== "input") throw new UsageError("run: a Keras model takes exactly one input, named 'input' (--input input=X.npy)");
  const x = await readTensorFile("input", inputs[0][1]);
  const source = openInput(modelPath);
  try {
    const map = await adapter.open(source, modelPath);
    // The HDF5 adapter opens files with Keras attributes as Keras models; other HDF5 files hold no model.
    if (map.format !== "keras") throw new CliFailure(`run: '${modelPath}' is an HDF5 file without a Keras model`);
    const y = await runKeras(map as unknown as KerasModelLike, x);
    writeOutputs(outDir, new Map([["output", y]]), io);
  } finally {
    await source.close?.();
  }
  return 0;
}
