import { type ByteInput, guardDecodeAsync, isCodecError, openZip, readAll, toByteSource } from "@codec/core";
import { computeVerdict, mergeScanReports, type PickleScanReport, scanPickle } from "@codec/pickle";
import { decodeLegacyPickles, looksLegacy, looksTar } from "./legacy-reader.js";
import { tarMembers } from "./legacy-tar.js";
import { looksZip } from "./torch-file.js";

/**
 * Globals that torch files use and that are harmless, beyond the pickle
 * scanner's torch allowlist: what torch/_weights_only_unpickler.py
 * `_get_allowed_globals` also allows (the sparse layout lookup), the
 * quantization schemes that `_rebuild_qtensor` takes (constants), and
 * `argparse.Namespace`, which training scripts store as `args` and whose
 * constructor only sets attributes from its keyword arguments.
 */
export const TORCH_EXTRA_SAFE: ReadonlySet<string> = new Set([
  "torch.serialization._get_layout",
  "torch.per_tensor_affine",
  "torch.per_channel_affine",
  "torch.per_tensor_symmetric",
  "torch.per_channel_symmetric",
  "torch.per_channel_affine_float_qparams",
  "torch.sparse_csr",
  "torch.sparse_csc",
  "torch.sparse_bsr",
  "torch.sparse_bsc",
  "argparse.Namespace",
]);

/** Apply TORCH_EXTRA_SAFE to a merged report and recompute the verdict. */
export function applyTorchPolicy(report: PickleScanReport): PickleScanReport {
  for (const g of report.globals) {
    if (g.risk !== "safe" && TORCH_EXTRA_SAFE.has(`${g.module}.${g.name}`)) {
      g.risk = "safe";
      g.reason = "allowed in torch files";
    }
  }
  for (const c of report.calls) {
    if (c.risk !== "safe" && TORCH_EXTRA_SAFE.has(c.callable)) {
      c.risk = "safe";
      c.reason = "allowed in torch files";
    }
  }
  // The scanner's floor: a pickle that cannot be read to the end is never safe.
  report.verdict = computeVerdict(report, report.errors.length > 0 ? "suspicious" : "safe");
  return report;
}

/**
 * `codec scan` for every torch file kind: the pickles of the file are
 * scanned with the pickle package's scanner in torch mode (torch rebuild
 * functions, storage classes, dtypes, OrderedDict, torch.Size allowlisted,
 * as torch.load(weights_only=True) allows them) and the reports merged.
 * Zip and TorchScript archives: every `*.pkl` record (data.pkl,
 * constants.pkl, ...); storages are not read. Legacy files: the five
 * pickles before the storage bytes.
 */
export function scanTorch(input: ByteInput): Promise<PickleScanReport> {
  return guardDecodeAsync("torch", async () => {
    const source = toByteSource(input);
    const head = await source.read(0, Math.min(source.byteLength, 512));
    if (looksZip(head)) {
      const archive = await openZip(source, { format: "torch" });
      const reports: PickleScanReport[] = [];
      for (const entry of archive.entries) {
        if (!/\.pkl$/.test(entry.name)) continue;
        reports.push(scanPickle(await archive.read(entry), { torch: true, source: entry.name }));
      }
      return applyTorchPolicy(mergeScanReports(reports));
    }
    const bytes = await readAll(source);
    if (looksLegacy(head)) {
      let end = bytes.length;
      try {
        end = decodeLegacyPickles(bytes).sections.keys[1];
      } catch (e) {
        // A file our decoder refuses is still scanned whole (the scanner stops at non-pickle bytes).
        if (!isCodecError(e)) throw e;
      }
      return applyTorchPolicy(scanPickle(bytes.subarray(0, end), { torch: true, source: "legacy" }));
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
      if (reports.length > 0) return applyTorchPolicy(mergeScanReports(reports));
    }
    return applyTorchPolicy(scanPickle(bytes, { torch: true }));
  });
}
