import { type DType, Tensor, guardDecode, isDType } from "@codec/core";
import { stFail } from "./errors.js";
import { type SafetensorsDType, fromCoreDType, isSafetensorsDType } from "./dtypes.js";
import { type HeaderEntry, type PreparedHeader, prepareHeader, tensorByteLength } from "./header-writer.js";

/**
 * Raw tensor bytes under a safetensors dtype name, for dtypes @codec/core
 * has no name for (F4, F8_E8M0, ...) or to write bytes exactly as given.
 */
export interface SafetensorsTensorData {
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  /** C-contiguous little-endian element bytes. */
  readonly data: Uint8Array;
}

export type TensorLike = Tensor | SafetensorsTensorData;

/** What the writers accept: a plain object, a Map or any iterable of [name, tensor]. */
export type TensorsInput = Readonly<Record<string, TensorLike>> | Iterable<readonly [string, TensorLike]>;

export type Metadata = Readonly<Record<string, string>> | null | undefined;

export interface DataEntry extends HeaderEntry {
  readonly data: Uint8Array;
}

function entriesOf(input: TensorsInput): Array<readonly [string, TensorLike]> {
  if (typeof (input as Iterable<unknown>)[Symbol.iterator] === "function") return [...(input as Iterable<readonly [string, TensorLike]>)];
  return Object.entries(input as Record<string, TensorLike>);
}

/** Normalise one tensor to its safetensors dtype and bytes, checking the size. */
export function toDataEntry(name: string, t: TensorLike): DataEntry {
  let dtype: SafetensorsDType;
  // Duck-typed as well as instanceof, so tensors from another copy of @codec/core work too.
  if (t instanceof Tensor || isDType(t?.dtype)) {
    const st = fromCoreDType(t.dtype as DType);
    if (st === undefined) stFail("UnsupportedDtype", `tensor ${JSON.stringify(name)}: safetensors has no dtype for ${t.dtype}`);
    dtype = st;
  } else if (isSafetensorsDType(t?.dtype)) {
    dtype = t.dtype;
  } else {
    return stFail("InvalidArgument", `tensor ${JSON.stringify(name)}: expected a Tensor or {dtype, shape, data} with a safetensors dtype`);
  }
  const data = t.data;
  if (!(data instanceof Uint8Array)) return stFail("InvalidArgument", `tensor ${JSON.stringify(name)} has no byte data`);
  const byteLength = tensorByteLength(name, dtype, t.shape);
  if (data.byteLength !== byteLength) {
    stFail("InvalidTensorView", `tensor ${JSON.stringify(name)}: ${dtype} [${t.shape.join(", ")}] needs ${byteLength} bytes, got ${data.byteLength}`);
  }
  return { name, dtype, shape: [...t.shape], byteLength, data };
}

/** Check names and normalise every tensor, keeping the input order. */
export function collectEntries(tensors: TensorsInput): DataEntry[] {
  const entries: DataEntry[] = [];
  const seen = new Set<string>();
  for (const [name, t] of entriesOf(tensors)) {
    if (typeof name !== "string") stFail("InvalidArgument", "tensor names must be strings");
    if (name === "__metadata__") stFail("InvalidArgument", `"__metadata__" is reserved for the metadata map and cannot name a tensor`);
    if (seen.has(name)) stFail("InvalidArgument", `tensor ${JSON.stringify(name)} is given twice`);
    seen.add(name);
    entries.push(toDataEntry(name, t));
  }
  return entries;
}

/** The header and write order for `tensors`; shared by the in-memory and streaming writers. */
export function prepareSafetensors(tensors: TensorsInput, metadata?: Metadata): PreparedHeader<DataEntry> {
  return prepareHeader(collectEntries(tensors), metadata);
}

/** Header followed by every tensor's bytes, in one buffer. */
export function concatPrepared({ prefix, order, dataLength }: PreparedHeader<DataEntry>): Uint8Array {
  const out = new Uint8Array(prefix.length + dataLength);
  out.set(prefix, 0);
  let at = prefix.length;
  for (const e of order) {
    out.set(e.data, at);
    at += e.byteLength;
  }
  return out;
}

/**
 * Encode tensors to one safetensors file in memory, byte for byte what the
 * reference `serialize` writes for the same tensors and metadata.
 */
export function encodeSafetensors(tensors: TensorsInput, metadata?: Metadata): Uint8Array {
  return guardDecode("safetensors", () => concatPrepared(prepareSafetensors(tensors, metadata)));
}
