import type { ZipArchive } from "./zip-archive.js";
import type { ZipEntry } from "./zip-entry.js";

/**
 * The first `want` bytes of a deflated zip member, inflating only as much
 * of the stream as that needs (the web-standard DecompressionStream
 * "deflate-raw", in Node >= 20 and browsers). Used to read the .npy
 * header of np.savez_compressed members without inflating the array.
 *
 * Returns undefined when the platform has no DecompressionStream or the
 * prefix cannot be produced; callers then fall back to `zip.read` (which
 * also verifies the CRC-32 this partial read cannot check).
 */
export async function inflatePrefix(zip: ZipArchive, entry: ZipEntry, want: number): Promise<Uint8Array | undefined> {
  if (typeof DecompressionStream !== "function") return undefined;
  const limit = Math.min(want, entry.size);
  const chunk = 16 * 1024;
  let stream: DecompressionStream;
  try {
    stream = new DecompressionStream("deflate-raw");
  } catch {
    return undefined;
  }
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const parts: Uint8Array[] = [];
  let have = 0;
  let fed = 0;
  // Feed compressed bytes in small pieces from a separate task; reading
  // stops as soon as enough output exists.
  const feeding = (async () => {
    while (fed < entry.compressedSize) {
      const n = Math.min(chunk, entry.compressedSize - fed);
      const bytes = await zip.source.read(entry.dataOffset + fed, n);
      fed += n;
      await writer.write(bytes.slice());
    }
    await writer.close();
  })();
  feeding.catch(() => {});
  try {
    while (have < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      have += value.length;
    }
  } catch {
    return undefined;
  } finally {
    reader.cancel().catch(() => {});
    writer.abort().catch(() => {});
  }
  if (have < limit) return undefined;
  const out = new Uint8Array(limit);
  let at = 0;
  for (const p of parts) {
    const take = Math.min(p.length, limit - at);
    out.set(p.subarray(0, take), at);
    at += take;
    if (at === limit) break;
  }
  return out;
}
