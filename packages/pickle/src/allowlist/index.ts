/**
 * The allowlist: Python callables whose results the decoder builds as real
 * values (DESIGN.md section 7: only an explicit allowlist is reconstructed).
 * Keys are Python 3 qualified names (compat.ts maps Python 2 and numpy 2 names).
 */
import type { Reconstructor } from "../decode/options.js";
import { BUILTIN_CALLS, BUILTIN_NEW } from "./builtins.js";
import { NUMPY_CALLS } from "./numpy.js";

/** Callables reached by REDUCE: name -> reconstructor(args). */
export const ALLOWLIST_CALLS = new Map<string, Reconstructor>([...BUILTIN_CALLS, ...NUMPY_CALLS]);

/** Classes instantiated by NEWOBJ / copyreg._reconstructor (state follows by BUILD). */
export const ALLOWLIST_NEW = new Map<string, Reconstructor>([...BUILTIN_NEW]);

/** Every allowlisted name, for documentation and the scanner's "safe" list. */
export function allowlistedNames(): string[] {
  return [...new Set([...ALLOWLIST_CALLS.keys(), ...ALLOWLIST_NEW.keys()])].sort();
}
