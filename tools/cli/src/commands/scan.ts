import type { JsonValue } from "@codec/core";
import type { FormatAdapter, ScanResult } from "../adapter.js";
import { parseArgs } from "../args.js";
import { jsonText } from "../json-text.js";
import { type CliIO, UsageError } from "../cli-io.js";
import { detectAdapter, openInput } from "../detect.js";
import { ADAPTERS } from "../formats/index.js";

export const SCAN_USAGE = "codec scan FILE [--json]";

/**
 * `codec scan FILE [--json]` (DESIGN.md section 6). Pickle-bearing formats
 * implement `scan`; a format without one cannot carry code (safetensors,
 * npy without object arrays, hdf5, onnx), so its verdict is "safe" with no
 * globals. Exit status 1 exactly when the verdict is "dangerous".
 */
export async function scanCommand(argv: readonly string[], io: CliIO, adapters: readonly FormatAdapter[] = ADAPTERS): Promise<number> {
  const args = parseArgs(argv, { flags: ["--json"] }, "scan");
  if (args.positionals.length !== 1) {
    throw new UsageError(`scan: expected one FILE, got ${args.positionals.length} (usage: ${SCAN_USAGE})`);
  }
  const path = args.positionals[0];
  const source = openInput(path);
  let result: ScanResult;
  let format: string;
  try {
    const adapter = await detectAdapter(source, path, adapters);
    format = adapter.format;
    result = adapter.scan
      ? await adapter.scan(source, path)
      : { verdict: "safe", globals: [], lines: [`${adapter.format} files cannot contain code`] };
  } finally {
    await source.close();
  }
  if (args.flags.has("--json")) {
    const doc: { [key: string]: JsonValue } = { format, verdict: result.verdict, globals: result.globals, ...(result.extra ?? {}) };
    io.stdout.write(`${jsonText(doc)}\n`);
  } else {
    const out = [`${path}: ${format}, verdict: ${result.verdict}`];
    // The adapter's own lines describe its findings; list the globals only when it gave none.
    if (result.lines.length > 0) for (const line of result.lines) out.push(`  ${line}`);
    else for (const g of result.globals) out.push(`  ${g.risk.padEnd(10)} ${g.module}.${g.name}`);
    io.stdout.write(`${out.join("\n")}\n`);
  }
  return result.verdict === "dangerous" ? 1 : 0;
}
