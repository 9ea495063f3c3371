/**
 * Run a writer that streams to a sink and return what it wrote as one
 * buffer, allocated once at the exact size (the in-memory forms of
 * writeTorch and reencodeTorchTo). Generic: it belongs in @codec/core next
 * to ZipWriter's sink option.
 */
export async function collectSink(write: (sink: (chunk: Uint8Array) => void) => Promise<void>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  await write((c) => {
    chunks.push(c);
    total += c.length;
  });
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
