/**
 * The one error type every decoder throws (DESIGN.md section 7).
 * A decoder is total: any input gives a value or a CodecError, never a
 * RangeError/TypeError. `code` is machine-readable; `format` and `offset`
 * locate the problem for people.
 */
export type ErrorCode = "TRUNCATED" | "BAD_MAGIC" | "CORRUPT" | "UNSUPPORTED" | "LIMIT" | "UNSAFE" | "USAGE" | "IO";

export const ERROR_CODES: readonly ErrorCode[] = [
  "TRUNCATED",
  "BAD_MAGIC",
  "CORRUPT",
  "UNSUPPORTED",
  "LIMIT",
  "UNSAFE",
  "USAGE",
  "IO",
];

export interface CodecErrorOptions {
  /** Byte offset in the input where the problem was found. */
  offset?: number;
  /** Format-specific detail name, e.g. the reference implementation's error name. */
  detail?: string;
  cause?: unknown;
}

export class CodecError extends Error {
  /** Tag for `isCodecError`, which survives realms and duplicate package copies. */
  readonly _tag = "CodecError" as const;
  readonly code: ErrorCode;
  readonly format: string;
  readonly offset: number | undefined;
  readonly detail: string | undefined;

  constructor(code: ErrorCode, format: string, message: string, options: CodecErrorOptions = {}) {
    const where = options.offset === undefined ? "" : ` at offset 0x${options.offset.toString(16)}`;
    super(`${format}: ${message}${where}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "CodecError";
    this.code = code;
    this.format = format;
    this.offset = options.offset;
    this.detail = options.detail;
  }
}

export function isCodecError(value: unknown): value is CodecError {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as { _tag?: unknown })._tag === "CodecError" &&
    typeof (value as { code?: unknown }).code === "string"
  );
}

/** Throw helper that keeps call sites to one line. */
export function fail(code: ErrorCode, format: string, message: string, options?: CodecErrorOptions): never {
  throw new CodecError(code, format, message, options);
}

/**
 * Runs `fn` and turns any stray JavaScript error (RangeError from a DataView,
 * a stack overflow, ...) into a CodecError. Decoders wrap their public entry
 * points with this as a last line of defence; the checks inside them should
 * make it unreachable.
 */
export function guardDecode<T>(format: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    throw asCodecError(format, e);
  }
}

export async function guardDecodeAsync<T>(format: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw asCodecError(format, e);
  }
}

export function asCodecError(format: string, e: unknown): CodecError {
  if (isCodecError(e)) return e;
  if (e instanceof RangeError && /call stack/i.test(e.message)) {
    return new CodecError("LIMIT", format, "input nests too deeply", { cause: e });
  }
  // An allocation the engine refused (V8: "Array buffer allocation failed",
  // "Invalid typed array length: 1e12"); a negative length is a corrupt size.
  if (e instanceof RangeError && /allocation failed|invalid (typed )?array( buffer)? length(?!: -)/i.test(e.message)) {
    return new CodecError("LIMIT", format, `input needs more memory than is available (${e.message})`, { cause: e });
  }
  if (e instanceof RangeError || e instanceof TypeError) {
    return new CodecError("CORRUPT", format, `malformed input (${e.message})`, { cause: e });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new CodecError("CORRUPT", format, message, { cause: e });
}
