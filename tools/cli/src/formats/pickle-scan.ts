import { type ByteSource, isCodecError, readAll } from "@codec/core";
import { detectCompression, disassemble, joblibPayload, reportToScanResult, scanPickle, unreadableReport } from "@codec/pickle";
import type { ScanResult } from "../adapter.js";

/**
 * `codec scan` and `codec inspect --opcodes` for pickle and joblib files
 * (DESIGN.md section 6): the adapters in pickle.ts / joblib.ts delegate here.
 * The scanner never executes anything; every stream of the file is scanned.
 */
export async function scanPickleSource(source: ByteSource, kind: "pickle" | "joblib"): Promise<ScanResult> {
  let bytes = await readAll(source);
  if (kind === "joblib" && detectCompression(bytes) !== "none") {
    try {
      bytes = joblibPayload(bytes).data;
    } catch (e) {
      // A file that cannot be decompressed cannot be scanned: never safe, and still a verdict, not a crash.
      if (!isCodecError(e)) throw e;
      return reportToScanResult(unreadableReport(e));
    }
  }
  const report = scanPickle(bytes, { joblib: kind === "joblib" });
  return reportToScanResult(report);
}

/** Flags `describe` understands (adapter.inspectFlags). */
export const PICKLE_INSPECT_FLAGS = ["--opcodes"] as const;

/** pickletools.dis-style lines for `inspect FILE --opcodes` (capped for huge files). */
export async function describePickleSource(source: ByteSource, flags: ReadonlySet<string>, kind: "pickle" | "joblib"): Promise<string[] | undefined> {
  if (!flags.has("--opcodes")) return undefined;
  let bytes = await readAll(source);
  if (kind === "joblib" && detectCompression(bytes) !== "none") bytes = joblibPayload(bytes).data;
  // joblib arrays sit inside the stream after their wrapper's BUILD: the scanner finds them, the listing skips them.
  const dataRegions = kind === "joblib" ? scanPickle(bytes, { joblib: true }).dataRegions : undefined;
  return disassemble(bytes, { maxLines: 100_000, dataRegions });
}
