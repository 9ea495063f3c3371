/**
 * Record signatures, field sentinels and method names from PKWARE's
 * APPNOTE.TXT (version 6.3.x). Section numbers are cited where used.
 */

/** 4.3.7 local file header. */
export const SIG_LOCAL = 0x04034b50;
/** 4.3.9.3 optional data descriptor signature. */
export const SIG_DATA_DESCRIPTOR = 0x08074b50;
/** 4.3.12 central directory file header. */
export const SIG_CENTRAL = 0x02014b50;
/** 4.3.14 zip64 end of central directory record. */
export const SIG_ZIP64_EOCD = 0x06064b50;
/** 4.3.15 zip64 end of central directory locator. */
export const SIG_ZIP64_LOCATOR = 0x07064b50;
/** 4.3.16 end of central directory record. */
export const SIG_EOCD = 0x06054b50;

/** Fixed sizes of the records above (without variable-length tails). */
export const LOCAL_HEADER_SIZE = 30;
export const CENTRAL_HEADER_SIZE = 46;
export const EOCD_SIZE = 22;
export const ZIP64_LOCATOR_SIZE = 20;
export const ZIP64_EOCD_SIZE = 56;
/** 4.3.16: the .ZIP file comment is at most 65535 bytes. */
export const MAX_COMMENT = 0xffff;

/** 4.4.8, 4.4.9, 4.4.16: a 32-bit field of all ones means "see the ZIP64 extra field". */
export const U32_SENTINEL = 0xffffffff;
/** 4.4.21, 4.4.22: a 16-bit count of all ones means "see the ZIP64 end record". */
export const U16_SENTINEL = 0xffff;

/** 4.5.2 header ID of the ZIP64 extended information extra field. */
export const EXTRA_ZIP64 = 0x0001;
/**
 * Header ID "FB" (bytes 0x46 0x42) of the padding extra field that PyTorch's
 * caffe2::serialize::PyTorchStreamWriter writes so record data starts on a
 * 64-byte boundary; its payload is filler 'Z' bytes.
 */
export const EXTRA_PYTORCH_PAD = 0x4246;

/** 4.4.4 general purpose bit flags. */
export const FLAG_ENCRYPTED = 1 << 0;
export const FLAG_DATA_DESCRIPTOR = 1 << 3;
export const FLAG_STRONG_ENCRYPTION = 1 << 6;
export const FLAG_UTF8 = 1 << 11;

/** 4.4.5 compression methods we implement. */
export const METHOD_STORED = 0;
export const METHOD_DEFLATE = 8;

/** 4.4.3 "version needed to extract": 2.0 for deflate, 4.5 for ZIP64. */
export const VERSION_DEFAULT = 20;
export const VERSION_ZIP64 = 45;

/** 4.4.5: names of methods, for UNSUPPORTED messages. */
const METHOD_NAMES: Readonly<Record<number, string>> = {
  0: "stored",
  1: "shrunk",
  2: "reduced (factor 1)",
  3: "reduced (factor 2)",
  4: "reduced (factor 3)",
  5: "reduced (factor 4)",
  6: "imploded",
  8: "deflate",
  9: "deflate64",
  10: "PKWARE DCL imploded",
  12: "bzip2",
  14: "LZMA",
  16: "IBM z/OS CMPSC",
  18: "IBM TERSE",
  19: "IBM LZ77 z",
  20: "zstd (deprecated id)",
  93: "zstd",
  94: "MP3",
  95: "XZ",
  96: "JPEG",
  97: "WavPack",
  98: "PPMd",
  99: "AE-x encryption marker",
};

export function methodName(method: number): string {
  return METHOD_NAMES[method] ?? "unknown";
}

/**
 * Deflate (RFC 1951) cannot expand more than 1032:1: the densest stream
 * codes a 258-byte match in two bits. A declared size beyond this bound
 * is a lie, whatever the limit says.
 */
export const MAX_DEFLATE_RATIO = 1032;
