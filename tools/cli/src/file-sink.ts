import { closeSync, openSync, renameSync, rmSync, write, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** fs.writeSync writes at most ~2 GiB per call. */
const CHUNK = 1 << 30;

/** Append-only writer over a file descriptor, for streaming encoders. */
export class FileSink {
  private fd: number | null;
  bytesWritten = 0;

  constructor(path: string) {
    this.fd = openSync(path, "w");
  }

  write(bytes: Uint8Array): void {
    if (this.fd === null) throw new Error("write after close");
    let done = 0;
    while (done < bytes.byteLength) {
      done += writeSync(this.fd, bytes, done, Math.min(bytes.byteLength - done, CHUNK));
    }
    this.bytesWritten += bytes.byteLength;
  }

  /**
   * The same append, with the kernel write on libuv's thread pool: a
   * streaming encoder whose sink returns this promise keeps computing
   * (CRC-32 of the next storage, say) meanwhile. One call at a time.
   */
  async writeAsync(bytes: Uint8Array): Promise<void> {
    const fd = this.fd;
    if (fd === null) throw new Error("write after close");
    let done = 0;
    while (done < bytes.byteLength) {
      const at = this.bytesWritten + done;
      done += await new Promise<number>((resolve, reject) => {
        write(fd, bytes, done, Math.min(bytes.byteLength - done, CHUNK), at, (err, n) => (err ? reject(err) : resolve(n)));
      });
    }
    this.bytesWritten += bytes.byteLength;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * Run `write(tmpPath)` and move the result onto `path` only when it
 * succeeds, so a failed conversion never leaves a half-written output (or
 * clobbers an existing file).
 */
export async function writeAtomically(path: string, write: (tmpPath: string) => Promise<void>): Promise<void> {
  // The temporary name keeps the extension: adapters may look at it (.h5 vs .keras).
  const tmp = join(dirname(path), `.codec-tmp-${process.pid}-${Date.now().toString(36)}.${basename(path)}`);
  try {
    await write(tmp);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
