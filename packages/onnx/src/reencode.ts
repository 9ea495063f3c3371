/**
 * Same-format re-encode (`codec convert a.onnx b.onnx`, DESIGN.md section
 * 6: "ONNX: the whole model"). Every field is kept byte for byte, unknown
 * fields included; the one change is that tensors stored in external files
 * are brought inside the model as raw_data, so the output stands alone.
 * Tensors can sit in many places (initializers, Constant attributes,
 * subgraphs of If/Loop/Scan, training graphs, model-local functions), so
 * the walk follows every message type of onnx.proto that can hold one.
 */
import { type ByteInput, fail, guardDecodeAsync, MemorySource, readAll, toByteSource } from "@codec/core";
import { MAX_MODEL_BYTES } from "./encode.js";
import { externalReader, type OnnxOpenOptions, openOnnx } from "./model.js";
import { ProtoParts } from "./proto-parts.js";
import { SourceCursor } from "./source-cursor.js";
import { type ExternalDataReader, materializeTensor, readTensorProtoHeader } from "./tensor-proto.js";
import { F, newField, WIRE_LEN, WireReader } from "./wire.js";

type Kind = "model" | "graph" | "node" | "attribute" | "tensor" | "sparse" | "training" | "function";

/** (message kind, field number) -> the kind of the nested message, for fields that can lead to a TensorProto. */
const CHILDREN: Readonly<Record<Kind, Readonly<Record<number, Kind>>>> = {
  model: { 7: "graph", 20: "training", 25: "function" },
  training: { 1: "graph", 2: "graph" },
  function: { 7: "node" },
  graph: { 1: "node", 5: "tensor", 15: "sparse" },
  node: { 5: "attribute" },
  attribute: { 5: "tensor", 6: "graph", 10: "tensor", 11: "graph", 22: "sparse", 23: "sparse" },
  sparse: { 1: "tensor", 2: "tensor" },
  tensor: {},
};

/** TensorProto.raw_data, external_data, data_location. */
const RAW_DATA = 9;
const EXTERNAL_DATA = 13;
const DATA_LOCATION = 14;

interface Walk {
  bytes: Uint8Array;
  cursor: SourceCursor;
  readExternal: ExternalDataReader | undefined;
}

/**
 * The model with external data inlined; the input itself when it has none.
 * The model is opened first, so its initializers are checked as `openOnnx`
 * checks them.
 */
export function reencodeOnnx(input: ByteInput, options: OnnxOpenOptions = {}): Promise<Uint8Array> {
  const source = toByteSource(input);
  return guardDecodeAsync(F, async () => {
    const model = await openOnnx(source, options);
    const external = externalReader(options);
    try {
      // Every initializer must decode (sizes, types, external data present).
      for (const name of model.names()) await model.check(name);
      const bytes = await readAll(source);
      const walk: Walk = { bytes, cursor: new SourceCursor(new MemorySource(bytes)), readExternal: external.read };
      const out = await rewrite(walk, "model", 0, bytes.length);
      if (out === null) return bytes;
      if (out.length > MAX_MODEL_BYTES) fail("LIMIT", F, "with its external data inlined the model exceeds protobuf's 2 GiB limit");
      return out.join();
    } finally {
      await external.close();
      await model.close();
    }
  });
}

/** The message [start, end) of `kind` rewritten, or null when nothing in it changes. */
async function rewrite(w: Walk, kind: Kind, start: number, end: number): Promise<ProtoParts | null> {
  if (kind === "tensor") return inlineTensor(w, start, end);
  const children = CHILDREN[kind];
  const r = new WireReader(w.bytes, start, end);
  const f = newField();
  let out: ProtoParts | null = null;
  let copied = start; // bytes before this are in `out` already
  while (!r.done) {
    const fieldStart = r.pos;
    r.next(f);
    const child = children[f.field];
    if (child === undefined || f.wire !== WIRE_LEN) continue;
    const sub = await rewrite(w, child, f.start, f.end);
    if (sub === null) continue;
    out ??= new ProtoParts();
    out.raw(w.bytes.subarray(copied, fieldStart));
    out.messageField(f.field, sub);
    copied = f.end;
  }
  if (out === null) return null;
  out.raw(w.bytes.subarray(copied, end));
  return out;
}

/** A TensorProto with data_location EXTERNAL rewritten with raw_data; null for any other. */
async function inlineTensor(w: Walk, start: number, end: number): Promise<ProtoParts | null> {
  const header = await readTensorProtoHeader(w.cursor, start, end);
  if (header.external === null) return null;
  const tensor = await materializeTensor(w.cursor, header, w.readExternal);
  const out = new ProtoParts();
  const r = new WireReader(w.bytes, start, end);
  const f = newField();
  const kept: { field: number; from: number; to: number }[] = [];
  while (!r.done) {
    const from = r.pos;
    r.next(f);
    if (f.field === EXTERNAL_DATA || f.field === DATA_LOCATION || f.field === RAW_DATA) continue;
    kept.push({ field: f.field, from, to: r.pos });
  }
  // Field-number order, as onnx writes: raw_data (9) after the fields numbered below it.
  for (const k of kept) if (k.field < RAW_DATA) out.raw(w.bytes.subarray(k.from, k.to));
  out.bytesField(RAW_DATA, tensor.bytes());
  for (const k of kept) if (k.field > RAW_DATA) out.raw(w.bytes.subarray(k.from, k.to));
  return out;
}
