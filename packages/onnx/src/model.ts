/**
 * Opening an ONNX model: a walk over ModelProto -> GraphProto that reads
 * every header field and skips tensor payloads, node bodies and anything
 * else big, so opening costs reads proportional to the model's structure,
 * not its weights. The result is a TensorMap of the graph's initializers
 * and sparse initializers (DESIGN.md section 5), loaded on demand.
 */
import { type ByteInput, type ByteSource, fail, guardDecodeAsync, type JsonValue, keepShapeAlive, MemorySource, type Tensor, type TensorInfo, type TensorMap, toByteSource } from "@codec/core";
import { densifySparse, type SparseHeader } from "./sparse.js";
import { SourceCursor } from "./source-cursor.js";
import { dtypeOfHeader, type ExternalDataReader, materializeTensor, readStringPair, readTensorProtoHeader, type TensorProtoHeader } from "./tensor-proto.js";
import { expectWire, F, newField, WIRE_LEN, WIRE_VARINT, type WireField, WireReader, wireString } from "./wire.js";

export interface OnnxOpenOptions {
  /**
   * Source of an external data file named by a tensor's `location` (a path
   * relative to the model's directory). `@codec/onnx/node`'s openOnnxFile
   * supplies one that refuses locations outside that directory. Bytes in
   * memory may be returned as they are.
   */
  externalData?: (location: string) => ByteInput | Promise<ByteInput>;
}

type Entry = { kind: "dense"; header: TensorProtoHeader } | { kind: "sparse"; sparse: SparseHeader };

/** The model-level fields reported as metadata. */
interface ModelFacts {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  domain: string;
  modelVersion: number;
  docString: string;
  opsets: Record<string, number>;
  props: Map<string, string>;
  graphName: string;
  inputs: string[];
  outputs: string[];
  nodeCount: number;
  hasGraph: boolean;
  trainingInfo: number;
  functions: number;
}

export class OnnxModel implements TensorMap {
  readonly format = "onnx";
  readonly metadata: { [key: string]: JsonValue };
  private readonly order: string[];

  constructor(
    private readonly cursor: SourceCursor,
    private readonly entries: Map<string, Entry>,
    facts: ModelFacts,
    unsupported: { name: string; data_type: number }[],
    private readonly readExternal: ExternalDataReader | undefined,
    private readonly closeSources: () => Promise<void>,
  ) {
    this.order = [...entries.keys()];
    const details: { [key: string]: JsonValue } = {
      ir_version: facts.irVersion,
      producer_name: facts.producerName,
      producer_version: facts.producerVersion,
      domain: facts.domain,
      model_version: facts.modelVersion,
      doc_string: facts.docString,
      opset_import: facts.opsets,
      graph_name: facts.graphName,
      inputs: facts.inputs,
      outputs: facts.outputs,
      node_count: facts.nodeCount,
      sparse_initializers: [...entries.values()].filter((e) => e.kind === "sparse").length,
    };
    if (facts.trainingInfo > 0) details.training_info = facts.trainingInfo;
    if (facts.functions > 0) details.functions = facts.functions;
    if (unsupported.length > 0) details.unsupported_tensors = unsupported;
    // metadata_props are the model's string metadata (carried across formats); format details nest under "onnx".
    // A metadata_prop may itself be named "onnx": the details then take the first free "_onnx", "__onnx", ...
    let key = "onnx";
    while (facts.props.has(key)) key = `_${key}`;
    this.metadata = { ...Object.fromEntries(facts.props), [key]: details };
  }

  names(): string[] {
    return [...this.order];
  }

  private entry(name: string): Entry {
    const e = this.entries.get(name);
    if (e === undefined) return fail("USAGE", F, `no tensor named '${name}'`);
    return e;
  }

  info(name: string): TensorInfo {
    const e = this.entry(name);
    if (e.kind === "dense") return { name, dtype: dtypeOfHeader(e.header).dtype, shape: [...e.header.dims] };
    return { name, dtype: dtypeOfHeader(e.sparse.values).dtype, shape: [...e.sparse.dims] };
  }

  get(name: string): Promise<Tensor> {
    const e = this.entry(name);
    return guardDecodeAsync(F, async () => {
      if (e.kind === "dense") return materializeTensor(this.cursor, e.header, this.readExternal);
      return densifySparse(this.cursor, e.sparse, this.readExternal);
    });
  }

  /**
   * Checks that a tensor's data decodes (sizes, types, external data)
   * without building it: a sparse initializer's values and indices are
   * read, not densified (its dense form may be far larger than the file).
   */
  check(name: string): Promise<void> {
    const e = this.entry(name);
    return guardDecodeAsync(F, async () => {
      if (e.kind === "dense") await materializeTensor(this.cursor, e.header, this.readExternal);
      else {
        await materializeTensor(this.cursor, e.sparse.values, this.readExternal);
        await materializeTensor(this.cursor, e.sparse.indices, this.readExternal);
      }
    });
  }

  close(): Promise<void> {
    return this.closeSources();
  }
}

function emptyFacts(): ModelFacts {
  return {
    irVersion: 0,
    producerName: "",
    producerVersion: "",
    domain: "",
    modelVersion: 0,
    docString: "",
    opsets: {},
    props: new Map(),
    graphName: "",
    inputs: [],
    outputs: [],
    nodeCount: 0,
    hasGraph: false,
    trainingInfo: 0,
    functions: 0,
  };
}

// A model kept for the process so that V8 keeps OnnxModel's map across GCs (see keepShapeAlive).
keepShapeAlive(new OnnxModel(new SourceCursor(new MemorySource(new Uint8Array(0))), new Map(), emptyFacts(), [], undefined, async () => {}));

/** Opens a ModelProto from bytes or a ByteSource; tensors load on demand. */
export function openOnnx(input: ByteInput, options: OnnxOpenOptions = {}): Promise<OnnxModel> {
  const source = toByteSource(input);
  return guardDecodeAsync(F, async () => {
    const cursor = new SourceCursor(source);
    const facts = emptyFacts();
    const entries = new Map<string, Entry>();
    const unsupported: { name: string; data_type: number }[] = [];
    const f = newField();
    let pos = 0;
    const end = source.byteLength;
    if (end === 0) fail("TRUNCATED", F, "empty file");
    while (pos < end) {
      pos = cursor.hasHeader(pos, end) ? cursor.header(pos, end, f) : await cursor.nextHeader(pos, end, f);
      switch (f.field) {
        case 1:
          facts.irVersion = varintField(f, "ModelProto.ir_version");
          break;
        case 2:
          facts.producerName = await stringField(cursor, f, "ModelProto.producer_name");
          break;
        case 3:
          facts.producerVersion = await stringField(cursor, f, "ModelProto.producer_version");
          break;
        case 4:
          facts.domain = await stringField(cursor, f, "ModelProto.domain");
          break;
        case 5:
          facts.modelVersion = varintField(f, "ModelProto.model_version");
          break;
        case 6:
          facts.docString = await stringField(cursor, f, "ModelProto.doc_string");
          break;
        case 7:
          expectWire(f, WIRE_LEN, "ModelProto.graph");
          facts.hasGraph = true;
          await readGraph(cursor, f.start, f.end, facts, entries, unsupported);
          break;
        case 8: {
          expectWire(f, WIRE_LEN, "ModelProto.opset_import");
          const [domain, version] = readOpset((cursor.peek(f.start, f.end) ?? (await cursor.bytes(f.start, f.end))), f.start);
          facts.opsets[domain === "" ? "ai.onnx" : domain] = version;
          break;
        }
        case 14: {
          expectWire(f, WIRE_LEN, "ModelProto.metadata_props");
          const [k, v] = readStringPair((cursor.peek(f.start, f.end) ?? (await cursor.bytes(f.start, f.end))), f.start);
          facts.props.set(k, v);
          break;
        }
        case 20:
          facts.trainingInfo++;
          break;
        case 25:
          facts.functions++;
          break;
        default:
          // Unknown fields are allowed (newer onnx.proto); they are kept by reencodeOnnx.
          break;
      }
    }
    if (!facts.hasGraph && facts.irVersion === 0) fail("CORRUPT", F, "not an ONNX model: no ir_version and no graph");
    const readExternal = externalReader(options);
    return new OnnxModel(cursor, entries, facts, unsupported, readExternal.read, readExternal.close);
  });
}

function varintField(f: WireField, what: string): number {
  expectWire(f, WIRE_VARINT, what);
  return f.value;
}

async function stringField(cursor: SourceCursor, f: WireField, what: string): Promise<string> {
  expectWire(f, WIRE_LEN, what);
  const bytes = (cursor.peek(f.start, f.end) ?? (await cursor.bytes(f.start, f.end)));
  return wireString(bytes, { ...f, start: 0, end: bytes.length }, f.start);
}

/** OperatorSetIdProto {1: domain, 2: version}. */
function readOpset(bytes: Uint8Array, base: number): [string, number] {
  const r = new WireReader(bytes, 0, bytes.length, base);
  const f = newField();
  let domain = "";
  let version = 0;
  while (!r.done) {
    r.next(f);
    if (f.field === 1) {
      expectWire(f, WIRE_LEN, "OperatorSetIdProto.domain", base);
      domain = wireString(bytes, f, base);
    } else if (f.field === 2) {
      expectWire(f, WIRE_VARINT, "OperatorSetIdProto.version", base);
      version = f.value;
    }
  }
  return [domain, version];
}

/** The name (field 1) of a ValueInfoProto. */
function valueInfoName(bytes: Uint8Array, base: number): string {
  const r = new WireReader(bytes, 0, bytes.length, base);
  const f = newField();
  let name = "";
  while (!r.done) {
    r.next(f);
    if (f.field === 1) {
      expectWire(f, WIRE_LEN, "ValueInfoProto.name", base);
      name = wireString(bytes, f, base);
    }
  }
  return name;
}

async function readGraph(cursor: SourceCursor, start: number, end: number, facts: ModelFacts, entries: Map<string, Entry>, unsupported: { name: string; data_type: number }[]): Promise<void> {
  const f = newField();
  let pos = start;
  const add = (name: string, entry: Entry, header: TensorProtoHeader, at: number): void => {
    if (entries.has(name) || unsupported.some((u) => u.name === name)) fail("CORRUPT", F, `two initializers are named '${name}'`, { offset: at });
    try {
      dtypeOfHeader(header);
    } catch (e) {
      // A type DESIGN.md has no dtype for: listed in the metadata rather than failing the whole model.
      if (e instanceof Error && (e as { code?: string }).code === "UNSUPPORTED") {
        unsupported.push({ name, data_type: header.dataType });
        return;
      }
      throw e;
    }
    entries.set(name, entry);
  };
  while (pos < end) {
    pos = cursor.hasHeader(pos, end) ? cursor.header(pos, end, f) : await cursor.nextHeader(pos, end, f);
    switch (f.field) {
      case 1:
        expectWire(f, WIRE_LEN, "GraphProto.node");
        facts.nodeCount++;
        break;
      case 2:
        facts.graphName = await stringField(cursor, f, "GraphProto.name");
        break;
      case 5: {
        expectWire(f, WIRE_LEN, "GraphProto.initializer");
        const read = readTensorProtoHeader(cursor, f.start, f.end);
        const header = read instanceof Promise ? await read : read;
        add(header.name, { kind: "dense", header }, header, f.start);
        break;
      }
      case 11:
      case 12: {
        expectWire(f, WIRE_LEN, "GraphProto.input/output");
        const name = valueInfoName((cursor.peek(f.start, f.end) ?? (await cursor.bytes(f.start, f.end))), f.start);
        (f.field === 11 ? facts.inputs : facts.outputs).push(name);
        break;
      }
      case 15: {
        expectWire(f, WIRE_LEN, "GraphProto.sparse_initializer");
        const sparse = await readSparseHeader(cursor, f.start, f.end);
        add(sparse.values.name, { kind: "sparse", sparse }, sparse.values, f.start);
        break;
      }
      default:
        break;
    }
  }
}

/** SparseTensorProto {1: values, 2: indices, 3: dims}. */
async function readSparseHeader(cursor: SourceCursor, start: number, end: number): Promise<SparseHeader> {
  const f = newField();
  let values: TensorProtoHeader | null = null;
  let indices: TensorProtoHeader | null = null;
  const dims: number[] = [];
  let pos = start;
  while (pos < end) {
    pos = cursor.hasHeader(pos, end) ? cursor.header(pos, end, f) : await cursor.nextHeader(pos, end, f);
    if (f.field === 1 || f.field === 2) {
      expectWire(f, WIRE_LEN, "SparseTensorProto.values/indices");
      const read = readTensorProtoHeader(cursor, f.start, f.end);
      const h = read instanceof Promise ? await read : read;
      if (f.field === 1) values = h;
      else indices = h;
    } else if (f.field === 3) {
      const bytes = (cursor.peek(f.start, f.end) ?? (await cursor.bytes(f.start, f.end)));
      const r = new WireReader(bytes, 0, bytes.length, f.start);
      if (f.wire === WIRE_VARINT) dims.push(r.varint());
      else {
        expectWire(f, WIRE_LEN, "SparseTensorProto.dims");
        while (!r.done) dims.push(r.varint());
      }
    }
  }
  if (values === null || indices === null) fail("CORRUPT", F, "sparse initializer without values or indices", { offset: start });
  for (const d of dims) if (d > Number.MAX_SAFE_INTEGER) fail("CORRUPT", F, "negative or huge sparse tensor dimension", { offset: start });
  return { values, indices, dims, offset: start };
}

/** An ExternalDataReader over options.externalData, opening each location once. */
export function externalReader(options: OnnxOpenOptions): { read: ExternalDataReader | undefined; close: () => Promise<void> } {
  const open = options.externalData;
  const sources = new Map<string, Promise<ByteSource>>();
  if (open === undefined) return { read: undefined, close: async () => {} };
  const read: ExternalDataReader = async (location, offset, length, tensorName) => {
    let p = sources.get(location);
    if (p === undefined) {
      p = Promise.resolve(open(location)).then(toByteSource);
      sources.set(location, p);
    }
    const src = await p;
    const n = length ?? src.byteLength - offset;
    if (offset + n > src.byteLength) fail("TRUNCATED", F, `tensor '${tensorName}': external file '${location}' has ${src.byteLength} bytes, the data ends at ${offset + n}`);
    return src.read(offset, n);
  };
  const close = async (): Promise<void> => {
    for (const p of sources.values()) {
      const s = await p.catch(() => undefined);
      await s?.close?.();
    }
  };
  return { read, close };
}
