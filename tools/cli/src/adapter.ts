import type { ByteSource, JsonValue, TensorMap } from "@codec/core";

/**
 * How the CLI talks to a codec. One adapter per DESIGN.md section 6 format
 * name, in `formats/<name>.ts`, listed in `formats/index.ts`. Adapters are
 * thin: parsing and writing live in the codec packages.
 */

export interface DetectContext {
  /** The first bytes of the file (up to SNIFF_BYTES from @codec/core). */
  readonly head: Uint8Array;
  readonly source: ByteSource;
  readonly path: string;
  /** Lower-case extension without the dot, or "". */
  readonly ext: string;
}

/** Reports long work; a no-op unless stderr is a TTY. */
export interface Progress {
  /** `done` of `total` units (bytes or tensors) for a phase label. */
  update(label: string, done: number, total: number): void;
  end(): void;
}

export interface ScanGlobal {
  module: string;
  name: string;
  risk: "safe" | "suspicious" | "dangerous";
  [key: string]: JsonValue;
}

export interface ScanResult {
  verdict: "safe" | "suspicious" | "dangerous";
  globals: ScanGlobal[];
  /** Further JSON fields for `scan --json` (findings, member names, ...). */
  extra?: { [key: string]: JsonValue };
  /** Human-readable lines for `scan` without --json. */
  lines: string[];
}

export interface WriteOptions {
  progress: Progress;
  /**
   * The name the output gets once complete: adapters write to a temporary
   * name beside it, and a format that references side files by name (ONNX
   * external data) names them after this one.
   */
  finalPath: string;
}

export interface FormatAdapter {
  /** Format name as `inspect --json` reports it (a codec may refine it, e.g. hdf5 -> keras). */
  readonly format: string;
  /**
   * Extensions (lower case, no dot) that select this adapter as a `convert`
   * output; they also break ties between equally confident `detect` scores.
   */
  readonly outputExtensions: readonly string[];
  /**
   * Confidence that the file is this format: 0 no, 1 plausible structure,
   * 2 magic/structure confirmed. May read beyond the head (a zip's directory).
   */
  detect(ctx: DetectContext): number | Promise<number>;
  /** Open for `inspect` and as a `convert` input. The map's `format` is what inspect prints. */
  open(source: ByteSource, path: string): Promise<TensorMap>;
  /** Same-format lossless re-encode (`convert a.x b.x`). */
  reencode?(source: ByteSource, path: string, outPath: string, options: WriteOptions): Promise<void>;
  /**
   * Adjust an opened input for a target format before `write` (e.g. torch
   * drops names that alias another tensor's storage when writing
   * safetensors, which cannot hold shared tensors).
   */
  forTarget?(input: TensorMap, targetFormat: string): TensorMap;
  /** Write tensors and string metadata (`convert` across formats). */
  write?(input: TensorMap, outPath: string, options: WriteOptions): Promise<void>;
  /** `codec scan`: globals a pickle-bearing file would import or call. */
  scan?(source: ByteSource, path: string): Promise<ScanResult>;
  /**
   * Extra `inspect` flags this adapter understands, with their dashes
   * (`["--opcodes"]`). The CLI rejects any other flag as a usage error
   * (exit 2), so a flag handled in `describe` must be listed here.
   */
  readonly inspectFlags?: readonly string[];
  /**
   * Extra inspect output (e.g. `--opcodes` for pickles): lines for people,
   * printed after the table. `flags` holds the inspect flags given
   * (`--json`, `--digest` and any of `inspectFlags`). Return undefined for
   * nothing extra. With `--json`, the lines go into the document as
   * `"describe": [...]`.
   */
  describe?(source: ByteSource, path: string, flags: ReadonlySet<string>): Promise<string[] | undefined>;
}
