#!/usr/bin/env node
// The README's test command: lint, typecheck, unit + fixture + conformance
// tests, then publint on built packages. Ends with one closing line
// "tests: N passed, N failed" that CI reads.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const interop = process.argv.includes("--interop");
const steps = interop
  ? []
  : [
      ["lint", ["pnpm", "lint"]],
      ["typecheck", ["pnpm", "typecheck"]],
    ];
for (const [name, cmd] of steps) {
  console.log(`\n== ${name}`);
  const r = spawnSync(cmd[0], cmd.slice(1), { stdio: "inherit" });
  if (r.status !== 0) {
    console.log(`\n${name} failed`);
    console.log("tests: 0 passed, 1 failed");
    process.exit(1);
  }
}

const out = join(mkdtempSync(join(tmpdir(), "codec-test-")), "vitest.json");
const config = interop ? ["--config", "vitest.interop.config.ts"] : [];
console.log(`\n== ${interop ? "interop" : "tests"}`);
const vitest = spawnSync("pnpm", ["exec", "vitest", "run", ...config, "--reporter=default", "--reporter=json", `--outputFile=${out}`], {
  stdio: "inherit",
});
let passed = 0;
let failed = 0;
try {
  const report = JSON.parse(readFileSync(out, "utf8"));
  passed = report.numPassedTests;
  failed = report.numFailedTests + (report.numRuntimeErrorTestSuites ?? 0);
} catch {
  failed = Math.max(failed, 1);
}
let ok = vitest.status === 0 && failed === 0 && passed > 0;

if (ok && !interop) {
  console.log("\n== publint (builds every package first)");
  try {
    execFileSync("pnpm", ["publint"], { stdio: "inherit" });
  } catch {
    ok = false;
    failed++;
  }
}
console.log(`\n${interop ? "interop" : "tests"}: ${passed} passed, ${failed} failed`);
process.exit(ok ? 0 : 1);
