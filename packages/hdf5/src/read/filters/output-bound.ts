import type { FilterContext } from "./registry.js";

/**
 * Most bytes a third-party compression filter may produce: the chunk plus
 * room for filters that ran before it and grew the data (fletcher32 adds 4
 * bytes; nbit and scale-offset add small headers).
 */
export function filterOutputBound(ctx: FilterContext): number {
  return ctx.chunkBytes + 4096;
}
