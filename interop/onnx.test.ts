import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { DTYPES, type DType, MemorySource, Tensor, type TensorMap } from "@codec/core";
import { encodeOnnx, ExternalDataFile, openOnnx, reencodeOnnx } from "@codec/onnx";
import { onnxFileOptions, writeOnnxFile, writeOnnxParts } from "@codec/onnx/node";
import { corpusPath, hasCorpus, repoPath, tensorMapOf } from "@codec/testing";
import { afterAll, describe, expect, it } from "vitest";

/**
 * Our ONNX writer and re-encoder -> the real python onnx 1.12:
 * encodeOnnx output passes onnx.checker and numpy_helper reads every tensor
 * with the bytes we meant to write; reencodeOnnx of corpus models and of
 * the golden fixtures parses into a ModelProto equal to the original's.
 */

const PY = "/usr/bin/python3";
const dir = mkdtempSync(join(tmpdir(), "codec-onnx-interop-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** Checks every written model with python: {path, check, tensors, metadata, graphName?, producerName?} -> problems. */
const CHECK_WRITTEN = `
import json, sys
sys.path.insert(0, sys.argv[2])
import onnx
from onnx import TensorProto
from make_fixtures import NAMES, truth

problems = {}
for job in json.load(open(sys.argv[1])):
    p = []
    try:
        m = onnx.load(job["path"])
    except Exception as e:
        problems[job["path"]] = ["onnx.load failed: %s" % e]
        continue
    # The writer follows onnx's own serializer (fields in number order, dims unpacked), so python's
    # re-serialisation of what it loaded gives back our exact bytes.
    if m.SerializeToString() != open(job["path"], "rb").read():
        p.append("python re-serialises the file to different bytes (non-canonical field order or encoding)")
    if job["check"]:
        try:
            onnx.checker.check_model(m, full_check=True)
        except Exception as e:
            p.append("checker: %s" % str(e).splitlines()[0])
    if m.ir_version != 8:
        p.append("ir_version %d, expected 8" % m.ir_version)
    ops = {o.domain: o.version for o in m.opset_import}
    if ops.get("", ops.get("ai.onnx")) != 17:
        p.append("opset_import %r, expected ai.onnx 17" % ops)
    if len(m.graph.node) != 0:
        p.append("%d nodes, expected none" % len(m.graph.node))
    for key, field in (("graphName", m.graph.name), ("producerName", m.producer_name)):
        if key in job and job[key] != field:
            p.append("%s %r, expected %r" % (key, field, job[key]))
    props = {x.key: x.value for x in m.metadata_props}
    if props != job["metadata"]:
        p.append("metadata_props %r, expected %r" % (props, job["metadata"]))
    got = []
    for t in m.graph.initializer:
        if t.data_type not in NAMES:
            p.append("%s: data_type %d" % (t.name, t.data_type))
            continue
        if t.data_type != TensorProto.STRING and not t.HasField("raw_data"):
            p.append("%s: values not in raw_data" % t.name)
        got.append(truth(t))
    if got != job["tensors"]:
        for g, w in zip(got, job["tensors"]):
            if g != w:
                p.append("tensor %s (%s %s) became %s (%s %s)%s" % (w["name"], w["dtype"], w["shape"], g["name"], g["dtype"], g["shape"],
                                                                    "" if g.get("sha256") == w.get("sha256") and g.get("strings") == w.get("strings") else ", values differ"))
        if len(got) != len(job["tensors"]):
            p.append("%d tensors, expected %d" % (len(got), len(job["tensors"])))
    if p:
        problems[job["path"]] = p
print(json.dumps(problems))
`;

/** Pairs [original, ours (, base dir for the original's external data)] -> {ours: problem} where the ModelProtos differ. */
const CHECK_SAME = `
import json, sys
sys.path.insert(0, sys.argv[2])
import onnx
from onnx.external_data_helper import load_external_data_for_model
# NaN-safe content comparison and the data_location normalisation live with the contract oracle.
from gen_onnx import _normalize, model_diff

problems = {}
for job in json.load(open(sys.argv[1])):
    orig, ours = job[0], job[1]
    try:
        a = onnx.load(orig, load_external_data=False)
        if len(job) > 2:
            load_external_data_for_model(a, job[2])
        b = onnx.load(ours, load_external_data=False)
    except Exception as e:
        problems[ours] = "load failed: %s" % e
        continue
    diff = model_diff(_normalize(a), _normalize(b))
    if diff:
        problems[ours] = "ModelProto differs in %s" % diff
print(json.dumps(problems))
`;

function runPython(script: string, jobs: unknown, ...args: string[]): Record<string, unknown> {
  const scriptPath = join(dir, `check-${Math.random().toString(16).slice(2)}.py`);
  const jobsPath = join(dir, `jobs-${Math.random().toString(16).slice(2)}.json`);
  writeFileSync(scriptPath, script);
  writeFileSync(jobsPath, JSON.stringify(jobs));
  return JSON.parse(execFileSync(PY, ["-B", scriptPath, jobsPath, ...args], { encoding: "utf8", maxBuffer: 1 << 28 }));
}

function sample(dtype: DType, shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  if (dtype === "string") return new Tensor({ dtype, shape, data: Array.from({ length: n }, (_, i) => ["", "a", "ü✓", "日本語", "x y\tz"][(i + seed) % 5]) });
  const data = new Uint8Array(n * DTYPES[dtype].size);
  let x = (seed * 2654435761) >>> 0;
  for (let i = 0; i < data.length; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    data[i] = x >>> 24;
  }
  if (dtype === "bool") for (let i = 0; i < data.length; i++) data[i] &= 1;
  return new Tensor({ dtype, shape, data });
}

function mapOf(tensors: Record<string, Tensor>, metadata: Record<string, string> = {}): TensorMap {
  return {
    format: "test",
    metadata,
    names: () => Object.keys(tensors),
    info: (n) => ({ name: n, dtype: tensors[n].dtype, shape: tensors[n].shape }),
    get: async (n) => tensors[n],
  };
}

function expectedOf(tensors: Record<string, Tensor>): object[] {
  return Object.entries(tensors).map(([name, t]) =>
    t.dtype === "string" ? { name, dtype: t.dtype, shape: t.shape, strings: t.strings() } : { name, dtype: t.dtype, shape: t.shape, sha256: sha(t.bytes()) },
  );
}

const NUMERIC: DType[] = ["bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float16", "bfloat16", "float32", "float64", "complex64", "complex128"];

describe("encodeOnnx -> python onnx", () => {
  it("every dtype, 0-d, empty, strings and metadata load, pass the checker and equal what we wrote", async () => {
    const maps: { name: string; tensors: Record<string, Tensor>; metadata: Record<string, string>; check: boolean; options?: { graphName?: string; producerName?: string } }[] = [
      { name: "numeric", tensors: Object.fromEntries(NUMERIC.map((d, i) => [`t_${d}`, sample(d, [3, 4], i + 1)])), metadata: {}, check: true },
      {
        name: "shapes",
        tensors: {
          scalar_f32: sample("float32", [], 20),
          scalar_i64: sample("int64", [], 21),
          scalar_bool: sample("bool", [], 22),
          empty_f32: sample("float32", [0], 23),
          empty_3d: sample("int16", [2, 0, 3], 24),
          rank5: sample("uint8", [1, 2, 1, 3, 2], 25),
          "model.layers.0/attn.q_proj:0": sample("float16", [4, 2], 26),
          名前: sample("float64", [2], 27),
        },
        metadata: { author: "codec", "ü key": "välue ✓", empty: "" },
        check: true,
        options: { graphName: "shapes graph", producerName: "interop-test" },
      },
      {
        name: "strings",
        tensors: { words: sample("string", [5], 30), grid: sample("string", [2, 3], 31), one: sample("string", [], 32), none: sample("string", [0], 33) },
        metadata: { kind: "strings" },
        check: true,
      },
      {
        name: "float8",
        // onnx 1.12 predates FLOAT8E4M3FN (17) / FLOAT8E5M2 (19): no checker, bytes compared directly.
        tensors: { e4m3: sample("float8_e4m3fn", [4, 4], 40), e5m2: sample("float8_e5m2", [7], 41), f: sample("float32", [2], 42) },
        metadata: {},
        check: false,
      },
      { name: "large", tensors: { big: sample("float32", [512, 512], 50), idx: sample("int64", [70000], 51) }, metadata: { size: "large" }, check: true },
      { name: "empty_map", tensors: {}, metadata: { only: "metadata" }, check: true },
    ];
    const jobs: object[] = [];
    for (const m of maps) {
      const bytes = await encodeOnnx(mapOf(m.tensors, m.metadata), { ...m.options, metadata: m.metadata });
      const path = join(dir, `${m.name}.onnx`);
      writeFileSync(path, bytes);
      jobs.push({ path, check: m.check, tensors: expectedOf(m.tensors), metadata: m.metadata, ...m.options });
    }
    const problems = runPython(CHECK_WRITTEN, jobs, repoPath("tools", "fixtures", "onnx"));
    expect(problems).toEqual({});
  });

  it("a golden model's tensors, re-written by encodeOnnx, equal python's reading of the original", async () => {
    const fixtures = repoPath("packages", "onnx", "test", "fixtures");
    const expected = JSON.parse(readFileSync(join(fixtures, "expected.json"), "utf8")) as { models: Record<string, { tensors: object[] }> };
    const jobs: object[] = [];
    for (const rel of ["dtypes_raw.onnx", "dtypes_typed.onnx", "shapes_strings.onnx", "sparse.onnx", "torch_export.onnx", "wire_variants.onnx"]) {
      const src = await openOnnx(new Uint8Array(readFileSync(join(fixtures, rel))));
      const path = join(dir, `golden-${rel.replace(/\//g, "_")}`);
      writeFileSync(path, await encodeOnnx(src, { metadata: { from: rel } }));
      jobs.push({ path, check: true, tensors: expected.models[rel].tensors, metadata: { from: rel } });
    }
    expect(runPython(CHECK_WRITTEN, jobs, repoPath("tools", "fixtures", "onnx"))).toEqual({});
  });
});

/** Every `.onnx` under the corpus, by relative path. */
function corpusModels(): string[] {
  const root = corpusPath("onnx");
  const out: string[] = [];
  const walk = (d: string) => {
    for (const n of readdirSync(d).sort()) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (n.endsWith(".onnx")) out.push(relative(root, p));
    }
  };
  walk(root);
  return out;
}

describe.runIf(hasCorpus("onnx"))("reencodeOnnx -> python onnx (corpus sample)", () => {
  it("~200 corpus models (every non-node model, every node model with subgraphs, a stride of the rest) load equal", async () => {
    const manifest = JSON.parse(readFileSync(corpusPath("onnx", "manifest.json"), "utf8")) as { tests: Record<string, { flags: { subgraph: boolean } }> };
    const all = corpusModels();
    const chosen = all.filter((rel, i) => {
      if (!rel.startsWith("node/")) return true;
      const t = manifest.tests[rel.split("/")[1]];
      return t?.flags.subgraph || i % 60 === 0;
    });
    expect(chosen.length).toBeGreaterThanOrEqual(150);
    const jobs: string[][] = [];
    const failures: string[] = [];
    for (const rel of chosen) {
      const path = corpusPath("onnx", rel);
      try {
        const out = join(dir, `re-${rel.replace(/\//g, "_")}`);
        writeFileSync(out, await reencodeOnnx(new Uint8Array(readFileSync(path))));
        jobs.push([path, out]);
      } catch (e) {
        failures.push(`${rel}: ${String(e)}`);
      }
    }
    const problems = runPython(CHECK_SAME, jobs, repoPath("tools", "fixtures", "contract"));
    console.log(`onnx interop: ${jobs.length - Object.keys(problems).length}/${chosen.length} re-encoded corpus models load equal in python onnx`);
    expect(failures).toEqual([]);
    expect(problems).toEqual({});
  }, 300_000);
});

describe("reencodeOnnx -> python onnx (golden fixtures)", () => {
  it("every golden model, external data inlined, loads equal to python's own inlining", async () => {
    const fixtures = repoPath("packages", "onnx", "test", "fixtures");
    const expected = JSON.parse(readFileSync(join(fixtures, "expected.json"), "utf8")) as { models: Record<string, { external?: boolean }> };
    const jobs: string[][] = [];
    for (const [rel, m] of Object.entries(expected.models)) {
      const path = join(fixtures, rel);
      const base = join(path, "..");
      const externalData = (loc: string) => new MemorySource(new Uint8Array(readFileSync(join(base, loc))));
      const out = join(dir, `gre-${rel.replace(/\//g, "_")}`);
      writeFileSync(out, await reencodeOnnx(new Uint8Array(readFileSync(path)), { externalData }));
      jobs.push(m.external ? [path, out, base] : [path, out]);
    }
    expect(runPython(CHECK_SAME, jobs, repoPath("tools", "fixtures", "contract"))).toEqual({});
  });
});

/** Loads each model with its external data from beside it: {path, external: [names]} -> problems; prints {path: {name: sha256}}. */
const CHECK_EXTERNAL = `
import hashlib, json, sys
import onnx
from onnx import numpy_helper
from onnx.external_data_helper import uses_external_data

out = {}
for job in json.load(open(sys.argv[1])):
    p = []
    try:
        onnx.checker.check_model(job["path"])
    except Exception as e:
        p.append("checker: %s" % str(e).splitlines()[0])
    m = onnx.load(job["path"])
    ext = sorted(t.name for t in onnx.load(job["path"], load_external_data=False).graph.initializer if uses_external_data(t))
    if ext != sorted(job["external"]):
        p.append("stored externally: %r, expected %r" % (ext, sorted(job["external"])))
    digests = {}
    for t in m.graph.initializer:
        a = numpy_helper.to_array(t)
        digests[t.name] = hashlib.sha256(a.astype(a.dtype.newbyteorder("<")).tobytes()).hexdigest() if a.dtype.kind != "O" else None
    out[job["path"]] = {"problems": p, "digests": digests}
print(json.dumps(out))
`;

describe("external data we write -> python onnx", () => {
  it("writeOnnxFile and reencodeOnnx with an ExternalDataFile: onnx.checker passes and onnx.load reads every tensor equal", async () => {
    const floats = (n: number, seed: number) => {
      const a = new Float32Array(n).map((_, i) => Math.cos(i * 0.11 + seed));
      return new Tensor({ dtype: "float32", shape: [n / 4, 4], data: new Uint8Array(a.buffer) });
    };
    const tensors: Record<string, Tensor> = {
      big: floats(400_000, 1),
      mid: floats(2000, 2),
      i64: new Tensor({ dtype: "int64", shape: [300], data: new Uint8Array(new BigInt64Array(300).map((_, i) => BigInt(i) * -7n).buffer) }),
      tiny: floats(8, 3),
      words: new Tensor({ dtype: "string", shape: [2], data: ["x", "yz"] }),
    };
    const map = tensorMapOf(tensors);
    const written = join(dir, "ext-written.onnx");
    await writeOnnxFile(written, map, { externalData: new ExternalDataFile("ext-written.onnx.data") });
    // A golden model with external initializers, attribute and subgraph tensors, moved to one new file.
    const fixture = repoPath("packages", "onnx", "test", "fixtures", "external_attr", "model.onnx");
    const movedFile = new ExternalDataFile("moved.bin", 0);
    const moved = join(dir, "ext-moved.onnx");
    writeOnnxParts(moved, [await reencodeOnnx(new Uint8Array(readFileSync(fixture)), onnxFileOptions(fixture), { externalData: movedFile })], movedFile);
    const original = await openOnnx(new Uint8Array(readFileSync(fixture)), onnxFileOptions(fixture));
    const originalExternal = JSON.parse(
      execFileSync(PY, ["-c", "import onnx,sys,json;from onnx.external_data_helper import uses_external_data as u;print(json.dumps([t.name for t in onnx.load(sys.argv[1],load_external_data=False).graph.initializer if u(t)]))", fixture], { encoding: "utf8" }),
    ) as string[];
    const jobs = [
      { path: written, external: ["big", "mid", "i64"] },
      { path: moved, external: originalExternal },
    ];
    const jobFile = join(dir, "ext-jobs.json");
    writeFileSync(jobFile, JSON.stringify(jobs));
    const result = JSON.parse(execFileSync(PY, ["-c", CHECK_EXTERNAL, jobFile], { encoding: "utf8", maxBuffer: 1 << 26 })) as Record<string, { problems: string[]; digests: Record<string, string | null> }>;
    const want = async (m: TensorMap) => Object.fromEntries(await Promise.all(m.names().map(async (n) => [n, (await m.get(n)).dtype === "string" ? null : sha((await m.get(n)).bytes())])));
    expect(result[written].problems).toEqual([]);
    expect(result[written].digests).toEqual(await want(map));
    expect(result[moved].problems).toEqual([]);
    expect(result[moved].digests).toEqual(await want(original));
    await original.close();
  }, 120_000);
});
