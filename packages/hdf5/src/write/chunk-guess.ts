/**
 * Automatic chunk shape, following h5py's documented heuristic
 * (h5py/_hl/filters.py guess_chunk): aim for a chunk of 16 KiB scaled by
 * 2^log10(dataset MiB), clamped to [8 KiB, 1 MiB], by halving the
 * dimensions round-robin from the first.
 */
const CHUNK_BASE = 16 * 1024;
const CHUNK_MIN = 8 * 1024;
const CHUNK_MAX = 1024 * 1024;

export function guessChunks(shape: readonly number[], elementSize: number): number[] {
  const chunks = shape.map((d) => (d === 0 ? 1024 : d));
  const product = (): number => chunks.reduce((a, b) => a * b, 1);
  const datasetBytes = product() * elementSize;
  let target = CHUNK_BASE * 2 ** Math.log10(datasetBytes / (1024 * 1024));
  if (target > CHUNK_MAX) target = CHUNK_MAX;
  else if (target < CHUNK_MIN) target = CHUNK_MIN;
  for (let idx = 0; ; idx++) {
    const bytes = product() * elementSize;
    if ((bytes < target || Math.abs(bytes - target) / target < 0.5) && bytes < CHUNK_MAX) break;
    if (product() === 1) break;
    const d = idx % chunks.length;
    chunks[d] = Math.ceil(chunks[d] / 2);
  }
  return chunks;
}
