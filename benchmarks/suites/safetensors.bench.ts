import { readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Tensor } from "@codec/core";
import { decodeSafetensors, encodeSafetensors } from "@codec/safetensors";
import { openSafetensorsFile, writeSafetensorsFile } from "@codec/safetensors/node";
import { benchGroup, recordMeasurement } from "../harness.js";
import { scratchDir } from "../scratch.js";

/**
 * safetensors hot paths against their physical floors (issue targets):
 *  - decode 1 GiB to tensor views <= 1.1x fs.readFileSync of the same file;
 *  - open a 100 GiB (sparse) file and list its tensors in < 5 ms, < 50 MB;
 *  - encode 1 GiB <= 1.3x fs.writeFileSync of the same bytes: the in-memory
 *    encoder and the streaming file writer have that target; encode-then-
 *    writeFileSync (one extra 1 GiB copy) is reported beside them.
 * Inputs are generated in scratchDir() and the big ones deleted at the end.
 */

const GiB = 1024 ** 3;
const dir = scratchDir();
const bigPath = join(dir, "safetensors-1g.safetensors");
const outPath = join(dir, "safetensors-1g-out.safetensors");
const sparsePath = join(dir, "safetensors-100g-sparse.safetensors");

/** 1 GiB of tensors (56 x 16 MiB float32 + 32 x 4 MiB bfloat16), views into one buffer. */
function makeTensors(): Record<string, Tensor> {
  const backing = new Uint8Array(GiB);
  const words = new Uint32Array(backing.buffer);
  let x = 0x9e3779b9;
  for (let i = 0; i < words.length; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    words[i] = x & 0x3f7fffff; // finite floats
  }
  const tensors: Record<string, Tensor> = {};
  let at = 0;
  for (let i = 0; i < 56; i++) {
    const n = 16 * 1024 * 1024;
    tensors[`layers.${i}.weight`] = new Tensor({ dtype: "float32", shape: [2048, 2048], data: backing.subarray(at, at + n) });
    at += n;
  }
  for (let i = 0; i < 32; i++) {
    const n = 4 * 1024 * 1024;
    tensors[`layers.${i}.bf16`] = new Tensor({ dtype: "bfloat16", shape: [1024, 2048], data: backing.subarray(at, at + n) });
    at += n;
  }
  if (at !== GiB) throw new Error("bench input is not 1 GiB");
  return tensors;
}

async function main(): Promise<void> {
  let tensors: Record<string, Tensor> | null = makeTensors();
  let inMemory: Uint8Array | null = null;
  writeSafetensorsFile(bigPath, tensors, { format: "pt" });

  await benchGroup(
    "safetensors decode 1 GiB",
    "read a 1 GiB file and get every tensor as a view",
    [
      { name: "fs.readFileSync", role: "floor", run: () => readFileSync(bigPath) },
      {
        name: "readFileSync + decode views",
        role: "ours",
        run: () => {
          const f = decodeSafetensors(readFileSync(bigPath));
          let n = 0;
          for (const name of f.names()) n += f.getSync(name).byteLength;
          return n;
        },
      },
      {
        // The decoder's own share: header parse + 88 views over bytes already in memory.
        name: "decode views only (bytes in memory)",
        role: "reference",
        before: () => {
          inMemory ??= readFileSync(bigPath);
        },
        run: () => {
          const f = decodeSafetensors(inMemory!);
          let n = 0;
          for (const name of f.names()) n += f.getSync(name).byteLength;
          return n;
        },
      },
      {
        name: "FileSource open + get all",
        role: "ours",
        run: async () => {
          const f = await openSafetensorsFile(bigPath);
          let n = 0;
          for (const name of f.names()) n += (await f.get(name)).byteLength;
          await f.close();
          return n;
        },
      },
    ],
    [
      { case: "readFileSync + decode views", against: "fs.readFileSync", maxRatio: 1.1, label: "decode 1 GiB to views <= 1.1x readFileSync" },
      { case: "FileSource open + get all", against: "fs.readFileSync", maxRatio: 1.1, label: "FileSource decode 1 GiB <= 1.1x readFileSync" },
    ],
    { rounds: 7 },
  );

  inMemory = null;
  const encoded = readFileSync(bigPath);
  await benchGroup(
    "safetensors encode 1 GiB",
    "write 1 GiB of tensors to a file",
    [
      { name: "fs.writeFileSync same bytes", role: "floor", run: () => writeFileSync(outPath, encoded) },
      { name: "encodeSafetensors (in memory)", role: "ours", run: () => encodeSafetensors(tensors!, { format: "pt" }).byteLength },
      { name: "encodeSafetensors + writeFileSync", role: "ours", run: () => writeFileSync(outPath, encodeSafetensors(tensors!, { format: "pt" })) },
      { name: "writeSafetensorsFile (streaming)", role: "ours", run: () => writeSafetensorsFile(outPath, tensors!, { format: "pt" }) },
    ],
    [
      { case: "encodeSafetensors (in memory)", against: "fs.writeFileSync same bytes", maxRatio: 1.3, label: "encode 1 GiB <= 1.3x writeFileSync" },
      { case: "writeSafetensorsFile (streaming)", against: "fs.writeFileSync same bytes", maxRatio: 1.3, label: "streaming encode 1 GiB <= 1.3x writeFileSync" },
    ],
    { rounds: 7 },
  );
  tensors = null;
  rmSync(bigPath, { force: true });
  rmSync(outPath, { force: true });

  // 100 GiB sparse file: 100 tensors of 1 GiB; only the header has real bytes.
  const header: Record<string, Tensor> = {};
  const empty = new Uint8Array(0);
  for (let i = 0; i < 100; i++) header[`h${i}`] = new Tensor({ dtype: "float32", shape: [0], data: empty });
  const prefix = encodeSafetensors(header);
  const json = new TextDecoder().decode(prefix.subarray(8)).trimEnd();
  const parsed = JSON.parse(json) as Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>;
  let off = 0;
  for (const v of Object.values(parsed)) {
    v.shape = [16384, 16384];
    v.data_offsets = [off, off + GiB];
    off += GiB;
  }
  let text = JSON.stringify(parsed);
  text += " ".repeat((8 - (text.length % 8)) % 8);
  const headBytes = new Uint8Array(8 + text.length);
  new DataView(headBytes.buffer).setBigUint64(0, BigInt(text.length), true);
  headBytes.set(new TextEncoder().encode(text), 8);
  writeFileSync(sparsePath, headBytes);
  truncateSync(sparsePath, headBytes.length + off);

  const list = async () => {
    const f = await openSafetensorsFile(sparsePath);
    const infos = f.names().map((n) => f.info(n));
    await f.close();
    return infos;
  };
  for (let i = 0; i < 20; i++) await list(); // warm up
  const times: number[] = [];
  for (let i = 0; i < 51; i++) {
    const t0 = performance.now();
    await list();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage();
  const f = await openSafetensorsFile(sparsePath);
  const infos = f.names().map((n) => f.info(n));
  const after = process.memoryUsage();
  const extraMB = (after.rss - before.rss + Math.max(0, after.arrayBuffers - before.arrayBuffers)) / 1e6;
  if (infos.length !== 100 || f.header.dataLength !== 100 * GiB) throw new Error("sparse listing is wrong");
  await f.close();
  recordMeasurement("safetensors open 100 GiB", "open + list 100 tensors (median of 51)", times[25], "ms", 5);
  recordMeasurement("safetensors open 100 GiB", "extra memory for open + list", Math.max(0, extraMB), "MB", 50);
  rmSync(sparsePath, { force: true });
}

try {
  await main();
} finally {
  for (const p of [bigPath, outPath, sparsePath]) rmSync(p, { force: true });
}
