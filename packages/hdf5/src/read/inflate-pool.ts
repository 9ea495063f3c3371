import { fail, nodeBuiltin } from "@codec/core";
import { FORMAT } from "./context.js";

/**
 * A small pool of Node worker threads that inflate chunks
 * in parallel for `Hdf5Dataset.readAsync`. Only used where the runtime
 * offers `worker_threads` without an import (`process.getBuiltinModule`);
 * elsewhere `available()` is false and reads stay on the calling thread.
 * Workers are unref'd, so an idle pool never keeps a process alive.
 */

interface WorkerLike {
  postMessage(value: unknown, transfer?: ArrayBuffer[]): void;
  on(event: "message", cb: (m: JobResult) => void): void;
  on(event: "error", cb: (e: unknown) => void): void;
  unref(): void;
  ref(): void;
}

interface JobResult {
  id: number;
  out?: Uint8Array;
  error?: string;
}

type WorkerCtor = new (code: string, opts: { eval: boolean }) => WorkerLike;

// The worker: zlib inflate with a bounded output. The shuffle filter's
// inverse runs on the calling thread, straight into the output array
// (filters/shuffle.ts), so it exists once.
const WORKER_CODE = `
const { parentPort } = require("node:worker_threads");
const zlib = require("node:zlib");
parentPort.on("message", (job) => {
  try {
    const max = job.chunkBytes * 2 + 4096;
    let out = zlib.inflateSync(job.data, { maxOutputLength: max, chunkSize: Math.min(Math.max(job.chunkBytes + 64, 16384), 1 << 26) });
    if (out.byteOffset !== 0 || out.byteLength !== out.buffer.byteLength) out = new Uint8Array(out);
    parentPort.postMessage({ id: job.id, out }, [out.buffer]);
  } catch (e) {
    parentPort.postMessage({ id: job.id, error: String(e && e.message || e) });
  }
});
`;

const Worker: WorkerCtor | undefined = nodeBuiltin<{ Worker?: WorkerCtor }>("node:worker_threads")?.Worker;

const cores = Math.max(1, Math.min(8, nodeBuiltin<{ availableParallelism?: () => number }>("node:os")?.availableParallelism?.() ?? 1));

class Pool {
  private readonly workers: WorkerLike[] = [];
  private readonly pending = new Map<number, { resolve: (b: Uint8Array) => void; reject: (e: unknown) => void }>();
  private next = 0;
  private busy = 0;

  constructor(size: number, ctor: WorkerCtor) {
    for (let i = 0; i < size; i++) {
      const w = new ctor(WORKER_CODE, { eval: true });
      w.on("message", (m: JobResult) => {
        const p = this.pending.get(m.id);
        if (!p) return;
        this.pending.delete(m.id);
        if (--this.busy === 0) for (const x of this.workers) x.unref();
        if (m.error !== undefined || !m.out) p.reject(new Error(m.error ?? "no output"));
        else p.resolve(m.out);
      });
      w.on("error", (e: unknown) => {
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
      });
      w.unref();
      this.workers.push(w);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  run(data: Uint8Array, chunkBytes: number): Promise<Uint8Array> {
    const id = this.next++;
    const w = this.workers[id % this.workers.length];
    if (this.busy++ === 0) for (const x of this.workers) x.ref();
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Copy so the transfer never detaches memory the source owns.
      const copy = new Uint8Array(data);
      w.postMessage({ id, data: copy, chunkBytes }, [copy.buffer]);
    });
  }
}

let pool: Pool | undefined;

export function inflatePoolAvailable(): boolean {
  return Worker !== undefined && cores > 1;
}

/** Inflate one chunk on a worker thread. */
export async function inflateOnWorker(data: Uint8Array, chunkBytes: number, dataset: string): Promise<Uint8Array> {
  if (!Worker) return fail("UNSUPPORTED", FORMAT, "worker threads are not available");
  pool ??= new Pool(cores, Worker);
  try {
    return await pool.run(data, chunkBytes);
  } catch (e) {
    return fail("CORRUPT", FORMAT, `deflate stream in dataset ${dataset} is invalid (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
}

/** Jobs in flight per worker: enough to keep every worker busy while the main thread reads. */
export function inflatePoolDepth(): number {
  return cores * 2;
}
