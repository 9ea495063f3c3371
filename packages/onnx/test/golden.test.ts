import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type ByteSource, type CodecError, isCodecError, type JsonValue, MemorySource, Tensor, type TensorInfo, type TensorMap } from "@codec/core";
import { decodeTensorProto, detectOnnx, encodeOnnx, openOnnx, readOnnxGraph, reencodeOnnx } from "@codec/onnx";
import { openOnnxFile, reencodeOnnxFile, writeOnnxFile } from "@codec/onnx/node";
import { repoPath, tensorMapOf } from "@codec/testing";
import { afterAll, describe, expect, it } from "vitest";
import { jsonDiff, modelGraphJson } from "./graph-json.js";

/**
 * Golden files from tools/fixtures/onnx/make_fixtures.py (python onnx 1.12,
 * never our encoder): every tensor's name, dtype, shape and sha256 of its
 * C-contiguous little-endian bytes as numpy_helper reads them, the model's
 * header facts, and the re-encode digest where python's protobuf
 * re-serialisation reproduces the file byte for byte.
 */

interface ExpectedTensor {
  name: string;
  dtype: string;
  shape: number[];
  sha256?: string;
  strings?: string[];
}

interface ModelFacts {
  ir_version: number;
  producer_name: string;
  producer_version: string;
  domain: string;
  model_version: number;
  opset_import: Record<string, number>;
  graph_name: string;
  inputs: string[];
  outputs: string[];
  node_count: number;
  metadata_props: Record<string, string>;
  functions: number;
}

interface ExpectedModel {
  tensors: ExpectedTensor[];
  model: ModelFacts;
  reencode_sha256?: string;
  external?: boolean;
  /** What readOnnxGraph must give (python onnx's reading, external data loaded). */
  graph: { graph: { sparse: number } };
  inlined_python_sha256?: string;
}

interface ExpectedError {
  code?: string;
  match?: string;
  stage?: string;
  kind?: "tensor_proto";
  tensor?: string;
  /** Why a reader must refuse it, for the failure message. */
  why?: string;
}

interface Expected {
  models: Record<string, ExpectedModel>;
  tensor_protos: Record<string, ExpectedTensor>;
  errors: Record<string, ExpectedError>;
  unsupported: Record<string, { listed: string[]; left_out: { name: string; data_type: number }[] }>;
  reencode: Record<string, string>;
}

const dir = repoPath("packages", "onnx", "test", "fixtures");
const expected: Expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8"));
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const read = (rel: string) => new Uint8Array(readFileSync(join(dir, rel)));
const tmp = mkdtempSync(join(tmpdir(), "onnx-golden-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** External data files next to the model, as a caller holding the model in memory would supply them. */
function resolverFor(rel: string): (location: string) => ByteSource {
  const base = join(dir, dirname(rel));
  return (location) => new MemorySource(new Uint8Array(readFileSync(join(base, location))));
}

function describeTensor(name: string, info: TensorInfo, t: Tensor): ExpectedTensor {
  const out: ExpectedTensor = { name, dtype: info.dtype, shape: [...info.shape] };
  if (t.dtype === "string") out.strings = t.strings();
  else out.sha256 = sha(t.bytes());
  return out;
}

async function listing(map: TensorMap): Promise<ExpectedTensor[]> {
  const out: ExpectedTensor[] = [];
  for (const name of map.names()) {
    const info = map.info(name);
    const t = await map.get(name);
    // info() (header only) and get() (the bytes) agree.
    expect(t.dtype, `${name}: get().dtype vs info().dtype`).toBe(info.dtype);
    expect(t.shape, `${name}: get().shape vs info().shape`).toEqual([...info.shape]);
    out.push(describeTensor(name, info, t));
  }
  return out;
}

function want(tensors: ExpectedTensor[]): ExpectedTensor[] {
  return tensors.map((t) => (t.dtype === "string" ? { name: t.name, dtype: t.dtype, shape: t.shape, strings: t.strings } : { ...t }));
}

/**
 * The model-level facts, wherever the reader nests them: the package keeps them under `onnx`,
 * or the first free `_onnx`, `__onnx`, ... when a metadata_prop already uses that key.
 */
function facts(metadata: { [key: string]: JsonValue }): { [key: string]: JsonValue } {
  for (let key = "onnx"; key.length < 16; key = `_${key}`) {
    const nested = metadata[key];
    if (nested !== null && typeof nested === "object" && !Array.isArray(nested)) return nested as { [key: string]: JsonValue };
  }
  return metadata;
}

/** opset_import with the default domain spelled "" or "ai.onnx" (both name ai.onnx). */
function opsets(v: JsonValue | undefined): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  if (v === null || typeof v !== "object" || Array.isArray(v)) return out;
  for (const [k, n] of Object.entries(v)) out[k === "" ? "ai.onnx" : k] = n;
  return out;
}

function checkFacts(map: TensorMap, m: ModelFacts): void {
  expect(map.format).toBe("onnx");
  const f = facts(map.metadata);
  expect(f.ir_version).toBe(m.ir_version);
  expect(f.producer_name).toBe(m.producer_name);
  expect(f.graph_name).toBe(m.graph_name);
  expect(f.inputs).toEqual(m.inputs);
  expect(f.outputs).toEqual(m.outputs);
  expect(f.node_count).toBe(m.node_count);
  expect(opsets(f.opset_import)).toEqual(opsets(m.opset_import));
  // metadata_props are the model's string metadata, at the top level (DESIGN.md section 6).
  for (const [k, v] of Object.entries(m.metadata_props)) expect(map.metadata[k], `metadata_props ${k}`).toBe(v);
}

async function expectCodecError(p: Promise<unknown>, why?: string): Promise<CodecError> {
  try {
    await p;
  } catch (e) {
    if (isCodecError(e)) return e;
    throw e;
  }
  throw new Error(`expected a CodecError, got a value${why ? `: ${why}` : ""}`);
}

describe("golden models: names, dtypes, shapes, digests", () => {
  for (const [rel, m] of Object.entries(expected.models)) {
    const options = m.external ? { externalData: resolverFor(rel) } : {};
    it(`${rel} from memory`, async () => {
      const map = await openOnnx(read(rel), options);
      expect(map.names()).toEqual(m.tensors.map((t) => t.name));
      expect(await listing(map)).toEqual(want(m.tensors));
      checkFacts(map, m.model);
      await map.close();
    });
    it(`${rel} from a file (external data beside it)`, async () => {
      const map = await openOnnxFile(join(dir, rel));
      expect(await listing(map)).toEqual(want(m.tensors));
      await map.close();
    });
    it(`${rel} re-encodes losslessly`, async () => {
      const out = await reencodeOnnx(read(rel), options);
      if (m.reencode_sha256 !== undefined) {
        // python's SerializeToString reproduces this file, so a lossless re-encode does too.
        expect(sha(out)).toBe(m.reencode_sha256);
      }
      // Whatever the bytes, the output lists the same tensors and needs no external files.
      const back = await openOnnx(out);
      expect(await listing(back)).toEqual(want(m.tensors));
      checkFacts(back, m.model);
    });
  }

  for (const [rel, digest] of Object.entries(expected.reencode)) {
    it(`${rel}: a valid model whose tensors cannot all be read densely still re-encodes byte for byte`, async () => {
      // Re-encoding copies the model; it has no reason to densify sparse tensors or decode element types.
      expect(sha(await reencodeOnnx(read(rel)))).toBe(digest);
    });
  }

  it("wire variants: re-encoding keeps what python's parser sees (unknown fields, merged messages)", async () => {
    for (const rel of ["wire_variants.onnx", "wire_graph_twice.onnx"]) {
      const once = await reencodeOnnx(read(rel));
      const twice = await reencodeOnnx(once);
      // A re-encode of a re-encode is a fixed point.
      expect(sha(twice)).toBe(sha(once));
    }
  });
});

/** A ByteSource whose reads resolve after a pseudo-random delay, so concurrent reads interleave. */
class SlowSource implements ByteSource {
  constructor(
    private readonly inner: MemorySource,
    private seed: number,
  ) {}
  get byteLength(): number {
    return this.inner.byteLength;
  }
  async read(offset: number, length: number): Promise<Uint8Array> {
    this.seed = (Math.imul(this.seed, 1103515245) + 12345) >>> 0;
    await new Promise((r) => setTimeout(r, this.seed % 4));
    return this.inner.read(offset, length);
  }
}

describe("sources", () => {
  for (const [rel, m] of Object.entries(expected.models)) {
    it(`${rel}: concurrent get() over a slow ByteSource and an async external-data resolver`, async () => {
      const base = join(dir, dirname(rel));
      const externalData = async (location: string): Promise<ByteSource> => {
        await new Promise((r) => setTimeout(r, 1));
        return new SlowSource(new MemorySource(new Uint8Array(readFileSync(join(base, location)))), 3);
      };
      const map = await openOnnx(new SlowSource(new MemorySource(read(rel)), 1), { externalData });
      const names = [...map.names(), ...map.names()];
      const got = await Promise.all(names.map(async (n) => describeTensor(n, map.info(n), await map.get(n))));
      expect(got).toEqual([...want(m.tensors), ...want(m.tensors)]);
    });
  }

  it("opening reads the model's structure, not its weights (DESIGN.md section 3); get() reads about one tensor", async () => {
    const tensors: Record<string, Tensor> = {};
    for (let i = 0; i < 8; i++) tensors[`t${i}`] = new Tensor({ dtype: "float32", shape: [512, 512], data: new Uint8Array(512 * 512 * 4).fill(i) });
    const bytes = await encodeOnnx({
      format: "test",
      metadata: {},
      names: () => Object.keys(tensors),
      info: (n) => ({ name: n, dtype: "float32", shape: [512, 512] }),
      get: async (n) => tensors[n],
    });
    let total = 0;
    const inner = new MemorySource(bytes);
    const counting: ByteSource = {
      byteLength: inner.byteLength,
      read: (offset, length) => {
        total += length;
        return inner.read(offset, length);
      },
    };
    const map = await openOnnx(counting);
    expect(map.names()).toHaveLength(8);
    expect(total, `open read ${total} of ${bytes.length} bytes`).toBeLessThan(bytes.length / 8);
    const before = total;
    const t = await map.get("t5");
    expect(t.bytes()[0]).toBe(5);
    expect(total - before, "one 1 MiB tensor").toBeLessThan(2 * 512 * 512 * 4);
  });

  it("a model inside a larger buffer at an odd byteOffset reads the same, as views into that buffer", async () => {
    const bytes = read("dtypes_raw.onnx");
    const big = new Uint8Array(bytes.length + 20);
    big.set(bytes, 13);
    const map = await openOnnx(big.subarray(13, 13 + bytes.length));
    expect(await listing(map)).toEqual(want(expected.models["dtypes_raw.onnx"].tensors));
    const t = await map.get("raw_float32");
    expect((t.data as Uint8Array).buffer).toBe(big.buffer);
    expect(sha(await reencodeOnnx(big.subarray(13, 13 + bytes.length)))).toBe(expected.models["dtypes_raw.onnx"].reencode_sha256);
  });
});

describe("readOnnxGraph", () => {
  for (const [rel, m] of Object.entries(expected.models)) {
    it(`${rel}: nodes, attributes, subgraphs, value infos and initializers as python reads them`, async () => {
      const options = m.external ? { externalData: resolverFor(rel) } : {};
      if (m.graph.graph.sparse > 0) {
        // Documented: a graph to run with sparse initializers is UNSUPPORTED.
        const err = await expectCodecError(readOnnxGraph(read(rel), options));
        expect(err.code).toBe("UNSUPPORTED");
        return;
      }
      const diff = jsonDiff(modelGraphJson(await readOnnxGraph(read(rel), options)), m.graph);
      expect(diff, rel).toBeUndefined();
    });
  }
});

describe("structural detection (ONNX has no magic)", () => {
  // Every model python's onnx loads, including unknown fields (newer onnx.proto fields or
  // extensions): protobuf readers keep those, so detection must not reject the file for them.
  const files = [...Object.keys(expected.models), ...Object.keys(expected.unsupported), ...Object.keys(expected.reencode)];
  for (const rel of [...new Set(files)]) {
    it(`detectOnnx recognises ${rel}`, () => {
      const bytes = read(rel);
      expect(detectOnnx(bytes.subarray(0, 4096), bytes.length), `${rel}: python onnx loads it`).toBeGreaterThan(0);
    });
  }
});

describe("zero-copy and values", () => {
  it("raw_data tensors of an in-memory model are views of the input bytes", async () => {
    const bytes = read("dtypes_raw.onnx");
    const map = await openOnnx(bytes);
    for (const name of map.names()) {
      const t = await map.get(name);
      expect(t.copied, name).toBe(false);
      expect((t.data as Uint8Array).buffer, name).toBe(bytes.buffer);
    }
    const big = await (await openOnnx(read("shapes_strings.onnx"))).get("big_f32_raw");
    expect(big.copied).toBe(false);
  });

  it("typed fields decode to the values python wrote", async () => {
    const map = await openOnnx(read("shapes_strings.onnx"));
    expect(Array.from((await map.get("scalar_i64_typed")).typed() as BigInt64Array)).toEqual([-(2n ** 63n)]);
    expect(Array.from((await map.get("name with spaces/and.dots:0")).typed() as Int8Array)).toEqual([-128, -1, 0, 127]);
    expect(Array.from((await map.get("名前")).typed() as Uint16Array)).toEqual([0, 65535]);
    expect(Array.from((await map.get("scalar_bool_typed")).bytes())).toEqual([1]);
    expect(Number.isNaN((await map.get("scalar_f64_typed")).toFloat32()[0])).toBe(true);
    expect((await map.get("str_scalar")).strings()).toEqual(["über ✓"]);
    expect((await map.get("str_empty")).shape).toEqual([0, 2]);
    const wire = await openOnnx(read("wire_variants.onnx"));
    expect(Array.from((await wire.get("split_packed")).typed() as BigInt64Array)).toEqual([-(2n ** 63n), -1n, 0n, 2n ** 62n, 12345n]);
    expect(Array.from((await wire.get("unpacked_int16")).typed() as Int16Array)).toEqual([-32768, -1, 7, 32767]);
    expect(Array.from((await wire.get("dtype_last_wins")).toFloat32())).toEqual([0.25, -8]);
    const sparse = await openOnnx(read("sparse.onnx"));
    expect(Array.from((await sparse.get("sparse_linear")).toFloat32())).toEqual([0, 1.5, 0, 0, 0, -2, 0, 0, 0, 0, 0, 3.25]);
  });
});

describe("standalone TensorProto files (decodeTensorProto)", () => {
  for (const [rel, t] of Object.entries(expected.tensor_protos)) {
    it(rel, async () => {
      const { name, tensor } = await decodeTensorProto(read(rel));
      expect(name).toBe(t.name);
      expect(tensor.dtype).toBe(t.dtype);
      expect(tensor.shape).toEqual(t.shape);
      if (t.dtype === "string") expect(tensor.strings()).toEqual(t.strings);
      else expect(sha(tensor.bytes())).toBe(t.sha256);
    });
  }

  it("refuses external data in a standalone TensorProto", async () => {
    // A TensorProto naming an external file, built from the wire format (python parses it the
    // same way): name (8) "x", data_type (2) FLOAT, dims (1) 1, data_location (14) EXTERNAL,
    // external_data (13) {key "location", value "w.bin"}. A lone .pb has no directory to resolve it in.
    const kv = (k: number, s: string) => [(k << 3) | 2, s.length, ...Buffer.from(s)];
    const entry = [...kv(1, "location"), ...kv(2, "w.bin")];
    const bytes = new Uint8Array([...kv(8, "x"), 0x10, 1, 0x08, 1, 0x70, 1, (13 << 3) | 2, entry.length, ...entry]);
    const err = await expectCodecError(decodeTensorProto(bytes));
    expect(err.format).toBe("onnx");
  });
});

describe("files every reader must refuse", () => {
  for (const [rel, e] of Object.entries(expected.errors)) {
    it(`${rel}${e.code ? ` -> ${e.code}` : ""}`, async () => {
      let err: CodecError;
      if (e.kind === "tensor_proto") {
        err = await expectCodecError(decodeTensorProto(read(rel)));
      } else {
        const map = await openOnnx(read(rel), { externalData: resolverFor(rel) }).catch((x: unknown) => x);
        if (isCodecError(map)) err = map;
        else {
          // Open may defer the check to the tensor (headers only); reading it must fail.
          const m = map as TensorMap;
          expect(m.names()).toContain(e.tensor);
          err = await expectCodecError((async () => m.get(e.tensor ?? ""))(), e.why);
        }
      }
      expect(err.format).toBe("onnx");
      if (e.code) expect(err.code).toBe(e.code);
      if (e.match) expect(err.message.toLowerCase()).toContain(e.match.toLowerCase());
    });
  }

  for (const [rel, u] of Object.entries(expected.unsupported)) {
    it(`${rel}: element types without a dtype name are left out and named in metadata.onnx.unsupported_tensors`, async () => {
      const map = await openOnnx(read(rel));
      expect(map.names()).toEqual(u.listed);
      for (const n of u.listed) await map.get(n);
      expect(facts(map.metadata).unsupported_tensors).toEqual(u.left_out);
      // Asking for a left-out tensor by name is a CodecError, not a crash.
      for (const l of u.left_out) await expectCodecError((async () => map.get(l.name))());
    });
  }

  it("a missing external file through openOnnxFile is a CodecError, not an ENOENT", async () => {
    const rel = "external_manual/missing_file.onnx";
    const err = await expectCodecError((async () => (await openOnnxFile(join(dir, rel))).get("missing_file"))());
    expect(err.format).toBe("onnx");
  });

  it("openOnnxFile of a missing file and writeOnnxFile into a missing directory are IO CodecErrors (as @codec/safetensors/node's)", async () => {
    const open = await expectCodecError(openOnnxFile(join(tmp, "no-such-model.onnx")));
    expect(open.code).toBe("IO");
    const src = await openOnnx(read("dtypes_raw.onnx"));
    const write = await expectCodecError((async () => writeOnnxFile(join(tmp, "no-such-dir", "x.onnx"), src))());
    expect(write.code).toBe("IO");
  });

  it("openOnnxFile refuses external locations outside the model's directory", async () => {
    // A location that climbs out of the model directory (onnx's _sanitize_path refuses these too).
    const bytes = read("external_manual/missing_file.onnx");
    const text = Buffer.from(bytes).toString("latin1").replace("no_such_file.bin", "../../../etc/pas");
    expect(text.length).toBe(bytes.length);
    const evil = join(tmp, "evil.onnx");
    writeFileSync(evil, Buffer.from(text, "latin1"));
    const err = await expectCodecError((async () => (await openOnnxFile(evil)).get("missing_file"))());
    expect(err.format).toBe("onnx");
    expect(err.code).toBe("UNSAFE");
  });
});

describe.runIf(existsSync("/proc/self/fd"))("file descriptors", () => {
  it("openOnnxFile / close(), failing gets and reencodeOnnxFile leave no descriptor open", async () => {
    const fds = () => readdirSync("/proc/self/fd").length;
    const before = fds();
    for (let i = 0; i < 50; i++) {
      const m = await openOnnxFile(join(dir, "external", "model.onnx"));
      for (const n of m.names()) await m.get(n);
      await m.close();
      const bad = await openOnnxFile(join(dir, "external_manual", "missing_file.onnx"));
      await bad.get("missing_file").catch(() => undefined);
      await bad.close();
      await reencodeOnnxFile(join(dir, "external_attr", "model.onnx"), join(tmp, "reencoded.onnx"));
    }
    expect(fds() - before).toBeLessThanOrEqual(0);
    // reencodeOnnxFile inlined the attribute and subgraph tensors: the copy opens on its own.
    expect(await listing(await openOnnx(new Uint8Array(readFileSync(join(tmp, "reencoded.onnx")))))).toEqual(want(expected.models["external_attr/model.onnx"].tensors));
  });
});

describe("encodeOnnx / writeOnnxFile", () => {
  it("re-reads every golden model's tensors and string metadata exactly", async () => {
    for (const [rel, m] of Object.entries(expected.models)) {
      const src = await openOnnx(read(rel), m.external ? { externalData: resolverFor(rel) } : {});
      const bytes = await encodeOnnx(src, { graphName: "g", producerName: "codec-test", metadata: m.model.metadata_props });
      const back = await openOnnx(bytes);
      expect(await listing(back), rel).toEqual(want(m.tensors));
      expect(facts(back.metadata).node_count, rel).toBe(0);
      expect(facts(back.metadata).producer_name, rel).toBe("codec-test");
      expect(facts(back.metadata).graph_name, rel).toBe("g");
      expect(facts(back.metadata).ir_version, rel).toBe(8);
      for (const [k, v] of Object.entries(m.model.metadata_props)) expect(back.metadata[k], `${rel} ${k}`).toBe(v);
    }
  });

  it("writes a file that openOnnxFile reads", async () => {
    const src = await openOnnx(read("dtypes_typed.onnx"));
    const path = join(tmp, "written.onnx");
    await writeOnnxFile(path, src, { metadata: { note: "x" } });
    expect(existsSync(path)).toBe(true);
    const back = await openOnnxFile(path);
    expect(await listing(back)).toEqual(want(expected.models["dtypes_typed.onnx"].tensors));
    expect(back.metadata.note).toBe("x");
    await back.close();
  });

  it("writes tensors it is handed directly (0-d, empty, strings)", async () => {
    const tensors: Record<string, Tensor> = {
      s: new Tensor({ dtype: "float64", shape: [], data: new Uint8Array(new Float64Array([Math.PI]).buffer) }),
      e: new Tensor({ dtype: "int32", shape: [0, 5], data: new Uint8Array(0) }),
      w: new Tensor({ dtype: "string", shape: [2], data: ["ä", ""] }),
    };
    const map = tensorMapOf(tensors);
    const back = await openOnnx(await encodeOnnx(map));
    expect(back.names()).toEqual(["s", "e", "w"]);
    expect((await back.get("s")).shape).toEqual([]);
    expect(Array.from((await back.get("s")).typed() as Float64Array)).toEqual([Math.PI]);
    expect((await back.get("e")).shape).toEqual([0, 5]);
    expect((await back.get("w")).strings()).toEqual(["ä", ""]);
  });
});
