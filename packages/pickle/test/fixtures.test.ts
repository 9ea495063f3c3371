import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { isCodecError } from "@codec/core";
import { describe, expect, it } from "vitest";
import { openJoblib, openPickle, type PickleTensorMap } from "../src/index.js";

const dir = join(__dirname, "fixtures");
interface Expected {
  files: Record<string, { tensors: Record<string, { dtype: string; shape: number[]; sha256: string }>; compress?: string }>;
}
const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8")) as Expected;

async function open(name: string): Promise<PickleTensorMap> {
  const bytes = new Uint8Array(readFileSync(join(dir, name)));
  return name.endsWith(".joblib") ? openJoblib(bytes) : openPickle(bytes);
}

describe("golden fixtures (CPython, numpy, scikit-learn, joblib)", () => {
  // joblib_codecs.json (tools/fixtures/pickle/make_joblib_codecs.py): one value dumped with each joblib compressor.
  const codecs = JSON.parse(readFileSync(join(dir, "joblib_codecs.json"), "utf8")) as Expected["files"];
  for (const name of ["joblib_codec_xz.joblib", "joblib_codec_lzma.joblib"]) {
    const codec = name.slice("joblib_codec_".length, -".joblib".length);
    it(`${name}: rejects ${codec} with UNSUPPORTED naming the codec`, async () => {
      const err = await open(name).catch((e: unknown) => e);
      expect(isCodecError(err)).toBe(true);
      expect((err as Error).message).toContain(`'${codec}'`);
      expect((err as { code: string }).code).toBe("UNSUPPORTED");
    });
  }
  const readable = { ...expected.files, ...Object.fromEntries(Object.entries(codecs).filter(([n]) => /_(bz2|lz4)\.joblib$/.test(n))) };
  for (const [name, exp] of Object.entries(readable)) {
    it(`${name}: lists the expected tensors with matching digests`, async () => {
      const map = await open(name);
      expect(map.names().sort()).toEqual(Object.keys(exp.tensors).sort());
      for (const [t, e] of Object.entries(exp.tensors)) {
        const info = map.info(t);
        expect(info.dtype, t).toBe(e.dtype);
        expect(info.shape, t).toEqual(e.shape);
        const tensor = await map.get(t);
        expect(createHash("sha256").update(tensor.bytes()).digest("hex"), t).toBe(e.sha256);
      }
    });
  }
});
