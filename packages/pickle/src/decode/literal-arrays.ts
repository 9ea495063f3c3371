import type { PyValue } from "../model.js";

/**
 * Small result arrays (a record's values, a short list or tuple) built with
 * array literals rather than `slice` or `new Array(n)`.
 *
 * Decoding a data pickle allocates millions of small arrays that all stay
 * alive, and V8 copies every surviving young object twice (once within the
 * young generation, once into the old one). Array literals carry an
 * allocation site: once V8 sees that nearly everything a site allocates
 * survives, it allocates from that site straight into the old generation
 * (allocation-site pretenuring), which `slice` and the Array constructor
 * never get. Each arity has its own literal, hence the switches.
 */

/** items[from, to) as a new array. */
export function copyRange(items: readonly PyValue[], from: number, to: number): PyValue[] {
  const i = from;
  switch (to - from) {
    case 0:
      return [];
    case 1:
      return [items[i]];
    case 2:
      return [items[i], items[i + 1]];
    case 3:
      return [items[i], items[i + 1], items[i + 2]];
    case 4:
      return [items[i], items[i + 1], items[i + 2], items[i + 3]];
    case 5:
      return [items[i], items[i + 1], items[i + 2], items[i + 3], items[i + 4]];
    case 6:
      return [items[i], items[i + 1], items[i + 2], items[i + 3], items[i + 4], items[i + 5]];
    case 7:
      return [items[i], items[i + 1], items[i + 2], items[i + 3], items[i + 4], items[i + 5], items[i + 6]];
    case 8:
      return [items[i], items[i + 1], items[i + 2], items[i + 3], items[i + 4], items[i + 5], items[i + 6], items[i + 7]];
    default:
      return items.slice(from, to);
  }
}

/** The n values of key/value pairs starting at items[from]: items[from + 1], items[from + 3], ... */
export function pairValues(items: readonly PyValue[], from: number, n: number): PyValue[] {
  const i = from + 1;
  switch (n) {
    case 1:
      return [items[i]];
    case 2:
      return [items[i], items[i + 2]];
    case 3:
      return [items[i], items[i + 2], items[i + 4]];
    case 4:
      return [items[i], items[i + 2], items[i + 4], items[i + 6]];
    case 5:
      return [items[i], items[i + 2], items[i + 4], items[i + 6], items[i + 8]];
    case 6:
      return [items[i], items[i + 2], items[i + 4], items[i + 6], items[i + 8], items[i + 10]];
    case 7:
      return [items[i], items[i + 2], items[i + 4], items[i + 6], items[i + 8], items[i + 10], items[i + 12]];
    case 8:
      return [items[i], items[i + 2], items[i + 4], items[i + 6], items[i + 8], items[i + 10], items[i + 12], items[i + 14]];
    default: {
      const out = new Array<PyValue>(n);
      for (let k = 0; k < n; k++) out[k] = items[i + 2 * k];
      return out;
    }
  }
}
