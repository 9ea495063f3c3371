import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type Hdf5File, type OpenOptions, openHdf5, openHdf5FileSync } from "@codec/hdf5";
import { afterAll, describe, expect, it } from "vitest";
import { inspectProblems } from "./checks.js";
import { cleanup, generate } from "./harness.js";

/**
 * Library-level preview of the HDF5 contract: the same fresh h5py files and
 * Keras corpus files, opened with @codec/hdf5's openHdf5 directly and listed
 * the way `codec inspect --json --digest` would list them, so a listing
 * problem can be told apart from a CLI adapter problem (hdf5.test.ts checks
 * the CLI itself). The format name is not checked here: "keras" is the CLI
 * adapter's refinement.
 */
const m = generate("hdf5");
afterAll(() => cleanup(m));

/** Files beside the input for external raw data and virtual dataset sources, as the CLI adapter finds them. */
function besideFile(file: string): OpenOptions {
  const at = (name: string) => (name.startsWith("/") ? name : join(dirname(file), name));
  const options: OpenOptions = {
    externalFile: (name) => (existsSync(at(name)) ? new Uint8Array(readFileSync(at(name))) : undefined),
    externalLink: (name): Hdf5File | undefined => (existsSync(at(name)) ? openHdf5FileSync(new Uint8Array(readFileSync(at(name))), options) : undefined),
  };
  return options;
}

async function listing(file: string, digest: boolean): Promise<string> {
  const map = await openHdf5(new Uint8Array(readFileSync(file)), besideFile(file));
  const tensors = [];
  for (const name of map.names()) {
    const info = map.info(name);
    const t: { name: string; dtype: string; shape: number[]; sha256?: string } = { name, dtype: info.dtype, shape: [...info.shape] };
    if (digest && info.dtype !== "string") {
      const tensor = await map.get(name);
      t.sha256 = createHash("sha256").update(tensor.data as Uint8Array).digest("hex");
    }
    tensors.push(t);
  }
  await map.close?.();
  return JSON.stringify({ format: "hdf5", tensors, metadata: map.metadata });
}

describe("hdf5 library preview: openHdf5 listing matches h5py", () => {
  for (const c of m.cases) {
    it(c.id, async () => {
      const run = async (digest: boolean) => {
        try {
          return { status: 0, stdout: await listing(c.file, digest), stderr: "" };
        } catch (e) {
          return { status: 1, stdout: "", stderr: `codec: ${(e as Error).message}\n` };
        }
      };
      const problems = inspectProblems({ ...c, format: "hdf5" }, await run(false), await run(true));
      expect(problems, `${c.id}\n${problems.map((p) => `  - ${p}`).join("\n")}\n`).toEqual([]);
    });
  }
});
