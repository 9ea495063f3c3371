/**
 * `scanPickle`: scan every pickle stream in a byte string (pickle.load
 * called repeatedly reads streams one after another, so everything after
 * the first STOP is scanned too), recursively scanning pickles nested in
 * call arguments, and give one report with a verdict.
 */
import { guardDecode } from "@codec/core";
import { PICKLE_FORMAT } from "./op-reader.js";
import { appendRecords, computeVerdict, emptyReport, type PickleScanReport } from "./report.js";
import { maxRisk, type Risk, type RiskContext } from "./risk.js";
import { scanStream } from "./symbolic-vm.js";

export interface ScanPickleOptions extends RiskContext {
  /** Name of this pickle inside its container (e.g. "archive/data.pkl"), copied into every record. */
  source?: string;
  /** Streams to scan before giving up (default 4096). */
  maxStreams?: number;
  /** How deep to follow pickles nested in call arguments (default 3). */
  maxNesting?: number;
  /**
   * When the input does not start with a pickle, look for protocol 2+ pickles embedded in it (archives that
   * store members uncompressed, e.g. LZMA2 "uncompressed" chunks in 7z) and scan those. Default true.
   */
  carve?: boolean;
  /**
   * The `encoding` the loader passes to pickle.load for Python 2 str (default "ASCII", as pickle.loads):
   * with "ASCII", a non-ASCII Python 2 str makes the file suspicious, since the loader fails there.
   */
  py2Encoding?: "ASCII" | "latin1" | "bytes" | "utf-8";
  /** Cap on recorded safe globals/calls (risky ones are always recorded). */
  maxRecords?: number;
}

function isPadding(bytes: Uint8Array, from: number): boolean {
  for (let i = from; i < bytes.length; i++) {
    const c = bytes[i];
    if (c !== 0x0a && c !== 0x0d && c !== 0x20 && c !== 0x09 && c !== 0) return false;
  }
  return true;
}

/** Work limits shared by one top-level scan and every pickle nested in it. */
interface Budget {
  nestedBytes: number;
  seen: Set<Uint8Array>;
}

/** Bytes of nested pickles scanned per top-level scan before the rest are only reported. */
const NESTED_BYTES_BUDGET = 64 * 1024 * 1024;

function scanInto(bytes: Uint8Array, report: PickleScanReport, opts: ScanPickleOptions, label: string, depth: number, budget: Budget): Risk {
  const maxStreams = opts.maxStreams ?? 4096;
  const maxNesting = opts.maxNesting ?? 3;
  let floor: Risk = "safe";
  const g0 = report.globals.length;
  const c0 = report.calls.length;
  const f0 = report.findings.length;
  let pos = 0;
  let legacy = false;
  let storagesAt = -1;
  let ctx: ScanPickleOptions = opts;
  for (let index = 0; index < maxStreams && pos < bytes.length; index++) {
    if (index > 0 && isPadding(bytes, pos)) {
      report.findings.push({ risk: "safe", kind: "trailing-padding", message: `${bytes.length - pos} whitespace/NUL bytes after the last STOP`, offset: pos, source: opts.source });
      break;
    }
    const stream = label === "" ? String(index) : `${label}.${index}`;
    const res = scanStream(bytes, pos, report, {
      ctx,
      stream,
      source: opts.source,
      maxRecords: opts.maxRecords,
      py2Encoding: opts.py2Encoding,
      nested:
        depth < maxNesting
          ? (blob, nestedLabel) => {
              // The same bytes object passed to many calls is scanned once; a flood of big blobs stops at the budget.
              if (budget.seen.has(blob)) return undefined;
              if (budget.nestedBytes + blob.length > NESTED_BYTES_BUDGET) return "suspicious";
              budget.seen.add(blob);
              budget.nestedBytes += blob.length;
              const sub = emptyReport();
              const r = scanInto(blob, sub, opts, nestedLabel, depth + 1, budget);
              appendRecords(report, sub);
              return r;
            }
          : undefined,
    });
    if (depth === 0) {
      report.streams.push({ index, offset: pos, end: res.end, protocol: res.protocol, opcodes: res.opcodes, complete: res.complete, source: opts.source });
    }
    if (res.error !== undefined && storagesAt >= 0) {
      report.findings.push({ risk: "safe", kind: "torch-legacy-storages", message: `${bytes.length - storagesAt} bytes after the 5 pickles of a legacy torch file are tensor storages (read raw by torch.load, never unpickled)`, offset: storagesAt, source: opts.source });
      break;
    }
    if (res.error !== undefined) {
      const e = res.error;
      report.errors.push({ message: e.message, code: e.code, offset: e.offset, stream, source: opts.source });
      // A pickle the loader cannot finish is never safe: what it did before the error still happened.
      floor = "suspicious";
      if (index > 0) {
        report.findings.push({ risk: "suspicious", kind: "trailing-data", message: `bytes after STOP at ${pos} are not a valid pickle (a loader reading on would diverge)`, offset: pos, stream, source: opts.source });
      }
      break;
    }
    if (res.end <= pos) break;
    pos = res.end;
    if (index === 0 && res.value === TORCH_LEGACY_MAGIC) {
      // torch.serialization legacy format: magic, protocol version, sys info, the object, storage keys,
      // then raw storage bytes that torch.load reads with f.read, never unpickles.
      legacy = true;
      ctx = { ...ctx, torch: true };
    }
    // After the storage keys, keep reading: a pickle hidden there runs under any loader that calls
    // pickle.load again; bytes that are not a pickle are the storages themselves.
    if (legacy && index === 4) storagesAt = pos;
  }
  if (depth === 0 && opts.carve !== false && report.streams.length > 0 && report.streams[0].opcodes <= 1 && !report.streams[0].complete) {
    carve(bytes, report, opts);
  }
  if (bytes.length === 0) {
    report.errors.push({ message: "empty input: no pickle", code: "TRUNCATED", offset: 0, source: opts.source });
    floor = "suspicious";
  }
  let v: Risk = floor;
  for (let i = g0; i < report.globals.length; i++) v = maxRisk(v, report.globals[i].risk);
  for (let i = c0; i < report.calls.length; i++) v = maxRisk(v, report.calls[i].risk);
  for (let i = f0; i < report.findings.length; i++) v = maxRisk(v, report.findings[i].risk);
  return v;
}

const MAX_CARVES = 256;

/** torch.serialization MAGIC_NUMBER, the first pickle of a legacy (pre-zip) torch file. */
/** torch/serialization.py MAGIC_NUMBER: the first pickle of a legacy torch.save file. */
export const TORCH_LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

/** Scan embedded `PROTO n` pickles that run to a STOP; their records join the report under stream "carved@off". */
function carve(bytes: Uint8Array, report: PickleScanReport, opts: ScanPickleOptions): void {
  let tries = 0;
  for (let i = 1; i + 2 < bytes.length && tries < MAX_CARVES; i++) {
    if (bytes[i] !== 0x80 || bytes[i + 1] < 2 || bytes[i + 1] > 5) continue;
    tries++;
    const sub = emptyReport();
    const res = scanStream(bytes, i, sub, { ctx: opts, stream: `carved@${i}`, source: opts.source, maxRecords: opts.maxRecords });
    if (!res.complete || res.opcodes < 3) continue;
    appendRecords(report, sub);
    report.findings.push({ risk: "suspicious", kind: "embedded-pickle", message: `a pickle of ${res.end - i} bytes is embedded at offset ${i} of a non-pickle file`, offset: i, source: opts.source });
    i = res.end - 1;
  }
}

/**
 * Scan a pickle (or several concatenated) without executing anything.
 * Total: any bytes give a report; only a CodecError can escape (never for
 * ordinary bad input, which lands in `errors`).
 */
export function scanPickle(bytes: Uint8Array, options: ScanPickleOptions = {}): PickleScanReport {
  return guardDecode(PICKLE_FORMAT, () => {
    const report = emptyReport();
    const floor = scanInto(bytes, report, options, "", 0, { nestedBytes: 0, seen: new Set() });
    report.verdict = computeVerdict(report, floor);
    if (options.source !== undefined) report.sources = [options.source];
    return report;
  });
}
