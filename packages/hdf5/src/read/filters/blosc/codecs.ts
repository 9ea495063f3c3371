import { blosclzDecodeBlock, fail, lz4DecodeBlock, nodeBuiltin, zstdDecompress } from "@codec/core";
import { unzlibSync } from "fflate";

/**
 * The compressors a Blosc stream may use. Two numberings exist:
 *
 * - the 3-bit "compressor format" in bits 5-7 of a chunk's flags byte
 *   (c-blosc README_HEADER.rst; c-blosc2 README_CHUNK_FORMAT.rst):
 *   0 blosclz, 1 lz4 or lz4hc (same stream format), 2 snappy, 3 zlib,
 *   4 zstd; Blosc2 adds 6 (user-defined codec) and 7 (set by the
 *   super-chunk).
 * - the compressor code callers pass in (blosc.h BLOSC_BLOSCLZ ..
 *   BLOSC_ZSTD, the last HDF5 client-data value of hdf5-blosc and
 *   hdf5-blosc2): 0 blosclz, 1 lz4, 2 lz4hc, 3 snappy, 4 zlib, 5 zstd.
 *   Decoding never needs it: the chunk header says which format it is.
 */

const FORMAT_NAMES: readonly string[] = ["blosclz", "lz4", "snappy", "zlib", "zstd", "reserved", "user-defined codec", "super-chunk codec"];

/** Name of a chunk's compressor format, for messages. */
export function compFormatName(compFormat: number): string {
  return FORMAT_NAMES[compFormat] ?? `format ${compFormat}`;
}

/** Decodes one compressed stream into exactly `output.length` bytes, else throws. */
export type StreamDecoder = (input: Uint8Array, output: Uint8Array) => void;

interface NodeZlib {
  inflateSync(input: Uint8Array, options?: { maxOutputLength?: number }): Uint8Array;
}

const nativeZlib: NodeZlib | undefined = (() => {
  const z = nodeBuiltin<NodeZlib>("node:zlib");
  return z && typeof z.inflateSync === "function" ? z : undefined;
})();

function exact(written: number, output: Uint8Array, name: string, format: string, offset: number): void {
  if (written !== output.length) fail("CORRUPT", format, `${name} stream decodes to ${written} bytes, expected ${output.length}`, { offset });
}

/**
 * The decoder for a compressor format. `offset` (the stream's place in
 * the chunk) only labels errors. Blosc's zlib streams are zlib-wrapped
 * (c-blosc zlib_wrap_decompress calls zlib's uncompress).
 */
export function streamDecoder(compFormat: number, format: string, offset: () => number): StreamDecoder {
  switch (compFormat) {
    case 0:
      return (input, output) => exact(blosclzDecodeBlock(input, output, format), output, "blosclz", format, offset());
    case 1:
      return (input, output) => exact(lz4DecodeBlock(input, output, format), output, "lz4", format, offset());
    case 3:
      return (input, output) => {
        let got: Uint8Array;
        try {
          got = nativeZlib
            ? nativeZlib.inflateSync(input, { maxOutputLength: Math.max(output.length, 1) })
            : unzlibSync(input, { out: new Uint8Array(output.length) });
        } catch (e) {
          return fail("CORRUPT", format, `zlib stream is invalid (${e instanceof Error ? e.message : String(e)})`, { offset: offset(), cause: e });
        }
        exact(got.length, output, "zlib", format, offset());
        output.set(got);
      };
    case 4:
      return (input, output) => {
        // One zstd frame per stream (c-blosc zstd_wrap_decompress: ZSTD_decompressDCtx).
        const got = zstdDecompress(input, output.length, format);
        exact(got.length, output, "zstd", format, offset());
        output.set(got);
      };
    default:
      return fail("UNSUPPORTED", format, `Blosc compressor '${compFormatName(compFormat)}' is not supported`, { offset: offset() });
  }
}
