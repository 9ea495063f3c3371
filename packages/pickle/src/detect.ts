/**
 * Content sniffing for pickles and joblib files (DESIGN.md section 6:
 * formats are detected from content). A binary pickle starts with PROTO
 * 2-5; joblib files are a pickle naming joblib.numpy_pickle's
 * NumpyArrayWrapper, or that pickle compressed whole (joblib/compressor.py magics).
 */
import { Gunzip, Unzlib } from "fflate";
import { detectCompression } from "./joblib/decompress.js";
import { looksTorchLegacy } from "./torch-legacy-magic.js";

/**
 * 2 for a protocol 2-5 pickle header (PROTO n, then a plausible opcode), 1 for
 * text that could be a protocol 0/1 pickle, 0 otherwise, and 0 for a legacy
 * torch.save file (a pickled magic number first, in any protocol).
 */
export function sniffPickle(head: Uint8Array): number {
  if (head.length < 3 || looksTorchLegacy(head)) return 0;
  if (head[0] === 0x80 && head[1] >= 2 && head[1] <= 5) return 2;
  // Protocol 0/1 streams usually open with MARK, GLOBAL, EMPTY_LIST/DICT/TUPLE, or a text INT/STRING.
  const c = head[0];
  if ((c === 0x28 || c === 0x63 || c === 0x5d || c === 0x7d || c === 0x29) && head.indexOf(0x2e) > 0) return 1;
  return 0;
}

const WRAPPER = new TextEncoder().encode("NumpyArrayWrapper");

function contains(hay: Uint8Array, needle: Uint8Array): boolean {
  const first = needle[0];
  for (let i = hay.indexOf(first); i >= 0 && i + needle.length <= hay.length; i = hay.indexOf(first, i + 1)) {
    let k = 1;
    while (k < needle.length && hay[i + k] === needle[k]) k++;
    if (k === needle.length) return true;
  }
  return false;
}

/** First bytes of a zlib/gzip stream, inflated (up to what `head` yields). */
function inflateHead(head: Uint8Array, kind: "zlib" | "gzip"): Uint8Array {
  const out: Uint8Array[] = [];
  try {
    const s = kind === "zlib" ? new Unzlib((c) => out.push(c)) : new Gunzip((c) => out.push(c));
    s.push(head, false);
  } catch {
    return new Uint8Array(0);
  }
  return out[0] ?? new Uint8Array(0);
}

/**
 * Extensions a joblib file compressed with bz2/lz4/xz/lzma carries: joblib.dump
 * picks the compressor from them (joblib/numpy_pickle.py `_COMPRESSOR_EXTENSIONS`
 * holds .z .gz .bz2 .xz .lzma .lz4), and the names people give dumps.
 */
const JOBLIB_EXTENSIONS: ReadonlySet<string> = new Set(["joblib", "pkl", "pickle", "z", "gz", "bz2", "xz", "lzma", "lz4"]);

/**
 * Confidence that `head` (the first bytes, 64 KiB or so) is a joblib file:
 * 3 for an uncompressed pickle with a NumpyArrayWrapper, 2 for a zlib/gzip
 * stream that inflates to a pickle, 1 for another joblib compressor's magic
 * (bz2 and lz4 blocks cannot be inflated from a head; xz/lzma are not read,
 * so that opening reports the codec) under a joblib-like extension, else 0.
 */
export function sniffJoblib(head: Uint8Array, ext = ""): number {
  const kind = detectCompression(head);
  if (kind === "none") return sniffPickle(head) > 0 && contains(head, WRAPPER) ? 3 : 0;
  if (kind === "zlib" || kind === "gzip") return sniffPickle(inflateHead(head, kind)) === 2 ? 2 : 0;
  return JOBLIB_EXTENSIONS.has(ext.toLowerCase()) ? 1 : 0;
}
