import { UsageError } from "./cli-io.js";

/**
 * A small, strict command-line parser: `--flag` booleans, `--opt VALUE`
 * (or `--opt=VALUE`) options, positionals, and `--` to end options. Unknown
 * options are usage errors (exit status 2), never silently ignored.
 */
export interface ArgSpec {
  /** Boolean flags, with leading dashes (`--json`). */
  flags: readonly string[];
  /** Options taking a value. */
  options?: readonly string[];
  /** Short aliases: `-h` -> `--help`. */
  aliases?: Readonly<Record<string, string>>;
  /** Collect unknown `--name` flags in `unknown` instead of failing (the caller decides later). */
  collectUnknown?: boolean;
}

export interface ParsedArgs {
  flags: Set<string>;
  options: Map<string, string>;
  positionals: string[];
  /** Unknown `--name` flags, when `collectUnknown` is set. */
  unknown: string[];
}

export function parseArgs(argv: readonly string[], spec: ArgSpec, command: string): ParsedArgs {
  const flags = new Set<string>();
  const options = new Map<string, string>();
  const positionals: string[] = [];
  const unknown: string[] = [];
  const flagSet = new Set(spec.flags);
  const optionSet = new Set(spec.options ?? []);
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    if (arg === "--") {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.length < 2 || arg[0] !== "-") {
      positionals.push(arg);
      continue;
    }
    arg = spec.aliases?.[arg] ?? arg;
    const eq = arg.indexOf("=");
    const name = eq > 0 && arg.startsWith("--") ? arg.slice(0, eq) : arg;
    if (optionSet.has(name)) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw new UsageError(`${command}: option ${name} needs a value`);
      options.set(name, value);
    } else if (flagSet.has(name) && eq < 0) {
      flags.add(name);
    } else if (flagSet.has(name)) {
      throw new UsageError(`${command}: option ${name} takes no value`);
    } else if (spec.collectUnknown && /^--[a-z0-9][a-z0-9-]*$/i.test(arg)) {
      unknown.push(arg);
    } else {
      throw new UsageError(`${command}: unknown option '${arg}'`);
    }
  }
  return { flags, options, positionals, unknown };
}
