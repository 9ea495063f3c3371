import {
  type ByteInput,
  type ByteSource,
  type JsonValue,
  Tensor,
  type TensorInfo,
  type TensorInit,
  type TensorMap,
  DTYPES,
  checkRange,
  fail,
  fortranToC,
  guardDecode,
  guardDecodeAsync,
  isCodecError,
  swapBytesInPlace,
  swapUnit,
  toByteSource,
} from "@codec/core";
import {
  type EncodeHeaderOptions,
  NPY_PRELUDE_BYTES,
  type NpyHeader,
  type NpyHeaderOptions,
  encodeNpyHeader,
  parseNpyHeader,
  readNpyPrelude,
} from "./header.js";

/** The tensor name of a lone .npy file in a TensorMap (a .npy holds one unnamed array). */
export const NPY_TENSOR_NAME = "array";

export type NpyReadOptions = NpyHeaderOptions;

export interface NpyOpenOptions extends NpyReadOptions {
  /**
   * A header whose dtype holds no tensor (strings, records, datetimes: an
   * UNSUPPORTED header) opens as a map with no tensors, the reason in
   * metadata.npy.unsupported, the way openNpz lists such members (np.load
   * reads them; DESIGN.md section 5 makes only numeric and bool arrays
   * tensors). Object arrays (pickles, UNSAFE) still fail. Default false.
   */
  allowNonTensor?: boolean;
}

/**
 * Turn the stored element bytes into our tensor layout: C order, little
 * endian. Fortran-order data is transposed (core fortranToC) and big-endian
 * data swapped (core swapBytes); both copy and set `copied`. Otherwise the
 * tensor's data is `raw` itself (a view when the source is in memory).
 */
export function tensorFromNpyData(header: NpyHeader, raw: Uint8Array, baseOffset = 0): Tensor {
  if (raw.length < header.dataLength) {
    fail("TRUNCATED", "npy", `data needs ${header.dataLength} bytes, ${raw.length} present`, {
      offset: baseOffset + header.dataOffset + raw.length,
    });
  }
  let data = raw.length === header.dataLength ? raw : raw.subarray(0, header.dataLength);
  let copied = false;
  // Fortran order only differs from C order when two or more axes are longer than 1.
  if (header.fortranOrder && header.shape.filter((d) => d > 1).length > 1) {
    data = fortranToC(data, DTYPES[header.dtype].size, header.shape, "npy");
    copied = true;
  }
  if (header.byteOrder === "big") {
    if (!copied) data = data.slice();
    swapBytesInPlace(data, swapUnit(header.dtype));
    copied = true;
  }
  return new Tensor({ dtype: header.dtype, shape: header.shape, data, copied });
}

/** Decode a whole .npy file held in memory. */
export function decodeNpy(bytes: Uint8Array, options: NpyReadOptions = {}): Tensor {
  return guardDecode("npy", () => {
    const header = parseNpyHeader(bytes, options);
    return tensorFromNpyData(header, bytes.subarray(header.dataOffset), options.baseOffset);
  });
}

/** Read only the header of a .npy from a random-access source (two small reads). */
export async function readNpyHeader(source: ByteSource, options: NpyReadOptions = {}): Promise<NpyHeader> {
  return guardDecodeAsync("npy", async () => {
    const first = await source.read(0, Math.min(NPY_PRELUDE_BYTES, source.byteLength));
    const { dataOffset } = readNpyPrelude(first, options);
    if (dataOffset > source.byteLength) {
      fail("TRUNCATED", "npy", `header needs ${dataOffset} bytes, file has ${source.byteLength}`, {
        offset: (options.baseOffset ?? 0) + source.byteLength,
      });
    }
    return parseNpyHeader(await source.read(0, dataOffset), options);
  });
}

export function npyMetadata(header: NpyHeader): { [key: string]: JsonValue } {
  // Nested under "npy" so that only user metadata is flat (the CLI carries flat strings across formats).
  return { npy: { version: header.version, descr: header.descr, fortran_order: header.fortranOrder } };
}

/**
 * Open a .npy lazily: the header is parsed now, the data read on `get`.
 * The map holds one tensor named "array" (NPY_TENSOR_NAME).
 */
export async function openNpy(input: ByteInput, options: NpyOpenOptions = {}): Promise<TensorMap> {
  const source = toByteSource(input);
  let header: NpyHeader;
  try {
    header = await readNpyHeader(source, options);
  } catch (e) {
    if (!(options.allowNonTensor && isCodecError(e) && e.code === "UNSUPPORTED")) throw e;
    return {
      format: "npy",
      metadata: { npy: { unsupported: e.message } },
      names: () => [],
      info: (name: string) => fail("USAGE", "npy", `no tensor named '${name}' (this .npy holds no tensor: ${e.message})`),
      get: (name: string) => fail("USAGE", "npy", `no tensor named '${name}' (this .npy holds no tensor: ${e.message})`),
      close: source.close ? () => (source.close as () => Promise<void>)() : undefined,
    };
  }
  const info: TensorInfo = { name: NPY_TENSOR_NAME, dtype: header.dtype, shape: header.shape };
  const lookup = (name: string): TensorInfo => {
    if (name !== NPY_TENSOR_NAME) return fail("USAGE", "npy", `no tensor named '${name}' (a .npy holds one, '${NPY_TENSOR_NAME}')`);
    return info;
  };
  return {
    format: "npy",
    metadata: npyMetadata(header),
    names: () => [NPY_TENSOR_NAME],
    info: lookup,
    async get(name: string): Promise<Tensor> {
      lookup(name);
      return guardDecodeAsync("npy", async () => {
        const available = source.byteLength - header.dataOffset;
        if (available < header.dataLength) {
          fail("TRUNCATED", "npy", `data needs ${header.dataLength} bytes, ${available} present`, {
            offset: (options.baseOffset ?? 0) + source.byteLength,
          });
        }
        checkRange(source, header.dataOffset, header.dataLength, "npy");
        const raw = await source.read(header.dataOffset, header.dataLength);
        return tensorFromNpyData(header, raw, options.baseOffset);
      });
    },
    close: source.close ? () => (source.close as () => Promise<void>)() : undefined,
  };
}

export interface NpyWriteOptions {
  /** Force a format version (as numpy.lib.format.write_array(version=...)). */
  version?: EncodeHeaderOptions["version"];
}

/** The header and data parts of a .npy (for streaming writers). */
export function encodeNpyParts(tensor: Tensor | TensorInit, options: NpyWriteOptions = {}): [Uint8Array, Uint8Array] {
  const t = tensor instanceof Tensor ? tensor : new Tensor(tensor);
  const header = encodeNpyHeader(t.dtype, t.shape, { version: options.version });
  return [header, t.bytes()];
}

/** Encode one tensor as numpy.save would write it (C order, little-endian). */
export function encodeNpy(tensor: Tensor | TensorInit, options: NpyWriteOptions = {}): Uint8Array {
  const [header, data] = encodeNpyParts(tensor, options);
  const out = new Uint8Array(header.length + data.length);
  out.set(header, 0);
  out.set(data, header.length);
  return out;
}
