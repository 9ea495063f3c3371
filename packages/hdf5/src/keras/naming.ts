/**
 * Keras 3's path names for saveables in a container (keras/src/saving/
 * saving_lib.py `_save_container_state`): the class name in snake case
 * (keras/src/utils/naming.py `to_snake_case`), with `_1`, `_2`, ... for
 * later saveables of the same class. Layer `.name`s are deliberately not
 * used because they are not reproducible.
 */
export function toSnakeCase(name: string): string {
  let s = name.replace(/[^\p{L}\p{N}_]+/gu, "");
  s = s.replace(/(.)([A-Z][a-z]+)/g, "$1_$2");
  s = s.replace(/([a-z])([A-Z])/g, "$1_$2");
  return s.toLowerCase();
}

/** Assigns container path names in order, like saving_lib's `used_names` counter. */
export class ContainerNames {
  private readonly used = new Map<string, number>();

  next(className: string): string {
    const base = toSnakeCase(className);
    const n = this.used.get(base);
    if (n === undefined) {
      this.used.set(base, 0);
      return base;
    }
    this.used.set(base, n + 1);
    return `${base}_${n + 1}`;
  }
}

/** Natural order for names like dense, dense_1, dense_2, dense_10 and "0", "1", "10". */
export function naturalCompare(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === y) continue;
    const nx = /^\d+$/.test(x);
    const ny = /^\d+$/.test(y);
    if (nx && ny) return Number(x) - Number(y) || x.length - y.length;
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}
