import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Large benchmark inputs are generated here, outside the repository. */
export function scratchDir(): string {
  const dir = process.env.CODEC_BENCH_DIR ?? join(tmpdir(), "codec-bench");
  mkdirSync(dir, { recursive: true });
  return dir;
}
