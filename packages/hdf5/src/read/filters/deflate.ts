import { fail, nodeBuiltin } from "@codec/core";
import { inflateSync, unzlibSync } from "fflate";
import { FORMAT } from "../context.js";
import type { FilterContext } from "./registry.js";

interface NodeZlib {
  inflateSync(input: Uint8Array, options?: { maxOutputLength?: number; chunkSize?: number }): Uint8Array;
}

/**
 * Node's native zlib when the runtime offers it without an import
 * (`process.getBuiltinModule`, Node >= 20.16): several times faster than
 * a JavaScript inflate. Browsers and older runtimes use fflate.
 */
const nativeZlib: NodeZlib | undefined = (() => {
  const z = nodeBuiltin<NodeZlib>("node:zlib");
  return z && typeof z.inflateSync === "function" ? z : undefined;
})();

/**
 * Most bytes an inflate may produce: the chunk plus room for filters that
 * ran before deflate and grew the data (fletcher32 adds 4 bytes, nbit and
 * scale-offset add headers). The final chunk size is checked afterwards.
 */
function outputBound(ctx: FilterContext): number {
  return ctx.chunkBytes * 2 + 4096;
}

/** Deflate filter (id 1): a zlib stream (RFC 1950) per chunk. */
export function deflateDecode(input: Uint8Array, ctx: FilterContext): Uint8Array {
  try {
    if (nativeZlib) {
      // maxOutputLength bounds the output: a lying stream cannot blow up memory.
      return nativeZlib.inflateSync(input, { maxOutputLength: outputBound(ctx), chunkSize: Math.min(Math.max(ctx.chunkBytes + 64, 16384), 1 << 26) });
    }
    if (input.length >= 2 && (input[0] & 0x0f) === 8 && ((input[0] << 8) | input[1]) % 31 === 0) {
      return unzlibSync(input, { out: new Uint8Array(outputBound(ctx)) }).slice();
    }
    return inflateSync(input, { out: new Uint8Array(outputBound(ctx)) }).slice();
  } catch (e) {
    return fail("CORRUPT", FORMAT, `deflate stream in dataset ${ctx.dataset} is invalid (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
}
