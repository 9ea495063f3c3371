import { ByteReader, fail } from "@codec/core";
import { type Dataspace, UNLIMITED } from "../../model.js";
import { type Context, FORMAT } from "../context.js";

/** libhdf5's H5S_MAX_RANK. */
export const MAX_RANK = 32;

/** Dataspace message (spec IV.A.2.b), versions 1 and 2. */
export function decodeDataspace(ctx: Context, data: Uint8Array, offset: number): Dataspace {
  const r = new ByteReader(data, FORMAT, offset);
  const version = r.u8();
  if (version !== 1 && version !== 2) fail("UNSUPPORTED", FORMAT, `dataspace message version ${version}`, { offset });
  const rank = r.u8();
  const flags = r.u8();
  if (rank > MAX_RANK) fail("CORRUPT", FORMAT, `dataspace rank ${rank} is over ${MAX_RANK}`, { offset });
  let kind: Dataspace["kind"];
  if (version === 1) {
    r.skip(5);
    kind = rank === 0 ? "scalar" : "simple";
  } else {
    const t = r.u8();
    if (t > 2) fail("CORRUPT", FORMAT, `dataspace type ${t}`, { offset });
    kind = t === 0 ? "scalar" : t === 1 ? "simple" : "null";
    if (kind !== "simple" && rank !== 0) fail("CORRUPT", FORMAT, `${kind} dataspace with rank ${rank}`, { offset });
  }
  const dims: number[] = [];
  // Dimensions past 2^53 are kept (inexactly) so the object still opens;
  // any read of such a space fails its size checks instead.
  for (let i = 0; i < rank; i++) dims.push(bigDim(r, ctx.lengthSize));
  let maxDims: number[] | undefined;
  if (flags & 1) {
    maxDims = [];
    for (let i = 0; i < rank; i++) {
      r.need(ctx.lengthSize);
      let ones = true;
      for (let j = 0; j < ctx.lengthSize; j++) if (r.bytes[r.pos + j] !== 0xff) ones = false;
      if (ones) {
        r.skip(ctx.lengthSize);
        maxDims.push(UNLIMITED);
      } else maxDims.push(bigDim(r, ctx.lengthSize));
    }
  }
  return { kind, dims, maxDims };
}

function bigDim(r: ByteReader, size: number): number {
  if (size < 8) return r.uint(size);
  return Number(r.u64big());
}

export function spaceNumel(space: Dataspace): number {
  if (space.kind === "null") return 0;
  let n = 1;
  for (const d of space.dims) n *= d;
  return n;
}
