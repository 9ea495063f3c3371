import type { Progress } from "./adapter.js";
import type { CliWriter } from "./cli-io.js";

/** Progress that prints nothing (stderr is piped, or the work is short). */
export const NO_PROGRESS: Progress = { update() {}, end() {} };

/**
 * One self-overwriting status line on a TTY stderr (DESIGN.md section 6:
 * "Long work shows progress on a TTY and nothing when piped"). Redraws at
 * most every 100 ms and only after the work has run for 300 ms, so quick
 * commands never flash a bar.
 */
export class TtyProgress implements Progress {
  private readonly out: CliWriter;
  private readonly start = Date.now();
  private last = 0;
  private shown = false;

  constructor(out: CliWriter) {
    this.out = out;
  }

  update(label: string, done: number, total: number): void {
    const now = Date.now();
    if (now - this.start < 300 || (now - this.last < 100 && done < total)) return;
    this.last = now;
    const pct = total > 0 ? Math.min(100, Math.floor((done / total) * 100)) : 100;
    const width = 24;
    const filled = Math.round((pct / 100) * width);
    const bar = `${"#".repeat(filled)}${"-".repeat(width - filled)}`;
    let line = `${label} [${bar}] ${String(pct).padStart(3)}%`;
    const cols = this.out.columns ?? 80;
    if (line.length > cols - 1) line = line.slice(0, Math.max(0, cols - 1));
    this.out.write(`\r${line}\x1b[K`);
    this.shown = true;
  }

  end(): void {
    if (this.shown) this.out.write("\r\x1b[K");
    this.shown = false;
  }
}

export function progressFor(stderr: CliWriter): Progress {
  return stderr.isTTY ? new TtyProgress(stderr) : NO_PROGRESS;
}
