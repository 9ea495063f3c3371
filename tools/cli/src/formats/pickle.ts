import { writeFileSync } from "node:fs";
import { type ByteSource, readAll, type TensorMap } from "@codec/core";
import { NdArray, openPickle, PyDict, pickle, sniffPickle, unpickleAt } from "@codec/pickle";
import { torchInPickle } from "@codec/torch-zip";
import type { DetectContext, FormatAdapter, ScanResult, WriteOptions } from "../adapter.js";
import { describePickleSource, PICKLE_INSPECT_FLAGS, scanPickleSource } from "./pickle-scan.js";

/**
 * Plain pickles (.pkl/.pickle): numpy arrays and scalars anywhere in the
 * object graph are the tensors (DESIGN.md section 5). `convert a.pkl b.pkl`
 * decodes the whole graph inertly and writes it back (same protocol, at
 * least 2); `convert x.safetensors y.pkl` writes a dict of name -> numpy
 * array that `pickle.load` + numpy reads. torch tensors pickled with plain
 * pickle are listed too (@codec/torch-zip decodes their storages). `scan`
 * and `--opcodes` use the pickle scanner's helpers in pickle-scan.ts.
 */

/** Tensors of any TensorMap as a dict of numpy arrays (what `convert X y.pkl` writes). */
export async function tensorDict(input: TensorMap, options: WriteOptions): Promise<PyDict> {
  const d = new PyDict();
  const names = input.names();
  for (let i = 0; i < names.length; i++) {
    options.progress.update("reading", i, names.length);
    d.set(names[i], NdArray.fromTensor(await input.get(names[i])));
  }
  options.progress.end();
  return d;
}

export const pickleAdapter: FormatAdapter = {
  format: "pickle",
  outputExtensions: ["pkl", "pickle"],

  detect(ctx: DetectContext): number {
    const s = sniffPickle(ctx.head);
    // Protocol 0/1 text pickles are only plausible; the extension decides.
    return s === 1 && ctx.ext !== "pkl" && ctx.ext !== "pickle" ? 0 : s;
  },

  open(source: ByteSource): Promise<TensorMap> {
    // torch tensors that plain pickle.dump wrote (each storage a nested legacy torch file) are tensors too.
    return openPickle(source, undefined, torchInPickle());
  },

  async reencode(source: ByteSource, _path: string, outPath: string): Promise<void> {
    const r = unpickleAt(await readAll(source), 0);
    const protocol = Math.max(2, Math.min(5, r.protocol)) as 2 | 3 | 4 | 5;
    writeFileSync(outPath, pickle(r.value, { protocol }));
  },

  async write(input: TensorMap, outPath: string, options: WriteOptions): Promise<void> {
    writeFileSync(outPath, pickle(await tensorDict(input, options), { protocol: 4 }));
  },

  scan(source: ByteSource): Promise<ScanResult> {
    return scanPickleSource(source, "pickle");
  },

  inspectFlags: PICKLE_INSPECT_FLAGS,

  describe(source: ByteSource, _path: string, flags: ReadonlySet<string>): Promise<string[] | undefined> {
    return describePickleSource(source, flags, "pickle");
  },
};
