import { type ByteSource, DTYPES, type TensorMap, fail } from "@codec/core";
import { fromCoreDType, openSafetensors, safetensorsDetector } from "@codec/safetensors";
import { openShardedSafetensorsFiles, writeSafetensorsFileFromMap } from "@codec/safetensors/node";
import type { DetectContext, FormatAdapter, WriteOptions } from "../adapter.js";
import { stringMetadata } from "../metadata.js";
import { withProgress } from "../progress-map.js";

/**
 * safetensors: detected structurally (u64 header length + JSON '{', the
 * codec's own detector), opened header-only, written by the codec's
 * streaming node writer one tensor at a time. A sharded checkpoint's
 * index (`model.safetensors.index.json`, a JSON object with a
 * "weight_map") opens as the whole set, its shards resolved next to it.
 * No pickles, so `scan` is always safe (the CLI's default).
 */

/** JSON text whose first value is an object mentioning "weight_map" (within the sniffed head). */
function shardIndexScore(ctx: DetectContext): number {
  let i = 0;
  if (ctx.head[0] === 0xef && ctx.head[1] === 0xbb && ctx.head[2] === 0xbf) i = 3; // UTF-8 BOM
  while (i < ctx.head.length && (ctx.head[i] === 0x20 || ctx.head[i] === 0x0a || ctx.head[i] === 0x0d || ctx.head[i] === 0x09)) i++;
  if (ctx.head[i] !== 0x7b) return 0;
  const text = new TextDecoder("utf-8", { fatal: false }).decode(ctx.head);
  // The first shard file named decides: torch's pytorch_model.bin.index.json has the same layout.
  const first = /"weight_map"\s*:\s*\{\s*"(?:[^"\\]|\\.)*"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(text);
  if (first) return first[1].toLowerCase().endsWith(".safetensors") ? 2 : 0;
  return ctx.path.toLowerCase().endsWith(".safetensors.index.json") ? 1 : 0;
}

async function isShardIndex(source: ByteSource, path: string): Promise<boolean> {
  const head = await source.read(0, Math.min(4096, source.byteLength));
  return shardIndexScore({ head, source, path, ext: "" }) > 0;
}

async function openAny(source: ByteSource, path: string): Promise<TensorMap> {
  if (await isShardIndex(source, path)) return openShardedSafetensorsFiles(path);
  return openSafetensors(source);
}

export const safetensorsAdapter: FormatAdapter = {
  format: "safetensors",
  outputExtensions: ["safetensors"],

  detect(ctx: DetectContext): number {
    return Math.max(safetensorsDetector.detect(ctx.head, ctx.source.byteLength), shardIndexScore(ctx));
  },

  open: openAny,

  async reencode(source: ByteSource, path: string, outPath: string, options: WriteOptions): Promise<void> {
    // One file (a sharded set is merged); the __metadata__ strings are kept as they are.
    const map = await openAny(source, path);
    try {
      const metadata = stringMetadata(map);
      await writeSafetensorsFileFromMap(outPath, withProgress(map, options.progress, "writing"), Object.keys(metadata).length > 0 ? metadata : undefined);
    } finally {
      await map.close?.();
    }
  },

  async write(input: TensorMap, outPath: string): Promise<void> {
    // Refuse before creating anything: every dtype must exist in safetensors.
    for (const name of input.names()) {
      const { dtype } = input.info(name);
      if (fromCoreDType(dtype) === undefined || DTYPES[dtype].kind === "string") {
        fail("UNSUPPORTED", "safetensors", `tensor '${name}' has dtype ${dtype}, which safetensors cannot store`);
      }
    }
    const metadata = stringMetadata(input);
    // `convert` already reports progress as it hands tensors over (progress-map.ts).
    await writeSafetensorsFileFromMap(outPath, input, Object.keys(metadata).length > 0 ? metadata : undefined);
  },
};
