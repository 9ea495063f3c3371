import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inspectProblems, scanProblems } from "./checks.js";
import { type Run, cap, cleanup, codec, ensureBuilt, errorLineProblems, firstLine, generate, parseOne, pool, pythonCheck } from "./harness.js";

/**
 * One family of the contract suite (npy, safetensors, torch, pickle, hdf5):
 * fresh inputs from Python, every CLI call up front (two at a time), then
 * one test per case and per contract clause, each failing with the list of
 * problems it found.
 */
const CONCURRENCY = 2;

export function defineFamilySuite(family: string): void {
  const m = generate(family);
  const inspected = new Map<string, string[]>();
  const scanned = new Map<string, string[]>();
  const converted = new Map<string, string[]>();
  const badResults = new Map<string, string[]>();

  beforeAll(async () => {
    ensureBuilt();
    const withInspect = m.cases.filter((c) => c.inspect !== false);
    await pool(withInspect, CONCURRENCY, async (c) => {
      const plain = await codec(["inspect", c.file, "--json"]);
      const digest = await codec(["inspect", c.file, "--json", "--digest"]);
      inspected.set(c.id, inspectProblems(c, plain, digest));
    });
    await pool(m.cases, CONCURRENCY, async (c) => {
      const json = await codec(["scan", c.file, "--json"]);
      const text = await codec(["scan", c.file]);
      scanned.set(c.id, scanProblems(c, json, text));
    });
    const checks: object[] = [];
    await pool(m.converts, CONCURRENCY, async (job) => {
      const problems: string[] = [];
      let ok = true;
      for (const [input, output] of job.steps) {
        const r = await codec(["convert", input, output]);
        const step = `convert ${input.split("/").pop()} ${output.split("/").pop()}`;
        if (r.status !== 0) {
          ok = false;
          if (job.mode === "carry-or-refuse" && r.status === 1) {
            // A clean refusal is allowed here; it must still be one error line.
            problems.push(...errorLineProblems(step, r, 1));
          } else {
            problems.push(`${step}: exit status ${r.status}: ${firstLine(r.stderr)}`);
          }
          break;
        }
        if (r.stderr !== "") problems.push(`${step}: succeeded but wrote to stderr (piped, so no progress expected): ${firstLine(r.stderr)}`);
        if (!existsSync(output)) {
          ok = false;
          problems.push(`${step}: exit 0 but no output file`);
          break;
        }
      }
      if (ok) {
        const last = job.steps[job.steps.length - 1][1];
        checks.push({ id: job.id, mode: job.mode, in: job.steps[0][0], out: last, inKind: job.inKind, outKind: job.outKind });
        if (job.metadata) {
          const r = await codec(["inspect", last, "--json"]);
          const doc = parseOne(`inspect ${last.split("/").pop()}`, r, problems) as { metadata?: Record<string, unknown> } | undefined;
          for (const [k, v] of Object.entries(job.metadata)) {
            if (doc?.metadata?.[k] !== v) problems.push(`string metadata ${k}=${JSON.stringify(v)} not carried (got metadata ${JSON.stringify(doc?.metadata)})`);
          }
        }
      }
      converted.set(job.id, problems);
    });
    if (checks.length > 0) {
      const verdicts = await pythonCheck(m.dir, checks);
      for (const [id, problems] of Object.entries(verdicts)) converted.get(id)?.push(...problems.map((p) => `python: ${p}`));
    }
    await pool(m.bad, CONCURRENCY, async (b) => {
      const problems: string[] = [];
      const r = await codec(["inspect", b.file, "--json", "--digest"]);
      problems.push(...errorLineProblems("inspect --json --digest", r, 1));
      if (r.status === 0) problems.push(`inspect --json --digest: accepted it and printed ${firstLine(r.stdout).slice(0, 200)}`);
      const out = join(m.dir, `bad-out-${Math.random().toString(16).slice(2)}.safetensors`);
      const c = await codec(["convert", b.file, out]);
      problems.push(...errorLineProblems("convert -> .safetensors", c, 1));
      const s = await codec(["scan", b.file]);
      if (s.status !== 0 && s.status !== 1) problems.push(`scan: exit status ${s.status}: ${firstLine(s.stderr)}`);
      if (s.stderr !== "") problems.push(...errorLineProblems("scan", s, s.status ?? -1).filter((p) => !p.includes("exit status")));
      badResults.set(b.id, problems);
    });
  }, 1_800_000);

  afterAll(() => cleanup(m));

  function verdict(map: Map<string, string[]>, id: string): void {
    const problems = map.get(id);
    expect(problems, "the CLI calls for this case did not run").toBeDefined();
    const lines = cap(problems ?? []);
    // The problems go into the assertion message so reporters (json too) keep them.
    expect(lines, `${id}\n${lines.map((p) => `  - ${p}`).join("\n")}\n`).toEqual([]);
  }

  describe(`${family}: inspect --json [--digest] matches the real library`, () => {
    for (const c of m.cases.filter((x) => x.inspect !== false)) it(c.id, () => verdict(inspected, c.id));
  });
  describe(`${family}: scan verdicts`, () => {
    for (const c of m.cases) it(c.id, () => verdict(scanned, c.id));
  });
  describe(`${family}: convert`, () => {
    for (const j of m.converts) it(j.id, () => verdict(converted, j.id));
  });
  describe(`${family}: bad input -> exit 1, one 'codec: ' line, no stack trace`, () => {
    for (const b of m.bad) it(b.id, () => verdict(badResults, b.id));
  });
}

export type { Run };
