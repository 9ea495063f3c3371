import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The one benchmark harness (DEVELOPERS.md "Timing targets"): every case of a
 * group runs in the same process, interleaved round by round so that machine
 * noise hits all of them alike; results are medians and ratios against the
 * group's floor (the physical limit, e.g. fs.readFileSync) and its peers.
 * Targets are checked as ratios, never as absolute times.
 */

export type Role = "ours" | "floor" | "peer" | "reference";

export interface BenchCase {
  name: string;
  role: Role;
  /** One timed run. May be async. Return value is kept alive to defeat dead-code elimination. */
  run: () => unknown;
  /** Untimed preparation before each run (e.g. dropping caches we own). */
  before?: () => unknown;
}

export interface Target {
  /** Case whose time is the numerator. */
  case: string;
  /** Case whose time is the denominator. */
  against: string;
  /** Pass when median(case) / median(against) <= this. */
  maxRatio: number;
  /** Free text for the report, e.g. the issue's wording. */
  label?: string;
}

export interface GroupOptions {
  rounds?: number;
  warmup?: number;
  /** Stop early once this much wall time was spent (ms). */
  budgetMs?: number;
}

export interface CaseResult {
  name: string;
  role: Role;
  medianMs: number;
  minMs: number;
  samples: number;
  /** Extra measurements (memory, counts) reported beside times. */
  notes?: Record<string, number | string>;
  error?: string;
}

export interface GroupResult {
  group: string;
  detail: string;
  cases: CaseResult[];
  targets: Array<Target & { ratio: number; pass: boolean }>;
}

const results: GroupResult[] = [];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Results are kept here so the engine cannot drop the work that made them. */
export let benchSink: unknown;

export async function benchGroup(
  group: string,
  detail: string,
  cases: BenchCase[],
  targets: Target[] = [],
  options: GroupOptions = {},
): Promise<GroupResult> {
  const { rounds = 7, warmup = 1, budgetMs = 120_000 } = options;
  const times = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  const errors = new Map<string, string>();
  const start = performance.now();
  for (let r = -warmup; r < rounds; r++) {
    for (const c of cases) {
      if (errors.has(c.name)) continue;
      try {
        await c.before?.();
        (globalThis as { gc?: () => void }).gc?.();
        const t0 = performance.now();
        benchSink = await c.run();
        const dt = performance.now() - t0;
        if (r >= 0) times.get(c.name)!.push(dt);
      } catch (e) {
        errors.set(c.name, e instanceof Error ? e.message.split("\n")[0] : String(e));
      }
    }
    if (performance.now() - start > budgetMs && r >= 2) break;
  }
  benchSink = undefined;
  const caseResults: CaseResult[] = cases.map((c) => {
    const t = times.get(c.name)!;
    return {
      name: c.name,
      role: c.role,
      medianMs: t.length ? median(t) : Number.NaN,
      minMs: t.length ? Math.min(...t) : Number.NaN,
      samples: t.length,
      ...(errors.has(c.name) ? { error: errors.get(c.name) } : {}),
    };
  });
  const byName = new Map(caseResults.map((c) => [c.name, c]));
  const targetResults = targets.map((t) => {
    const a = byName.get(t.case)?.medianMs ?? Number.NaN;
    const b = byName.get(t.against)?.medianMs ?? Number.NaN;
    const ratio = a / b;
    return { ...t, ratio, pass: Number.isFinite(ratio) && ratio <= t.maxRatio };
  });
  const result: GroupResult = { group, detail, cases: caseResults, targets: targetResults };
  results.push(result);
  printGroup(result);
  return result;
}

/** Record a non-timing measurement (e.g. memory) as its own pass/fail line. */
export function recordMeasurement(group: string, name: string, value: number, unit: string, max: number): void {
  const pass = value <= max;
  const r: GroupResult = {
    group,
    detail: `${name}: ${value.toFixed(2)} ${unit} (target <= ${max} ${unit})`,
    cases: [{ name, role: "ours", medianMs: value, minMs: value, samples: 1, notes: { unit } }],
    targets: [{ case: name, against: name, maxRatio: max, ratio: value, pass, label: `${name} <= ${max} ${unit}` }],
  };
  results.push(r);
  console.log(`  ${pass ? "PASS" : "FAIL"} ${group}: ${r.detail}`);
}

function printGroup(g: GroupResult): void {
  const floor = g.cases.find((c) => c.role === "floor");
  console.log(`\n## ${g.group}: ${g.detail}`);
  for (const c of g.cases) {
    const vsFloor = floor && c !== floor ? `  ${(c.medianMs / floor.medianMs).toFixed(2)}x floor` : "";
    const err = c.error ? `  ERROR ${c.error}` : "";
    console.log(`  ${c.role.padEnd(9)} ${c.name.padEnd(36)} ${c.medianMs.toFixed(2).padStart(10)} ms${vsFloor}${err}`);
  }
  for (const t of g.targets) {
    console.log(`  ${t.pass ? "PASS" : "FAIL"} ${t.case} / ${t.against} = ${t.ratio.toFixed(3)} (target <= ${t.maxRatio})${t.label ? `  ${t.label}` : ""}`);
  }
}

export function allResults(): readonly GroupResult[] {
  return results;
}

/**
 * The groups of an earlier report with this run's groups put in their
 * place (same group name) and new ones appended: re-running one suite
 * keeps the others' numbers.
 */
function mergeGroups(previous: readonly GroupResult[], fresh: readonly GroupResult[]): GroupResult[] {
  const names = new Set(fresh.map((g) => g.group));
  const placed = new Set<string>();
  const out: GroupResult[] = [];
  for (const g of previous) {
    if (!names.has(g.group)) out.push(g);
    else if (!placed.has(g.group)) {
      placed.add(g.group);
      out.push(...fresh.filter((f) => f.group === g.group));
    }
  }
  out.push(...fresh.filter((f) => !placed.has(f.group)));
  return out;
}

/** Write benchmarks/results/latest.{json,md}; with `merge`, keep the groups this run did not measure. */
export function writeReport(outDir = join(dirname(fileURLToPath(import.meta.url)), "results"), merge = false): void {
  mkdirSync(outDir, { recursive: true });
  const meta = { date: new Date().toISOString(), node: process.version, platform: `${process.platform}-${process.arch}` };
  const jsonPath = join(outDir, "latest.json");
  let groups: GroupResult[] = results;
  let header = `${meta.date}, Node ${meta.node}, ${meta.platform}`;
  if (merge && existsSync(jsonPath)) {
    const previous = JSON.parse(readFileSync(jsonPath, "utf8")) as { date: string; header?: string; groups: GroupResult[] };
    // JSON has no NaN: a failed case's timings come back as null.
    for (const g of previous.groups) {
      for (const c of g.cases) {
        c.medianMs ??= Number.NaN;
        c.minMs ??= Number.NaN;
      }
      for (const t of g.targets) t.ratio ??= Number.NaN;
    }
    groups = mergeGroups(previous.groups, results);
    header = `${previous.date} (groups ${[...new Set(results.map((g) => g.group))].join(", ")} re-measured ${meta.date}), Node ${meta.node}, ${meta.platform}`;
  }
  writeFileSync(jsonPath, `${JSON.stringify({ ...meta, header, groups }, null, 2)}\n`);
  const lines = [`# Benchmark results`, "", header, ""];
  for (const g of groups) {
    lines.push(`## ${g.group}`, "", g.detail, "", "| case | role | median ms | min ms | vs floor |", "|---|---|---:|---:|---:|");
    const floor = g.cases.find((c) => c.role === "floor");
    for (const c of g.cases) {
      const vs = floor ? (c.medianMs / floor.medianMs).toFixed(2) : "";
      lines.push(`| ${c.name}${c.error ? ` (error: ${c.error})` : ""} | ${c.role} | ${c.medianMs.toFixed(2)} | ${c.minMs.toFixed(2)} | ${vs} |`);
    }
    if (g.targets.length) {
      lines.push("", "| target | ratio | limit | result |", "|---|---:|---:|---|");
      for (const t of g.targets) {
        lines.push(`| ${t.label ?? `${t.case} / ${t.against}`} | ${t.ratio.toFixed(3)} | ${t.maxRatio} | ${t.pass ? "pass" : "FAIL"} |`);
      }
    }
    lines.push("");
  }
  writeFileSync(join(outDir, "latest.md"), `${lines.join("\n")}\n`);
}
