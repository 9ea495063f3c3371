/**
 * Where a streaming writer sends the file's bytes, in order. It may return
 * a promise (an asynchronous file write): the next chunk is only passed
 * once it settles, and meanwhile the writer computes the next storage's
 * CRC-32, so a sink that writes off the main thread overlaps the two.
 */
export type ByteSink = (chunk: Uint8Array) => void | PromiseLike<void>;

export interface OrderedSink {
  /** Queue a chunk; it goes to the sink after every earlier one settled. */
  push(chunk: Uint8Array): void;
  /** Resolves once the last queued chunk has been handed to the sink (its write may still run). */
  started(): Promise<void>;
  /** Resolves once every queued chunk settled; rejects with the first failure. */
  drain(): Promise<void>;
}

/**
 * Serialises sink calls. A writer that queues a storage, awaits
 * `started()` and then computes the next storage's CRC-32 overlaps the
 * two: the write runs on the thread pool while the main thread hashes.
 */
export function orderedSink(sink: ByteSink): OrderedSink {
  let tail: Promise<void> = Promise.resolve();
  let lastStarted: Promise<void> = Promise.resolve();
  return {
    push(chunk) {
      let markStarted: () => void = () => undefined;
      lastStarted = new Promise<void>((resolve) => {
        markStarted = resolve;
      });
      tail = tail.then(() => {
        markStarted();
        return sink(chunk);
      });
      // A failure before this chunk starts still settles `started()`.
      tail.then(undefined, () => markStarted());
      // Marked handled here; drain() still rejects. Without it a failed write
      // that lands while the writer is busy would be an unhandled rejection.
      tail.catch(() => undefined);
    },
    started: () => lastStarted,
    drain: () => tail,
  };
}
