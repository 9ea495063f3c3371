/**
 * Conformance over the ONNX backend test corpus (/work/shared/corpus/onnx,
 * when present): every model.onnx opens and every initializer decodes (the
 * count matching the manifest's n_initializers), every test_data_set_N/*.pb
 * TensorProto decodes with decodeTensorProto, and every model re-encodes to
 * its own bytes (the manifest records that python protobuf does).
 *
 * The manifest has no per-tensor digests, so when /usr/bin/python3 with onnx
 * is available tools/fixtures/onnx/corpus_digests.py computes them into a
 * temporary directory and every tensor is compared by dtype, shape and
 * sha256; without python the same files are only decoded.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { isCodecError, type JsonValue, type Tensor } from "@codec/core";
import { decodeTensorProto, detectOnnx, openOnnx, readOnnxGraph, reencodeOnnx } from "@codec/onnx";
import { corpusPath, hasCorpus, repoPath } from "@codec/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonDiff, modelGraphJson } from "./graph-json.js";

interface ManifestTest {
  name: string;
  kind: string;
  ir_version: number;
  opset_import: Record<string, number>;
  producer: string;
  n_nodes: number;
  inputs: { name: string }[];
  outputs: { name: string }[];
  n_initializers: number;
  roundtrip_identical: boolean;
  data_decode_ok: boolean;
  flags: { non_tensor_io: boolean };
}

interface DigestTensor {
  name: string;
  dtype?: string;
  shape?: number[];
  sha256?: string;
  strings?: string[];
  unsupported?: number;
}

interface Digests {
  models: Record<string, { tensors: DigestTensor[]; sparse: number; graph: unknown }>;
  data: Record<string, { kind: string; elem_type?: number; expect?: DigestTensor | null }>;
}

const PY = "/usr/bin/python3";

function hasPythonOnnx(): boolean {
  try {
    execFileSync(PY, ["-c", "import onnx"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

function walk(root: string, ext: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(root).sort()) {
    const p = join(root, name);
    if (statSync(p).isDirectory()) out.push(...walk(p, ext));
    else if (name.endsWith(ext)) out.push(p);
  }
  return out;
}

/** The manifest record of a model file: node/<t>/model.onnx -> tests[t]; simple/<t>/model.onnx -> other["simple/<t>"]; light/<t>.onnx -> other["light/<t>"]. */
function manifestEntry(manifest: { tests: Record<string, ManifestTest>; other: Record<string, ManifestTest> }, rel: string): ManifestTest | undefined {
  const parts = rel.split("/");
  if (parts[0] === "node") return manifest.tests[parts[1]];
  if (parts[parts.length - 1] === "model.onnx") return manifest.other[`${parts[0]}/${parts[1]}`];
  return manifest.other[`${parts[0]}/${parts[1].replace(/\.onnx$/, "")}`];
}

function describeTensor(name: string, t: Tensor): DigestTensor {
  return t.dtype === "string" ? { name, dtype: t.dtype, shape: t.shape, strings: t.strings() } : { name, dtype: t.dtype, shape: t.shape, sha256: sha(t.bytes()) };
}

/** The first difference between our listing and python's, as one readable line. */
function firstDiff(got: DigestTensor[], want: DigestTensor[]): string | undefined {
  if (got.length !== want.length) return `${got.length} tensors, python lists ${want.length}`;
  for (let i = 0; i < got.length; i++) {
    const g = JSON.stringify(got[i]);
    const w = JSON.stringify(want[i]);
    if (g !== w) return `tensor ${i}: got ${g.slice(0, 200)}, python ${w.slice(0, 200)}`;
  }
  return undefined;
}

/** The model header facts against the manifest's (python onnx's reading); inputs there exclude initializers. */
function headerDiff(metadata: { [key: string]: JsonValue }, entry: ManifestTest, initializers: Set<string>): string | undefined {
  const nested = metadata.onnx;
  const f = (nested !== null && typeof nested === "object" && !Array.isArray(nested) ? nested : metadata) as { [key: string]: JsonValue };
  const opsets = Object.fromEntries(Object.entries((f.opset_import ?? {}) as Record<string, number>).map(([k, v]) => [k === "" ? "ai.onnx" : k, v]));
  const inputs = ((f.inputs ?? []) as string[]).filter((n) => !initializers.has(n));
  const checks: [string, unknown, unknown][] = [
    ["ir_version", f.ir_version, entry.ir_version],
    // The manifest's producer is "producer_name producer_version".
    ["producer", [f.producer_name, f.producer_version].filter((x) => x !== "" && x !== undefined).join(" "), entry.producer],
    ["node_count", f.node_count, entry.n_nodes],
    ["opset_import", opsets, entry.opset_import],
    ["inputs", inputs, entry.inputs.map((i) => i.name)],
    ["outputs", f.outputs, entry.outputs.map((o) => o.name)],
  ];
  for (const [key, got, want] of checks) {
    if (JSON.stringify(got) !== JSON.stringify(want)) return `metadata ${key} ${JSON.stringify(got)}, manifest ${JSON.stringify(want)}`;
  }
  return undefined;
}

describe.runIf(hasCorpus("onnx"))("onnx backend corpus conformance", () => {
  const root = corpusPath("onnx");
  const manifest = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8")) as { tests: Record<string, ManifestTest>; other: Record<string, ManifestTest> };
  const models = walk(root, ".onnx");
  const pbs = walk(root, ".pb");
  let digests: Digests | undefined;
  let tmp: string | undefined;

  beforeAll(() => {
    try {
      execFileSync(PY, ["-c", "import onnx"], { stdio: "ignore" });
    } catch {
      console.log("onnx conformance: no python3 with onnx here; decoding without expected digests");
      return;
    }
    tmp = mkdtempSync(join(tmpdir(), "onnx-corpus-digests-"));
    const out = join(tmp, "digests.json");
    execFileSync(PY, ["-B", repoPath("tools", "fixtures", "onnx", "corpus_digests.py"), root, out], { stdio: "ignore", timeout: 120_000 });
    digests = JSON.parse(readFileSync(out, "utf8")) as Digests;
  }, 180_000);
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it("every model opens and every initializer decodes (counts match the manifest)", async () => {
    expect(models.length).toBe(Object.keys(manifest.tests).length + Object.keys(manifest.other).length);
    let tensors = 0;
    const failures: string[] = [];
    for (const path of models) {
      const rel = relative(root, path);
      const entry = manifestEntry(manifest, rel);
      try {
        if (entry === undefined) throw new Error("no manifest record");
        const bytes = new Uint8Array(readFileSync(path));
        if (!(detectOnnx(bytes.subarray(0, 4096), bytes.length) > 0)) throw new Error("detectOnnx does not recognise it");
        const map = await openOnnx(bytes);
        const names = map.names();
        const want = digests?.models[rel];
        const sparse = want?.sparse ?? 0;
        if (names.length !== entry.n_initializers + sparse) throw new Error(`${names.length} tensors, manifest n_initializers ${entry.n_initializers} (+${sparse} sparse)`);
        const got: DigestTensor[] = [];
        for (const n of names) got.push(describeTensor(n, await map.get(n)));
        tensors += got.length;
        const diff = want === undefined ? undefined : firstDiff(got, want.tensors);
        if (diff !== undefined) throw new Error(diff);
        const header = headerDiff(map.metadata, entry, new Set(names));
        if (header !== undefined) throw new Error(header);
      } catch (e) {
        failures.push(`${rel}: ${isCodecError(e) ? `${e.code} ${e.message}` : String(e)}`);
      }
    }
    console.log(`onnx conformance: ${models.length - failures.length}/${models.length} models open, ${tensors} initializers decoded${digests ? " and equal to python's" : ""}`);
    expect(failures).toEqual([]);
  }, 240_000);

  it("every test_data_set TensorProto decodes (and equals numpy_helper's reading)", async () => {
    let ok = 0;
    let unsupported = 0;
    let nonTensor = 0;
    const failures: string[] = [];
    for (const path of pbs) {
      const rel = relative(root, path);
      const bytes = new Uint8Array(readFileSync(path));
      // What the file must give: from the python digests, else from the manifest's per-test flags.
      const d = digests?.data[rel];
      let mustDecode: boolean;
      let want: DigestTensor | null | undefined;
      if (digests !== undefined) {
        if (d === undefined) {
          failures.push(`${rel}: no python record`);
          continue;
        }
        mustDecode = d.kind === "tensor" && d.expect !== null;
        want = d.kind === "tensor" ? d.expect : undefined;
      } else {
        const parts = rel.split("/");
        const entry = parts[0] === "light" ? undefined : manifestEntry(manifest, `${parts[0]}/${parts[1]}/model.onnx`);
        mustDecode = entry?.data_decode_ok === true && !entry.flags.non_tensor_io;
      }
      try {
        const { name, tensor } = await decodeTensorProto(bytes);
        if (want === null) {
          failures.push(`${rel}: element type ${d?.elem_type} has no DESIGN.md name but decoded as ${tensor.dtype}`);
          continue;
        }
        const diff = want === undefined ? undefined : firstDiff([describeTensor(name, tensor)], [want]);
        if (diff !== undefined) {
          failures.push(`${rel}: ${diff}`);
          continue;
        }
        if (d !== undefined && d.kind !== "tensor") nonTensor++;
        else ok++;
      } catch (e) {
        if (!isCodecError(e)) {
          failures.push(`${rel}: non-CodecError ${String(e)}`);
        } else if (want === null) {
          // Element types DESIGN.md section 4 has no name for: UNSUPPORTED, naming the type.
          if (e.code === "UNSUPPORTED") unsupported++;
          else failures.push(`${rel}: element type ${d?.elem_type}: expected UNSUPPORTED, got ${e.code} ${e.message}`);
        } else if (mustDecode) {
          failures.push(`${rel}: ${e.code} ${e.message}`);
        } else {
          nonTensor++;
        }
      }
    }
    console.log(`onnx conformance: ${ok} TensorProto files decoded${digests ? " equal to numpy_helper" : ""}, ${unsupported} refused as UNSUPPORTED element types, ${nonTensor} Sequence/Optional files (value or CodecError), ${failures.length} failures of ${pbs.length}`);
    for (const f of failures.slice(0, 20)) console.log(`  FAILING ${f}`);
    expect(failures).toEqual([]);
  }, 240_000);

  it.runIf(hasPythonOnnx())("readOnnxGraph reads every corpus model's graph as python onnx does (nodes, attributes, value infos, initializers, subgraphs)", async () => {
    const models = digests?.models ?? {};
    let same = 0;
    let unsupported = 0;
    const failures: string[] = [];
    for (const [rel, m] of Object.entries(models)) {
      const want = m.graph as { graph: unknown };
      // Tensors of element types without a dtype name (python marks them) make the graph UNSUPPORTED.
      const needsUnsupported = JSON.stringify(want).includes('"unsupported"');
      try {
        const g = await readOnnxGraph(new Uint8Array(readFileSync(join(root, rel))));
        const d = jsonDiff(modelGraphJson(g), want);
        if (d === undefined) same++;
        else failures.push(`${rel}: ${d}`);
      } catch (e) {
        if (isCodecError(e) && e.code === "UNSUPPORTED" && needsUnsupported) unsupported++;
        else failures.push(`${rel}: ${isCodecError(e) ? `${e.code} ${e.message}` : String(e)}`);
      }
    }
    console.log(`onnx conformance: readOnnxGraph equals python for ${same}/${Object.keys(models).length} models, ${unsupported} refused (tensors of element types without a dtype name), ${failures.length} failures`);
    for (const f of failures.slice(0, 20)) console.log(`  FAILING ${f}`);
    expect(failures).toEqual([]);
  }, 240_000);

  it("reencodeOnnx reproduces every corpus model byte for byte (as python protobuf does)", async () => {
    let same = 0;
    const failures: string[] = [];
    for (const path of models) {
      const rel = relative(root, path);
      const entry = manifestEntry(manifest, rel);
      const bytes = new Uint8Array(readFileSync(path));
      try {
        const out = await reencodeOnnx(bytes);
        if (sha(out) === sha(bytes)) same++;
        else if (entry?.roundtrip_identical) failures.push(`${rel}: ${out.length} bytes, differs from the ${bytes.length}-byte input`);
      } catch (e) {
        failures.push(`${rel}: ${isCodecError(e) ? `${e.code} ${e.message}` : String(e)}`);
      }
    }
    console.log(`onnx conformance: ${same}/${models.length} models re-encode byte-identical`);
    for (const f of failures.slice(0, 20)) console.log(`  FAILING ${f}`);
    expect(failures).toEqual([]);
  }, 240_000);
});
