import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Case, cap, cleanup, codec, ensureBuilt, generate, parseOne, pool } from "./harness.js";
import { defineFamilySuite } from "./suite.js";

// Fresh ONNX inputs from python onnx 1.12 and torch.onnx.export, driven through the built CLI (DESIGN.md sections 4-7).
defineFamilySuite("onnx");

/**
 * The ONNX part of section 6's metadata: `inspect --json` reports the model
 * header (ir_version, producer_name, opset_import {domain: version},
 * graph_name, graph input/output names, node_count) and the model's
 * metadata_props as top-level strings.
 */
interface Facts {
  ir_version: number;
  producer_name: string;
  opset_import: Record<string, number>;
  graph_name: string;
  inputs: string[];
  outputs: string[];
  node_count: number;
  metadata_props: Record<string, string>;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A header fact wherever the CLI puts it: the top level, or nested under "onnx" (or "_onnx", ... when a metadata_prop takes that key). */
function fact(meta: Record<string, Json>, key: string): Json | undefined {
  if (key in meta) return meta[key];
  for (let k = "onnx"; k.length < 16; k = `_${k}`) {
    const nested = meta[k];
    if (nested !== null && typeof nested === "object" && !Array.isArray(nested) && key in nested) return nested[key];
  }
  return undefined;
}

function opsets(v: Json | undefined): string {
  if (v === null || v === undefined || typeof v !== "object" || Array.isArray(v)) return JSON.stringify(v);
  const norm = Object.entries(v).map(([k, n]) => [k === "" ? "ai.onnx" : k, n] as const);
  return JSON.stringify(Object.fromEntries(norm.sort(([a], [b]) => (a < b ? -1 : 1))));
}

function factProblems(meta: Record<string, Json>, want: Facts): string[] {
  const p: string[] = [];
  for (const key of ["ir_version", "producer_name", "graph_name", "inputs", "outputs", "node_count"] as const) {
    const got = fact(meta, key);
    if (JSON.stringify(got) !== JSON.stringify(want[key])) p.push(`metadata ${key}: expected ${JSON.stringify(want[key])}, got ${JSON.stringify(got)}`);
  }
  if (opsets(fact(meta, "opset_import")) !== opsets(want.opset_import)) {
    p.push(`metadata opset_import: expected ${opsets(want.opset_import)}, got ${JSON.stringify(fact(meta, "opset_import"))}`);
  }
  for (const [k, v] of Object.entries(want.metadata_props)) {
    if (meta[k] !== v) p.push(`metadata_props ${JSON.stringify(k)}=${JSON.stringify(v)} not a top-level metadata string (got ${JSON.stringify(meta[k])})`);
  }
  return p;
}

describe("onnx: inspect --json reports the model header and metadata_props", () => {
  const m = generate("onnx");
  const cases = m.cases.filter((c): c is Case & { facts: Facts } => "facts" in c);
  const results = new Map<string, string[]>();

  beforeAll(async () => {
    ensureBuilt();
    await pool(cases, 2, async (c) => {
      const problems: string[] = [];
      const r = await codec(["inspect", c.file, "--json"]);
      const doc = r.status === 0 ? parseOne("inspect --json", r, problems) : undefined;
      if (r.status !== 0) problems.push(`inspect --json: exit status ${r.status}: ${r.stderr.trim().split("\n")[0]}`);
      const meta = doc?.metadata;
      if (doc !== undefined && (meta === null || typeof meta !== "object" || Array.isArray(meta))) problems.push("metadata is not an object");
      else if (meta !== undefined) problems.push(...factProblems(meta as Record<string, Json>, c.facts));
      results.set(c.id, problems);
    });
  }, 600_000);
  afterAll(() => cleanup(m));

  for (const c of cases) {
    it(c.id, () => {
      const problems = cap(results.get(c.id) ?? ["not run"]);
      expect(problems, `${c.id}\n${problems.map((p) => `  - ${p}`).join("\n")}\n`).toEqual([]);
    });
  }
});
