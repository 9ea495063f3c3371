import { existsSync, realpathSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { isCodecError } from "@codec/core";
import type { FormatAdapter } from "../adapter.js";
import { parseArgs } from "../args.js";
import { type CliIO, CliFailure, UsageError, errnoPhrase } from "../cli-io.js";
import { adapterForOutput, detectAdapter, extensionOf, openInput, outputExtensions } from "../detect.js";
import { writeAtomically } from "../file-sink.js";
import { ADAPTERS } from "../formats/index.js";
import { progressFor } from "../progress.js";
import { withProgress } from "../progress-map.js";

export const CONVERT_USAGE = "codec convert IN OUT";

/** OUT must be a file path in an existing directory. */
function checkOutputPath(outPath: string): void {
  if (existsSync(outPath) && statSync(outPath).isDirectory()) throw new CliFailure(`cannot write '${outPath}': is a directory`);
  const dir = dirname(resolve(outPath));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliFailure(`cannot write '${outPath}': directory '${dirname(outPath)}' does not exist`);
}

function samePath(a: string, b: string): boolean {
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));
  return real(a) === real(b);
}

/**
 * `codec convert IN OUT` (DESIGN.md section 6): the output format comes
 * from OUT's extension. Same adapter in and out -> its lossless `reencode`;
 * otherwise the target's `write` gets the input's tensors (loaded one at a
 * time) and string metadata. The output appears only when complete.
 */
export async function convertCommand(argv: readonly string[], io: CliIO, adapters: readonly FormatAdapter[] = ADAPTERS): Promise<number> {
  const args = parseArgs(argv, { flags: [] }, "convert");
  if (args.positionals.length !== 2) {
    throw new UsageError(`convert: expected IN and OUT, got ${args.positionals.length} argument${args.positionals.length === 1 ? "" : "s"} (usage: ${CONVERT_USAGE})`);
  }
  const [inPath, outPath] = args.positionals;
  const target = adapterForOutput(outPath, adapters);
  if (target === undefined) {
    const ext = extensionOf(outPath);
    throw new UsageError(
      `convert: cannot tell the output format from ${ext === "" ? "a name without an extension" : `the extension '.${ext}'`} of '${outPath}' (known: ${outputExtensions(adapters).join(" ")})`,
    );
  }
  const source = openInput(inPath);
  try {
    if (samePath(inPath, outPath)) throw new UsageError(`convert: IN and OUT are the same file '${inPath}'`);
    checkOutputPath(outPath);
    const adapter = await detectAdapter(source, inPath, adapters);
    const progress = progressFor(io.stderr);
    try {
      if (adapter === target && adapter.reencode) {
        const reencode = adapter.reencode.bind(adapter);
        await writeAtomically(outPath, (tmp) => reencode(source, inPath, tmp, { progress, finalPath: outPath }));
      } else {
        if (!target.write) throw new CliFailure(`convert: writing ${target.format} files is not supported`);
        const write = target.write.bind(target);
        const map = await adapter.open(source, inPath);
        try {
          const carried = adapter.forTarget?.(map, target.format) ?? map;
          await writeAtomically(outPath, (tmp) => write(withProgress(carried, progress, "converting"), tmp, { progress, finalPath: outPath }));
        } finally {
          await map.close?.();
        }
      }
    } catch (e) {
      // File-system errors while writing name OUT, not the temporary file.
      const phrase = isCodecError(e) || e instanceof CliFailure || e instanceof UsageError ? undefined : errnoPhrase(e);
      if (phrase !== undefined) throw new CliFailure(`cannot write '${outPath}': ${phrase}`);
      throw e;
    } finally {
      progress.end();
    }
    return 0;
  } finally {
    await source.close();
  }
}
