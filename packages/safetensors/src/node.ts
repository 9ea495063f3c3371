/**
 * @codec/safetensors/node: file-path conveniences for Node. Reads go
 * through FileSource (positioned reads, files over 2 GiB); writes stream the
 * header and then each tensor's bytes to the file without joining them in
 * memory.
 */
import { closeSync, existsSync, openSync, readFileSync, readdirSync, statSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { DTYPES, type TensorMap, fail, guardDecodeAsync, numelOf } from "@codec/core";
import { FileSource } from "@codec/core/node";
// The public entry, not relative imports: the built node entry then shares
// one copy of every class with the main entry (tsup marks it external).
import {
  DETAIL_CODES,
  type HeaderEntry,
  type Metadata,
  type OpenSafetensorsOptions,
  type SafetensorsErrorDetail,
  type SafetensorsFile,
  type ShardIndex,
  type ShardedSafetensors,
  type ShardedWriteOptions,
  type TensorsInput,
  formatShardIndex,
  fromCoreDType,
  layoutShards,
  openSafetensors,
  openShardedSafetensors,
  prepareHeader,
  prepareSafetensors,
} from "@codec/safetensors";

const FORMAT = "safetensors";

/** A CodecError with a safetensors detail name and its code from DETAIL_CODES. */
function stFail(detail: SafetensorsErrorDetail, message: string): never {
  return fail(DETAIL_CODES[detail], FORMAT, message, { detail });
}

/** Largest single write; fs.writeSync is capped near 2 GiB per call. */
const CHUNK = 1 << 30;

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.byteLength) {
    const n = writeSync(fd, bytes, done, Math.min(bytes.byteLength - done, CHUNK));
    done += n;
  }
}

/** Open `path` for writing; file-system failures become IO CodecErrors. */
function openForWrite(path: string): number {
  try {
    return openSync(path, "w");
  } catch (e) {
    return fail("IO", FORMAT, `cannot write ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

function withFile<T>(path: string, fn: (fd: number) => T): T {
  const fd = openForWrite(path);
  try {
    return fn(fd);
  } finally {
    closeSync(fd);
  }
}

/** A FileSource, with file-system failures reported as IO errors. */
function fileSource(path: string): FileSource {
  try {
    return new FileSource(path);
  } catch (e) {
    return fail("IO", FORMAT, `cannot open ${path}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/** Open a local .safetensors file; only the header is read. */
export function openSafetensorsFile(path: string, options?: OpenSafetensorsOptions): Promise<SafetensorsFile> {
  return guardDecodeAsync(FORMAT, async () => {
    const source = fileSource(path);
    try {
      return await openSafetensors(source, options);
    } catch (e) {
      await source.close();
      throw e;
    }
  });
}

/**
 * Write tensors to `path` in the reference layout (same bytes as
 * `encodeSafetensors`), streaming: header first, then each tensor's bytes.
 */
export function writeSafetensorsFile(path: string, tensors: TensorsInput, metadata?: Metadata): void {
  const { prefix, order } = prepareSafetensors(tensors, metadata);
  withFile(path, (fd) => {
    writeAll(fd, prefix);
    for (const e of order) writeAll(fd, e.data);
  });
}

/**
 * Re-encode any TensorMap (another safetensors file, a PyTorch checkpoint,
 * ...) to `path`, loading one tensor at a time: the header is built from
 * `info()`, so memory holds at most one tensor.
 */
export async function writeSafetensorsFileFromMap(path: string, map: TensorMap, metadata?: Metadata): Promise<void> {
  const entries: HeaderEntry[] = map.names().map((name) => {
    const info = map.info(name);
    const dtype = fromCoreDType(info.dtype);
    if (dtype === undefined) stFail("UnsupportedDtype", `tensor ${JSON.stringify(name)}: safetensors has no dtype for ${info.dtype}`);
    if (name === "__metadata__") stFail("InvalidArgument", `"__metadata__" cannot name a tensor`);
    return { name, dtype, shape: [...info.shape], byteLength: numelOf(info.shape, FORMAT) * DTYPES[info.dtype].size };
  });
  const { prefix, order } = prepareHeader(entries, metadata);
  const fd = openForWrite(path);
  try {
    writeAll(fd, prefix);
    for (const e of order) {
      const t = await map.get(e.name);
      const bytes = t.bytes();
      if (bytes.byteLength !== e.byteLength) stFail("InvalidTensorView", `tensor ${JSON.stringify(e.name)} has ${bytes.byteLength} bytes, its info says ${e.byteLength}`);
      writeAll(fd, bytes);
    }
  } finally {
    closeSync(fd);
  }
}

/** Find the index in a model directory (`*.safetensors.index.json`, preferring model.*). */
function findIndex(dir: string): string | null {
  const names = readdirSync(dir).filter((n) => n.endsWith(".safetensors.index.json"));
  if (names.includes("model.safetensors.index.json")) return join(dir, "model.safetensors.index.json");
  if (names.length === 1) return join(dir, names[0]);
  if (names.length > 1) fail("USAGE", FORMAT, `${dir} holds several indexes (${names.join(", ")}); pass one of them`);
  return null;
}

/**
 * Open a sharded checkpoint from a directory, an index file, or a single
 * .safetensors file (treated as a one-shard set). Shards resolve next to
 * the index.
 */
export function openShardedSafetensorsFiles(path: string, options?: OpenSafetensorsOptions): Promise<ShardedSafetensors> {
  return guardDecodeAsync(FORMAT, async () => {
    let indexPath: string | null = path;
    let dir = dirname(path);
    if (!existsSync(path)) fail("IO", FORMAT, `${path} does not exist`);
    if (statSync(path).isDirectory()) {
      dir = path;
      indexPath = findIndex(path);
      if (indexPath === null) {
        const single = readdirSync(path).filter((n) => n.endsWith(".safetensors"));
        if (single.length !== 1) fail("USAGE", FORMAT, `${path} has no *.safetensors.index.json and ${single.length} .safetensors files`);
        return openSingleAsSharded(join(path, single[0]), options);
      }
    } else if (path.endsWith(".safetensors")) {
      return openSingleAsSharded(path, options);
    }
    const index: ShardIndex | Uint8Array = readFileSync(indexPath);
    return openShardedSafetensors(index, (shard) => fileSource(join(dir, shard)), options);
  });
}

async function openSingleAsSharded(path: string, options?: OpenSafetensorsOptions): Promise<ShardedSafetensors> {
  const file = await openSafetensorsFile(path, options);
  const name = basename(path);
  const index: ShardIndex = { metadata: {}, weight_map: Object.fromEntries(file.names().map((n) => [n, name])) };
  await file.close();
  return openShardedSafetensors(index, (shard) => fileSource(join(dirname(path), shard)), options);
}

export interface ShardedWriteResult {
  /** Paths written: shards, then the index when there is one. */
  readonly files: string[];
  readonly index: ShardIndex | null;
}

/**
 * Write a sharded checkpoint into `dir` (HF naming and index), streaming
 * each shard. A set that fits one shard is written as `<prefix>.safetensors`
 * with no index, as huggingface_hub does.
 */
export function writeShardedSafetensorsFiles(dir: string, tensors: TensorsInput, options?: ShardedWriteOptions): ShardedWriteResult {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) fail("USAGE", FORMAT, `${dir} is not a directory`);
  const layout = layoutShards(tensors, options);
  const files: string[] = [];
  for (const s of layout.shards) {
    const path = join(dir, s.fileName);
    withFile(path, (fd) => {
      writeAll(fd, s.header.prefix);
      for (const e of s.header.order) writeAll(fd, e.data);
    });
    files.push(path);
  }
  if (layout.index !== null) {
    const path = join(dir, layout.indexFileName);
    withFile(path, (fd) => writeAll(fd, new TextEncoder().encode(formatShardIndex(layout.index!))));
    files.push(path);
  }
  return { files, index: layout.index };
}

export type { ShardIndex, ShardedWriteOptions } from "@codec/safetensors";
