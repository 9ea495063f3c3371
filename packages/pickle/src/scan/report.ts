/**
 * The scanner's report: every global imported or called, every symbolic
 * call, behavioural findings and parse errors, with opcode offsets, plus a
 * verdict. `mergeScanReports` combines reports of several pickles (torch
 * archives hold data.pkl, constants.pkl, ...; legacy files hold several
 * streams) into one.
 */
import { isCodecError, type JsonValue } from "@codec/core";
import { maxRisk, type Risk } from "./risk.js";

/** What every listed global and call carries: its risk and where the opcode behind it is. */
export interface ScanSite {
  risk: Risk;
  /** Byte offset of the opcode (GLOBAL, STACK_GLOBAL, INST, EXT* for a global; REDUCE, OBJ, ... for a call). */
  offset: number;
  opcode: string;
  reason?: string;
  /** Stream index inside the file (0 = first pickle); nested pickles use "0>3@120". */
  stream?: string;
  /** Which pickle of a container (e.g. "archive/data.pkl"). */
  source?: string;
}

export interface ScannedGlobal extends ScanSite {
  module: string;
  name: string;
}

export interface ScannedCall extends ScanSite {
  /** Symbolic rendering, e.g. `os.system('id')`. */
  call: string;
  callable: string;
}

/** A risk found from what the pickle does rather than which name it imports. */
export interface ScanFinding {
  risk: Risk;
  kind: string;
  message: string;
  offset: number;
  opcode?: string;
  stream?: string;
  source?: string;
}

export interface ScanErrorInfo {
  message: string;
  code: string;
  offset?: number;
  stream?: string;
  source?: string;
}

export interface StreamInfo {
  index: number;
  offset: number;
  end: number;
  protocol: number;
  opcodes: number;
  complete: boolean;
  source?: string;
}

export interface PickleScanReport {
  verdict: Risk;
  globals: ScannedGlobal[];
  calls: ScannedCall[];
  findings: ScanFinding[];
  errors: ScanErrorInfo[];
  streams: StreamInfo[];
  /** Sources merged into this report (container member names). */
  sources?: string[];
  /** Byte ranges inside the stream that are data, not opcodes (joblib inline arrays). */
  dataRegions?: DataRegion[];
}

export interface DataRegion {
  offset: number;
  length: number;
  what: string;
}

/** Append without spreading (a spread of many thousand records overflows the call stack). */
export function appendAll<T>(dst: T[], src: readonly T[]): void {
  for (let i = 0; i < src.length; i++) dst.push(src[i]);
}

/** Move every record of `src` into `dst` (verdict and streams excluded). */
export function appendRecords(dst: PickleScanReport, src: PickleScanReport): void {
  appendAll(dst.globals, src.globals);
  appendAll(dst.calls, src.calls);
  appendAll(dst.findings, src.findings);
  appendAll(dst.errors, src.errors);
}

export function emptyReport(): PickleScanReport {
  return { verdict: "safe", globals: [], calls: [], findings: [], errors: [], streams: [] };
}

/**
 * The report for a file that cannot be opened or unpacked at all (a broken
 * zip directory, a joblib stream that does not decompress): its error and
 * a `suspicious` verdict, so bad input still gets a verdict and is never
 * called safe.
 */
export function unreadableReport(e: unknown, source?: string): PickleScanReport {
  const r = emptyReport();
  if (isCodecError(e)) r.errors.push({ message: e.message, code: e.code, offset: e.offset, source });
  else r.errors.push({ message: e instanceof Error ? e.message : String(e), code: "CORRUPT", source });
  r.verdict = "suspicious";
  return r;
}

/** Verdict = the worst risk of any global, call or finding. */
export function computeVerdict(r: Omit<PickleScanReport, "verdict">, floor: Risk = "safe"): Risk {
  let v: Risk = floor;
  for (const g of r.globals) v = maxRisk(v, g.risk);
  for (const c of r.calls) v = maxRisk(v, c.risk);
  for (const f of r.findings) v = maxRisk(v, f.risk);
  return v;
}

/** Combine reports (e.g. every pickle of a torch archive): lists concatenate, the verdict is the worst. */
export function mergeScanReports(reports: readonly PickleScanReport[]): PickleScanReport {
  const out = emptyReport();
  const sources: string[] = [];
  let verdict: Risk = "safe";
  for (const r of reports) {
    appendRecords(out, r);
    appendAll(out.streams, r.streams);
    if (r.sources) appendAll(sources, r.sources);
    verdict = maxRisk(verdict, r.verdict);
  }
  out.verdict = verdict;
  if (sources.length > 0) out.sources = sources;
  return out;
}

function clean(o: object): { [k: string]: JsonValue } {
  const out: { [k: string]: JsonValue } = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v as JsonValue;
  return out;
}

/** The `scan --json` document: {"verdict", "globals", "calls", "findings", "errors", "streams"}. */
export function reportToJson(r: PickleScanReport): { [k: string]: JsonValue } {
  const doc: { [k: string]: JsonValue } = {
    verdict: r.verdict,
    globals: r.globals.map(clean),
    calls: r.calls.map(clean),
    findings: r.findings.map(clean),
    errors: r.errors.map(clean),
    streams: r.streams.map(clean),
  };
  if (r.sources) doc.sources = r.sources;
  return doc;
}

function where(x: { offset?: number; stream?: string; source?: string }): string {
  const parts: string[] = [];
  if (x.source !== undefined) parts.push(x.source);
  if (x.stream !== undefined && x.stream !== "0") parts.push(`stream ${x.stream}`);
  if (x.offset !== undefined) parts.push(`@${x.offset}`);
  return parts.join(" ");
}

/** Lines for people (`codec scan` without --json). */
export function reportToLines(r: PickleScanReport): string[] {
  const lines: string[] = [`verdict: ${r.verdict}`];
  if (r.globals.length > 0) {
    lines.push("globals:");
    for (const g of r.globals) lines.push(`  ${g.risk.padEnd(10)} ${g.module}.${g.name}  (${g.opcode} ${where(g)})${g.reason ? ` - ${g.reason}` : ""}`);
  }
  const risky = r.calls.filter((c) => c.risk !== "safe");
  if (risky.length > 0) {
    lines.push("calls:");
    for (const c of risky.slice(0, 200)) lines.push(`  ${c.risk.padEnd(10)} ${c.call}  (${c.opcode} ${where(c)})${c.reason ? ` - ${c.reason}` : ""}`);
    if (risky.length > 200) lines.push(`  ... ${risky.length - 200} more`);
  }
  if (r.findings.length > 0) {
    lines.push("findings:");
    for (const f of r.findings) lines.push(`  ${f.risk.padEnd(10)} ${f.kind}: ${f.message}  (${where(f)})`);
  }
  if (r.errors.length > 0) {
    lines.push("errors:");
    for (const e of r.errors) lines.push(`  ${e.code}: ${e.message}  (${where(e)})`);
  }
  return lines;
}

/** The CLI's ScanResult shape (tools/cli/src/adapter.ts): verdict, globals, extra JSON fields, lines. */
export interface ScanResultLike {
  verdict: Risk;
  globals: Array<{ module: string; name: string; risk: Risk; [key: string]: JsonValue }>;
  extra: { [key: string]: JsonValue };
  lines: string[];
}

/** A report as `codec scan` prints it: `--json` gets globals plus calls/findings/errors/streams. */
export function reportToScanResult(r: PickleScanReport): ScanResultLike {
  const doc = reportToJson(r);
  const { verdict: _v, globals, ...extra } = doc;
  return {
    verdict: r.verdict,
    globals: globals as ScanResultLike["globals"],
    extra,
    lines: reportToLines(r).slice(1),
  };
}
