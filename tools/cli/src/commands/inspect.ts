import { DTYPES, type JsonValue, numelOf } from "@codec/core";
import type { FormatAdapter } from "../adapter.js";
import { parseArgs } from "../args.js";
import { jsonText } from "../json-text.js";
import { type CliIO, UsageError } from "../cli-io.js";
import { detectAdapter, openInput } from "../detect.js";
import { tensorDigest } from "../digest.js";
import { ADAPTERS } from "../formats/index.js";
import { progressFor } from "../progress.js";
import { formatBytes, formatShape, renderTable } from "../table.js";

export const INSPECT_USAGE = "codec inspect FILE [--json] [--digest]";

/**
 * `codec inspect FILE [--json] [--digest]` (DESIGN.md section 6). Without
 * --digest only headers are read (the adapters open lazily through a
 * FileSource); with it, tensors are loaded one at a time and hashed.
 */
export async function inspectCommand(argv: readonly string[], io: CliIO, adapters: readonly FormatAdapter[] = ADAPTERS): Promise<number> {
  const extra = [...new Set(adapters.flatMap((a) => a.inspectFlags ?? []))];
  // Flags beyond --json/--digest belong to adapters (`inspectFlags`, used by
  // `describe`); which ones apply is known only after detection.
  const args = parseArgs(argv, { flags: ["--json", "--digest", ...extra], collectUnknown: adapters.some((a) => a.describe && a.inspectFlags === undefined) }, "inspect");
  if (args.positionals.length !== 1) {
    throw new UsageError(`inspect: expected one FILE, got ${args.positionals.length} (usage: ${INSPECT_USAGE})`);
  }
  const path = args.positionals[0];
  const source = openInput(path);
  try {
    const adapter = await detectAdapter(source, path, adapters);
    for (const flag of extra) {
      if (args.flags.has(flag) && !(adapter.inspectFlags ?? []).includes(flag)) {
        throw new UsageError(`inspect: ${flag} does not apply to ${adapter.format} files`);
      }
    }
    // An adapter that declares its flags is strict; one with `describe` but no
    // declaration gets the other flags and must use them (see below).
    if (args.unknown.length > 0 && (adapter.describe === undefined || adapter.inspectFlags !== undefined)) {
      throw new UsageError(`inspect: unknown option '${args.unknown[0]}'`);
    }
    for (const flag of args.unknown) args.flags.add(flag);
    const map = await adapter.open(source, path);
    const json = args.flags.has("--json");
    const digest = args.flags.has("--digest");
    const names = map.names();
    const infos = names.map((n) => map.info(n));
    const digests: (string | undefined)[] = [];
    if (digest) {
      const progress = progressFor(io.stderr);
      let total = 0;
      for (const i of infos) total += numelOf(i.shape) * DTYPES[i.dtype].size;
      let done = 0;
      try {
        for (const info of infos) {
          const tensor = await map.get(info.name);
          digests.push(tensorDigest(tensor));
          done += numelOf(info.shape) * DTYPES[info.dtype].size;
          progress.update("digest", done, total);
        }
      } finally {
        progress.end();
      }
    }
    const described = adapter.describe ? await adapter.describe(source, path, args.flags) : undefined;
    if (args.unknown.length > 0 && described === undefined) throw new UsageError(`inspect: unknown option '${args.unknown[0]}'`);
    await map.close?.();

    if (json) {
      const tensors = infos.map((info, i) => {
        const t: { [key: string]: JsonValue } = { name: info.name, dtype: info.dtype, shape: [...info.shape] };
        if (digest && digests[i] !== undefined) t.sha256 = digests[i] as string;
        return t;
      });
      const doc: { [key: string]: JsonValue } = { format: map.format, tensors, metadata: map.metadata };
      if (described !== undefined) doc.describe = described;
      io.stdout.write(`${jsonText(doc)}\n`);
      return 0;
    }

    let totalBytes = 0;
    const rows = infos.map((info, i) => {
      const size = info.dtype === "string" ? 0 : numelOf(info.shape) * DTYPES[info.dtype].size;
      totalBytes += size;
      const row = [info.name, info.dtype, formatShape(info.shape), info.dtype === "string" ? "-" : formatBytes(size)];
      if (digest) row.push(digests[i] ?? "-");
      return row;
    });
    const out: string[] = [];
    out.push(`${path}: ${map.format}, ${names.length} tensor${names.length === 1 ? "" : "s"}, ${formatBytes(totalBytes)}`);
    if (rows.length > 0) {
      const header = ["name", "dtype", "shape", "size"];
      if (digest) header.push("sha256");
      out.push("", ...renderTable(header, rows, new Set([3])));
    }
    const meta = Object.entries(map.metadata);
    if (meta.length > 0) {
      out.push("", "metadata:");
      for (const [k, v] of meta) out.push(`  ${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
    }
    if (described !== undefined && described.length > 0) out.push("", ...described);
    io.stdout.write(`${out.join("\n")}\n`);
    return 0;
  } finally {
    await source.close();
  }
}
