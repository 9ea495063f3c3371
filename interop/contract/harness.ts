import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * The contract suite's plumbing: make fresh inputs with the real Python
 * libraries (tools/fixtures/contract/make.py), drive the built `codec` CLI
 * the way DESIGN.md section 6 describes it, and turn every deviation into a
 * readable problem line ("tensor 'x': dtype expected float32, got float64").
 */
export const ROOT = join(import.meta.dirname, "..", "..");
export const BIN = join(ROOT, "tools", "cli", "bin", "codec.mjs");
export const FIXTURES = join(ROOT, "tools", "fixtures", "contract");
export const PYTHON = "/usr/bin/python3";

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface ExpectedTensor {
  name: string;
  dtype: string;
  shape: number[];
  sha256?: string;
}

export interface AmbiguousTensor {
  where: string;
  dtype: string;
  shape: number[];
  sha256: string;
}

export interface Case {
  id: string;
  file: string;
  kind: string;
  format: string;
  inspect?: boolean;
  expect?: { tensors: ExpectedTensor[]; ambiguous: AmbiguousTensor[] };
  oracleError?: string;
  metadata?: Record<string, string>;
  mustHave?: string[];
  scan?: "safe" | "suspicious" | "dangerous";
  scanNot?: string;
  scanGlobal?: [string, string];
}

export interface ConvertJob {
  id: string;
  steps: [string, string][];
  mode: "same" | "carry" | "carry-or-refuse";
  inKind?: string;
  outKind?: string;
  metadata?: Record<string, string>;
}

export interface BadInput {
  id: string;
  file: string;
}

export interface Manifest {
  dir: string;
  cases: Case[];
  converts: ConvertJob[];
  bad: BadInput[];
}

/** Generate a family's inputs synchronously (at collection time, so the tests can be listed per case). */
export function generate(family: string): Manifest {
  const dir = mkdtempSync(join(tmpdir(), `codec-contract-${family}-`));
  const out = execFileSync(PYTHON, ["-B", join(FIXTURES, "make.py"), family, dir], {
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return { dir, ...(JSON.parse(out) as Omit<Manifest, "dir">) };
}

export function cleanup(m: Manifest): void {
  rmSync(m.dir, { recursive: true, force: true });
}

/** Builds the CLI and what it depends on when its dist is missing (another helper may be mid-build). */
export function ensureBuilt(): void {
  if (existsSync(join(ROOT, "tools", "cli", "dist", "index.js"))) return;
  try {
    execFileSync("npx", ["turbo", "run", "build", "--filter=@codec/cli..."], { cwd: ROOT, stdio: "ignore" });
  } catch {
    // Reported by the tests themselves: every CLI call then fails with a clear status.
  }
}

/**
 * Runs the built CLI. Other helpers rebuild packages while this suite runs;
 * a dist that is missing for a moment (ERR_MODULE_NOT_FOUND under a dist/
 * path) is waited out and retried instead of being reported as a violation.
 */
export async function codec(args: readonly string[], cwd = ROOT): Promise<Run> {
  for (let attempt = 0; ; attempt++) {
    const r = await codecOnce(args, cwd);
    if (attempt >= 30 || !/ERR_MODULE_NOT_FOUND[\s\S]*\/dist\//.test(r.stderr)) return r;
    await new Promise((res) => setTimeout(res, 10_000));
  }
}

function codecOnce(args: readonly string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      const status = err ? (typeof err.code === "number" ? err.code : null) : 0;
      resolve({ status, stdout, stderr });
    });
  });
}

/** Runs `fn` over `items` with at most `n` in flight. */
export async function pool<T, R>(items: readonly T[], n: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return out;
}

/** Python-side checks of convert outputs (tools/fixtures/contract/check.py). */
export function pythonCheck(dir: string, jobs: object[]): Promise<Record<string, string[]>> {
  const file = join(dir, `check-${Date.now()}-${Math.random().toString(16).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(jobs));
  return new Promise((resolve, reject) => {
    execFile(PYTHON, ["-B", join(FIXTURES, "check.py"), file], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`check.py failed: ${stderr.trim().split("\n").slice(-3).join(" | ")}`));
      else resolve(JSON.parse(stdout) as Record<string, string[]>);
    });
  });
}

const STACK = /\n\s+at .+[:(]\d+/;

/** DESIGN.md section 6: an error is one line `codec: ...` on stderr, no stack trace; "internal error" means a leaked non-CodecError. */
export function errorLineProblems(what: string, r: Run, status: number): string[] {
  const p: string[] = [];
  if (r.status !== status) p.push(`${what}: exit status expected ${status}, got ${r.status}${r.stderr ? ` (stderr: ${firstLine(r.stderr)})` : ""}`);
  if (!/^codec: [^\n]+\n$/.test(r.stderr)) p.push(`${what}: stderr expected one line 'codec: ...', got ${JSON.stringify(r.stderr.slice(0, 300))}`);
  if (STACK.test(r.stderr)) p.push(`${what}: stack trace on stderr`);
  if (/internal error/.test(r.stderr)) p.push(`${what}: leaked a non-CodecError (${firstLine(r.stderr)})`);
  return p;
}

export function firstLine(s: string): string {
  const line = s.trim().split("\n")[0] ?? "";
  return line.length > 300 ? `${line.slice(0, 300)}...` : line;
}

export function parseOne(what: string, r: Run, problems: string[]): Record<string, unknown> | undefined {
  try {
    const doc = JSON.parse(r.stdout) as unknown;
    if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
      problems.push(`${what}: stdout is JSON but not an object`);
      return undefined;
    }
    return doc as Record<string, unknown>;
  } catch {
    problems.push(`${what}: stdout is not exactly one JSON document: ${JSON.stringify(r.stdout.slice(0, 200))}`);
    return undefined;
  }
}

export function cap(problems: string[], max = 25): string[] {
  return problems.length <= max ? problems : [...problems.slice(0, max), `... and ${problems.length - max} more`];
}
