/**
 * The ONNX backend node tests (../shared/corpus/onnx: model.onnx plus
 * test_data_set_N/{input,output}_K.pb) run through the runner and compared
 * the way onnx's backend test runner compares (numpy assert_allclose with
 * rtol 1e-3, atol 1e-7; exact for integers, bool and strings; NaN equals
 * NaN). Shared by the conformance test and the progress script.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { isCodecError, type Tensor } from "@codec/core";
import { decodeTensorProto, readOnnxGraph } from "@codec/onnx";
import { fromTensor, nums, type RTensor, runOnnxGraph } from "@codec/infer";

export type Outcome = { kind: "pass" } | { kind: "mismatch" | "unsupported" | "error" | "crash"; detail: string };

export function nodeTestDirs(root: string, kinds = ["node", "simple", "pytorch-converted", "pytorch-operator"]): string[] {
  const dirs: string[] = [];
  for (const kind of kinds) {
    const d = join(root, kind);
    if (!existsSync(d)) continue;
    for (const t of readdirSync(d).sort()) if (existsSync(join(d, t, "model.onnx"))) dirs.push(join(d, t));
  }
  return dirs;
}

function close(actual: RTensor, expected: RTensor): string | null {
  if (actual.shape.join() !== expected.shape.join()) return `shape [${actual.shape}] != expected [${expected.shape}]`;
  if (actual.dtype !== expected.dtype) return `dtype ${actual.dtype} != expected ${expected.dtype}`;
  if (Array.isArray(expected.data)) {
    const a = actual.data as string[];
    for (let i = 0; i < expected.data.length; i++) if (a[i] !== expected.data[i]) return `string ${i}: ${a[i]} != ${expected.data[i]}`;
    return null;
  }
  const a = nums(actual);
  const e = nums(expected);
  const exact = !(expected.dtype.startsWith("float") || expected.dtype === "bfloat16");
  for (let i = 0; i < e.length; i++) {
    const x = a[i];
    const y = e[i];
    // Equal values (infinities included) match before the tolerance test, as numpy's assert_allclose does.
    if (x === y || (Number.isNaN(y) ? Number.isNaN(x) : !exact && Math.abs(x - y) <= 1e-7 + 1e-3 * Math.abs(y))) continue;
    return `element ${i}: ${x} != expected ${y}`;
  }
  return null;
}

/** The corpus manifest's per-test facts (flags.non_tensor_io: inputs or outputs are sequences, optionals or maps). */
let manifest: Record<string, { flags?: { non_tensor_io?: boolean } }> | null = null;

function manifestEntry(dir: string): { flags?: { non_tensor_io?: boolean } } | undefined {
  if (manifest === null) {
    const path = join(dir, "..", "..", "manifest.json");
    manifest = existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as { tests: typeof manifest }).tests : {};
  }
  return manifest?.[basename(dir)];
}

export async function runNodeTest(dir: string): Promise<Outcome> {
  // Sequence/optional/map values are not tensors: the runner has no such values, and their .pb files are not TensorProtos.
  if (manifestEntry(dir)?.flags?.non_tensor_io === true) return { kind: "unsupported", detail: "inputs or outputs are sequences, optionals or maps" };
  try {
    const model = await readOnnxGraph(readFileSync(join(dir, "model.onnx")));
    const sets = readdirSync(dir).filter((n) => n.startsWith("test_data_set_")).sort();
    const feeds = model.graph.inputs.filter((i) => !model.graph.initializers.has(i.name));
    for (const set of sets) {
      const files = readdirSync(join(dir, set));
      const load = async (prefix: string): Promise<Tensor[]> => {
        const out: Tensor[] = [];
        for (let k = 0; files.includes(`${prefix}_${k}.pb`); k++) out.push((await decodeTensorProto(readFileSync(join(dir, set, `${prefix}_${k}.pb`)))).tensor);
        return out;
      };
      const ins = await load("input");
      const outs = await load("output");
      const given = new Map<string, RTensor>();
      ins.forEach((t, k) => {
        given.set(feeds[k].name, fromTensor(t));
      });
      const got = runOnnxGraph(model, given);
      const names = model.graph.outputs.map((o) => o.name);
      for (let k = 0; k < outs.length; k++) {
        const a = got.get(names[k]);
        if (a === undefined) return { kind: "mismatch", detail: `no output ${names[k]}` };
        const why = close(a, fromTensor(outs[k]));
        if (why !== null) return { kind: "mismatch", detail: `${set} output ${names[k]}: ${why}` };
      }
    }
    return { kind: "pass" };
  } catch (e) {
    if (isCodecError(e)) return { kind: e.code === "UNSUPPORTED" ? "unsupported" : "error", detail: e.message };
    return { kind: "crash", detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}
