import {
  type ByteInput,
  type ByteSource,
  DTYPES,
  type DType,
  type JsonValue,
  MemorySource,
  Tensor,
  type TensorInfo,
  type TensorMap,
  guardDecode,
  guardDecodeAsync,
  toByteSource,
} from "@codec/core";
import { FORMAT, stFail } from "./errors.js";
import { toCoreDType } from "./dtypes.js";
import { type SafetensorsHeader, type SafetensorsTensorEntry, parseHeader, readHeaderLength } from "./header.js";
import { type SliceIndex, planSlice } from "./slice.js";

export interface OpenSafetensorsOptions {
  /**
   * When a tensor's bytes in memory are not aligned for its typed array
   * (possible in files whose header length is not a multiple of 8), copy
   * them to an aligned buffer (`Tensor.copied` is then true). Default true;
   * false always returns views (`typed()` copies later if needed).
   */
  align?: boolean;
  /**
   * Bytes read in the first request (default 64 KiB, capped at the file
   * size): headers that fit arrive in one round trip, which matters for
   * HTTP range sources. Larger headers take a second read.
   */
  headPrefetch?: number;
}

/** What `info()` gives: the TensorInfo contract plus where the bytes are. */
export interface SafetensorsTensorInfo extends TensorInfo {
  /** The file's dtype name, e.g. "BF16". */
  readonly fileDType: string;
  /** Absolute byte offset of the tensor's data in the file. */
  readonly byteOffset: number;
  readonly byteLength: number;
}

function alignmentOf(dtype: DType): number {
  return DTYPES[dtype].array?.BYTES_PER_ELEMENT ?? 1;
}

/**
 * An open safetensors file (implements TensorMap). Only the header has been
 * read; tensors are read on demand from the source, as views when the
 * source is in memory.
 */
export class SafetensorsFile implements TensorMap {
  readonly format = FORMAT;
  /** The `__metadata__` string map ({} when absent). */
  readonly metadata: { [key: string]: JsonValue };
  /** The parsed header: raw dtype, shape and data_offsets per tensor. */
  readonly header: SafetensorsHeader;
  readonly source: ByteSource;
  private readonly byName: Map<string, SafetensorsTensorEntry>;
  private readonly align: boolean;

  constructor(source: ByteSource, header: SafetensorsHeader, options: OpenSafetensorsOptions = {}) {
    this.source = source;
    this.header = header;
    this.align = options.align ?? true;
    this.metadata = header.metadata === null ? {} : { ...header.metadata };
    this.byName = new Map(header.tensors.map((t) => [t.name, t]));
    for (const t of header.tensors) {
      if (toCoreDType(t.dtype) === undefined) {
        stFail("UnsupportedDtype", `tensor ${JSON.stringify(t.name)} has dtype ${t.dtype}, which @codec/core cannot represent yet (use readSafetensorsHeader for the raw header)`, header.dataStart + t.dataOffsets[0]);
      }
    }
  }

  /** Tensor names in data order (the order of their bytes in the file). */
  names(): string[] {
    return this.header.tensors.map((t) => t.name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The raw header entry of a tensor. */
  entry(name: string): SafetensorsTensorEntry {
    const e = this.byName.get(name);
    if (e === undefined) return stFail("TensorNotFound", `no tensor named ${JSON.stringify(name)}`);
    return e;
  }

  info(name: string): SafetensorsTensorInfo {
    const e = this.entry(name);
    return {
      name,
      dtype: toCoreDType(e.dtype) as DType,
      shape: e.shape,
      fileDType: e.dtype,
      byteOffset: this.header.dataStart + e.dataOffsets[0],
      byteLength: e.dataOffsets[1] - e.dataOffsets[0],
    };
  }

  private wrap(info: SafetensorsTensorInfo, shape: readonly number[], bytes: Uint8Array): Tensor {
    const align = alignmentOf(info.dtype);
    if (this.align && bytes.byteOffset % align !== 0) {
      return new Tensor({ dtype: info.dtype, shape, data: bytes.slice(), copied: true });
    }
    return new Tensor({ dtype: info.dtype, shape, data: bytes });
  }

  /** Read a tensor: a view into the source's memory when it has any. */
  get(name: string): Promise<Tensor> {
    return guardDecodeAsync(FORMAT, async () => {
      const info = this.info(name);
      const bytes = await tooLargeAsLimit(info, () => this.source.read(info.byteOffset, info.byteLength));
      return this.wrap(info, info.shape, bytes);
    });
  }

  /** Synchronous `get`, for sources that can read without waiting (memory, local files). */
  getSync(name: string): Tensor {
    return guardDecode(FORMAT, () => {
      const info = this.info(name);
      const read = this.source.readSync;
      if (read === undefined) return stFail("InvalidArgument", "this source cannot be read synchronously; use get()");
      return this.wrap(info, info.shape, tooLargeAsLimit(info, () => read.call(this.source, info.byteOffset, info.byteLength)));
    });
  }

  /**
   * Read part of a tensor, touching only the bytes it needs.
   * `getSlice(name, start, stop)` takes rows [start, stop) of the first
   * dimension; `getSlice(name, [i, [a, b], null, ...])` indexes each
   * dimension (a number selects and drops the dimension, [a, b] keeps
   * [a, b), null keeps it whole), like the reference `slice`.
   */
  getSlice(name: string, start: number, stop: number): Promise<Tensor>;
  getSlice(name: string, indexers: readonly SliceIndex[]): Promise<Tensor>;
  getSlice(name: string, a: number | readonly SliceIndex[], b?: number): Promise<Tensor> {
    return guardDecodeAsync(FORMAT, async () => {
      const info = this.info(name);
      const indexers: readonly SliceIndex[] = typeof a === "number" ? [[a, b ?? null]] : a;
      const plan = planSlice(this.entry(name).dtype, info.shape, indexers);
      if (plan.ranges.length === 1) {
        const [s, e] = plan.ranges[0];
        return this.wrap(info, plan.shape, await this.source.read(info.byteOffset + s, e - s));
      }
      const out = new Uint8Array(plan.byteLength);
      let at = 0;
      for (const [s, e] of plan.ranges) {
        out.set(await this.source.read(info.byteOffset + s, e - s), at);
        at += e - s;
      }
      return new Tensor({ dtype: info.dtype, shape: plan.shape, data: out, copied: plan.ranges.length > 1 });
    });
  }

  async close(): Promise<void> {
    await this.source.close?.();
  }
}

/**
 * A tensor beyond the engine's largest typed array (4 GiB in Node 20) makes
 * the source's allocation throw a RangeError; say what happened instead.
 */
function tooLargeAsLimit<T>(info: SafetensorsTensorInfo, read: () => T): T {
  const limit = (e: unknown): never => {
    if (e instanceof RangeError && info.byteLength > 0x7fffffff) {
      stFail("TensorTooLarge", `tensor ${JSON.stringify(info.name)} is ${info.byteLength} bytes, more than one typed array can hold here; read it in parts with getSlice`, info.byteOffset);
    }
    throw e;
  };
  try {
    const r = read();
    return (r instanceof Promise ? r.catch(limit) : r) as T;
  } catch (e) {
    return limit(e);
  }
}

/** Read and validate only the header (any dtype the reference knows, including F4/F6/E8M0). */
export async function readSafetensorsHeader(input: ByteInput, options?: Pick<OpenSafetensorsOptions, "headPrefetch">): Promise<SafetensorsHeader> {
  return guardDecodeAsync(FORMAT, async () => readHeaderFrom(toByteSource(input), options?.headPrefetch));
}

async function readHeaderFrom(source: ByteSource, prefetch = 65536): Promise<SafetensorsHeader> {
  const total = source.byteLength;
  if (total < 8) stFail("HeaderTooSmall", `file has ${total} bytes, fewer than the 8-byte header length`, 0);
  const head = await source.read(0, Math.min(total, Math.max(8, Math.floor(prefetch) || 8)));
  const n = readHeaderLength(head, total);
  return parseHeader(8 + n <= head.length ? head.subarray(8, 8 + n) : await source.read(8, n), total);
}

/**
 * Open a safetensors file from bytes or any ByteSource (memory, file,
 * Blob, HTTP ranges). Reads the 8-byte prefix and the header only.
 */
export function openSafetensors(input: ByteInput, options?: OpenSafetensorsOptions): Promise<SafetensorsFile> {
  return guardDecodeAsync(FORMAT, async () => {
    const source = toByteSource(input);
    return new SafetensorsFile(source, await readHeaderFrom(source, options?.headPrefetch), options);
  });
}

/** Synchronous open over bytes already in memory; tensors are views (`getSync`). */
export function decodeSafetensors(bytes: Uint8Array | ArrayBuffer, options?: OpenSafetensorsOptions): SafetensorsFile {
  return guardDecode(FORMAT, () => {
    const source = new MemorySource(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
    const total = source.byteLength;
    if (total < 8) stFail("HeaderTooSmall", `file has ${total} bytes, fewer than the 8-byte header length`, 0);
    const n = readHeaderLength(source.readSync(0, 8), total);
    return new SafetensorsFile(source, parseHeader(source.readSync(8, n), total), options);
  });
}
