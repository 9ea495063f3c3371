import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join, resolve } from "node:path";

/**
 * The shared conformance corpus lives outside the repository
 * (`../shared/corpus` beside the checkout; CI lays a copy there). Suites read
 * files from it in place and never copy them into the repo.
 * `CODEC_CORPUS` overrides the location.
 */
export function corpusDir(): string {
  const env = process.env.CODEC_CORPUS;
  if (env) return resolve(env);
  const repoRoot = fileURLToPath(new URL("..", import.meta.url));
  return resolve(repoRoot, "..", "shared", "corpus");
}

export function corpusPath(...parts: string[]): string {
  return join(corpusDir(), ...parts);
}

export function hasCorpus(sub = ""): boolean {
  return existsSync(join(corpusDir(), sub));
}

/** Repository root, for tests that read committed fixtures. */
export function repoPath(...parts: string[]): string {
  return resolve(fileURLToPath(new URL("..", import.meta.url)), ...parts);
}
