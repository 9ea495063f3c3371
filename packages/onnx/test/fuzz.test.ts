import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type ByteSource, isCodecError, MemorySource } from "@codec/core";
import { decodeTensorProto, openOnnx, reencodeOnnx } from "@codec/onnx";
import { fuzzDecoder, mutate, repoPath, rng } from "@codec/testing";
import { describe, expect, it } from "vitest";

/**
 * DESIGN.md section 7 over mutated golden files: openOnnx + reading every
 * tensor, reencodeOnnx and decodeTensorProto give a value or a CodecError
 * (never another error), quickly, and never read outside the input.
 */

const dir = repoPath("packages", "onnx", "test", "fixtures");
const read = (rel: string) => new Uint8Array(readFileSync(join(dir, rel)));

const MODELS = [
  "dtypes_raw.onnx",
  "dtypes_typed.onnx",
  "float8.onnx",
  "shapes_strings.onnx",
  "sparse.onnx",
  "graph_if_function.onnx",
  "torch_export.onnx",
  "wire_variants.onnx",
  "external_manual/model.onnx",
  "external/model.onnx",
];
const seeds = MODELS.map(read);
const protoSeeds = ["f32.pb", "i64.pb", "bool.pb", "f16_typed.pb", "scalar.pb", "strings.pb", "c64.pb"].map((f) => read(`tensors/${f}`));

/** External files for the external-data seeds: the real ones (mutated models still point into them). */
const externalFiles = new Map<string, Uint8Array>([
  ["model.data", read("external/model.data")],
  ["sub/blob.bin", read("external_manual/sub/blob.bin")],
  ["whole.bin", read("external_manual/whole.bin")],
]);
function externalData(location: string): ByteSource {
  const bytes = externalFiles.get(location);
  // An unknown location (a mutated name) is the resolver's failure, which the reader must turn into a CodecError.
  if (bytes === undefined) throw new Error(`no such file: ${location}`);
  return new MemorySource(bytes);
}

/** Everything a reader would do with a model. */
async function useAll(bytes: Uint8Array): Promise<number> {
  const map = await openOnnx(bytes, { externalData });
  let total = 0;
  for (const name of map.names()) {
    map.info(name);
    const t = await map.get(name);
    total += t.dtype === "string" ? t.strings().length : t.byteLength + t.typed().length;
  }
  JSON.stringify(map.metadata);
  return total;
}

async function useAllOf(map: Awaited<ReturnType<typeof openOnnx>>): Promise<void> {
  for (const n of map.names()) await map.get(n);
}

/** A CodecError that only wraps a stray RangeError/TypeError: the guard caught what a check should have (section 7). */
function leaked(e: unknown): boolean {
  if (!isCodecError(e)) return false;
  const cause = (e as { cause?: unknown }).cause;
  return cause instanceof TypeError || (cause instanceof RangeError && !/call stack|allocation failed|array( buffer)? length/i.test(cause.message));
}

class CountingSource implements ByteSource {
  maxEnd = 0;
  constructor(private readonly inner: MemorySource) {}
  get byteLength(): number {
    return this.inner.byteLength;
  }
  read(offset: number, length: number): Promise<Uint8Array> {
    this.maxEnd = Math.max(this.maxEnd, offset + length);
    return this.inner.read(offset, length);
  }
}

describe("fuzz", () => {
  it("openOnnx + every tensor of mutated models: only CodecErrors, no hangs", async () => {
    const report = await fuzzDecoder(seeds, useAll, { seed: 5, iterations: 300, maxMsPerCase: 1000 });
    console.log(`onnx fuzz (open + get): ${JSON.stringify(report)}`);
    expect(report.cases).toBe(seeds.length * 300);
    expect(report.ok).toBeGreaterThan(0);
    expect(report.codecErrors).toBeGreaterThan(0);
  }, 120_000);

  it("reencodeOnnx of mutated models: only CodecErrors, and what it writes opens again", async () => {
    const report = await fuzzDecoder(
      seeds,
      async (bytes) => {
        const out = await reencodeOnnx(bytes, { externalData });
        // Anything the re-encoder accepted and wrote must be readable by the reader.
        await openOnnx(out);
      },
      { seed: 6, iterations: 150, maxMsPerCase: 1000 },
    );
    console.log(`onnx fuzz (reencode): ${JSON.stringify(report)}`);
    expect(report.ok).toBeGreaterThan(0);
  }, 120_000);

  it("decodeTensorProto of mutated TensorProtos: only CodecErrors", async () => {
    const report = await fuzzDecoder(protoSeeds, (bytes) => decodeTensorProto(bytes), { seed: 7, iterations: 400, maxMsPerCase: 500 });
    console.log(`onnx fuzz (TensorProto): ${JSON.stringify(report)}`);
    expect(report.ok).toBeGreaterThan(0);
    expect(report.codecErrors).toBeGreaterThan(0);
  }, 60_000);

  it("no CodecError is a wrapped stray RangeError/TypeError (the checks, not the guard, catch bad input)", async () => {
    const random = rng(8);
    const found: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const bytes = mutate(seeds[i % seeds.length], random);
      for (const step of [() => useAll(bytes), () => reencodeOnnx(bytes, { externalData }), () => decodeTensorProto(bytes)]) {
        try {
          await step();
        } catch (e) {
          if (!isCodecError(e)) throw e;
          if (leaked(e) && found.length < 10) found.push(`case ${i} (${MODELS[i % seeds.length]}): ${e.message}`);
        }
      }
    }
    expect(found).toEqual([]);
  }, 120_000);

  it("reads over a ByteSource stay inside the file", async () => {
    const random = rng(9);
    for (let i = 0; i < 600; i++) {
      const bytes = mutate(seeds[i % seeds.length], random);
      const src = new CountingSource(new MemorySource(bytes));
      try {
        const map = await openOnnx(src, { externalData });
        for (const n of map.names()) await map.get(n);
      } catch (e) {
        if (!isCodecError(e)) throw e;
      }
      expect(src.maxEnd, `case ${i}`).toBeLessThanOrEqual(bytes.length);
    }
  }, 60_000);

  it("hostile lengths: a huge declared length or dims never allocate", async () => {
    // ModelProto.graph (7) with a length of 2^62; a TensorProto with dims 2^40 x 2^40 and a
    // 4-byte raw_data; a string_data entry claiming 2^31 bytes.
    const huge = [0x3a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x40];
    const bigDims = [0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20, 0x10, 0x01, 0x4a, 0x04, 0, 0, 0, 0];
    const bigString = [0x10, 0x08, 0x08, 0x01, 0x32, 0x80, 0x80, 0x80, 0x80, 0x08, 0x61];
    const cases: [number[], boolean][] = [
      [huge, true],
      // Read as a ModelProto these are nonsense a reader may skip; as a TensorProto they must fail.
      [bigDims, false],
      [bigString, false],
    ];
    for (const [bytes, modelMustFail] of cases) {
      for (const [fn, mustFail] of [
        [() => openOnnx(new Uint8Array(bytes)).then(useAllOf), modelMustFail],
        [() => decodeTensorProto(new Uint8Array(bytes)), true],
      ] as [() => Promise<unknown>, boolean][]) {
        let err: unknown;
        try {
          await fn();
        } catch (e) {
          err = e;
        }
        if (mustFail || err !== undefined) expect(isCodecError(err), String(err)).toBe(true);
      }
    }
  });
});
