import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoPath } from "@codec/testing";

/** One entry of fixtures/compress/bzip2/vectors.json (tools/fixtures/core/make_bzip2_vectors.py). */
export interface Bzip2Vector {
  name: string;
  source: string;
  size: number;
  sha256: string;
  b64?: string;
  file?: string;
  /** The input is lines(count), which the test rebuilds. */
  lines?: number;
}

/** A stream bzip2 -d rejects, with the CodecError code and message part we give. */
export interface Bzip2Invalid {
  name: string;
  b64: string;
  code: string;
  message: string;
}

export const bzip2FixtureDir = repoPath("packages/core/test/fixtures/compress/bzip2");

export function bzip2Vectors(): Bzip2Vector[] {
  return (JSON.parse(readFileSync(join(bzip2FixtureDir, "vectors.json"), "utf8")) as { vectors: Bzip2Vector[] }).vectors;
}

export function bzip2Invalid(): Bzip2Invalid[] {
  return (JSON.parse(readFileSync(join(bzip2FixtureDir, "vectors.json"), "utf8")) as { invalid: Bzip2Invalid[] }).invalid;
}

export function compressedBytes(v: Bzip2Vector): Uint8Array {
  if (v.b64 !== undefined) return new Uint8Array(Buffer.from(v.b64, "base64"));
  if (v.file === undefined) throw new Error(`vector ${v.name} has neither b64 nor file`);
  return new Uint8Array(readFileSync(join(bzip2FixtureDir, v.file)));
}

/** The generated multi-block input: the Python script's lines_input(n). */
export function linesInput(n: number): Uint8Array {
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(`line ${String(i).padStart(7, "0")}: weights of layer ${i % 97}, shape [${(i % 13) + 1}, 64]\n`);
  return new TextEncoder().encode(parts.join(""));
}
