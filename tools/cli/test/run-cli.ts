import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "@codec/cli";
import type { FormatAdapter } from "../src/adapter.js";

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** Run `codec` in-process with captured streams. */
export async function run(argv: string[], options: { tty?: boolean; adapters?: readonly FormatAdapter[] } = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const status = await main(argv, {
    io: {
      stdout: { write: (s) => void (stdout += s) },
      stderr: { write: (s) => void (stderr += s), isTTY: options.tty ?? false, columns: 100 },
    },
    adapters: options.adapters,
  });
  return { status, stdout, stderr };
}

export const samples = join(import.meta.dirname, "..", "demo", "samples");
export const npyFixtures = join(import.meta.dirname, "..", "..", "..", "packages", "npy", "test", "fixtures");
export const tmp = () => mkdtempSync(join(tmpdir(), "codec-cli-test-"));
