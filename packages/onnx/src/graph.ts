/**
 * The computation graph of a model (GraphProto.node, inputs, outputs,
 * initializers; onnx.proto), for runners such as @codec/infer. Unlike
 * `openOnnx`, which reads headers and loads tensors on demand, this reads
 * the whole graph: running a model needs all of it. Attributes are decoded
 * by their declared type (AttributeProto.AttributeType); subgraphs (If,
 * Loop, Scan bodies) are read recursively.
 */
import { type ByteInput, fail, guardDecodeAsync, MemorySource, readAll, type Tensor, toByteSource } from "@codec/core";
import type { OnnxOpenOptions } from "./model.js";
import { externalReader } from "./model.js";
import { SourceCursor } from "./source-cursor.js";
import { type ExternalDataReader, materializeTensor, readTensorProtoHeader } from "./tensor-proto.js";
import { expectWire, F, newField, WIRE_I32, WIRE_LEN, WIRE_VARINT, type WireField, WireReader, wireString } from "./wire.js";

export interface OnnxValueInfo {
  name: string;
  /** TensorProto.DataType of a tensor type, or null for other types (sequences, maps, optionals). */
  elemType: number | null;
  /** Dimensions: a number, a symbolic name, or null when unknown; null when the rank is unknown. */
  shape: (number | string | null)[] | null;
}

export interface OnnxAttribute {
  name: string;
  /** AttributeProto.AttributeType: 1 FLOAT, 2 INT, 3 STRING, 4 TENSOR, 5 GRAPH, 6 FLOATS, 7 INTS, 8 STRINGS, 9 TENSORS, 10 GRAPHS, 11 SPARSE_TENSOR, ... */
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: Tensor;
  g?: OnnxGraph;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
  tensors?: Tensor[];
  graphs?: OnnxGraph[];
  /** Set inside functions: the attribute takes the caller's attribute of this name. */
  refAttrName?: string;
}

export interface OnnxNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Map<string, OnnxAttribute>;
}

export interface OnnxGraph {
  name: string;
  nodes: OnnxNode[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  initializers: Map<string, Tensor>;
}

export interface OnnxModelGraph {
  irVersion: number;
  /** Opset versions by domain ("ai.onnx" for the default domain). */
  opsets: Record<string, number>;
  graph: OnnxGraph;
}

interface Ctx {
  bytes: Uint8Array;
  cursor: SourceCursor;
  readExternal: ExternalDataReader | undefined;
  depth: number;
}

/** Subgraph nesting allowed (each level is a recursive read). */
const MAX_DEPTH = 64;

/** Reads a model's main graph with its nodes, attributes, subgraphs and initializers. */
export function readOnnxGraph(input: ByteInput, options: OnnxOpenOptions = {}): Promise<OnnxModelGraph> {
  const source = toByteSource(input);
  return guardDecodeAsync(F, async () => {
    const bytes = await readAll(source);
    const external = externalReader(options);
    try {
      const ctx: Ctx = { bytes, cursor: new SourceCursor(new MemorySource(bytes)), readExternal: external.read, depth: 0 };
      const r = new WireReader(bytes);
      const f = newField();
      let irVersion = 0;
      const opsets: Record<string, number> = {};
      let graph: OnnxGraph | null = null;
      while (!r.done) {
        r.next(f);
        if (f.field === 1 && f.wire === WIRE_VARINT) irVersion = f.value;
        else if (f.field === 7) {
          expectWire(f, WIRE_LEN, "ModelProto.graph");
          const g = await readGraphMessage(ctx, f.start, f.end);
          // A singular message field given twice merges (protobuf): repeated fields concatenate, the last name wins.
          graph = graph === null ? g : mergeGraphs(graph, g);
        } else if (f.field === 8) {
          expectWire(f, WIRE_LEN, "ModelProto.opset_import");
          const o = new WireReader(bytes, f.start, f.end);
          const g = newField();
          let domain = "";
          let version = 0;
          while (!o.done) {
            o.next(g);
            if (g.field === 1 && g.wire === WIRE_LEN) domain = wireString(bytes, g);
            else if (g.field === 2 && g.wire === WIRE_VARINT) version = g.value;
          }
          opsets[domain === "" ? "ai.onnx" : domain] = version;
        }
      }
      if (graph === null) fail("CORRUPT", F, "the model has no graph");
      return { irVersion, opsets, graph };
    } finally {
      await external.close();
    }
  });
}

function mergeGraphs(a: OnnxGraph, b: OnnxGraph): OnnxGraph {
  return {
    name: b.name !== "" ? b.name : a.name,
    nodes: [...a.nodes, ...b.nodes],
    inputs: [...a.inputs, ...b.inputs],
    outputs: [...a.outputs, ...b.outputs],
    initializers: new Map([...a.initializers, ...b.initializers]),
  };
}

async function readGraphMessage(ctx: Ctx, start: number, end: number): Promise<OnnxGraph> {
  if (++ctx.depth > MAX_DEPTH) fail("LIMIT", F, `subgraphs nest deeper than ${MAX_DEPTH}`, { offset: start });
  const g: OnnxGraph = { name: "", nodes: [], inputs: [], outputs: [], initializers: new Map() };
  const r = new WireReader(ctx.bytes, start, end);
  const f = newField();
  while (!r.done) {
    r.next(f);
    switch (f.field) {
      case 1:
        expectWire(f, WIRE_LEN, "GraphProto.node");
        g.nodes.push(await readNode(ctx, f.start, f.end));
        break;
      case 2:
        expectWire(f, WIRE_LEN, "GraphProto.name");
        g.name = wireString(ctx.bytes, f);
        break;
      case 5: {
        expectWire(f, WIRE_LEN, "GraphProto.initializer");
        const t = await readTensor(ctx, f);
        g.initializers.set(t.name, t.tensor);
        break;
      }
      case 11:
      case 12:
        expectWire(f, WIRE_LEN, "GraphProto.input/output");
        (f.field === 11 ? g.inputs : g.outputs).push(readValueInfo(ctx.bytes, f.start, f.end));
        break;
      case 15:
        fail("UNSUPPORTED", F, "sparse initializers in a graph to run", { offset: f.start });
        break;
      default:
        break;
    }
  }
  ctx.depth--;
  return g;
}

async function readTensor(ctx: Ctx, f: WireField): Promise<{ name: string; tensor: Tensor }> {
  const read = readTensorProtoHeader(ctx.cursor, f.start, f.end);
  const header = read instanceof Promise ? await read : read;
  return { name: header.name, tensor: await materializeTensor(ctx.cursor, header, ctx.readExternal) };
}

/** A signed int64 varint as a number (exact to 2^53 in magnitude). */
function int64(r: WireReader): number {
  const v = { lo: 0, hi: 0 };
  r.varint64(v);
  return (v.hi | 0) * 4294967296 + v.lo;
}

function int64At(bytes: Uint8Array, f: WireField): number {
  return int64(new WireReader(bytes, f.start, f.end));
}

async function readNode(ctx: Ctx, start: number, end: number): Promise<OnnxNode> {
  const n: OnnxNode = { name: "", opType: "", domain: "", inputs: [], outputs: [], attributes: new Map() };
  const r = new WireReader(ctx.bytes, start, end);
  const f = newField();
  while (!r.done) {
    r.next(f);
    if (f.wire !== WIRE_LEN) continue;
    switch (f.field) {
      case 1:
        n.inputs.push(wireString(ctx.bytes, f));
        break;
      case 2:
        n.outputs.push(wireString(ctx.bytes, f));
        break;
      case 3:
        n.name = wireString(ctx.bytes, f);
        break;
      case 4:
        n.opType = wireString(ctx.bytes, f);
        break;
      case 7:
        n.domain = wireString(ctx.bytes, f);
        break;
      case 5: {
        const a = await readAttribute(ctx, f.start, f.end);
        n.attributes.set(a.name, a);
        break;
      }
      default:
        break;
    }
  }
  return n;
}

async function readAttribute(ctx: Ctx, start: number, end: number): Promise<OnnxAttribute> {
  const a: OnnxAttribute = { name: "", type: 0 };
  const bytes = ctx.bytes;
  const r = new WireReader(bytes, start, end);
  const f = newField();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  while (!r.done) {
    r.next(f);
    switch (f.field) {
      case 1:
        a.name = wireString(bytes, f);
        break;
      case 20:
        a.type = f.value;
        break;
      case 21:
        a.refAttrName = wireString(bytes, f);
        break;
      case 2:
        expectWire(f, WIRE_I32, "AttributeProto.f");
        a.f = view.getFloat32(f.start, true);
        break;
      case 3:
        a.i = int64At(bytes, f);
        break;
      case 4:
        a.s = bytes.subarray(f.start, f.end);
        break;
      case 5:
        a.t = (await readTensor(ctx, f)).tensor;
        break;
      case 6:
        a.g = await readGraphMessage(ctx, f.start, f.end);
        break;
      case 7: {
        a.floats ??= [];
        if (f.wire === WIRE_LEN) for (let p = f.start; p + 4 <= f.end; p += 4) a.floats.push(view.getFloat32(p, true));
        else a.floats.push(view.getFloat32(f.start, true));
        break;
      }
      case 8: {
        a.ints ??= [];
        const ir = new WireReader(bytes, f.start, f.end);
        while (!ir.done) a.ints.push(int64(ir));
        break;
      }
      case 9:
        (a.strings ??= []).push(bytes.subarray(f.start, f.end));
        break;
      case 10:
        (a.tensors ??= []).push((await readTensor(ctx, f)).tensor);
        break;
      case 11:
        (a.graphs ??= []).push(await readGraphMessage(ctx, f.start, f.end));
        break;
      default:
        break;
    }
  }
  // Files written before the type field existed: infer it from the one value present.
  if (a.type === 0) a.type = a.f !== undefined ? 1 : a.i !== undefined ? 2 : a.s !== undefined ? 3 : a.t !== undefined ? 4 : a.g !== undefined ? 5 : a.floats ? 6 : a.ints ? 7 : a.strings ? 8 : a.tensors ? 9 : a.graphs ? 10 : 0;
  return a;
}

/** ValueInfoProto {1 name, 2 type: TypeProto {1 tensor_type {1 elem_type, 2 shape {1 dim {1 dim_value, 2 dim_param}}}}}. */
function readValueInfo(bytes: Uint8Array, start: number, end: number): OnnxValueInfo {
  const v: OnnxValueInfo = { name: "", elemType: null, shape: null };
  const r = new WireReader(bytes, start, end);
  const f = newField();
  while (!r.done) {
    r.next(f);
    if (f.field === 1 && f.wire === WIRE_LEN) v.name = wireString(bytes, f);
    else if (f.field === 2 && f.wire === WIRE_LEN) {
      const t = new WireReader(bytes, f.start, f.end);
      const g = newField();
      while (!t.done) {
        t.next(g);
        if (g.field !== 1 || g.wire !== WIRE_LEN) continue;
        const tt = new WireReader(bytes, g.start, g.end);
        const h = newField();
        while (!tt.done) {
          tt.next(h);
          if (h.field === 1 && h.wire === WIRE_VARINT) v.elemType = h.value;
          else if (h.field === 2 && h.wire === WIRE_LEN) v.shape = readShape(bytes, h.start, h.end);
        }
      }
    }
  }
  return v;
}

function readShape(bytes: Uint8Array, start: number, end: number): (number | string | null)[] {
  const dims: (number | string | null)[] = [];
  const r = new WireReader(bytes, start, end);
  const f = newField();
  while (!r.done) {
    r.next(f);
    if (f.field !== 1 || f.wire !== WIRE_LEN) continue;
    let d: number | string | null = null;
    const dr = new WireReader(bytes, f.start, f.end);
    const g = newField();
    while (!dr.done) {
      dr.next(g);
      if (g.field === 1 && g.wire === WIRE_VARINT) d = int64At(bytes, g);
      else if (g.field === 2 && g.wire === WIRE_LEN) d = wireString(bytes, g);
    }
    dims.push(d);
  }
  return dims;
}
