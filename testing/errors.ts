import { type CodecError, isCodecError } from "@codec/core";

/**
 * What a call does under DESIGN.md section 7, as one string for
 * assertions: "ok", a CodecError's code, or "non-codec <error>" (always a
 * contract violation).
 */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return isCodecError(e) ? e.code : `non-codec ${String(e)}`;
  }
  return "ok";
}

/** The CodecError a call throws, as code and message ("ok" when it returns); other errors propagate. */
export function errorOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (isCodecError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  return { code: "ok", message: "" };
}

/** The CodecError a call must throw; a return or another error fails the test. */
export function codecErrorOf(fn: () => unknown): CodecError {
  try {
    fn();
  } catch (e) {
    if (isCodecError(e)) return e;
    throw e;
  }
  throw new Error("expected a CodecError");
}
