import { statSync } from "node:fs";
import { extname } from "node:path";
import { type ByteSource, SNIFF_BYTES } from "@codec/core";
import { FileSource } from "@codec/core/node";
import type { DetectContext, FormatAdapter } from "./adapter.js";
import { CliFailure, errnoPhrase } from "./cli-io.js";
import { ADAPTERS } from "./formats/index.js";

/** Lower-case extension without the dot ("" when there is none). */
export function extensionOf(path: string): string {
  return extname(path).slice(1).toLowerCase();
}

/** Open a local file for reading, turning fs errors into one clear message. */
export function openInput(path: string): FileSource {
  try {
    // open(2) succeeds on a directory; only the first read would fail.
    if (statSync(path).isDirectory()) throw new CliFailure(`cannot open '${path}': is a directory`);
    return new FileSource(path);
  } catch (e) {
    if (e instanceof CliFailure) throw e;
    throw new CliFailure(`cannot open '${path}': ${errnoPhrase(e) ?? (e as Error).message}`);
  }
}

/**
 * Pick the adapter for a file from its content (DESIGN.md section 6): every
 * adapter scores the file (0 no, 1 plausible, 2 confirmed); the highest
 * wins and the extension only breaks ties. A detector that throws on odd
 * input counts as 0.
 */
export async function detectAdapter(source: ByteSource, path: string, adapters: readonly FormatAdapter[] = ADAPTERS): Promise<FormatAdapter> {
  const head = await source.read(0, Math.min(SNIFF_BYTES, source.byteLength));
  const ext = extensionOf(path);
  const ctx: DetectContext = { head, source, path, ext };
  let best: FormatAdapter | undefined;
  let bestScore = 0;
  for (const adapter of adapters) {
    let score = 0;
    try {
      score = await adapter.detect(ctx);
    } catch {
      score = 0;
    }
    if (!(score > 0)) continue;
    if (ext !== "" && adapter.outputExtensions.includes(ext)) score += 0.5;
    if (score > bestScore) {
      best = adapter;
      bestScore = score;
    }
  }
  if (best === undefined) {
    const known = [...new Set(adapters.map((a) => a.format))].join(", ");
    throw new CliFailure(`cannot detect the format of '${path}' (${source.byteLength} bytes; known formats: ${known})`);
  }
  return best;
}

/** The adapter that writes files with `path`'s extension (for `convert`). */
export function adapterForOutput(path: string, adapters: readonly FormatAdapter[] = ADAPTERS): FormatAdapter | undefined {
  const ext = extensionOf(path);
  if (ext === "") return undefined;
  return adapters.find((a) => a.outputExtensions.includes(ext));
}

/** Every output extension, for messages. */
export function outputExtensions(adapters: readonly FormatAdapter[] = ADAPTERS): string[] {
  return adapters.flatMap((a) => a.outputExtensions.map((e) => `.${e}`));
}
