/**
 * Key-sharing for the small dicts a decoder builds, after CPython's
 * key-sharing dictionaries (PEP 412): data pickles hold many dicts with the
 * same keys in the same order (records, object __dict__ states), and the
 * keys arrive as the same memoized str objects. Those dicts get one shared
 * `keys` array instead of one copy each, which removes a quarter of the
 * memory of a pickle of small records and of the garbage-collector work
 * of keeping it alive while decoding.
 *
 * A shared keys array is frozen: PyDict.set copies it before adding a key
 * (the documented way to change a dict), and nothing else can write into
 * the array that other dicts use.
 */
import type { PyDict, PyValue } from "../model.js";
import { pairValues } from "./literal-arrays.js";

/** Dicts up to this many items take part (PyDict's index-free size). */
export const SHARED_KEYS_MAX = 8;
/** Recently seen key lists compared against (a handful of record shapes is the common case). */
const RECENT = 8;

export class KeyShapes {
  private readonly recent: PyValue[][] = [];
  /** Whether recent[r] is in use by two dicts or more (and so frozen). */
  private readonly shared: boolean[] = [];
  private next = 0;

  /**
   * A recent key list equal to the str keys items[from], items[from + 2],
   * ... before `to` (str keys compare by value, as in Python; a batch that
   * repeats a key never matches, since a remembered list holds each key
   * once), or null. A list is compared by its content at the time, so a
   * dict that grew in place before its list was shared is still matched
   * correctly.
   */
  find(items: readonly PyValue[], from: number, to: number): PyValue[] | null {
    const n = (to - from) >> 1;
    const recent = this.recent;
    for (let r = 0; r < recent.length; r++) {
      const s = recent[r];
      if (s.length !== n) continue;
      let i = 0;
      while (i < n && s[i] === items[from + 2 * i]) i++;
      if (i === n) {
        if (!this.shared[r]) {
          // Second user of this key list: from now on no dict may change it in place.
          Object.freeze(s);
          this.shared[r] = true;
        }
        return s;
      }
    }
    return null;
  }

  /** Remembers the keys of a new dict as a candidate for sharing. */
  remember(keys: PyValue[]): void {
    if (this.recent.length < RECENT) {
      this.recent.push(keys);
      this.shared.push(false);
    } else {
      this.recent[this.next] = keys;
      this.shared[this.next] = false;
      this.next = (this.next + 1) % RECENT;
    }
  }
}

/**
 * Fills an empty dict with the pairs items[from], items[from + 1], ... up
 * to `to` (an even count of at most 2 * SHARED_KEYS_MAX) when every key is
 * a str, like PyDict.setPairs (a later equal key replaces the value, the
 * first position stays), with exact-size arrays and shared keys. Returns
 * false, changing nothing, when a key is not a str (the caller then uses
 * setPairs, which knows Python's equality across numbers and tuples).
 */
export function fillStrDict(d: PyDict, items: readonly PyValue[], from: number, to: number, shapes: KeyShapes): boolean {
  for (let i = from; i < to; i += 2) if (typeof items[i] !== "string") return false;
  const n = (to - from) >> 1;
  const same = shapes.find(items, from, to);
  if (same !== null) {
    d.keys = same;
    d.values = pairValues(items, from, n);
    return true;
  }
  const values = new Array<PyValue>(n);
  const keys = new Array<PyValue>(n);
  let m = 0;
  for (let i = from; i < to; i += 2) {
    const key = items[i];
    let j = 0;
    while (j < m && keys[j] !== key) j++;
    if (j < m) values[j] = items[i + 1];
    else {
      keys[m] = key;
      values[m++] = items[i + 1];
    }
  }
  if (m < n) {
    keys.length = m;
    values.length = m;
  }
  shapes.remember(keys);
  d.keys = keys;
  d.values = values;
  return true;
}
