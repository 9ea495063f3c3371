/** Reading a state_dict's structure: how many numbered children a module has. */
import type { Tensor } from "@codec/core";

/** The count of consecutive children `${prefix}.0`, `${prefix}.1`, ... that have tensors. */
export function countIndexed(w: ReadonlyMap<string, Tensor>, prefix: string): number {
  const seen = new Set<number>();
  const head = `${prefix}.`;
  for (const k of w.keys()) {
    if (!k.startsWith(head)) continue;
    const rest = k.slice(head.length);
    const dot = rest.indexOf(".");
    const part = dot < 0 ? rest : rest.slice(0, dot);
    if (/^\d+$/.test(part)) seen.add(Number(part));
  }
  let n = 0;
  while (seen.has(n)) n++;
  return n;
}
