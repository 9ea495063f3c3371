/**
 * Content-based format detection (DESIGN.md section 6): each codec
 * registers a test over the first bytes of a file; the extension only
 * breaks ties between equally confident tests.
 */
export interface FormatDetector {
  readonly format: string;
  /** File extensions (without dot) that this format usually has. */
  readonly extensions: readonly string[];
  /**
   * Confidence that `head` (the first bytes, up to 4 KiB) starts this format:
   * 0 = no, 1 = plausible structure, 2 = magic bytes match.
   */
  detect(head: Uint8Array, byteLength: number): number;
}

const detectors: FormatDetector[] = [];

export function registerFormat(detector: FormatDetector): void {
  const i = detectors.findIndex((d) => d.format === detector.format);
  if (i >= 0) detectors[i] = detector;
  else detectors.push(detector);
}

export function registeredFormats(): readonly FormatDetector[] {
  return detectors;
}

/** Bytes of the head that `sniffFormat` wants to see. */
export const SNIFF_BYTES = 4096;

export function sniffFormat(head: Uint8Array, byteLength: number, fileName?: string): string | undefined {
  const ext = fileName?.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  let best: string | undefined;
  let bestScore = 0;
  for (const d of detectors) {
    let score: number;
    try {
      score = d.detect(head, byteLength);
    } catch {
      // A detector must not take down detection of every other format.
      continue;
    }
    if (!(score > 0)) continue;
    if (ext !== undefined && d.extensions.includes(ext)) score += 0.5;
    if (score > bestScore) {
      best = d.format;
      bestScore = score;
    }
  }
  return best;
}

export function startsWith(head: Uint8Array, magic: readonly number[] | Uint8Array, at = 0): boolean {
  if (head.length < at + magic.length) return false;
  for (let i = 0; i < magic.length; i++) if (head[at + i] !== magic[i]) return false;
  return true;
}
