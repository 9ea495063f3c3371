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
      // A failure before this chunk starts still settles `started()`. This
      // handler also marks `tail` handled (drain() still rejects): otherwise a
      // failed write landing while the writer is busy is an unhandled rejection.
      tail.then(undefined, () => markStarted());
    },
    started: () => lastStarted,
    drain: () => tail,
  };
}

/**
 * Runs `body` with an ordered sink and waits for every write. When the body
 * fails, the writes in flight are awaited first and the body's error is the
 * one reported.
 */
export async function writeInOrder(sink: ByteSink, body: (out: OrderedSink) => Promise<void>): Promise<void> {
  const out = orderedSink(sink);
  try {
    await body(out);
  } catch (e) {
    await out.drain().catch(() => undefined);
    throw e;
  }
  await out.drain();
}
