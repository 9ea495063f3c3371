import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import h5wasm from "h5wasm/node";

/**
 * Test helper: open bytes we wrote with h5wasm (libhdf5 compiled to wasm),
 * an independent reader, and hand the file to `fn`.
 */
export async function withH5wasm<T>(bytes: Uint8Array, fn: (f: InstanceType<typeof h5wasm.File>) => T): Promise<T> {
  await h5wasm.ready;
  const dir = mkdtempSync(join(tmpdir(), "h5w-"));
  const path = join(dir, "f.h5");
  writeFileSync(path, bytes);
  const f = new h5wasm.File(path, "r");
  try {
    return fn(f);
  } finally {
    f.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
