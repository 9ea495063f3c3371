/**
 * Same-format re-encode (`codec convert a.onnx b.onnx`, DESIGN.md section
 * 6: "ONNX: the whole model"). Every field is kept byte for byte, unknown
 * fields included; the one change is that tensors stored in external files
 * are brought inside the model as raw_data, so the output stands alone, or,
 * given an ExternalDataFile, moved into that one new data file (a model
 * whose external data does not fit in protobuf's 2 GiB stays external).
 * Tensors can sit in many places (initializers, Constant attributes,
 * subgraphs of If/Loop/Scan, training graphs, model-local functions), so
 * the walk follows every message type of onnx.proto that can hold one.
 */
import { type ByteInput, DTYPES, fail, guardDecodeAsync, MemorySource, numelOf, readAll, toByteSource } from "@codec/core";
import { MAX_MODEL_BYTES } from "./encode.js";
import { type ExternalDataFile, writeExternalFields } from "./external-writer.js";
import { externalReader, type OnnxOpenOptions, openOnnx } from "./model.js";
import { ProtoParts } from "./proto-parts.js";
import { SourceCursor } from "./source-cursor.js";
import { dtypeOfHeader, type ExternalDataReader, materializeTensor, readTensorProtoHeader } from "./tensor-proto.js";
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

/** Bytes of a field's tag and length varint, at most (field numbers < 2^11, lengths < 2^53). */
const FIELD_OVERHEAD = 2 + 8;

export interface ReencodeOptions {
  /** Where tensors that the input stores externally go; without it they are inlined as raw_data. */
  externalData?: ExternalDataFile;
  /** Use `externalData` only when the inlined model would exceed protobuf's 2 GiB limit (default false). */
  externalOnlyWhenTooLarge?: boolean;
}

/** What happens to a TensorProto: null keeps its bytes; a ProtoParts replaces them. */
type TensorRewrite = (w: Walk, start: number, end: number) => Promise<ProtoParts | null>;

interface Walk {
  bytes: Uint8Array;
  cursor: SourceCursor;
  readExternal: ExternalDataReader | undefined;
  tensor: TensorRewrite;
}

/**
 * The model with external data inlined (or moved, see ReencodeOptions);
 * the input itself when nothing changes. The model is opened first, so its
 * initializers are checked as `openOnnx` checks them.
 */
export function reencodeOnnx(input: ByteInput, options: OnnxOpenOptions = {}, reencode: ReencodeOptions = {}): Promise<Uint8Array> {
  const source = toByteSource(input);
  return guardDecodeAsync(F, async () => {
    const model = await openOnnx(source, options);
    const external = externalReader(options);
    try {
      // Every initializer must decode (sizes, types, external data present).
      for (const name of model.names()) await model.check(name);
      const bytes = await readAll(source);
      const walk: Walk = { bytes, cursor: new SourceCursor(new MemorySource(bytes)), readExternal: external.read, tensor: inlineTensor };
      let file = reencode.externalData;
      if (file !== undefined && reencode.externalOnlyWhenTooLarge === true) {
        // A pass over the headers alone: the size of the model with everything inlined.
        let inlined = bytes.length;
        const measure: TensorRewrite = async (x, start, end) => {
          inlined += await inlinedGrowth(x, start, end);
          return null;
        };
        await rewrite({ ...walk, tensor: measure }, "model", 0, bytes.length);
        if (inlined <= MAX_MODEL_BYTES) file = undefined;
      }
      if (file !== undefined) {
        const to = file;
        walk.tensor = (x, start, end) => moveTensor(x, start, end, to);
      }
      const out = await rewrite(walk, "model", 0, bytes.length);
      if (out === null) return bytes;
      if (out.length > MAX_MODEL_BYTES) fail("LIMIT", F, `${file === undefined ? "with its external data inlined " : ""}the model exceeds protobuf's 2 GiB limit`);
      return out.join();
    } finally {
      await external.close();
      await model.close();
    }
  });
}

/** The message [start, end) of `kind` rewritten, or null when nothing in it changes. */
async function rewrite(w: Walk, kind: Kind, start: number, end: number): Promise<ProtoParts | null> {
  if (kind === "tensor") return w.tensor(w, start, end);
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

/** The fields of a TensorProto other than its data and data location, as [field, from, to). */
function keptFields(w: Walk, start: number, end: number): { field: number; from: number; to: number }[] {
  const r = new WireReader(w.bytes, start, end);
  const f = newField();
  const kept: { field: number; from: number; to: number }[] = [];
  while (!r.done) {
    const from = r.pos;
    r.next(f);
    if (f.field === EXTERNAL_DATA || f.field === DATA_LOCATION || f.field === RAW_DATA) continue;
    kept.push({ field: f.field, from, to: r.pos });
  }
  return kept;
}

/** How many bytes inlining an external TensorProto adds to the model (an upper bound: its data plus a field header). */
async function inlinedGrowth(w: Walk, start: number, end: number): Promise<number> {
  const header = await readTensorProtoHeader(w.cursor, start, end);
  if (header.external === null) return 0;
  const { dtype } = dtypeOfHeader(header);
  return numelOf(header.dims, F, header.offset) * DTYPES[dtype].size + FIELD_OVERHEAD;
}

/** A TensorProto with data_location EXTERNAL rewritten with raw_data; null for any other. */
async function inlineTensor(w: Walk, start: number, end: number): Promise<ProtoParts | null> {
  const header = await readTensorProtoHeader(w.cursor, start, end);
  if (header.external === null) return null;
  const tensor = await materializeTensor(w.cursor, header, w.readExternal);
  const out = new ProtoParts();
  const kept = keptFields(w, start, end);
  // Field-number order, as onnx writes: raw_data (9) after the fields numbered below it.
  for (const k of kept) if (k.field < RAW_DATA) out.raw(w.bytes.subarray(k.from, k.to));
  out.bytesField(RAW_DATA, tensor.bytes());
  for (const k of kept) if (k.field > RAW_DATA) out.raw(w.bytes.subarray(k.from, k.to));
  return out;
}

/**
 * A TensorProto with data_location EXTERNAL pointed at `file` (its data
 * appended there); inlined instead when `file` does not take tensors that
 * small; null for any other TensorProto.
 */
async function moveTensor(w: Walk, start: number, end: number, file: ExternalDataFile): Promise<ProtoParts | null> {
  const header = await readTensorProtoHeader(w.cursor, start, end);
  if (header.external === null) return null;
  const bytes = (await materializeTensor(w.cursor, header, w.readExternal)).bytes();
  if (!file.takes(bytes.length)) return inlineTensor(w, start, end);
  const out = new ProtoParts();
  const kept = keptFields(w, start, end);
  for (const k of kept) if (k.field < EXTERNAL_DATA) out.raw(w.bytes.subarray(k.from, k.to));
  writeExternalFields(out, file, file.add(bytes), bytes.length);
  for (const k of kept) if (k.field > DATA_LOCATION) out.raw(w.bytes.subarray(k.from, k.to));
  return out;
}
