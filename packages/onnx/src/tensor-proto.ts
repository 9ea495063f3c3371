/**
 * TensorProto (onnx.proto): the header fields are read when a model is
 * opened; the values (raw_data, one of the typed repeated fields, or
 * external data) only when the tensor is asked for.
 */
import { type DType, DTYPES, fail, keepShapeAlive, numelOf, Tensor } from "@codec/core";
import { type OnnxDataType, onnxDataType } from "./data-type.js";
import type { SourceCursor } from "./source-cursor.js";
import { decodeTypedValues, type ValueChunk } from "./typed-values.js";
import { expectWire, F, newField, WIRE_LEN, WIRE_VARINT, type WireField, WireReader, wireString } from "./wire.js";

/** TensorProto field numbers. */
const DIMS = 1;
const DATA_TYPE = 2;
const SEGMENT = 3;
const NAME = 8;
const RAW_DATA = 9;
const EXTERNAL_DATA = 13;
const DATA_LOCATION = 14;
/** float_data, int32_data, string_data, int64_data, double_data, uint64_data. */
const TYPED_FIELDS: Readonly<Record<number, string>> = { 4: "float_data", 5: "int32_data", 6: "string_data", 7: "int64_data", 10: "double_data", 11: "uint64_data" };

/** Where a TensorProto keeps its values, as found in the file (absolute offsets). */
export interface TensorProtoHeader {
  name: string;
  /** TensorProto.DataType value. */
  dataType: number;
  dims: number[];
  /** Offset of the TensorProto message, for messages. */
  offset: number;
  raw: { start: number; end: number } | null;
  /** Occurrences of each typed field, by field name (null when there are none). */
  typed: Map<string, ValueChunk[]> | null;
  /** external_data key/value pairs when data_location is EXTERNAL. */
  external: Map<string, string> | null;
}

/** The header being read: fields are applied one by one, from the window or after a read. */
class HeaderBuilder {
  readonly h: TensorProtoHeader;
  private location = 0;
  private externalPairs: Map<string, string> | null = null;

  constructor(start: number) {
    this.h = { name: "", dataType: 0, dims: [], offset: start, raw: null, typed: null, external: null };
  }

  /** Whether `apply` needs the field's payload bytes (the rest are recorded by position). */
  static needsPayload(field: number): boolean {
    return field === DIMS || field === NAME || field === EXTERNAL_DATA;
  }

  apply(f: WireField, payload: Uint8Array | null): void {
    const h = this.h;
    switch (f.field) {
      case DIMS:
        readDims(payload as Uint8Array, f, h.dims);
        break;
      case DATA_TYPE:
        expectWire(f, WIRE_VARINT, "TensorProto.data_type");
        h.dataType = f.value;
        break;
      case SEGMENT:
        fail("UNSUPPORTED", F, `tensor '${h.name}' is stored in segments (TensorProto.segment)`, { offset: f.start });
        break;
      case NAME:
        expectWire(f, WIRE_LEN, "TensorProto.name", 0);
        h.name = decodeName(payload as Uint8Array, f.start);
        break;
      case RAW_DATA:
        expectWire(f, WIRE_LEN, "TensorProto.raw_data");
        h.raw = { start: f.start, end: f.end };
        break;
      case EXTERNAL_DATA: {
        expectWire(f, WIRE_LEN, "TensorProto.external_data");
        const [k, v] = readStringPair(payload as Uint8Array, f.start);
        (this.externalPairs ??= new Map()).set(k, v);
        break;
      }
      case DATA_LOCATION:
        expectWire(f, WIRE_VARINT, "TensorProto.data_location");
        this.location = f.value;
        break;
      default: {
        const typed = TYPED_FIELDS[f.field];
        if (typed !== undefined) {
          h.typed ??= new Map();
          let list = h.typed.get(typed);
          if (list === undefined) h.typed.set(typed, (list = []));
          list.push({ wire: f.wire, start: f.start, end: f.end });
        }
      }
    }
  }

  finish(): TensorProtoHeader {
    if (this.location === 1) this.h.external = this.externalPairs ?? new Map();
    else if (this.location !== 0) fail("CORRUPT", F, `tensor '${this.h.name}' has unknown data_location ${this.location}`, { offset: this.h.offset });
    return this.h;
  }
}

// One builder per tensor header: its map must survive GCs (see keepShapeAlive).
keepShapeAlive(new HeaderBuilder(0));

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function decodeName(bytes: Uint8Array, offset: number): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return fail("CORRUPT", F, "invalid UTF-8 in a tensor name", { offset });
  }
}

/**
 * A TensorProto's header fields from [start, end) of the cursor's source:
 * without waiting when the message is in the cursor's window (small
 * tensors, the common case in a model with many), else field by field
 * with reads as needed (big tensors, whose payloads are only located).
 */
export function readTensorProtoHeader(cursor: SourceCursor, start: number, end: number): TensorProtoHeader | Promise<TensorProtoHeader> {
  if (!cursor.covers(start, end)) return readTensorProtoHeaderAsync(cursor, start, end);
  const b = new HeaderBuilder(start);
  const f = newField();
  let pos = start;
  while (pos < end) {
    pos = cursor.header(pos, end, f);
    b.apply(f, HeaderBuilder.needsPayload(f.field) ? cursor.view(f.start, f.end) : null);
  }
  return b.finish();
}

async function readTensorProtoHeaderAsync(cursor: SourceCursor, start: number, end: number): Promise<TensorProtoHeader> {
  const b = new HeaderBuilder(start);
  const f = newField();
  let pos = start;
  while (pos < end) {
    pos = cursor.hasHeader(pos, end) ? cursor.header(pos, end, f) : await cursor.nextHeader(pos, end, f);
    const payload = HeaderBuilder.needsPayload(f.field) ? (cursor.peek(f.start, f.end) ?? (await cursor.bytes(f.start, f.end))) : null;
    b.apply(f, payload);
  }
  return b.finish();
}

/** dims: int64 values, unpacked (proto2 default, what onnx writes) or packed. */
function readDims(bytes: Uint8Array, f: WireField, dims: number[]): void {
  const r = new WireReader(bytes, 0, bytes.length, f.start);
  const count = f.wire === WIRE_LEN ? Number.POSITIVE_INFINITY : 1;
  if (f.wire !== WIRE_LEN && f.wire !== WIRE_VARINT) expectWire(f, WIRE_VARINT, "TensorProto.dims");
  for (let i = 0; i < count && !r.done; i++) {
    const d = r.varint();
    // A negative int64 is a 10-byte varint, i.e. >= 2^63 here.
    if (d > Number.MAX_SAFE_INTEGER) fail("CORRUPT", F, `negative or huge tensor dimension`, { offset: f.start });
    dims.push(d);
  }
}

/** A StringStringEntryProto {1: key, 2: value}. */
export function readStringPair(bytes: Uint8Array, base: number): [string, string] {
  const r = new WireReader(bytes, 0, bytes.length, base);
  const f = newField();
  let key = "";
  let value = "";
  while (!r.done) {
    r.next(f);
    if (f.field === 1 || f.field === 2) {
      expectWire(f, WIRE_LEN, "StringStringEntryProto", base);
      const s = wireString(bytes, f, base);
      if (f.field === 1) key = s;
      else value = s;
    }
  }
  return [key, value];
}

/** The data type of a header, refusing the ones without a dtype name. */
export function dtypeOfHeader(h: TensorProtoHeader): { type: OnnxDataType; dtype: DType } {
  const type = onnxDataType(h.dataType);
  if (type === undefined || h.dataType === 0) return fail("CORRUPT", F, `tensor '${h.name}' has invalid data type ${h.dataType}`, { offset: h.offset });
  if (type.dtype === null) return fail("UNSUPPORTED", F, `tensor '${h.name}' has ONNX data type ${type.onnxName} (${type.code}), which has no dtype here`, { offset: h.offset });
  return { type, dtype: type.dtype };
}

/** Resolves external data for a location string. */
export type ExternalDataReader = (location: string, offset: number, length: number | null, tensorName: string) => Promise<Uint8Array>;

/** The tensor's values, checked against its dims and data type. */
export async function materializeTensor(cursor: SourceCursor, h: TensorProtoHeader, readExternal: ExternalDataReader | undefined): Promise<Tensor> {
  const { type, dtype } = dtypeOfHeader(h);
  const numel = numelOf(h.dims, F, h.offset);
  const size = DTYPES[dtype].size;
  if (h.external !== null) {
    if (dtype === "string") fail("CORRUPT", F, `string tensor '${h.name}' cannot use external data`, { offset: h.offset });
    const location = h.external.get("location");
    if (location === undefined || location === "") fail("CORRUPT", F, `tensor '${h.name}' has external data without a location`, { offset: h.offset });
    const offset = parseExternalNumber(h, "offset") ?? 0;
    const length = parseExternalNumber(h, "length");
    const want = numel * size;
    // onnx.proto: `length` is the number of bytes of the data; it must agree with dims and type.
    if (length !== null && length !== want) fail("CORRUPT", F, `tensor '${h.name}': external data length ${length} does not match ${want} bytes for shape [${h.dims.join(", ")}] ${dtype}`, { offset: h.offset });
    if (readExternal === undefined) fail("UNSUPPORTED", F, `tensor '${h.name}' is stored in external file '${location}', and no external data reader was given`, { offset: h.offset });
    // Without a length, the data is the rest of the file (as onnx's loader reads it), which must then fit the shape.
    const bytes = await readExternal(location, offset, length, h.name);
    if (bytes.length !== want) fail("CORRUPT", F, `tensor '${h.name}': external file '${location}' holds ${bytes.length} bytes from offset ${offset}, shape [${h.dims.join(", ")}] ${dtype} needs ${want}`, { offset: h.offset });
    return tensorOf(dtype, h.dims, bytes, false);
  }
  if (h.raw !== null) {
    if (dtype === "string") fail("CORRUPT", F, `string tensor '${h.name}' has raw_data`, { offset: h.raw.start });
    const n = h.raw.end - h.raw.start;
    if (n !== numel * size) fail("CORRUPT", F, `tensor '${h.name}': raw_data has ${n} bytes, shape [${h.dims.join(", ")}] ${dtype} needs ${numel * size}`, { offset: h.raw.start });
    return tensorOf(dtype, h.dims, (cursor.peek(h.raw.start, h.raw.end) ?? (await cursor.bytes(h.raw.start, h.raw.end))), false);
  }
  const chunks = h.typed?.get(type.field) ?? [];
  const values = await decodeTypedValues(cursor, chunks, type.field, dtype, numel, h.name);
  return values instanceof Uint8Array ? tensorOf(dtype, h.dims, values, true) : new Tensor({ dtype, shape: h.dims, data: values });
}

function parseExternalNumber(h: TensorProtoHeader, key: string): number | null {
  const text = h.external?.get(key);
  if (text === undefined) return null;
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) fail("CORRUPT", F, `tensor '${h.name}': external data ${key} '${text}' is not a byte count`, { offset: h.offset });
  return Number(text);
}

/** bool elements must read as 0/1 (DESIGN.md section 4); other bytes become 1, as numpy's bool cast does. */
function tensorOf(dtype: DType, shape: number[], bytes: Uint8Array, copied: boolean): Tensor {
  if (dtype === "bool") {
    let normal = true;
    for (let i = 0; i < bytes.length; i++) if (bytes[i] > 1) normal = false;
    if (!normal) {
      const out = new Uint8Array(bytes.length);
      for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] === 0 ? 0 : 1;
      return new Tensor({ dtype, shape, data: out, copied: true });
    }
  }
  return new Tensor({ dtype, shape, data: bytes, copied });
}
