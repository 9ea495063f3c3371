import { type Case, type Run, errorLineProblems, firstLine, parseOne } from "./harness.js";

/**
 * Compares `codec inspect FILE --json` and `--json --digest` with what the
 * real library computed (DESIGN.md sections 4-6).
 */

interface Listed {
  name: string;
  dtype: string;
  shape: number[];
  sha256?: string;
}

const DTYPES = new Set([
  "bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float16", "bfloat16", "float32",
  "float64", "float8_e4m3fn", "float8_e5m2", "complex64", "complex128", "string",
]);

function listing(what: string, r: Run, problems: string[], digest: boolean): Listed[] | undefined {
  if (r.status !== 0) {
    problems.push(`${what}: exit status ${r.status}: ${firstLine(r.stderr)}`);
    return undefined;
  }
  // Section 6: progress only on a TTY; piped, a successful run writes nothing to stderr.
  if (r.stderr !== "") problems.push(`${what}: succeeded but wrote to stderr: ${firstLine(r.stderr)}`);
  const doc = parseOne(what, r, problems);
  if (doc === undefined) return undefined;
  if (!Array.isArray(doc.tensors)) {
    problems.push(`${what}: "tensors" is not an array`);
    return undefined;
  }
  if (doc.metadata === null || typeof doc.metadata !== "object" || Array.isArray(doc.metadata)) problems.push(`${what}: "metadata" is not an object`);
  const out: Listed[] = [];
  for (const t of doc.tensors as Listed[]) {
    if (typeof t.name !== "string" || typeof t.dtype !== "string" || !Array.isArray(t.shape)) {
      problems.push(`${what}: malformed tensor entry ${JSON.stringify(t).slice(0, 200)}`);
      continue;
    }
    if (!DTYPES.has(t.dtype)) problems.push(`${what}: tensor '${t.name}' has dtype '${t.dtype}', not a DESIGN.md section 4 name`);
    if (!digest && "sha256" in t) problems.push(`${what}: tensor '${t.name}' has sha256 without --digest`);
    if (digest && t.dtype !== "string" && typeof t.sha256 !== "string") problems.push(`${what}: tensor '${t.name}' has no sha256 with --digest`);
    if (digest && t.dtype === "string" && "sha256" in t) problems.push(`${what}: string tensor '${t.name}' has a sha256 (section 6: string tensors have none)`);
    out.push(t);
  }
  const seen = new Set<string>();
  for (const t of out) {
    if (seen.has(t.name)) problems.push(`${what}: tensor name '${t.name}' listed twice`);
    seen.add(t.name);
  }
  return out;
}

function same(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export function inspectProblems(c: Case, plain: Run, digest: Run): string[] {
  const problems: string[] = [];
  if (c.oracleError) return [`the Python oracle failed on this input: ${c.oracleError}`];
  const expect = c.expect;
  if (expect === undefined) return ["no expectation"];
  const doc = plain.status === 0 ? parseOne("inspect --json", plain, []) : undefined;
  if (doc !== undefined && doc.format !== c.format) problems.push(`inspect --json: format expected "${c.format}", got ${JSON.stringify(doc.format)}`);
  const a = listing("inspect --json", plain, problems, false);
  const b = listing("inspect --json --digest", digest, problems, true);
  if (doc !== undefined && c.metadata !== undefined && JSON.stringify(sortKeys(doc.metadata)) !== JSON.stringify(sortKeys(c.metadata))) {
    problems.push(`inspect --json: metadata expected ${JSON.stringify(c.metadata)}, got ${JSON.stringify(doc.metadata)}`);
  }
  if (a && b) {
    const na = a.map((t) => `${t.name}|${t.dtype}|${t.shape.join("x")}`).sort();
    const nb = b.map((t) => `${t.name}|${t.dtype}|${t.shape.join("x")}`).sort();
    if (na.join("\n") !== nb.join("\n")) problems.push("inspect --json and --json --digest list different tensors");
  }
  const got = b ?? a;
  if (got === undefined) return problems;
  const expected = expect.tensors;
  // A lone .npy array: section 5 fixes no name; match the only tensor.
  if (expected.length === 1 && expected[0].name === "*") {
    if (got.length !== 1) problems.push(`expected exactly one tensor, got ${got.length}`);
    else compareTensor(expected[0], got[0], b !== undefined, problems, `tensor '${got[0].name}'`);
    return problems;
  }
  const byName = new Map(got.map((t) => [t.name, t]));
  for (const e of expected) {
    const g = byName.get(e.name);
    if (g === undefined) {
      problems.push(`missing tensor '${e.name}' (${e.dtype} [${e.shape}])${nearest(e, got)}`);
      continue;
    }
    compareTensor(e, g, b !== undefined, problems, `tensor '${e.name}'`);
  }
  const known = new Set(expected.map((e) => e.name));
  const ambiguous = [...expect.ambiguous];
  for (const g of got) {
    if (known.has(g.name)) continue;
    const i = ambiguous.findIndex((x) => x.dtype === g.dtype && same(x.shape, g.shape) && (g.sha256 === undefined || g.sha256 === x.sha256));
    if (i >= 0) {
      ambiguous.splice(i, 1);
      continue;
    }
    problems.push(`unexpected tensor '${g.name}' (${g.dtype} [${g.shape}]) that the Python walk does not reach`);
  }
  for (const n of c.mustHave ?? []) if (!byName.has(n)) problems.push(`DESIGN.md section 5 name '${n}' not listed`);
  return problems;
}

function compareTensor(e: { dtype: string; shape: number[]; sha256?: string }, g: Listed, digest: boolean, problems: string[], label: string): void {
  if (e.dtype !== g.dtype) problems.push(`${label}: dtype expected ${e.dtype}, got ${g.dtype}`);
  if (!same(e.shape, g.shape)) problems.push(`${label}: shape expected [${e.shape}], got [${g.shape}]`);
  if (digest && e.sha256 !== undefined && e.dtype === g.dtype && same(e.shape, g.shape) && e.sha256 !== g.sha256) {
    problems.push(`${label}: sha256 differs from Python's (${e.dtype} [${e.shape}])`);
  }
}

/** A hint for a missing name: the listed tensor with the same digest, if any. */
function nearest(e: { sha256?: string }, got: Listed[]): string {
  const m = got.find((g) => g.sha256 !== undefined && g.sha256 === e.sha256);
  return m ? `; the same bytes are listed as '${m.name}'` : "";
}

function sortKeys(v: unknown): unknown {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : 1)).map(([k, w]) => [k, sortKeys(w)]));
}

/** `codec scan FILE --json` and `codec scan FILE` against the expected verdict (section 6). */
export function scanProblems(c: Case, json: Run, text: Run): string[] {
  const problems: string[] = [];
  const verdicts = ["safe", "suspicious", "dangerous"];
  if (json.status !== 0 && json.status !== 1) {
    return [`scan --json: exit status ${json.status}: ${firstLine(json.stderr)}`];
  }
  const doc = parseOne("scan --json", json, problems);
  if (doc === undefined) return problems;
  const verdict = doc.verdict as string;
  if (!verdicts.includes(verdict)) problems.push(`scan --json: verdict ${JSON.stringify(verdict)} is not safe|suspicious|dangerous`);
  const wantStatus = verdict === "dangerous" ? 1 : 0;
  if (json.status !== wantStatus) problems.push(`scan --json: verdict ${verdict} but exit status ${json.status} (expected ${wantStatus})`);
  if (c.scan !== undefined && verdict !== c.scan) problems.push(`scan: verdict expected ${c.scan}, got ${verdict}${globalsHint(doc)}`);
  if (c.scanNot !== undefined && verdict === c.scanNot) problems.push(`scan: verdict must not be ${c.scanNot}${globalsHint(doc)}`);
  if (!Array.isArray(doc.globals)) problems.push(`scan --json: "globals" is not an array`);
  else {
    for (const g of doc.globals as Record<string, unknown>[]) {
      if (typeof g.module !== "string" || typeof g.name !== "string" || !verdicts.includes(g.risk as string)) {
        problems.push(`scan --json: malformed global ${JSON.stringify(g).slice(0, 200)}`);
      }
    }
    if (c.scanGlobal) {
      const [m, n] = c.scanGlobal;
      const hit = (doc.globals as Record<string, unknown>[]).find((g) => g.module === m && g.name === n);
      if (!hit) problems.push(`scan --json: global ${m}.${n} not reported${globalsHint(doc)}`);
      else if (hit.risk !== "dangerous") problems.push(`scan --json: ${m}.${n} has risk ${String(hit.risk)}, expected dangerous`);
    }
  }
  if (text.status !== json.status) problems.push(`scan (text): exit status ${text.status} differs from scan --json's ${json.status}`);
  if (!text.stdout.includes(verdict)) problems.push(`scan (text): the verdict '${verdict}' is not printed`);
  if (text.stderr !== "") problems.push(...errorLineProblems("scan (text)", text, text.status ?? -1).filter((p) => !p.includes("exit status")));
  return problems;
}

function globalsHint(doc: Record<string, unknown>): string {
  if (!Array.isArray(doc.globals)) return "";
  const gs = (doc.globals as Record<string, unknown>[]).map((g) => `${String(g.module)}.${String(g.name)}:${String(g.risk)}`);
  return ` (globals: ${gs.slice(0, 8).join(", ")}${gs.length > 8 ? ", ..." : ""})`;
}
