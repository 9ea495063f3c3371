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

let epipeHandled = false;

export function processIO(): CliIO {
  // `codec inspect big.safetensors | head`: a closed pipe is not an error.
  if (!epipeHandled) {
    epipeHandled = true;
    process.stdout.on("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
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

/** A short phrase for common file-system errors ("no such file", "permission denied"). */
export function errnoPhrase(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case "ENOENT":
      return "no such file or directory";
    case "EISDIR":
      return "is a directory";
    case "ENOTDIR":
      return "a parent is not a directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "ENOSPC":
      return "no space left on device";
    case "EROFS":
      return "read-only file system";
    case "EMFILE":
      return "too many open files";
    default:
      return typeof code === "string" && code.startsWith("E") ? (e as Error).message : undefined;
  }
}
