import { stFail } from "./errors.js";
import { type SafetensorsDType, dtypeBits, isSafetensorsDType } from "./dtypes.js";
import { type JsonNode, JsonFloat, JsonObject, isJsonWhitespace, parseStrictJson } from "./strict-json.js";

/**
 * The safetensors header (format README "Format"): 8 bytes little-endian
 * u64 N, then N bytes of UTF-8 JSON, then the data section. Validation
 * follows the reference reader (safetensors crate `read_metadata` +
 * `Metadata::validate`) check by check and in the same order, so the
 * reference error name for a bad file is ours too (`CodecError.detail`).
 */

/** Reference `MAX_HEADER_SIZE`: larger headers are refused before reading. */
export const MAX_HEADER_SIZE = 100_000_000;

/** One header entry, as written in the file. */
export interface SafetensorsTensorEntry {
  readonly name: string;
  /** The file's dtype name, e.g. "BF16". */
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  /** [begin, end) relative to the start of the data section. */
  readonly dataOffsets: readonly [number, number];
}

export interface SafetensorsHeader {
  /** N: byte length of the JSON header (including any padding). */
  readonly headerLength: number;
  /** Absolute offset of the data section: 8 + N. */
  readonly dataStart: number;
  /** Byte length of the data section (the file ends right after it). */
  readonly dataLength: number;
  /** `__metadata__`, or null when the file has none. */
  readonly metadata: Readonly<Record<string, string>> | null;
  /** Tensors in data-offset order (the reference's validation order). */
  readonly tensors: readonly SafetensorsTensorEntry[];
}

const U64_MAX = (1n << 64n) - 1n;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Read N from the first 8 bytes and check it against the file, before any
 * header byte is read or allocated.
 */
export function readHeaderLength(prefix: Uint8Array, fileLength: number): number {
  if (fileLength < 8 || prefix.length < 8) stFail("HeaderTooSmall", `file has ${fileLength} bytes, fewer than the 8-byte header length`, 0);
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const lo = view.getUint32(0, true);
  const hi = view.getUint32(4, true);
  // hi != 0 means N >= 2^32, far beyond MAX_HEADER_SIZE.
  if (hi !== 0 || lo > MAX_HEADER_SIZE) {
    const n = (BigInt(hi) << 32n) | BigInt(lo);
    stFail("HeaderTooLarge", `header length ${n} exceeds the limit of ${MAX_HEADER_SIZE} bytes`, 0);
  }
  if (8 + lo > fileLength) {
    stFail("InvalidHeaderLength", `header length ${lo} runs past the end of the file (${fileLength} bytes)`, 0);
  }
  return lo;
}

/** Parse and validate the N header bytes of a file of `fileLength` bytes. */
export function parseHeader(headerBytes: Uint8Array, fileLength: number): SafetensorsHeader {
  const n = headerBytes.length;
  let text: string;
  try {
    text = utf8.decode(headerBytes);
  } catch {
    return stFail("InvalidHeader", "header is not valid UTF-8", 8);
  }
  checkStart(text);
  const root = parseStrictJson(text, 8);
  if (!(root instanceof JsonObject)) return stFail("InvalidHeaderDeserialization", "header JSON is not an object", 8);
  const { metadata, entries } = readEntries(root);
  const dataLength = validate(entries, n, fileLength);
  return { headerLength: n, dataStart: 8 + n, dataLength, metadata, tensors: entries.map(finish) };
}

/**
 * The format README says the header starts with '{'; the reference reader
 * (since #686) allows JSON whitespace before it. Anything else, notably a
 * UTF-8 byte order mark, is refused here with a clear message.
 */
function checkStart(text: string): void {
  let i = 0;
  while (i < text.length && isJsonWhitespace(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) === 0x7b) return;
  if (text.charCodeAt(i) === 0xfeff) stFail("InvalidHeaderStart", "header starts with a byte order mark (U+FEFF); JSON must start with '{'", 8 + i);
  const what = i < text.length ? JSON.stringify(text[i]) : "end of header";
  stFail("InvalidHeaderStart", `header JSON must start with '{', found ${what}`, 8 + i);
}

type U64 = number | bigint;

interface RawEntry {
  name: string;
  dtype: SafetensorsDType;
  shape: U64[];
  begin: U64;
  end: U64;
}

function deser(message: string): never {
  return stFail("InvalidHeaderDeserialization", `header JSON: ${message}`, 8);
}

function asU64(v: JsonNode, what: string): U64 {
  if (typeof v === "number") {
    if (v >= 0) return v;
  } else if (typeof v === "bigint") {
    if (v >= 0n && v <= U64_MAX) return v;
  }
  const shown = v instanceof JsonFloat ? String(v.value) : typeof v === "bigint" ? String(v) : JSON.stringify(v);
  return deser(`${what} must be an unsigned 64-bit integer, got ${shown}`);
}

function readEntries(root: JsonObject): { metadata: Record<string, string> | null; entries: RawEntry[] } {
  let metadata: Record<string, string> | null = null;
  let sawMetadata = false;
  const entries: RawEntry[] = [];
  const seen = new Set<string>();
  for (let k = 0; k < root.keys.length; k++) {
    const key = root.keys[k];
    const value = root.values[k];
    if (key === "__metadata__") {
      if (sawMetadata) deser(`duplicate "__metadata__"`);
      sawMetadata = true;
      metadata = readMetadata(value);
      continue;
    }
    if (seen.has(key)) stFail("DuplicateTensorName", `tensor ${JSON.stringify(key)} is listed twice in the header`, 8);
    seen.add(key);
    entries.push(readEntry(key, value));
  }
  return { metadata, entries };
}

function readMetadata(value: JsonNode): Record<string, string> | null {
  if (value === null) return null;
  if (!(value instanceof JsonObject)) return deser(`"__metadata__" must be an object of strings`);
  if (["dtype", "shape", "data_offsets"].every((f) => value.keys.includes(f))) {
    stFail("MetadataIsTensor", `"__metadata__" holds a tensor entry; that name is reserved for the string metadata map`, 8);
  }
  const out: Record<string, string> = Object.create(null);
  for (let i = 0; i < value.keys.length; i++) {
    const v = value.values[i];
    if (typeof v !== "string") deser(`"__metadata__" value for ${JSON.stringify(value.keys[i])} must be a string`);
    if (Object.hasOwn(out, value.keys[i])) {
      stFail("DuplicateMetadataKey", `"__metadata__" key ${JSON.stringify(value.keys[i])} appears twice`, 8);
    }
    out[value.keys[i]] = v;
  }
  return out;
}

function readEntry(name: string, value: JsonNode): RawEntry {
  const label = `tensor ${JSON.stringify(name)}`;
  if (!(value instanceof JsonObject)) return deser(`${label} must be an object`);
  let dtype: SafetensorsDType | undefined;
  let shape: U64[] | undefined;
  let offsets: [U64, U64] | undefined;
  let seenDtype = false;
  let seenShape = false;
  let seenOffsets = false;
  for (let i = 0; i < value.keys.length; i++) {
    const f = value.keys[i];
    const v = value.values[i];
    // serde's derived struct reader: unknown fields are skipped, repeated ones rejected.
    if (f !== "dtype" && f !== "shape" && f !== "data_offsets") continue;
    const dup = f === "dtype" ? seenDtype : f === "shape" ? seenShape : seenOffsets;
    if (dup) deser(`${label} has a duplicate field "${f}"`);
    if (f === "dtype") {
      seenDtype = true;
      if (typeof v !== "string") deser(`${label} dtype must be a string`);
      if (!isSafetensorsDType(v)) deser(`${label} has unknown dtype ${JSON.stringify(v)}`);
      dtype = v;
    } else if (f === "shape") {
      seenShape = true;
      if (!Array.isArray(v)) deser(`${label} shape must be an array`);
      shape = v.map((d) => asU64(d, `${label} shape dimension`));
    } else {
      seenOffsets = true;
      if (!Array.isArray(v) || v.length !== 2) deser(`${label} data_offsets must be an array of two integers`);
      offsets = [asU64(v[0], `${label} data_offsets[0]`), asU64(v[1], `${label} data_offsets[1]`)];
    }
  }
  if (dtype === undefined) deser(`${label} is missing "dtype"`);
  if (shape === undefined) deser(`${label} is missing "shape"`);
  if (offsets === undefined) deser(`${label} is missing "data_offsets"`);
  return { name, dtype, shape, begin: offsets[0], end: offsets[1] };
}

/** Exact u64 product, or null on overflow (the reference's checked_mul). */
function mulU64(a: U64, b: U64): U64 | null {
  if (typeof a === "number" && typeof b === "number") {
    const p = a * b;
    if (p <= Number.MAX_SAFE_INTEGER) return p;
  }
  const p = BigInt(a) * BigInt(b);
  if (p > U64_MAX) return null;
  return p <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(p) : p;
}

const cmpU64 = (a: U64, b: U64): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Reference `Metadata::validate` + the final length check: entries sorted
 * by (begin, end); each must start where the previous ended; shape x dtype
 * bits must fit u64, be whole bytes and equal end - begin; the last end
 * must be exactly the end of the file (no trailing bytes: polyglot guard).
 */
function validate(entries: RawEntry[], n: number, fileLength: number): number {
  entries.sort((x, y) => cmpU64(x.begin, y.begin) || cmpU64(x.end, y.end));
  let start: U64 = 0;
  for (const e of entries) {
    // biome-ignore lint/suspicious/noDoubleEquals: compares number with bigint by value
    if (e.begin != start || e.end < e.begin) {
      stFail("InvalidOffset", `tensor ${JSON.stringify(e.name)} has data_offsets [${e.begin}, ${e.end}] but the previous tensor ends at ${start}`, 8);
    }
    start = e.end;
    let count: U64 | null = 1;
    for (const d of e.shape) {
      count = mulU64(count, d);
      if (count === null) stFail("ValidationOverflow", `tensor ${JSON.stringify(e.name)} shape [${e.shape.join(", ")}] overflows 64 bits`, 8);
    }
    const bits = mulU64(count, dtypeBits(e.dtype));
    if (bits === null) stFail("ValidationOverflow", `tensor ${JSON.stringify(e.name)} byte size overflows 64 bits`, 8);
    const span: U64 = typeof e.end === "number" && typeof e.begin === "number" ? e.end - e.begin : BigInt(e.end) - BigInt(e.begin);
    const whole = typeof bits === "number" ? bits % 8 === 0 : bits % 8n === 0n;
    if (!whole) {
      stFail("MisalignedSlice", `tensor ${JSON.stringify(e.name)}: ${count} ${e.dtype} elements do not fill whole bytes`, 8);
    }
    const size: U64 = typeof bits === "number" ? bits / 8 : bits / 8n;
    // biome-ignore lint/suspicious/noDoubleEquals: compares number with bigint by value
    if (span != size) {
      stFail("TensorInvalidInfo", `tensor ${JSON.stringify(e.name)} is ${e.dtype} [${e.shape.join(", ")}] (${size} bytes) but data_offsets span ${span} bytes`, 8);
    }
  }
  const expected = BigInt(start) + 8n + BigInt(n);
  if (expected !== BigInt(fileLength)) {
    const how = expected < BigInt(fileLength) ? `${BigInt(fileLength) - expected} bytes follow the last tensor` : `the data section needs ${expected - BigInt(fileLength)} more bytes`;
    stFail("MetadataIncompleteBuffer", `data offsets do not cover the data section exactly: ${how}`, 8 + n);
  }
  // Stricter than the reference: every integer must be exact in a JS number.
  for (const e of entries) {
    if (e.shape.some((d) => typeof d === "bigint")) {
      stFail("IntegerTooLarge", `tensor ${JSON.stringify(e.name)} has a dimension beyond 2^53`, 8);
    }
  }
  return Number(start);
}

function finish(e: RawEntry): SafetensorsTensorEntry {
  return { name: e.name, dtype: e.dtype, shape: e.shape as number[], dataOffsets: [Number(e.begin), Number(e.end)] };
}

