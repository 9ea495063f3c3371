import { type ByteInput, fail, guardDecodeAsync, type JsonValue, type Tensor, type TensorInfo, type TensorMap, utf8Decode } from "@codec/core";
import { openTorch, type OpenTorchOptions, type TorchFile } from "./torch-file.js";

const F = "torch";

/**
 * A sharded checkpoint (`pytorch_model.bin.index.json` as transformers'
 * `save_pretrained` writes it: {"metadata": {...}, "weight_map": {name: shard file}})
 * presented as one TensorMap. Shards open when the index is opened (their
 * pickles only); tensor bytes are read on `get`.
 */
export class ShardedTorch implements TensorMap {
  readonly format = "torch";
  readonly metadata: { [key: string]: JsonValue };

  constructor(
    private readonly order: readonly string[],
    private readonly shardOf: ReadonlyMap<string, TorchFile>,
    readonly shards: ReadonlyMap<string, TorchFile>,
    indexMetadata: JsonValue,
  ) {
    this.metadata = { torch: { kind: "sharded", shards: [...shards.keys()], index: indexMetadata } };
  }

  names(): string[] {
    return [...this.order];
  }

  private shard(name: string): TorchFile {
    const s = this.shardOf.get(name);
    if (s === undefined) return fail("USAGE", F, `no tensor named '${name}'`);
    return s;
  }

  info(name: string): TensorInfo {
    return this.shard(name).info(name);
  }

  get(name: string): Promise<Tensor> {
    return this.shard(name).get(name);
  }

  async close(): Promise<void> {
    for (const s of this.shards.values()) await s.close();
  }
}

/** True when the JSON text looks like a torch shard index (has a weight_map of strings). */
export function parseShardIndex(text: string): { weightMap: Array<[string, string]>; metadata: JsonValue } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return fail("CORRUPT", F, `shard index is not JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  const wm = typeof doc === "object" && doc !== null ? (doc as { weight_map?: unknown }).weight_map : undefined;
  if (typeof wm !== "object" || wm === null || Array.isArray(wm)) return fail("CORRUPT", F, "shard index has no weight_map object");
  const weightMap: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(wm)) {
    if (typeof v !== "string" || v === "" || v.includes("..") || v.startsWith("/")) fail("CORRUPT", F, `weight_map entry '${k}' names an invalid shard file`);
    weightMap.push([k, v]);
  }
  const metadata = ((doc as { metadata?: JsonValue }).metadata ?? null) as JsonValue;
  return { weightMap, metadata };
}

/**
 * Open a shard index. `openShard(file)` returns the bytes or a ByteSource of
 * a shard named in the weight map (relative to the index's directory).
 */
export function openTorchSharded(
  index: Uint8Array | string,
  openShard: (file: string) => Promise<ByteInput> | ByteInput,
  options: OpenTorchOptions = {},
): Promise<ShardedTorch> {
  return guardDecodeAsync(F, async () => {
    const text = typeof index === "string" ? index : utf8Decode(index, F);
    const { weightMap, metadata } = parseShardIndex(text);
    const shards = new Map<string, TorchFile>();
    const shardOf = new Map<string, TorchFile>();
    for (const [name, file] of weightMap) {
      let shard = shards.get(file);
      if (shard === undefined) {
        shard = await openTorch(await openShard(file), options);
        shards.set(file, shard);
      }
      if (!shard.names().includes(name)) fail("CORRUPT", F, `weight_map says '${name}' is in ${file}, but that shard has no such tensor`);
      shardOf.set(name, shard);
    }
    return new ShardedTorch(
      weightMap.map(([n]) => n),
      shardOf,
      shards,
      metadata,
    );
  });
}
