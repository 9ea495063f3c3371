/**
 * Writing joblib files. joblib.load reads a plain pickle (its
 * NumpyUnpickler handles numpy's own reduce forms) and inflates files that
 * start with a zlib or gzip header, so a joblib file is written as a
 * pickle, compressed with zlib or gzip when asked. The inline
 * NumpyArrayWrapper layout is not reproduced.
 */
import { gzipSync, zlibSync } from "fflate";
import { type PicklableValue, type PickleOptions, pickle } from "../encode/pickler.js";
import type { JoblibCompression } from "./decompress.js";

export interface JoblibWriteOptions extends PickleOptions {
  /** Whole-file compression (default "none"); joblib's compress=3 uses level 3. */
  compression?: JoblibCompression;
  level?: 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9;
}

export function encodeJoblib(value: PicklableValue, options: JoblibWriteOptions = {}): Uint8Array {
  const { compression = "none", level = 3, ...pickleOptions } = options;
  const raw = pickle(value, pickleOptions);
  if (compression === "zlib") return zlibSync(raw, { level });
  if (compression === "gzip") return gzipSync(raw, { level });
  return raw;
}
