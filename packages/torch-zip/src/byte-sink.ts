/**
 * Where a streaming writer sends the file's bytes, in order. It may return
 * a promise (an asynchronous file write): the next chunk is only passed
 * once it settles, and meanwhile the writer computes the next storage's
 * CRC-32, so a sink that writes off the main thread overlaps the two.
 */
export type ByteSink = (chunk: Uint8Array) => void | PromiseLike<void>;

/**
 * Serialises sink calls: each chunk goes out after the previous one
 * settled; `drain()` waits for all and rethrows the first failure.
 */
export function orderedSink(sink: ByteSink): { push: (chunk: Uint8Array) => void; drain: () => Promise<void> } {
  let tail: Promise<void> = Promise.resolve();
  return {
    push(chunk) {
      tail = tail.then(() => sink(chunk));
      // Marked handled here; drain() still rejects. Without it a failed write
      // that lands while the writer is busy would be an unhandled rejection.
      tail.catch(() => undefined);
    },
    drain: () => tail,
  };
}
