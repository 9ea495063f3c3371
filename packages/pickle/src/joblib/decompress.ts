/**
 * joblib's whole-file compression (joblib/compressor.py): the file starts
 * with the compressor's magic. zlib (0x78) and gzip (1f 8b) are inflated
 * here with fflate, bz2 ("BZh", Python's bz2 module) and lz4 (an LZ4 frame,
 * the lz4.frame module) with @codec/core's decompressors, each with a cap
 * on the inflated size; xz and lzma are recognised and rejected as
 * UNSUPPORTED (no LZMA decoder here), as is the pre-0.10 'ZF' format whose
 * arrays live in separate files.
 */
import { bzip2Decompress, fail, lz4DecompressFrame } from "@codec/core";
import { Gunzip, Unzlib } from "fflate";

const F = "joblib";

/** Compressions this package writes (encodeJoblib). */
export type JoblibCompression = "none" | "zlib" | "gzip";

/** Compressions this package reads: the written ones plus bz2 and lz4. */
export type JoblibReadCompression = JoblibCompression | "bz2" | "lz4";

const starts = (b: Uint8Array, magic: number[]): boolean => b.length >= magic.length && magic.every((m, i) => b[i] === m);

/** The compressor that joblib's _detect_compressor would pick, or the name of an unsupported one. */
export function detectCompression(head: Uint8Array): JoblibCompression | "bz2" | "xz" | "lzma" | "lz4" | "compat" {
  if (starts(head, [0x5a, 0x46])) return "compat";
  if (starts(head, [0x78])) return "zlib";
  if (starts(head, [0x1f, 0x8b])) return "gzip";
  if (starts(head, [0x42, 0x5a])) return "bz2";
  if (starts(head, [0xfd, 0x37, 0x7a, 0x58, 0x5a])) return "xz";
  if (starts(head, [0x5d, 0x00])) return "lzma";
  if (starts(head, [0x04, 0x22, 0x4d, 0x18])) return "lz4";
  return "none";
}

/** Inflates a compressed joblib file; uncompressed input is returned as is. */
export function joblibPayload(bytes: Uint8Array, maxBytes = 2 ** 32): { data: Uint8Array; compression: JoblibReadCompression } {
  const kind = detectCompression(bytes);
  if (kind === "none") return { data: bytes, compression: "none" };
  if (kind === "compat") fail("UNSUPPORTED", F, "joblib < 0.10 'ZF' files (arrays in separate files) are not supported", { offset: 0 });
  // Both decoders verify their checksums and stop at maxBytes (LIMIT) before a bomb is inflated.
  if (kind === "bz2") return { data: bzip2Decompress(bytes, maxBytes, F), compression: kind };
  if (kind === "lz4") return { data: lz4DecompressFrame(bytes, maxBytes, F), compression: kind };
  if (kind !== "zlib" && kind !== "gzip") fail("UNSUPPORTED", F, `joblib compression '${kind}' is not supported (only zlib, gzip, bz2 and lz4)`, { offset: 0 });
  const chunks: Uint8Array[] = [];
  let total = 0;
  let done = false;
  const ondata = (chunk: Uint8Array, final: boolean): void => {
    total += chunk.length;
    if (total > maxBytes) fail("LIMIT", F, `inflated data exceeds ${maxBytes} bytes`);
    chunks.push(chunk);
    if (final) done = true;
  };
  try {
    const s = kind === "zlib" ? new Unzlib(ondata) : new Gunzip(ondata);
    // Feed in slices so the size cap triggers before a bomb is fully inflated.
    const step = 1 << 20;
    for (let i = 0; i < bytes.length; i += step) s.push(bytes.subarray(i, Math.min(bytes.length, i + step)), i + step >= bytes.length);
  } catch (e) {
    if (e instanceof Error && (e as { _tag?: string })._tag === "CodecError") throw e;
    fail("CORRUPT", F, `${kind} data is corrupt (${e instanceof Error ? e.message : String(e)})`);
  }
  if (!done) fail("TRUNCATED", F, `${kind} stream ended early`);
  if (chunks.length === 1) return { data: chunks[0], compression: kind };
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return { data: out, compression: kind };
}
