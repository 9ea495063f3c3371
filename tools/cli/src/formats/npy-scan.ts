import { type ByteSource, type JsonValue, MemorySource, type ZipArchive, type ZipEntry, isCodecError } from "@codec/core";
import { NPY_PRELUDE_BYTES, readNpyHeader, readNpyPrelude } from "@codec/npy";
import { type PickleScanReport, mergeScanReports, reportToJson, reportToLines, scanPickle } from "@codec/pickle";
import type { ScanGlobal, ScanResult } from "../adapter.js";

/**
 * `codec scan` for .npy/.npz (DESIGN.md section 6 lists "numpy object
 * arrays" among the pickle-bearing inputs): an array whose dtype is object
 * ('O') stores a pickle right after its header (numpy/lib/format.py
 * write_array); any other dtype is plain numbers and cannot run code.
 * Headers are checked first, so only object arrays are read and handed to
 * the pickle scanner (@codec/pickle scanPickle); nothing is unpickled.
 */

/** True when the .npy in `source` is an object array (its header is all that is read). */
export async function npyHoldsPickle(source: ByteSource): Promise<boolean> {
  try {
    await readNpyHeader(source);
    return false;
  } catch (e) {
    // readNpyHeader refuses exactly object dtypes with UNSAFE; other dtypes it cannot give
    // as tensors (strings, records, datetimes) are UNSUPPORTED there but hold no pickle.
    if (isCodecError(e) && e.code === "UNSAFE") return true;
    if (isCodecError(e) && e.code === "UNSUPPORTED") return false;
    throw e;
  }
}

/** Scan the pickle payload of an object-array .npy held in `bytes`. */
export function scanObjectArray(bytes: Uint8Array, label: string): PickleScanReport {
  const { dataOffset } = readNpyPrelude(bytes);
  return scanPickle(bytes.subarray(Math.min(dataOffset, bytes.length)), { source: label });
}

/** The bytes of a zip member's .npy header: read directly for stored members, inflated otherwise. */
export async function npzMemberHead(zip: ZipArchive, e: ZipEntry): Promise<Uint8Array> {
  if (e.method !== 0 || e.compressedSize !== e.size) return zip.read(e);
  const first = await zip.source.read(e.dataOffset, Math.min(NPY_PRELUDE_BYTES, e.size));
  const { dataOffset } = readNpyPrelude(first, { baseOffset: e.dataOffset });
  return zip.source.read(e.dataOffset, Math.min(dataOffset, e.size));
}

/** Scan every object-array member of an .npz (other members are numbers). */
export async function scanNpzMembers(zip: ZipArchive): Promise<{ report: PickleScanReport; members: string[] }> {
  const reports: PickleScanReport[] = [];
  const members: string[] = [];
  for (const e of zip.entries) {
    if (!e.name.endsWith(".npy")) continue;
    if (!(await npyHoldsPickle(new MemorySource(await npzMemberHead(zip, e))))) continue;
    members.push(e.name.slice(0, -4));
    reports.push(scanObjectArray(await zip.read(e), e.name));
  }
  return { report: mergeScanReports(reports), members };
}

/** The CLI's ScanResult for a .npy/.npz, given the pickle report of its object arrays. */
export function objectArrayScan(format: string, members: readonly string[], report: PickleScanReport | undefined): ScanResult {
  if (members.length === 0 || report === undefined) {
    return { verdict: "safe", globals: [], lines: [`no object arrays: ${format} data cannot contain code`] };
  }
  const { verdict: _v, globals, ...rest } = reportToJson(report);
  const extra: { [key: string]: JsonValue } = { object_arrays: [...members], ...rest };
  // reportToLines starts with "verdict: ..."; the CLI prints the verdict itself.
  const lines = [`object arrays (pickles): ${members.join(", ")}`, ...reportToLines(report).slice(1)];
  return { verdict: report.verdict, globals: globals as ScanGlobal[], extra, lines };
}
