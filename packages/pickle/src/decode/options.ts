/**
 * Options and hooks of `unpickle` (the decoder API that torch-zip, the
 * scanner and the disassembler build on).
 */
import type { OpcodeInfo } from "../opcodes.js";
import type { PyGlobal, PyObject, PyValue } from "../model.js";

/**
 * An allowlisted reconstructor: gets the call's arguments (and the inert
 * PyObject that stands for the call) and returns the real value, or
 * undefined to leave the object inert. A returned PyReconstructed receives
 * BUILD state through its `build` method and items through `append`/`setItem`.
 */
export type Reconstructor = (args: PyValue[], obj: PyObject) => PyValue | undefined;

/** Observers for tools that must see every import and every call (the scanner). */
export interface UnpickleHooks {
  /** Every global the stream names: GLOBAL, STACK_GLOBAL, INST, EXT1/2/4. */
  onGlobal?(g: PyGlobal, offset: number, opcode: string): void;
  /** Every call: REDUCE, NEWOBJ, NEWOBJ_EX, INST, OBJ (before reconstruction). */
  onCall?(callable: PyValue, args: PyValue[], offset: number, opcode: string): void;
  /** Every BUILD, before the state is applied. */
  onBuild?(target: PyValue, state: PyValue, offset: number): void;
  /** Every opcode, before it runs; `stackDepth` counts values above all marks' bases. */
  onOpcode?(op: OpcodeInfo, offset: number, stackDepth: number): void;
  /** Every memo store (PUT, BINPUT, LONG_BINPUT, MEMOIZE). */
  onMemo?(index: number, value: PyValue, offset: number): void;
}

export interface UnpickleOptions {
  /** Resolves PERSID/BINPERSID ids; without it they become PyPersistent values. */
  persistentLoad?(pid: PyValue): PyValue;
  /** Out-of-band buffers for NEXT_BUFFER (protocol 5), consumed in order. */
  buffers?: Iterable<Uint8Array>;
  /** The copyreg extension registry for EXT1/EXT2/EXT4: code -> [module, name]. */
  extensions?: ReadonlyMap<number, readonly [string, string]>;
  /** Additions to the allowlist, keyed "module.name" (Python 3 names). */
  reconstructors?: Readonly<Record<string, Reconstructor>>;
  /** Build allowlisted values (default true); false keeps every call inert. */
  reconstruct?: boolean;
  hooks?: UnpickleHooks;
  /** Maximum MARK nesting (default 10000). */
  maxDepth?: number;
  /** Maximum memo entries (default 50 million). */
  maxMemo?: number;
  /** Maximum input bytes one pickle may span (default: no limit beyond the input). */
  maxBytes?: number;
  /**
   * How Python 2 STRING/BINSTRING values decode, as pickle.load(encoding=...):
   * "ASCII" (default; non-ASCII is an error), "latin1", "utf-8", or "bytes" (keep bytes).
   */
  encoding?: "ASCII" | "latin1" | "utf-8" | "bytes";
}

export interface ResolvedOptions {
  persistentLoad: ((pid: PyValue) => PyValue) | undefined;
  buffers: Iterator<Uint8Array> | undefined;
  extensions: ReadonlyMap<number, readonly [string, string]> | undefined;
  reconstructors: Readonly<Record<string, Reconstructor>> | undefined;
  reconstruct: boolean;
  hooks: UnpickleHooks | undefined;
  maxDepth: number;
  maxMemo: number;
  maxBytes: number;
  encoding: "ASCII" | "latin1" | "utf-8" | "bytes";
}

export function resolveOptions(o: UnpickleOptions = {}): ResolvedOptions {
  return {
    persistentLoad: o.persistentLoad,
    buffers: o.buffers === undefined ? undefined : o.buffers[Symbol.iterator](),
    extensions: o.extensions,
    reconstructors: o.reconstructors,
    reconstruct: o.reconstruct ?? true,
    hooks: o.hooks,
    maxDepth: o.maxDepth ?? 10_000,
    maxMemo: o.maxMemo ?? 50_000_000,
    maxBytes: o.maxBytes ?? Number.MAX_SAFE_INTEGER,
    encoding: o.encoding ?? "ASCII",
  };
}
