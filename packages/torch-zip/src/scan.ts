import { type ByteInput, guardDecodeAsync, isCodecError, readAll, toByteSource } from "@codec/core";
import { mergeScanReports, type PickleScanReport, scanPickle, scanZip } from "@codec/pickle";
import { decodeLegacyPickles, looksLegacy, looksTar } from "./legacy-reader.js";
import { tarMembers } from "./legacy-tar.js";
import { looksZip } from "./torch-file.js";

/**
 * `codec scan` for every torch file kind: the pickles of the file are
 * scanned with the pickle package's scanner in torch mode (torch rebuild
 * functions, storage classes, dtypes, OrderedDict, torch.Size allowlisted,
 * as torch.load(weights_only=True) allows them; the scanner's torch list in
 * risk-rules.ts is the one list of torch names) and the reports merged.
 * Zip and TorchScript archives: every `*.pkl` record (data.pkl,
 * constants.pkl, ...) through the pickle package's `scanZip`, which
 * salvages the raw bytes of a member a strict reader refuses (CRC
 * mismatch, stray encryption flag) and never calls such an archive `safe`;
 * storages are not read. Legacy files: the five pickles before the storage
 * bytes.
 */
export function scanTorch(input: ByteInput): Promise<PickleScanReport> {
  return guardDecodeAsync("torch", async () => {
    const source = toByteSource(input);
    const head = await source.read(0, Math.min(source.byteLength, 512));
    if (looksZip(head)) return scanZip(source, { torch: true });
    const bytes = await readAll(source);
    if (looksLegacy(head)) {
      let end = bytes.length;
      try {
        end = decodeLegacyPickles(bytes).sections.keys[1];
      } catch (e) {
        // A file our decoder refuses is still scanned whole (the scanner stops at non-pickle bytes).
        if (!isCodecError(e)) throw e;
      }
      return scanPickle(bytes.subarray(0, end), { torch: true, source: "legacy" });
    }
    if (looksTar(head)) {
      // Pre-0.4 tar files: the object pickle and sys_info are whole pickles; the
      // storages/tensors members interleave small pickles with raw numbers.
      const members = tarMembers(bytes);
      const reports: PickleScanReport[] = [];
      for (const name of ["sys_info", "pickle"]) {
        const m = members.get(name);
        if (m !== undefined) reports.push(scanPickle(bytes.subarray(m.offset, m.offset + m.size), { torch: true, source: name }));
      }
      if (reports.length > 0) return mergeScanReports(reports);
    }
    return scanPickle(bytes, { torch: true });
  });
}
