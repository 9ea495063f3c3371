import { isCodecError } from "@codec/core";
import type { FormatAdapter } from "./adapter.js";
import { type CliIO, CliFailure, UsageError, processIO } from "./cli-io.js";
import { convertCommand } from "./commands/convert.js";
import { inspectCommand } from "./commands/inspect.js";
import { runCommand } from "./commands/run.js";
import { scanCommand } from "./commands/scan.js";
import { ADAPTERS } from "./formats/index.js";
import { usageText } from "./usage.js";

export const VERSION = "0.1.0";

export interface MainOptions {
  /** Output streams; defaults to the process's (tests pass capturing writers). */
  io?: Partial<CliIO>;
  /** The formats to know; defaults to every adapter in formats/index.ts. */
  adapters?: readonly FormatAdapter[];
}

type Command = (argv: readonly string[], io: CliIO, adapters: readonly FormatAdapter[]) => Promise<number>;

const COMMANDS: Readonly<Record<string, Command>> = {
  inspect: inspectCommand,
  convert: convertCommand,
  scan: scanCommand,
  run: runCommand,
};

/**
 * The `codec` command (DESIGN.md section 6). Returns the exit status:
 * 0 success, 1 failed operation (or a dangerous scan), 2 usage error.
 * Every error is one line `codec: <message>` on stderr; `--debug` adds the
 * stack trace.
 */
export async function main(argv: readonly string[], options: MainOptions = {}): Promise<number> {
  const defaults = options.io?.stdout && options.io?.stderr ? undefined : processIO();
  const io: CliIO = {
    stdout: options.io?.stdout ?? (defaults as CliIO).stdout,
    stderr: options.io?.stderr ?? (defaults as CliIO).stderr,
  };
  const adapters = options.adapters ?? ADAPTERS;
  const debug = argv.includes("--debug");
  const args = argv.filter((a) => a !== "--debug");
  try {
    const end = args.indexOf("--");
    const before = end < 0 ? args : args.slice(0, end);
    if (before.includes("--help") || before.includes("-h")) {
      io.stdout.write(`${usageText(adapters)}\n`);
      return 0;
    }
    if (args[0] === "--version") {
      io.stdout.write(`codec ${VERSION}\n`);
      return 0;
    }
    if (args.length === 0) throw new UsageError("missing command (try 'codec --help')");
    const name = args[0];
    const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (command === undefined) {
      const what = name.startsWith("-") ? `unknown option '${name}'` : `unknown command '${name}'`;
      throw new UsageError(`${what} (commands: ${Object.keys(COMMANDS).join(", ")}; try 'codec --help')`);
    }
    return await command(args.slice(1), io, adapters);
  } catch (e) {
    return report(e, io, debug);
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}

function report(e: unknown, io: CliIO, debug: boolean): number {
  let status = 1;
  let message: string;
  if (e instanceof UsageError) {
    status = 2;
    message = e.message;
  } else if (e instanceof CliFailure) {
    message = e.message;
  } else if (isCodecError(e)) {
    // CodecError messages already read "<format>: <what> at offset 0x..".
    message = e.message;
  } else if (e instanceof Error) {
    // System errors (EIO, ENOSPC, ...) are failed operations; anything else is a bug in the CLI.
    message = (e as NodeJS.ErrnoException).syscall !== undefined ? e.message : `internal error: ${e.message}`;
  } else {
    message = `internal error: ${String(e)}`;
  }
  io.stderr.write(`codec: ${oneLine(message)}\n`);
  if (debug && e instanceof Error && e.stack) io.stderr.write(`${e.stack}\n`);
  return status;
}
