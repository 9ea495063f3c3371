/**
 * Risk of one imported global (`module.name`), from the tables in
 * risk-rules.ts. The VM (symbolic-vm.ts) adds risks for what the pickle
 * does with values (calls on computed callables, BUILD on modules, ...).
 */
import {
  DANGEROUS_LEAF_NAMES,
  DANGEROUS_PREFIXES,
  HARMLESS_EXCEPTIONS,
  ORDINARY_DUNDERS,
  SAFE_GLOBALS,
  SAFE_JOBLIB_GLOBALS,
  SAFE_TORCH_GLOBALS,
  SCANNED_NESTED_LOADERS,
} from "./risk-rules.js";

export type Risk = "safe" | "suspicious" | "dangerous";

const RANK: Readonly<Record<Risk, number>> = { safe: 0, suspicious: 1, dangerous: 2 };

export function riskRank(r: Risk): number {
  return RANK[r];
}

export function maxRisk(a: Risk, b: Risk): Risk {
  return RANK[a] >= RANK[b] ? a : b;
}

/** Where the pickle lives: torch and joblib files allow their own reconstructors. */
export interface RiskContext {
  torch?: boolean;
  joblib?: boolean;
}

export interface GlobalRisk {
  risk: Risk;
  reason: string;
  /** The normalised Python 3 qualified name the rules matched. */
  qualified: string;
}

/**
 * Python 2 and numpy 2 module spellings mapped to the names the rules use
 * (CPython Lib/_compat_pickle.py maps `__builtin__`, `copy_reg`,
 * `exceptions` the same way when unpickling Python 2 data).
 */
export function normaliseModule(module: string): string {
  switch (module) {
    case "__builtin__":
    case "exceptions":
      return "builtins";
    case "copy_reg":
      return "copyreg";
    case "posixpath":
    case "ntpath":
    case "genericpath":
    case "macpath":
      return "os.path";
    case "posix":
    case "nt":
      return "os";
    case "cPickle":
      return "pickle";
    case "_operator":
      return "operator";
  }
  if (module === "numpy._core" || module.startsWith("numpy._core.")) return `numpy.core${module.slice(11)}`;
  return module;
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

function isDunder(part: string): boolean {
  return part.length > 4 && part.startsWith("__") && part.endsWith("__");
}

/** The dangerous-prefix reason for a dotted path, honouring the harmless exceptions. */
export function dangerousPrefix(path: string): string | undefined {
  if (HARMLESS_EXCEPTIONS.has(path)) return undefined;
  let end = path.indexOf(".");
  for (;;) {
    const prefix = end < 0 ? path : path.slice(0, end);
    const reason = DANGEROUS_PREFIXES.get(prefix);
    if (reason !== undefined) return `${prefix}: ${reason}`;
    if (end < 0) return undefined;
    end = path.indexOf(".", end + 1);
  }
}

/** True for `Class.method`-shaped attribute paths (an unbound method reached by qualified name). */
export function isUnboundMethodPath(name: string): boolean {
  const parts = name.split(".");
  if (parts.length < 2) return false;
  const last = parts[parts.length - 1];
  const owner = parts[parts.length - 2];
  return /^[A-Z]/.test(owner) && /^[a-z_]/.test(last) && !isDunder(last);
}

/** Classify one global. Never throws. */
export function classifyGlobal(module: string, name: string, ctx: RiskContext = {}): GlobalRisk {
  const mod = normaliseModule(module);
  const qualified = `${mod}.${name}`;
  const modParts = mod.split(".");
  const nameParts = name.split(".");
  if (!modParts.every((p) => IDENT.test(p)) || !nameParts.every((p) => IDENT.test(p))) {
    // Python would try to import it anyway; a name no Python identifier spells is an evasion attempt or corruption.
    return { risk: "suspicious", reason: "module or name is not a dotted Python identifier", qualified };
  }
  for (const p of [...modParts, ...nameParts]) {
    if (isDunder(p) && !ORDINARY_DUNDERS.has(p)) {
      return { risk: "dangerous", reason: `reaches the dunder attribute ${p} (interpreter internals)`, qualified };
    }
  }
  const direct = dangerousPrefix(qualified);
  if (direct !== undefined) return { risk: "dangerous", reason: direct, qualified };
  // `pathlib.os.system`: the name is an attribute path; a module reached through it counts as imported.
  for (let i = 0; i < nameParts.length - 1; i++) {
    const sub = nameParts.slice(i).join(".");
    const via = dangerousPrefix(normaliseModule(nameParts[i]) + sub.slice(nameParts[i].length));
    if (via !== undefined) return { risk: "dangerous", reason: `attribute path reaches ${via}`, qualified };
  }
  const leaf = nameParts[nameParts.length - 1];
  if (DANGEROUS_LEAF_NAMES.has(leaf) && !HARMLESS_EXCEPTIONS.has(qualified) && !SAFE_GLOBALS.has(qualified)) {
    return { risk: "dangerous", reason: `'${leaf}' runs code, commands or nested loads`, qualified };
  }
  if (SCANNED_NESTED_LOADERS.has(qualified)) {
    return { risk: "suspicious", reason: "loads nested bytes: judged by scanning them where it is called", qualified };
  }
  if (SAFE_GLOBALS.has(qualified)) return { risk: "safe", reason: "allowlisted reconstructor", qualified };
  if (ctx.torch === true && SAFE_TORCH_GLOBALS.has(qualified)) {
    return { risk: "safe", reason: "allowlisted PyTorch reconstructor", qualified };
  }
  if (ctx.joblib === true && SAFE_JOBLIB_GLOBALS.has(qualified)) {
    return { risk: "safe", reason: "allowlisted joblib array wrapper", qualified };
  }
  if (HARMLESS_EXCEPTIONS.has(qualified)) return { risk: "suspicious", reason: "not a reconstructor (pure function)", qualified };
  return { risk: "suspicious", reason: "not on the allowlist (unknown class or function)", qualified };
}
