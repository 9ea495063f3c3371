import {
  type ByteInput,
  type JsonValue,
  type Tensor,
  type TensorMap,
  fail,
  guardDecode,
  guardDecodeAsync,
  isCodecError,
  utf8Decode,
} from "@codec/core";
import { FORMAT, stFail } from "./errors.js";
import { type DataEntry, type Metadata, type TensorsInput, collectEntries, concatPrepared } from "./encode.js";
import { type OpenSafetensorsOptions, type SafetensorsFile, type SafetensorsTensorInfo, openSafetensors } from "./file.js";
import { type PreparedHeader, compareCodePoints, prepareHeader } from "./header-writer.js";
import type { SliceIndex } from "./slice.js";

/**
 * Sharded checkpoints as the Hugging Face libraries write them
 * (huggingface_hub `split_state_dict_into_shards_factory`, transformers
 * `save_pretrained`): shards `model-00001-of-00003.safetensors`, ... and an
 * index `model.safetensors.index.json` = {"metadata": {"total_size": N},
 * "weight_map": {tensor name: shard file name}}.
 */

export interface ShardIndex {
  metadata: { [key: string]: JsonValue };
  weight_map: { [tensorName: string]: string };
}

/** Opens a shard by the file name the index gives. */
export type ShardResolver = (shardName: string) => ByteInput | Promise<ByteInput>;

/** A shard name must be a plain file name: no directories, no "..". */
function checkShardName(name: string): void {
  if (name === "" || name === "." || name === ".." || /[/\\\0]/.test(name)) {
    stFail("InvalidIndex", `index names shard ${JSON.stringify(name)}, which is not a plain file name`);
  }
}

/** Parse and check an index file (bytes, text or an already parsed object). */
export function parseShardIndex(input: Uint8Array | string | ShardIndex): ShardIndex {
  return guardDecode(FORMAT, () => {
    let value: unknown = input;
    if (typeof input === "string" || input instanceof Uint8Array) {
      const text = typeof input === "string" ? input : utf8Decode(input, FORMAT);
      try {
        value = JSON.parse(text);
      } catch (e) {
        stFail("InvalidIndex", `index is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
      }
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) stFail("InvalidIndex", "index must be a JSON object");
    const obj = value as { metadata?: unknown; weight_map?: unknown };
    const wm = obj.weight_map;
    if (typeof wm !== "object" || wm === null || Array.isArray(wm)) stFail("InvalidIndex", `index has no "weight_map" object`);
    const weightMap: { [k: string]: string } = Object.create(null);
    for (const [k, v] of Object.entries(wm)) {
      if (typeof v !== "string") stFail("InvalidIndex", `weight_map entry ${JSON.stringify(k)} must name a shard file`);
      checkShardName(v);
      weightMap[k] = v;
    }
    const md = obj.metadata ?? {};
    if (typeof md !== "object" || md === null || Array.isArray(md)) stFail("InvalidIndex", `index "metadata" must be an object`);
    return { metadata: md as { [key: string]: JsonValue }, weight_map: weightMap };
  });
}

/** Several shards read as one TensorMap; tensors come from their shard on demand. */
export class ShardedSafetensors implements TensorMap {
  readonly format = FORMAT;
  /** Shard `__metadata__` maps merged (first shard first), then the index's "metadata" (e.g. total_size). */
  readonly metadata: { [key: string]: JsonValue };
  readonly index: ShardIndex;
  /** Open shards by file name. */
  readonly shards: ReadonlyMap<string, SafetensorsFile>;
  private readonly order: string[];

  constructor(index: ShardIndex, shards: Map<string, SafetensorsFile>) {
    this.index = index;
    this.shards = shards;
    const metadata: { [key: string]: JsonValue } = {};
    for (const s of shards.values()) Object.assign(metadata, s.metadata);
    this.metadata = Object.assign(metadata, index.metadata);
    for (const [name, shard] of Object.entries(index.weight_map)) {
      if (!shards.get(shard)?.has(name)) {
        stFail("InvalidIndex", `index maps tensor ${JSON.stringify(name)} to ${shard}, which does not contain it`);
      }
    }
    // Shard by shard (in file-name order), each in its data order.
    this.order = [];
    for (const shardName of [...shards.keys()].sort(compareCodePoints)) {
      const file = shards.get(shardName)!;
      for (const n of file.names()) if (index.weight_map[n] === shardName) this.order.push(n);
    }
  }

  names(): string[] {
    return [...this.order];
  }

  /** The shard holding `name`. */
  shardOf(name: string): SafetensorsFile {
    const shard = Object.hasOwn(this.index.weight_map, name) ? this.index.weight_map[name] : undefined;
    if (shard === undefined) return stFail("TensorNotFound", `no tensor named ${JSON.stringify(name)}`);
    return this.shards.get(shard)!;
  }

  info(name: string): SafetensorsTensorInfo {
    return this.shardOf(name).info(name);
  }

  get(name: string): Promise<Tensor> {
    return guardDecodeAsync(FORMAT, () => this.shardOf(name).get(name));
  }

  getSlice(name: string, start: number, stop: number): Promise<Tensor>;
  getSlice(name: string, indexers: readonly SliceIndex[]): Promise<Tensor>;
  getSlice(name: string, a: number | readonly SliceIndex[], b?: number): Promise<Tensor> {
    return guardDecodeAsync(FORMAT, () => {
      const shard = this.shardOf(name);
      return typeof a === "number" ? shard.getSlice(name, a, b ?? Number.NaN) : shard.getSlice(name, a);
    });
  }

  async close(): Promise<void> {
    for (const s of this.shards.values()) await s.close();
  }
}

/**
 * Open a sharded checkpoint from its index (bytes, text or parsed) and a
 * resolver that opens each shard by file name. Every shard header is read
 * and every weight_map entry checked against it.
 */
export function openShardedSafetensors(
  index: Uint8Array | string | ShardIndex,
  resolve: ShardResolver,
  options?: OpenSafetensorsOptions,
): Promise<ShardedSafetensors> {
  return guardDecodeAsync(FORMAT, async () => {
    const parsed = parseShardIndex(index);
    const shards = new Map<string, SafetensorsFile>();
    try {
      for (const shardName of new Set(Object.values(parsed.weight_map))) {
        let input: ByteInput;
        try {
          input = await resolve(shardName);
        } catch (e) {
          if (isCodecError(e)) throw e;
          return fail("IO", FORMAT, `cannot open shard ${shardName}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
        }
        shards.set(shardName, await openSafetensors(input, options));
      }
      return new ShardedSafetensors(parsed, shards);
    } catch (e) {
      for (const s of shards.values()) await s.close();
      throw e;
    }
  });
}

/** "5GB" (10^9), "500MiB" (2^20), "100KB" or a byte count, as huggingface_hub `parse_size_to_int`. */
export function parseShardSize(size: number | string): number {
  if (typeof size === "number") {
    if (!Number.isSafeInteger(size) || size <= 0) stFail("InvalidArgument", `max shard size must be a positive integer, got ${size}`);
    return size;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B)\s*$/i.exec(size);
  if (!m) return stFail("InvalidArgument", `cannot parse shard size ${JSON.stringify(size)} (use e.g. "5GB", "500MiB" or a byte count)`);
  const unit = m[2].toUpperCase();
  const power = "KMGT".indexOf(unit[0]) + 1;
  const base = unit.includes("I") ? 1024 : 1000;
  return Math.floor(Number(m[1]) * base ** power);
}

export interface ShardPlanEntry {
  readonly name: string;
  readonly byteLength: number;
}

/**
 * Group tensors into shards like huggingface_hub: in input order, a new
 * shard starts when the next tensor would push the current one past
 * `maxShardSize` (tensor bytes only); a tensor larger than the limit gets
 * a shard of its own, placed where it was met.
 */
export function planShards<E extends ShardPlanEntry>(entries: readonly E[], maxShardSize: number): E[][] {
  const shards: E[][] = [];
  let current: E[] = [];
  let size = 0;
  for (const e of entries) {
    if (e.byteLength > maxShardSize) {
      shards.push([e]);
      continue;
    }
    if (current.length > 0 && size + e.byteLength > maxShardSize) {
      shards.push(current);
      current = [];
      size = 0;
    }
    current.push(e);
    size += e.byteLength;
  }
  if (current.length > 0 || shards.length === 0) shards.push(current);
  return shards;
}

/** `-00001-of-00003` style names, or `model.safetensors` for a single shard (no index then, as in HF). */
export function shardFileName(prefix: string, i: number, n: number): string {
  if (n === 1) return `${prefix}.safetensors`;
  const pad = (k: number) => String(k).padStart(5, "0");
  return `${prefix}-${pad(i + 1)}-of-${pad(n)}.safetensors`;
}

/** Python `json.dumps(obj, indent=2, sort_keys=True)` (ensure_ascii) for the index file. */
function pythonJson(value: JsonValue, indent: string): string {
  if (value === null) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    return `[\n${value.map((v) => inner + pythonJson(v, inner)).join(",\n")}\n${indent}]`;
  }
  const keys = Object.keys(value).sort(compareCodePoints);
  if (keys.length === 0) return "{}";
  return `{\n${keys.map((k) => `${inner}${pythonJson(k, inner)}: ${pythonJson(value[k], inner)}`).join(",\n")}\n${indent}}`;
}

export function formatShardIndex(index: ShardIndex): string {
  return `${pythonJson(index as unknown as JsonValue, "")}\n`;
}

export interface ShardedWriteOptions {
  /** Largest tensor-byte total per shard: bytes or "5GB"-style. Default "5GB" (huggingface_hub's default). */
  maxShardSize?: number | string;
  /** File name prefix; default "model" (diffusers uses "diffusion_pytorch_model"). */
  prefix?: string;
  /** `__metadata__` written into every shard, e.g. {format: "pt"}. */
  metadata?: Metadata;
}

export interface ShardLayout {
  readonly fileName: string;
  /** Header bytes (length prefix + padded JSON) and the tensors in write order. */
  readonly header: PreparedHeader<DataEntry>;
}

export interface ShardedLayout {
  readonly shards: ShardLayout[];
  /** The index, or null when everything fits one shard (written as `<prefix>.safetensors`, as HF does). */
  readonly index: ShardIndex | null;
  /** `<prefix>.safetensors.index.json` */
  readonly indexFileName: string;
}

/** Plan a sharded write: shard membership, each shard's header, the index. Shared by both writers. */
export function layoutShards(tensors: TensorsInput, options: ShardedWriteOptions = {}): ShardedLayout {
  const max = parseShardSize(options.maxShardSize ?? "5GB");
  const prefix = options.prefix ?? "model";
  checkShardName(`${prefix}.safetensors`);
  const entries = collectEntries(tensors);
  const groups = planShards(entries, max);
  const shards = groups.map((g, i) => ({ fileName: shardFileName(prefix, i, groups.length), header: prepareHeader(g, options.metadata) }));
  let index: ShardIndex | null = null;
  if (groups.length > 1) {
    const weightMap: { [k: string]: string } = {};
    let total = 0;
    for (const s of shards) {
      for (const e of s.header.order) {
        weightMap[e.name] = s.fileName;
        total += e.byteLength;
      }
    }
    index = { metadata: { total_size: total }, weight_map: weightMap };
  }
  return { shards, index, indexFileName: `${prefix}.safetensors.index.json` };
}

export interface ShardedFiles {
  /** Every file to write (shards, then the index when there is one), by file name. */
  readonly files: Array<{ name: string; bytes: Uint8Array }>;
  readonly index: ShardIndex | null;
}

/** Encode a sharded checkpoint in memory (see @codec/safetensors/node for streaming to a directory). */
export function writeShardedSafetensors(tensors: TensorsInput, options?: ShardedWriteOptions): ShardedFiles {
  return guardDecode(FORMAT, () => {
    const layout = layoutShards(tensors, options);
    const files = layout.shards.map((s) => ({ name: s.fileName, bytes: concatPrepared(s.header) }));
    if (layout.index !== null) files.push({ name: layout.indexFileName, bytes: new TextEncoder().encode(formatShardIndex(layout.index)) });
    return { files, index: layout.index };
  });
}
