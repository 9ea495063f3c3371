import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { allResults, writeReport } from "./harness.js";

/**
 * `pnpm bench [filter...]`: runs every `suites/*.bench.ts` (or those whose
 * name contains a filter), then writes results/latest.{md,json}. With
 * `--merge`, groups from the previous results that this run did not
 * measure are kept (re-run one suite without losing the others).
 * Each suite module runs its groups on import.
 */
const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const merge = args.includes("--merge");
const filters = args.filter((a) => a !== "--merge");
const suites = readdirSync(join(here, "suites"))
  .filter((f) => f.endsWith(".bench.ts"))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

for (const f of suites) {
  console.log(`\n# ${f}`);
  await import(pathToFileURL(join(here, "suites", f)).href);
}
writeReport(undefined, merge);
const failed = allResults().flatMap((g) => g.targets.filter((t) => !t.pass).map((t) => `${g.group}: ${t.label ?? t.case}`));
console.log(`\n${failed.length === 0 ? "all targets met" : `targets missed:\n  ${failed.join("\n  ")}`}`);
