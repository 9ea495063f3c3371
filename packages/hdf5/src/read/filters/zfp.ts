import { fail, guardDecode, isCodecError, swapBytesInPlace } from "@codec/core";
import { FORMAT } from "../context.js";
import type { FilterContext } from "./registry.js";
import { ZfpBitReader } from "./zfp/zfp-bitstream.js";
import { allocateField, decodeZfpField } from "./zfp/zfp-decode.js";
import { ZFP_MAX_BITS, ZFP_MAX_BITS_055, type ZfpHeader, readZfpHeader, zfpScalarBytes } from "./zfp/zfp-header.js";

/**
 * H5Z-ZFP filter (id 32013, LLNL/H5Z-ZFP src/H5Zzfp.c). set_local stores
 * cd_values[0] = (zfp library version << 16) | (zfp codec << 12) | H5Z-ZFP
 * version, and cd_values[1..] the zfp header (zfp_write_header with
 * ZFP_HEADER_FULL) written into the cd_values array as a bit stream of
 * 8-bit words. The chunk itself holds only the compressed blocks of the
 * chunk's field: its non-unity dimensions, fastest-varying HDF5 dimension
 * as zfp's nx. Decoding it yields the chunk's bytes in HDF5 order.
 */
export function zfpDecode(input: Uint8Array, ctx: FilterContext): Uint8Array {
  return guardDecode(FORMAT, () => decodeChunk(input, ctx));
}

/** The header bytes as the writer's machine laid out cd_values[1..] (little- or big-endian words). */
function headerBytes(cd: readonly number[], bigEndian: boolean): Uint8Array {
  const out = new Uint8Array(4 * (cd.length - 1));
  const view = new DataView(out.buffer);
  for (let i = 1; i < cd.length; i++) view.setUint32(4 * (i - 1), cd[i] >>> 0, !bigEndian);
  return out;
}

/** get_zfp_info_from_cd_values: read the header, retrying with byte-swapped words as H5Z-ZFP does. */
function readCdHeader(cd: readonly number[], maxBits: number, dataset: string): { header: ZfpHeader; swapped: boolean } {
  const what = `dataset ${dataset}`;
  let first: unknown;
  for (const swapped of [false, true]) {
    try {
      return { header: readZfpHeader(new ZfpBitReader(headerBytes(cd, swapped), `the zfp header of ${what}`), maxBits), swapped };
    } catch (e) {
      if (!isCodecError(e)) throw e;
      first ??= e;
    }
  }
  throw first;
}

function decodeChunk(input: Uint8Array, ctx: FilterContext): Uint8Array {
  const cd = ctx.clientData;
  if (cd.length < 2) fail("CORRUPT", FORMAT, `zfp filter of dataset ${ctx.dataset} has ${cd.length} client data values; H5Z-ZFP stores its version and the zfp header there`);
  // zfp_codec_version_mismatch: H5Z-ZFP before 1.1.0 wrote a 3-digit zfp version (0x055 for 0.5.5)
  let zfpVersion = (cd[0] >>> 16) & 0xffff;
  if (zfpVersion < 0x0100) zfpVersion <<= 4;
  const writerCodec = zfpVersion < 0x0500 ? 4 : zfpVersion <= 0x1000 ? 5 : (cd[0] >>> 12) & 0xf;
  if (writerCodec !== 5)
    fail("UNSUPPORTED", FORMAT, `unsupported zfp codec version ${writerCodec} in dataset ${ctx.dataset} (zfp library 0x${zfpVersion.toString(16)}; only codec 5 is supported)`);
  // zfp 1.0.0 changed ZFP_MAX_BITS (16657 -> 16658), the maxbits of the short
  // fixed-precision/accuracy/reversible modes; the block format is the same.
  const legacy = zfpVersion < 0x1000;
  const { header, swapped } = readCdHeader(cd, legacy ? ZFP_MAX_BITS_055 : ZFP_MAX_BITS, ctx.dataset);
  const bytes = zfpScalarBytes(header.type);
  if (bytes !== ctx.elementSize)
    fail("CORRUPT", FORMAT, `zfp header of dataset ${ctx.dataset} says ${header.type} but the dataset's elements are ${ctx.elementSize} bytes`);
  const out = allocateField(header, ctx.chunkBytes, `dataset ${ctx.dataset}`);
  decodeZfpField(new ZfpBitReader(input, `dataset ${ctx.dataset}`), header, out);
  // The values come out little-endian; a file written on a big-endian machine
  // has big-endian elements, which H5Z-ZFP restores by swapping.
  if (swapped) swapBytesInPlace(out, bytes);
  return out;
}
