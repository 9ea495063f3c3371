import { writeFileSync } from "node:fs";
import { type ByteSource, readAll, type TensorMap } from "@codec/core";
import { decodeJoblib, encodeJoblib, openJoblib, sniffJoblib } from "@codec/pickle";
import { torchInPickle } from "@codec/torch-zip";
import type { DetectContext, FormatAdapter, ScanResult, WriteOptions } from "../adapter.js";
import { tensorDict } from "./pickle.js";
import { describePickleSource, PICKLE_INSPECT_FLAGS, scanPickleSource } from "./pickle-scan.js";

/**
 * joblib.dump files: a pickle whose numpy arrays follow their
 * NumpyArrayWrapper inline, optionally compressed whole with zlib, gzip,
 * bz2 or lz4 (xz/lzma are reported as unsupported). Re-encoding writes a
 * pickle with numpy's own array forms, compressed like the input where we
 * have the compressor (zlib, gzip) and with zlib for bz2/lz4 input (joblib
 * detects the compressor from the file's magic, so it loads either), which
 * joblib.load reads. `scan` and `--opcodes` use the scanner's helpers.
 */
export const joblibAdapter: FormatAdapter = {
  format: "joblib",
  outputExtensions: ["joblib"],

  async detect(ctx: DetectContext): Promise<number> {
    // NumpyArrayWrapper appears at the first array, which may lie past the sniffed head.
    const head = ctx.head.length < ctx.source.byteLength ? await ctx.source.read(0, Math.min(ctx.source.byteLength, 1 << 16)) : ctx.head;
    return sniffJoblib(head, ctx.ext);
  },

  open(source: ByteSource): Promise<TensorMap> {
    // torch tensors in the dump (plain-pickled, each storage a nested legacy torch file) are tensors too.
    return openJoblib(source, undefined, torchInPickle());
  },

  async reencode(source: ByteSource, _path: string, outPath: string): Promise<void> {
    const d = decodeJoblib(await readAll(source));
    const protocol = Math.max(2, Math.min(5, d.protocol)) as 2 | 3 | 4 | 5;
    const compression = d.compression === "bz2" || d.compression === "lz4" ? "zlib" : d.compression;
    writeFileSync(outPath, encodeJoblib(d.value, { protocol, compression }));
  },

  async write(input: TensorMap, outPath: string, options: WriteOptions): Promise<void> {
    writeFileSync(outPath, encodeJoblib(await tensorDict(input, options), { protocol: 4 }));
  },

  scan(source: ByteSource): Promise<ScanResult> {
    return scanPickleSource(source, "joblib");
  },

  inspectFlags: PICKLE_INSPECT_FLAGS,

  describe(source: ByteSource, _path: string, flags: ReadonlySet<string>): Promise<string[] | undefined> {
    return describePickleSource(source, flags, "joblib");
  },
};
