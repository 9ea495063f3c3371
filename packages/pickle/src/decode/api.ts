/**
 * Public decode entry points. Every one is total (DESIGN.md section 7):
 * it returns a value or throws a CodecError with code, format and offset.
 */
import { fail, guardDecode } from "@codec/core";
import type { PyValue } from "../model.js";
import type { UnpickleOptions } from "./options.js";
import { type StreamExtension, type UnpickleResult, unpickleAt as runAt } from "./unpickler.js";

/** Decodes the pickle at the start of `bytes` (like pickle.loads; trailing bytes are ignored). */
export function unpickle(bytes: Uint8Array, options?: UnpickleOptions): PyValue {
  return guardDecode("pickle", () => runAt(bytes, 0, options).value);
}

/**
 * Decodes one pickle starting at `offset` and says where it ended, for
 * streams of concatenated pickles (torch's legacy format, joblib).
 */
export function unpickleAt(bytes: Uint8Array, offset: number, options?: UnpickleOptions, extension?: StreamExtension): UnpickleResult {
  return guardDecode("pickle", () => {
    if (!(offset >= 0 && offset <= bytes.length)) fail("USAGE", "pickle", `offset ${offset} outside ${bytes.length} bytes`);
    return runAt(bytes, offset, options, extension);
  });
}

/** Decodes every pickle of a stream of concatenated pickles until the bytes end. */
export function unpickleAll(bytes: Uint8Array, options?: UnpickleOptions): PyValue[] {
  return guardDecode("pickle", () => {
    const out: PyValue[] = [];
    if (bytes.length === 0) fail("TRUNCATED", "pickle", "empty pickle data", { offset: 0 });
    let pos = 0;
    while (pos < bytes.length) {
      const r = runAt(bytes, pos, options);
      out.push(r.value);
      pos = r.end;
    }
    return out;
  });
}
