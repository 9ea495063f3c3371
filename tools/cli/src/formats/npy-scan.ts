import { type ByteSource, isCodecError } from "@codec/core";
import { readNpyHeader } from "@codec/npy";
import type { ScanResult } from "../adapter.js";

/**
 * `codec scan` for .npy/.npz (DESIGN.md section 6 lists "numpy object
 * arrays" among the pickle-bearing inputs): an array whose dtype is object
 * ('O') stores a pickle after its header; any other dtype is plain
 * numbers and cannot run code. The pickle itself is not analysed here, so
 * an object array is reported as suspicious, never as safe.
 */
export async function npyHoldsPickle(source: ByteSource): Promise<boolean> {
  try {
    await readNpyHeader(source);
    return false;
  } catch (e) {
    // readNpyHeader refuses exactly object dtypes with UNSAFE.
    if (isCodecError(e) && e.code === "UNSAFE") return true;
    throw e;
  }
}

export function objectArrayScan(format: string, members: readonly string[]): ScanResult {
  if (members.length === 0) {
    return { verdict: "safe", globals: [], lines: [`no object arrays: ${format} data cannot contain code`] };
  }
  return {
    verdict: "suspicious",
    globals: [],
    extra: { object_arrays: [...members] },
    lines: members.map((m) => `object array ${m}: holds a pickle (not analysed; never load it with allow_pickle=True unless trusted)`),
  };
}
