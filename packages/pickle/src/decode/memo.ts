import type { PyValue } from "../model.js";
import type { LazyMemoValue } from "./latin1-text.js";

export type MemoEntry = PyValue | LazyMemoValue;

/** Entries per chunk of the dense memo: 4096 slots stay well under V8's large-object size. */
const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;

/**
 * The unpickler's memo. Picklers number memo slots 0, 1, 2, ... in order,
 * so the slots from 0 up are kept dense; any other index (hand-made
 * pickles) goes to a Map.
 *
 * The dense part is a list of fixed-size chunks rather than one array: a
 * pickle of many small objects memoizes millions of them, and one growing
 * array would be reallocated and copied again and again, each copy a large
 * object allocated in the young generation that forces an early scavenge of
 * the (entirely live) objects decoded so far. Chunks are ordinary small
 * arrays that never move; all but the first are allocated at full size,
 * since growing each by push would allocate its entries three times over.
 */
export class Memo {
  private readonly chunks: MemoEntry[][] = [[]];
  private denseLength = 0;
  private sparse: Map<number, MemoEntry> | null = null;
  size = 0;

  get(i: number): MemoEntry | undefined {
    if (i < this.denseLength) return this.chunks[i >>> CHUNK_BITS][i & (CHUNK - 1)];
    return this.sparse?.get(i);
  }

  put(i: number, v: MemoEntry): void {
    if (i < this.denseLength) {
      // Dense slots are never empty: a PUT to one again replaces the value.
      this.chunks[i >>> CHUNK_BITS][i & (CHUNK - 1)] = v;
    } else if (i === this.denseLength && (this.sparse === null || !this.sparse.has(i))) {
      const c = i >>> CHUNK_BITS;
      if (c === this.chunks.length) this.chunks.push(new Array<MemoEntry>(CHUNK));
      const chunk = this.chunks[c];
      // The first chunk grows as needed (most pickles memoize a few values); later ones are
      // allocated whole, so filling them allocates nothing more.
      if (c === 0) chunk.push(v);
      else chunk[i & (CHUNK - 1)] = v;
      this.denseLength++;
      this.size++;
    } else {
      this.sparse ??= new Map();
      if (!this.sparse.has(i)) this.size++;
      this.sparse.set(i, v);
    }
  }
}
