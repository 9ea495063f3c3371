import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type ByteSource, DTYPES, type DType, isCodecError, MemorySource, Tensor, type TensorMap } from "@codec/core";
import { decodeTensorProto, encodeOnnx, openOnnx, readOnnxGraph, reencodeOnnx } from "@codec/onnx";
import { fuzzDecoder, mutate, repoPath, rng } from "@codec/testing";
import fc from "fast-check";
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
  "external_attr/model.onnx",
  "sparse_large.onnx",
];
const seeds = MODELS.map(read);
const protoSeeds = ["f32.pb", "i64.pb", "bool.pb", "f16_typed.pb", "scalar.pb", "strings.pb", "c64.pb"].map((f) => read(`tensors/${f}`));

/** External files for the external-data seeds: the real ones (mutated models still point into them). */
const externalFiles = new Map<string, Uint8Array>([
  ["model.data", read("external/model.data")],
  ["sub/blob.bin", read("external_manual/sub/blob.bin")],
  ["whole.bin", read("external_manual/whole.bin")],
  ["all.data", read("external_attr/all.data")],
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

/**
 * A structure-aware mutator: the bytes are parsed as nested protobuf messages (a length-delimited
 * field counts as a message when its bytes parse as one), one node is changed (a varint set to an
 * interesting value, a payload cut or grown, a sub-message dropped, repeated or swapped), and every
 * enclosing length is recomputed, so the reader meets well-formed protobuf with wrong contents.
 */
interface PbNode {
  field: number;
  wire: number;
  varint?: bigint;
  bytes?: Uint8Array;
  children?: PbNode[];
}

function readVarint(b: Uint8Array, pos: number): [bigint, number] | null {
  let v = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= b.length) return null;
    const x = b[pos++];
    v |= BigInt(x & 0x7f) << BigInt(7 * i);
    if (x < 0x80) return [v, pos];
  }
  return null;
}

function parsePb(b: Uint8Array, depth: number): PbNode[] | null {
  const out: PbNode[] = [];
  let pos = 0;
  while (pos < b.length) {
    const k = readVarint(b, pos);
    if (k === null || k[0] >> 3n === 0n) return null;
    pos = k[1];
    const field = Number(k[0] >> 3n);
    const wire = Number(k[0] & 7n);
    if (wire === 0) {
      const v = readVarint(b, pos);
      if (v === null) return null;
      out.push({ field, wire, varint: v[0] });
      pos = v[1];
    } else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (pos + n > b.length) return null;
      out.push({ field, wire, bytes: b.slice(pos, pos + n) });
      pos += n;
    } else if (wire === 2) {
      const l = readVarint(b, pos);
      if (l === null || Number(l[0]) > b.length - l[1]) return null;
      const payload = b.slice(l[1], l[1] + Number(l[0]));
      pos = l[1] + Number(l[0]);
      const children = depth < 12 && payload.length > 0 ? parsePb(payload, depth + 1) : null;
      out.push(children ? { field, wire, children, bytes: payload } : { field, wire, bytes: payload });
    } else return null;
  }
  return out;
}

function varintBytes(v: bigint): number[] {
  let x = BigInt.asUintN(64, v);
  const out: number[] = [];
  do {
    const b = Number(x & 0x7fn);
    x >>= 7n;
    out.push(x > 0n ? b | 0x80 : b);
  } while (x > 0n);
  return out;
}

function serializePb(nodes: PbNode[]): Uint8Array {
  const parts: number[] = [];
  for (const n of nodes) {
    parts.push(...varintBytes(BigInt((n.field << 3) | n.wire)));
    if (n.wire === 0) parts.push(...varintBytes(n.varint ?? 0n));
    else if (n.wire === 2) {
      const payload = n.children ? serializePb(n.children) : (n.bytes ?? new Uint8Array(0));
      parts.push(...varintBytes(BigInt(payload.length)));
      for (const x of payload) parts.push(x);
    } else for (const x of n.bytes ?? []) parts.push(x);
  }
  return new Uint8Array(parts);
}

const INTERESTING_VARINTS = [0n, 1n, 2n, 7n, 8n, 13n, 16n, 17n, 18n, 19n, 21n, 27n, 127n, 128n, 2n ** 31n - 1n, 2n ** 31n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 63n - 1n, 2n ** 64n - 1n];

function mutateStructure(input: Uint8Array, random: () => number): Uint8Array {
  const root = parsePb(input, 0);
  if (root === null) return mutate(input, random);
  const all: { node: PbNode; siblings: PbNode[] }[] = [];
  const walk = (nodes: PbNode[]) => {
    for (const n of nodes) {
      all.push({ node: n, siblings: nodes });
      if (n.children) walk(n.children);
    }
  };
  walk(root);
  const { node, siblings } = all[Math.floor(random() * all.length)];
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];
  if (node.wire === 0) {
    const v = node.varint ?? 0n;
    node.varint = pick([...INTERESTING_VARINTS, v + 1n, v - 1n, v * 2n]);
  } else if (node.children && random() < 0.6) {
    const i = Math.floor(random() * node.children.length);
    const op = Math.floor(random() * 3);
    if (op === 0) node.children.splice(i, 1);
    else if (op === 1) node.children.splice(i, 0, node.children[i]);
    else node.children.reverse();
  } else if (node.wire === 2) {
    node.children = undefined;
    const b = node.bytes ?? new Uint8Array(0);
    const op = Math.floor(random() * 3);
    node.bytes = op === 0 ? b.slice(0, Math.floor(random() * b.length)) : op === 1 ? new Uint8Array([...b, ...b.slice(0, 5)]) : new Uint8Array(0);
  } else if (node.bytes) {
    node.bytes = node.bytes.map(() => Math.floor(random() * 256));
  }
  if (random() < 0.1) siblings.splice(siblings.indexOf(node), 1);
  return serializePb(root);
}

describe("fuzz", () => {
  it("structure-aware mutations (well-formed protobuf, wrong contents): only CodecErrors, and re-encodes reopen", async () => {
    const random = rng(12);
    let ok = 0;
    let errors = 0;
    for (let i = 0; i < 3000; i++) {
      const seed = seeds[i % seeds.length];
      const bytes = mutateStructure(seed, random);
      const t0 = performance.now();
      for (const step of [() => useAll(bytes), async () => openOnnx(await reencodeOnnx(bytes, { externalData })), () => readOnnxGraph(bytes, { externalData })]) {
        try {
          await step();
          ok++;
        } catch (e) {
          if (!isCodecError(e)) throw new Error(`case ${i} (${MODELS[i % seeds.length]}): ${String(e)}`);
          errors++;
        }
      }
      expect(performance.now() - t0, `case ${i}`).toBeLessThan(2000);
    }
    console.log(`onnx fuzz (structure-aware): ${ok} ok, ${errors} CodecErrors`);
    expect(ok).toBeGreaterThan(0);
  }, 120_000);

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

  it("readOnnxGraph of mutated models: only CodecErrors, no hangs", async () => {
    const report = await fuzzDecoder(seeds, (bytes) => readOnnxGraph(bytes, { externalData }), { seed: 13, iterations: 200, maxMsPerCase: 1000 });
    console.log(`onnx fuzz (readOnnxGraph): ${JSON.stringify(report)}`);
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

  it("property: any tensor map round-trips through encodeOnnx exactly, and re-encoding the result is the identity", async () => {
    const DT: DType[] = ["bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float16", "bfloat16", "float32", "float64", "complex64", "complex128", "float8_e4m3fn", "float8_e5m2", "string"];
    const arbTensor = fc.record({ dtype: fc.constantFrom(...DT), shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 4 }), seed: fc.integer() });
    const make = (dtype: DType, shape: number[], seed: number): Tensor => {
      const n = shape.reduce((a, b) => a * b, 1);
      const r = rng(seed);
      if (dtype === "string") return new Tensor({ dtype, shape, data: Array.from({ length: n }, () => String.fromCodePoint(...Array.from({ length: Math.floor(r() * 5) }, () => 32 + Math.floor(r() * 0x2000)))) });
      const data = new Uint8Array(n * DTYPES[dtype].size);
      for (let i = 0; i < data.length; i++) data[i] = Math.floor(r() * 256);
      if (dtype === "bool") for (let i = 0; i < data.length; i++) data[i] &= 1;
      return new Tensor({ dtype, shape, data });
    };
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.tuple(fc.string({ maxLength: 8 }), arbTensor), { maxLength: 6, selector: ([k]) => k }),
        fc.dictionary(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom("onnx", "_onnx", "__onnx")), fc.string({ maxLength: 12 }), { maxKeys: 3 }),
        async (entries, metadata) => {
          const tensors = new Map(entries.map(([k, v]) => [k, make(v.dtype, v.shape, v.seed)]));
          const map: TensorMap = {
            format: "test",
            metadata: {},
            names: () => [...tensors.keys()],
            info: (n) => ({ name: n, dtype: (tensors.get(n) as Tensor).dtype, shape: (tensors.get(n) as Tensor).shape }),
            get: async (n) => tensors.get(n) as Tensor,
          };
          const bytes = await encodeOnnx(map, { metadata });
          const back = await openOnnx(bytes);
          expect(back.names()).toEqual([...tensors.keys()]);
          for (const [k, t] of tensors) {
            const g = await back.get(k);
            expect(g.dtype).toBe(t.dtype);
            expect(g.shape).toEqual(t.shape);
            if (t.dtype === "string") expect(g.strings()).toEqual(t.strings());
            else expect(g.bytes()).toEqual(t.bytes());
          }
          for (const [k, v] of Object.entries(metadata)) expect(back.metadata[k]).toBe(v);
          expect(await reencodeOnnx(bytes)).toEqual(bytes);
        },
      ),
      { numRuns: 200 },
    );
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
