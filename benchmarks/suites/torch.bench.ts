import { execFileSync } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { Tensor } from "@codec/core";
import { FileSource } from "@codec/core/node";
import { openTorch, writeTorch } from "@codec/torch-zip";
import { benchGroup, recordMeasurement } from "../harness.js";
import { scratchDir } from "../scratch.js";

/**
 * PyTorch checkpoints (@codec/torch-zip):
 *  1. Load torchvision's resnet50 state_dict (random init, ~98 MiB, made
 *     by torch.save in the scratch dir) to tensor views: read the file,
 *     open the zip, decode data.pkl, get every tensor. Floor:
 *     fs.readFileSync of the same file. Target <= 1.2x. Cases with the
 *     default CRC-32 check of every storage and with `verifyChecksums:
 *     false`; plus loading from the path through a FileSource (one
 *     positioned read per storage, what `codec` and `openTorch(path)`
 *     users do). torch.load (1.13) does not check CRCs at all: a storage
 *     with a flipped byte loads silently.
 *     Python's torch.load of the same file is timed in-process (import
 *     excluded) and reported as a ratio.
 *  2. Write a 1 GiB state dict (64 float32 tensors of 16 MiB) streaming to
 *     a file. Floor: writing the same bytes with fs.writeSync. Target <= 1.3x.
 */

const dir = scratchDir();
const resnet = join(dir, "resnet50-state-dict.pt");
const PY = "/usr/bin/python3";

if (!existsSync(resnet)) {
  execFileSync(PY, ["-c", `import torch, torchvision; torch.manual_seed(0); torch.save(torchvision.models.resnet50().state_dict(), ${JSON.stringify(resnet)})`], {
    stdio: "inherit",
  });
}

async function loadAll(bytes: Uint8Array, verifyChecksums: boolean): Promise<number> {
  const t = await openTorch(bytes, { verifyChecksums });
  let n = 0;
  for (const name of t.names()) n += (await t.get(name)).byteLength;
  return n;
}

async function loadFromFile(verifyChecksums: boolean): Promise<number> {
  const src = new FileSource(resnet);
  try {
    const t = await openTorch(src, { verifyChecksums });
    let n = 0;
    for (const name of t.names()) n += (await t.get(name)).byteLength;
    return n;
  } finally {
    await src.close();
  }
}

const load = await benchGroup(
  "torch load",
  `resnet50 state_dict (${(readFileSync(resnet).length / 2 ** 20).toFixed(1)} MiB) to tensor views`,
  [
    { name: "fs.readFileSync", role: "floor", run: () => readFileSync(resnet) },
    { name: "readFileSync + openTorch + get all (CRC checked)", role: "ours", run: () => loadAll(readFileSync(resnet), true) },
    { name: "readFileSync + openTorch + get all (no CRC)", role: "ours", run: () => loadAll(readFileSync(resnet), false) },
    { name: "FileSource + openTorch + get all (CRC checked)", role: "ours", run: () => loadFromFile(true) },
  ],
  [
    { case: "readFileSync + openTorch + get all (CRC checked)", against: "fs.readFileSync", maxRatio: 1.2, label: "load resnet50 <= 1.2x readFileSync (CRC checked)" },
    { case: "readFileSync + openTorch + get all (no CRC)", against: "fs.readFileSync", maxRatio: 1.2, label: "load resnet50 <= 1.2x readFileSync (verifyChecksums: false)" },
    { case: "FileSource + openTorch + get all (CRC checked)", against: "fs.readFileSync", maxRatio: 1.2, label: "load resnet50 from its path (FileSource) <= 1.2x readFileSync (CRC checked)" },
  ],
  { rounds: 15 },
);

// torch.load of the same file, timed inside Python (interpreter start and `import torch` excluded).
const pyTimes = execFileSync(
  PY,
  [
    "-c",
    `import time, torch\nts=[]\nfor i in range(7):\n    t0=time.perf_counter(); torch.load(${JSON.stringify(resnet)}); ts.append(time.perf_counter()-t0)\nts.sort(); print(ts[len(ts)//2]*1000)`,
  ],
  { encoding: "utf8" },
);
const torchLoadMs = Number(pyTimes.trim());
const oursMs = load.cases.find((c) => c.name.includes("CRC checked") && c.name.startsWith("readFileSync"))?.medianMs ?? Number.NaN;
console.log(`  reference torch.load (python, in-process median) ${torchLoadMs.toFixed(2)} ms`);
recordMeasurement("torch load", "ours (CRC checked) / torch.load", oursMs / torchLoadMs, "x", 1.0);

// --- write 1 GiB ------------------------------------------------------------
const MiB = 2 ** 20;
const TENSORS = 64;
const tensors = new Map<string, Tensor>();
for (let i = 0; i < TENSORS; i++) {
  const a = new Float32Array((16 * MiB) / 4);
  for (let j = 0; j < a.length; j += 1024) a[j] = i + j;
  tensors.set(`layers.${i}.weight`, new Tensor({ dtype: "float32", shape: [1024, 4096], data: new Uint8Array(a.buffer) }));
}
const outOurs = join(dir, "torch-write-ours.pt");
const outFloor = join(dir, "torch-write-floor.bin");

async function writeOursSync(): Promise<void> {
  const fd = openSync(outOurs, "w");
  try {
    await writeTorch(tensors, (c) => {
      writeSync(fd, c);
    }, { archiveName: "torch-write-ours" });
  } finally {
    closeSync(fd);
  }
}

// An asynchronous sink: the kernel write of one storage runs on libuv's
// thread pool while writeTorch computes the next storage's CRC-32.
async function writeOursAsync(): Promise<void> {
  const fh = await open(outOurs, "w");
  try {
    await writeTorch(tensors, async (c) => {
      await fh.write(c);
    }, { archiveName: "torch-write-ours" });
  } finally {
    await fh.close();
  }
}

function writeFloor(): void {
  const fd = openSync(outFloor, "w");
  try {
    for (const t of tensors.values()) writeSync(fd, t.bytes());
  } finally {
    closeSync(fd);
  }
}

await benchGroup(
  "torch write",
  "1 GiB state dict (64 float32 tensors of 16 MiB), streamed to a file",
  [
    { name: "fs.writeSync of the same bytes", role: "floor", run: writeFloor },
    { name: "writeTorch to an async file sink", role: "ours", run: writeOursAsync },
    { name: "writeTorch to a writeSync sink", role: "ours", run: writeOursSync },
  ],
  [
    { case: "writeTorch to an async file sink", against: "fs.writeSync of the same bytes", maxRatio: 1.3, label: "write 1 GiB state dict <= 1.3x writing the bytes" },
    { case: "writeTorch to a writeSync sink", against: "fs.writeSync of the same bytes", maxRatio: 1.3, label: "write 1 GiB state dict <= 1.3x writing the bytes (synchronous sink)" },
  ],
  { rounds: 5 },
);
rmSync(outOurs, { force: true });
rmSync(outFloor, { force: true });
