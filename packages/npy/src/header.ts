import { type DType, type NumericDType, fail, numelOf, utf8Decode, utf8Encode } from "@codec/core";
import { type ByteOrder, descrFor, parseDescr } from "./descr.js";
import { type PyValue, dictGet, parsePyLiteral } from "./py-literal.js";

/**
 * The .npy header (numpy/lib/format.py, "Format Version 1.0" .. "3.0"):
 *
 *   \x93NUMPY  major minor  HEADER_LEN  HEADER
 *
 * HEADER_LEN is a little-endian u16 in version 1.0 and u32 in 2.0/3.0.
 * HEADER is a Python dict literal {'descr', 'fortran_order', 'shape'},
 * latin-1 in 1.0/2.0 and UTF-8 in 3.0, padded with spaces and a final
 * '\n' so that the data starts on a 64-byte boundary (ARRAY_ALIGN).
 */

export const NPY_MAGIC: readonly number[] = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
/** Bytes before HEADER: magic, version and the widest length field. */
export const NPY_PRELUDE_BYTES = 12;
/** numpy's ARRAY_ALIGN. */
export const ARRAY_ALIGN = 64;
/** numpy's GROWTH_AXIS_MAX_DIGITS: spare spaces left for the growth axis (numpy >= 1.23). */
export const GROWTH_AXIS_MAX_DIGITS = 21;
/** Default header size limit (numpy's own default max_header_size is 10000). */
export const DEFAULT_MAX_HEADER_BYTES = 1 << 20;

export type NpyVersion = "1.0" | "2.0" | "3.0";

export interface NpyHeaderOptions {
  /** Largest HEADER accepted (LIMIT beyond). Default 1 MiB. */
  maxHeaderBytes?: number;
  /** Offset of the file's first byte in a container (npz), for error messages. */
  baseOffset?: number;
}

export interface NpyHeader {
  readonly version: NpyVersion;
  readonly dtype: NumericDType;
  readonly byteOrder: ByteOrder;
  /** The 'descr' string as stored. */
  readonly descr: string;
  readonly fortranOrder: boolean;
  readonly shape: number[];
  readonly numel: number;
  /** Offset of the first data byte (magic + length field + HEADER). */
  readonly dataOffset: number;
  /** numel * itemSize. */
  readonly dataLength: number;
}

export function hasNpyMagic(head: Uint8Array): boolean {
  if (head.length < NPY_MAGIC.length) return false;
  for (let i = 0; i < NPY_MAGIC.length; i++) if (head[i] !== NPY_MAGIC[i]) return false;
  return true;
}

/**
 * From the first bytes of a file (at least 10, 12 for version 2.0/3.0),
 * the version and the offset where the data starts. Checks the magic, the
 * version and the header size limit; reads nothing else.
 */
export function readNpyPrelude(
  head: Uint8Array,
  options: NpyHeaderOptions = {},
): { version: NpyVersion; headerStart: number; dataOffset: number } {
  const base = options.baseOffset ?? 0;
  const limit = options.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  if (head.length < 8) {
    if (head.length > 0 && !hasNpyMagic(concatPad(head))) fail("BAD_MAGIC", "npy", "not a .npy file (no \\x93NUMPY magic)", { offset: base });
    fail("TRUNCATED", "npy", `file of ${head.length} bytes is too short for a .npy header`, { offset: base });
  }
  if (!hasNpyMagic(head)) fail("BAD_MAGIC", "npy", "not a .npy file (no \\x93NUMPY magic)", { offset: base });
  const major = head[6];
  const minor = head[7];
  if (minor !== 0 || major < 1 || major > 3) {
    fail("UNSUPPORTED", "npy", `format version ${major}.${minor} is not supported (1.0, 2.0, 3.0 are)`, { offset: base + 6 });
  }
  const version = `${major}.0` as NpyVersion;
  const lenBytes = major === 1 ? 2 : 4;
  if (head.length < 8 + lenBytes) fail("TRUNCATED", "npy", "header length field is cut short", { offset: base + 8 });
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  if (headerLength > limit) {
    fail("LIMIT", "npy", `header of ${headerLength} bytes exceeds the ${limit}-byte limit`, { offset: base + 8 });
  }
  const headerStart = 8 + lenBytes;
  return { version, headerStart, dataOffset: headerStart + headerLength };
}

/** A short head padded so the magic test can fail fast with BAD_MAGIC instead of TRUNCATED. */
function concatPad(head: Uint8Array): Uint8Array {
  const out = new Uint8Array(NPY_MAGIC.length);
  out.set(head.subarray(0, NPY_MAGIC.length));
  for (let i = head.length; i < out.length; i++) out[i] = NPY_MAGIC[i];
  return out;
}

/**
 * Parse a complete header. `bytes` must hold the file from its first byte
 * through the end of HEADER (more is fine: the data is not touched).
 */
export function parseNpyHeader(bytes: Uint8Array, options: NpyHeaderOptions = {}): NpyHeader {
  const base = options.baseOffset ?? 0;
  const { version, headerStart, dataOffset } = readNpyPrelude(bytes, options);
  if (bytes.length < dataOffset) {
    fail("TRUNCATED", "npy", `header needs ${dataOffset} bytes, file has ${bytes.length}`, { offset: base + bytes.length });
  }
  const raw = bytes.subarray(headerStart, dataOffset);
  const text = version === "3.0" ? utf8Decode(raw, "npy", base + headerStart) : latin1Decode(raw);
  const dict = parsePyLiteral(text, { allowLongSuffix: version !== "3.0", baseOffset: base + headerStart });
  const at = base + headerStart;
  if (dict.kind !== "dict") fail("CORRUPT", "npy", "header is not a dictionary", { offset: at });
  const keys = dict.entries.map(([k]) => (k.kind === "str" ? k.value : "?")).sort();
  if (keys.join(",") !== "descr,fortran_order,shape") {
    fail("CORRUPT", "npy", `header keys are [${keys.join(", ")}], expected descr, fortran_order, shape`, { offset: at });
  }
  const d = parseDescr(dictGet(dict, "descr") as PyValue, at);
  const fo = dictGet(dict, "fortran_order") as PyValue;
  if (fo.kind !== "bool") fail("CORRUPT", "npy", "header 'fortran_order' is not a bool", { offset: at });
  const shapeValue = dictGet(dict, "shape") as PyValue;
  if (shapeValue.kind !== "tuple") fail("CORRUPT", "npy", "header 'shape' is not a tuple", { offset: at });
  const shape: number[] = [];
  for (const item of shapeValue.items) {
    if (item.kind !== "int") fail("CORRUPT", "npy", "header 'shape' holds a non-integer", { offset: at });
    if (item.value < 0n) fail("CORRUPT", "npy", `negative dimension ${item.value}`, { offset: at });
    if (item.value > BigInt(Number.MAX_SAFE_INTEGER)) fail("LIMIT", "npy", `dimension ${item.value} exceeds 2^53`, { offset: at });
    shape.push(Number(item.value));
  }
  const numel = numelOf(shape, "npy", at);
  const dataLength = numel * d.itemSize;
  if (!Number.isSafeInteger(dataLength)) fail("LIMIT", "npy", `array of ${numel} elements is too large`, { offset: at });
  return {
    version,
    dtype: d.dtype,
    byteOrder: d.byteOrder,
    descr: d.descr,
    fortranOrder: fo.value,
    shape,
    numel,
    dataOffset,
    dataLength,
  };
}

function latin1Decode(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    s += String.fromCharCode(...bytes.subarray(i, Math.min(bytes.length, i + 8192)));
  }
  return s;
}

/** Python's repr() of a tuple of ints. */
function reprShape(shape: readonly number[]): string {
  if (shape.length === 0) return "()";
  if (shape.length === 1) return `(${shape[0]},)`;
  return `(${shape.join(", ")})`;
}

export interface EncodeHeaderOptions {
  fortranOrder?: boolean;
  /** The 'descr' to write instead of `dtype`'s (a dtype the Tensor model has no name for, e.g. '<U5'). */
  descr?: string;
  /** Force a format version; by default the oldest that fits, as numpy.save does. */
  version?: NpyVersion;
}

/**
 * The header bytes numpy.save writes for a little-endian array of `dtype`
 * and `shape` (numpy/lib/format.py _write_array_header + _wrap_header):
 * keys sorted, repr() values, GROWTH_AXIS_MAX_DIGITS spare spaces after the
 * dict, then spaces and '\n' to the next 64-byte boundary.
 */
export function encodeNpyHeader(dtype: DType, shape: readonly number[], options: EncodeHeaderOptions = {}): Uint8Array {
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) fail("USAGE", "npy", `invalid dimension ${d}`);
  }
  const fortran = options.fortranOrder ?? false;
  let header = `{'descr': '${options.descr ?? descrFor(dtype)}', 'fortran_order': ${fortran ? "True" : "False"}, 'shape': ${reprShape(shape)}, }`;
  if (shape.length > 0) {
    const growth = String(shape[fortran ? shape.length - 1 : 0]);
    header += " ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - growth.length));
  }
  // Our headers are pure ASCII, so latin-1 and UTF-8 encodings coincide.
  const body = utf8Encode(header);
  const tryVersion = (v: NpyVersion): Uint8Array | undefined => {
    const lenBytes = v === "1.0" ? 2 : 4;
    const hlen = body.length + 1;
    const padlen = ARRAY_ALIGN - ((NPY_MAGIC.length + 2 + lenBytes + hlen) % ARRAY_ALIGN);
    const total = hlen + padlen;
    if (total > (v === "1.0" ? 0xffff : 0xffffffff)) return undefined;
    const out = new Uint8Array(8 + lenBytes + total);
    out.set(NPY_MAGIC, 0);
    out[6] = Number(v[0]);
    out[7] = 0;
    const view = new DataView(out.buffer);
    if (lenBytes === 2) view.setUint16(8, total, true);
    else view.setUint32(8, total, true);
    out.set(body, 8 + lenBytes);
    out.fill(0x20, 8 + lenBytes + body.length, out.length - 1);
    out[out.length - 1] = 0x0a;
    return out;
  };
  if (options.version !== undefined) {
    const out = tryVersion(options.version);
    if (out === undefined) return fail("LIMIT", "npy", `header too big for format version ${options.version}`);
    return out;
  }
  const out = tryVersion("1.0") ?? tryVersion("2.0");
  if (out === undefined) return fail("LIMIT", "npy", "header too big for any format version");
  return out;
}
