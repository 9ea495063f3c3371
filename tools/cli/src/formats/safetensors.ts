import { type ByteSource, DTYPES, type TensorMap, fail } from "@codec/core";
import { fromCoreDType, openSafetensors, safetensorsDetector } from "@codec/safetensors";
import { writeSafetensorsFileFromMap } from "@codec/safetensors/node";
import type { DetectContext, FormatAdapter, WriteOptions } from "../adapter.js";
import { stringMetadata } from "../metadata.js";
import { withProgress } from "../progress-map.js";

/**
 * safetensors: detected structurally (u64 header length + JSON '{', the
 * codec's own detector), opened header-only, written by the codec's
 * streaming node writer one tensor at a time. No pickles, so `scan` is
 * always safe (the CLI's default).
 */
export const safetensorsAdapter: FormatAdapter = {
  format: "safetensors",
  outputExtensions: ["safetensors"],

  detect(ctx: DetectContext): number {
    return safetensorsDetector.detect(ctx.head, ctx.source.byteLength);
  },

  open(source: ByteSource): Promise<TensorMap> {
    return openSafetensors(source);
  },

  async reencode(source: ByteSource, _path: string, outPath: string, options: WriteOptions): Promise<void> {
    const map = await openSafetensors(source);
    // The whole __metadata__ map is strings; keep it as is.
    await writeSafetensorsFileFromMap(outPath, withProgress(map, options.progress, "writing"), stringMetadata(map));
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
