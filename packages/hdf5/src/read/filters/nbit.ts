import { fail } from "@codec/core";
import { FORMAT } from "../context.js";
import { BitReader } from "./bit-stream.js";
import type { FilterContext } from "./registry.js";

/** Class codes in the nbit filter's client data (libhdf5 H5Znbit.c). */
const ATOMIC = 1;
const ARRAY = 2;
const COMPOUND = 3;
const NOOPTYPE = 4;

/** A parsed nbit parameter tree: how to unpack one element. */
type Plan =
  | { kind: "atomic"; size: number; be: boolean; precision: number; offset: number }
  | { kind: "array"; size: number; base: Plan; count: number }
  | { kind: "compound"; size: number; members: { offset: number; plan: Plan }[] }
  | { kind: "noop"; size: number };

/**
 * N-bit filter (id 5): every element's `precision` significant bits (at bit
 * `offset`) were packed MSB-first into one bit stream; unpack them back to
 * their place in zeroed elements. Client data: [count, no-compress flag,
 * element count, class code, per-class parameters...].
 */
export function nbitDecode(input: Uint8Array, ctx: FilterContext): Uint8Array {
  const cd = ctx.clientData;
  const bad = (why: string): never => fail("CORRUPT", FORMAT, `nbit parameters of dataset ${ctx.dataset} are invalid (${why})`);
  if (cd.length < 5) bad("too few client data values");
  if (cd[1]) return input; // the library found nothing to compress and stored the chunk as is
  const nelmts = cd[2];
  let at = 3;
  const next = (): number => {
    if (at >= cd.length) bad("truncated parameter list");
    return cd[at++];
  };
  const parse = (code: number, depth: number): Plan => {
    if (depth > 16) bad("types nest too deeply");
    const size = next();
    if (code === ATOMIC) {
      const order = next();
      const precision = next();
      const offset = next();
      if (precision === 0 || precision + offset > size * 8 || size > 8) bad("atomic precision/offset");
      return { kind: "atomic", size, be: order === 1, precision, offset };
    }
    if (code === ARRAY) {
      const base = parse(next(), depth + 1);
      if (base.size === 0 || size % base.size !== 0) bad("array size");
      return { kind: "array", size, base, count: size / base.size };
    }
    if (code === COMPOUND) {
      const n = next();
      const members: { offset: number; plan: Plan }[] = [];
      for (let i = 0; i < n; i++) {
        const offset = next();
        const plan = parse(next(), depth + 1);
        if (offset + plan.size > size) bad("compound member outside the element");
        members.push({ offset, plan });
      }
      return { kind: "compound", size, members };
    }
    if (code === NOOPTYPE) return { kind: "noop", size };
    return bad(`class code ${code}`);
  };
  const plan = parse(next(), 0);
  const total = nelmts * plan.size;
  if (!Number.isSafeInteger(total) || total > ctx.chunkBytes) bad(`${nelmts} elements exceed the chunk`);
  const out = new Uint8Array(total);
  const bits = new BitReader(input);
  const unpack = (p: Plan, base: number): void => {
    switch (p.kind) {
      case "atomic": {
        if (!bits.has(p.precision)) fail("CORRUPT", FORMAT, `nbit data of dataset ${ctx.dataset} is truncated`);
        let v = bits.readBig(p.precision) << BigInt(p.offset);
        for (let k = 0; k < p.size; k++) {
          out[base + (p.be ? p.size - 1 - k : k)] = Number(v & 0xffn);
          v >>= 8n;
        }
        return;
      }
      case "noop":
        for (let k = 0; k < p.size; k++) {
          if (!bits.has(8)) fail("CORRUPT", FORMAT, `nbit data of dataset ${ctx.dataset} is truncated`);
          out[base + k] = bits.read(8);
        }
        return;
      case "array":
        for (let i = 0; i < p.count; i++) unpack(p.base, base + i * p.base.size);
        return;
      case "compound":
        for (const m of p.members) unpack(m.plan, base + m.offset);
        return;
    }
  };
  for (let i = 0; i < nelmts; i++) unpack(plan, i * plan.size);
  return out;
}
