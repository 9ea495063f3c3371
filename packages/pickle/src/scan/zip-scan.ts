/**
 * Scanning pickles inside zip containers (PyTorch archives, npz object
 * arrays, pickles zipped by hand). A strict reader refuses members with a
 * bad CRC, a stray "encrypted" flag bit or a local name that differs from
 * the central directory, but the loaders attackers target (torch's miniz
 * reader, Python's zipfile with relaxed checks) may still read them, so
 * the scanner salvages the raw member bytes and scans them anyway
 * (picklescan malicious1_0x1/_0x20/_0x40/_crc/_central_directory vectors).
 * Members that cannot be read at all make the verdict at least suspicious:
 * an unscannable file is never `safe`.
 */
import { type ByteSource, openZip, toByteSource, type ZipArchive } from "@codec/core";
import { looksLikePickle } from "./heuristics.js";
import { latin1String } from "./op-reader.js";
import { computeVerdict, emptyReport, mergeScanReports, type PickleScanReport, unreadableReport } from "./report.js";
import { type ScanPickleOptions, scanPickle } from "./scan-pickle.js";

/** The pickle inside an object-dtype .npy (format spec: magic, version, header dict, then a pickle), or null. */
export function npyPicklePayload(bytes: Uint8Array): Uint8Array | null {
  if (bytes.length < 10 || bytes[0] !== 0x93 || latin1String(bytes.subarray(1, 6)) !== "NUMPY") return null;
  const major = bytes[6];
  const wide = major >= 2;
  const hlen = wide ? bytes[8] | (bytes[9] << 8) | (bytes[10] << 16) | (bytes[11] << 24) : bytes[8] | (bytes[9] << 8);
  const start = wide ? 12 : 10;
  if (hlen < 0 || start + hlen > bytes.length) return null;
  const header = latin1String(bytes.subarray(start, start + hlen));
  // Object arrays are the only .npy payloads that are pickles (numpy.lib.format.write_array).
  if (!/'descr'\s*:\s*'\|?O/.test(header)) return null;
  return bytes.subarray(start + hlen);
}

/** Raw-deflate a salvaged member with the platform's DecompressionStream; null when it fails or inflates past `limit`. */
async function inflateRaw(data: Uint8Array, limit: number): Promise<Uint8Array | null> {
  if (typeof DecompressionStream !== "function") return null;
  let total = 0;
  // Counts as it streams, so a zip bomb stops at the limit instead of filling memory.
  const cap = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, ctl) {
      total += chunk.length;
      if (total > limit) ctl.error(new RangeError(`inflated member exceeds ${limit} bytes`));
      else ctl.enqueue(chunk);
    },
  });
  try {
    const stream = new Blob([data.slice()]).stream().pipeThrough(new DecompressionStream("deflate-raw")).pipeThrough(cap);
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch {
    return null;
  }
}

export interface ScanZipOptions extends ScanPickleOptions {
  /** Largest member to salvage or inflate when the strict reader refuses it (default 1 GiB). */
  maxMemberSize?: number;
}

/** True when the member names look like a PyTorch zip checkpoint or TorchScript archive. */
export function looksLikeTorchArchive(names: readonly string[]): boolean {
  return names.some((n) => /(^|\/)data\.pkl$/.test(n)) && names.some((n) => /(^|\/)(version|\.data\/version)$/.test(n));
}

/** Scan every pickle member of a zip archive and merge the reports. */
export async function scanZip(input: ByteSource | Uint8Array, options: ScanZipOptions = {}): Promise<PickleScanReport> {
  const source = input instanceof Uint8Array ? toByteSource(input) : input;
  const limit = options.maxMemberSize ?? 1 << 30;
  let zip: ZipArchive;
  try {
    zip = await openZip(source);
  } catch (e) {
    return unreadableReport(e, options.source);
  }
  const torch = options.torch ?? looksLikeTorchArchive(zip.names());
  const reports: PickleScanReport[] = [];
  const notes = emptyReport();
  let scanned = 0;
  for (const entry of zip.entries) {
    if (entry.name.endsWith("/")) continue;
    const label = options.source !== undefined ? `${options.source}:${entry.name}` : entry.name;
    let data: Uint8Array | null = null;
    try {
      data = await zip.read(entry);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      if (entry.compressedSize <= limit && entry.dataOffset + entry.compressedSize <= source.byteLength) {
        const raw = await source.read(entry.dataOffset, entry.compressedSize);
        data = entry.method === 0 ? raw : entry.method === 8 ? await inflateRaw(raw, limit) : null;
      }
      const salvaged = data !== null && (looksLikePickle(data) || npyPicklePayload(data) !== null);
      notes.findings.push({
        risk: "suspicious",
        kind: "malformed-member",
        message: salvaged ? `member refused by a strict reader (${why}); its raw bytes were scanned` : `member cannot be read (${why}); not scanned`,
        offset: entry.localHeaderOffset,
        source: label,
      });
      if (!salvaged) continue;
    }
    if (data === null) continue;
    const npy = /\.npy$/i.test(entry.name) ? npyPicklePayload(data) : null;
    // In torch archives only *.pkl members are pickles; tensor storages under data/ are raw numbers.
    const isPickle = npy !== null || /\.(pkl|pickle)$/i.test(entry.name) || (!torch && looksLikePickle(data));
    if (!isPickle) continue;
    scanned++;
    reports.push(scanPickle(npy ?? data, { ...options, torch, source: label }));
  }
  notes.verdict = computeVerdict(notes);
  const merged = mergeScanReports([notes, ...reports]);
  if (scanned === 0 && notes.findings.length > 0) merged.verdict = merged.verdict === "safe" ? "suspicious" : merged.verdict;
  return merged;
}
