/**
 * Where the CLI writes. `main` takes these so tests can run it in-process
 * and capture both streams; the defaults are the process streams.
 */
export interface CliWriter {
  write(text: string): void;
  /** True when the stream is an interactive terminal (progress is shown only then). */
  readonly isTTY?: boolean;
  /** Terminal width in columns, when known. */
  readonly columns?: number;
}

export interface CliIO {
  stdout: CliWriter;
  stderr: CliWriter;
}

export function processIO(): CliIO {
  return {
    stdout: { write: (s) => void process.stdout.write(s), isTTY: process.stdout.isTTY === true },
    stderr: {
      write: (s) => void process.stderr.write(s),
      isTTY: process.stderr.isTTY === true,
      get columns() {
        return process.stderr.columns;
      },
    },
  };
}

/** A bad command line: printed as one line, exit status 2 (DESIGN.md section 6). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** A failed operation that is not a decoder error (missing file, refused conversion): exit status 1. */
export class CliFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CliFailure";
  }
}
