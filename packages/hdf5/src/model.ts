/**
 * The in-memory model of an HDF5 file shared by the reader and the writer.
 *
 * Everything here is format-level: the names and fields follow the HDF5
 * File Format Specification (v2.0 / v3.0), section IV.A.2 (header
 * messages). The reader decodes bytes into these shapes; the writer
 * encodes these shapes into bytes. Nothing here depends on how bytes are
 * read or written.
 */

/** Byte order of a fixed-point or floating-point value (datatype bit field bit 0). */
export type ByteOrder = "LE" | "BE";

/* ------------------------------------------------------------------ */
/* Datatype message (spec IV.A.2.d): one variant per datatype class.   */
/* ------------------------------------------------------------------ */

/** Class 0: fixed-point number (integer). */
export interface FixedPointType {
  readonly class: "fixed-point";
  /** Element size in bytes. */
  readonly size: number;
  readonly signed: boolean;
  readonly byteOrder: ByteOrder;
  /** Bit offset of the first significant bit (usually 0). */
  readonly bitOffset: number;
  /** Number of significant bits (usually 8 * size). */
  readonly precision: number;
  /** Padding bits: lo/hi pad with 1s instead of 0s (bit field bits 1-2). */
  readonly loPad?: boolean;
  readonly hiPad?: boolean;
}

/** Mantissa normalization of a floating-point type (bit field bits 4-5). */
export type MantissaNormalization = "none" | "msb-set" | "implied";

/** Class 1: floating-point number described by its bit fields. */
export interface FloatingPointType {
  readonly class: "floating-point";
  readonly size: number;
  /** "VAX" is the spec's mixed order (bit field bits 0 and 6 both set). */
  readonly byteOrder: ByteOrder | "VAX";
  readonly bitOffset: number;
  readonly precision: number;
  /** Bit position of the sign bit. */
  readonly signLocation: number;
  readonly exponentLocation: number;
  readonly exponentSize: number;
  readonly mantissaLocation: number;
  readonly mantissaSize: number;
  readonly exponentBias: number;
  readonly mantissaNormalization: MantissaNormalization;
  /** Padding bit values (bit field bits 1-3: lo, hi, internal). */
  readonly loPad?: boolean;
  readonly hiPad?: boolean;
  readonly internalPad?: boolean;
}

/** Time class (2) is obsolete but legal; kept so files round-trip. */
export interface TimeType {
  readonly class: "time";
  readonly size: number;
  readonly byteOrder: ByteOrder;
  readonly precision: number;
}

export type StringPadding = "null-terminate" | "null-pad" | "space-pad";
export type CharacterSet = "ascii" | "utf-8";

/** Class 3: fixed-length string of `size` bytes. */
export interface StringType {
  readonly class: "string";
  readonly size: number;
  readonly padding: StringPadding;
  readonly charset: CharacterSet;
}

/** Class 4: bit field. */
export interface BitfieldType {
  readonly class: "bitfield";
  readonly size: number;
  readonly byteOrder: ByteOrder;
  readonly bitOffset: number;
  readonly precision: number;
}

/** Class 5: opaque bytes with an ASCII tag. */
export interface OpaqueType {
  readonly class: "opaque";
  readonly size: number;
  readonly tag: string;
}

export interface CompoundMember {
  readonly name: string;
  /** Byte offset of the member inside one compound element. */
  readonly offset: number;
  readonly type: Datatype;
}

/** Class 6: compound (struct) of named members at byte offsets. */
export interface CompoundType {
  readonly class: "compound";
  readonly size: number;
  readonly members: readonly CompoundMember[];
}

/**
 * Class 7 reference kinds: object (hobj_ref_t) or dataset region (hdset_reg_ref_t);
 * HDF5 1.12 revised references (H5R_ref_t, reference types 2-4): "object2",
 * "region2" and "attribute".
 */
export type ReferenceKind = "object" | "region" | "object2" | "region2" | "attribute";

/**
 * Class 7: reference. Old-style types: `size` is 8 or 12 with 8-byte offsets.
 * Revised (`revised: true`, datatype version 4): 18 bytes with 8-byte offsets;
 * libhdf5 labels the generic H5T_STD_REF type "object2" and each element carries
 * its own reference type, so values() gives per element
 * `{reference: "object" | "region" | "attribute", address, path | file, rank?, selection?, attribute?}`.
 */
export interface ReferenceType {
  readonly class: "reference";
  readonly size: number;
  readonly kind: ReferenceKind;
  /** True for HDF5 1.12 revised references (kinds object2, region2, attribute). */
  readonly revised?: boolean;
}

export interface EnumMember {
  readonly name: string;
  /** The member's value as a number (bigint when it does not fit 2^53). */
  readonly value: number | bigint;
}

/** Class 8: enumeration over an integer base type. */
export interface EnumType {
  readonly class: "enum";
  readonly size: number;
  readonly base: Datatype;
  readonly members: readonly EnumMember[];
}

/**
 * Class 9: variable-length. Each element is stored as
 * {length u32, global heap collection address, object index u32} and points
 * at the data in a global heap (spec III.E). A vlen string has
 * `kind: "string"`; a sequence has `kind: "sequence"` with a base type.
 */
export interface VlenSequenceType {
  readonly class: "vlen";
  readonly kind: "sequence";
  /** Size of the in-file element descriptor: 4 + offsetSize + 4. */
  readonly size: number;
  readonly base: Datatype;
}

export interface VlenStringType {
  readonly class: "vlen";
  readonly kind: "string";
  readonly size: number;
  readonly padding: StringPadding;
  readonly charset: CharacterSet;
}

/** Class 10: fixed-size array of a base type. */
export interface ArrayType {
  readonly class: "array";
  readonly size: number;
  readonly dims: readonly number[];
  readonly base: Datatype;
}

export type Datatype =
  | FixedPointType
  | FloatingPointType
  | TimeType
  | StringType
  | BitfieldType
  | OpaqueType
  | CompoundType
  | ReferenceType
  | EnumType
  | VlenSequenceType
  | VlenStringType
  | ArrayType;

export type DatatypeClass = Datatype["class"];

/* ------------------------------------------------------------------ */
/* Dataspace message (spec IV.A.2.b).                                  */
/* ------------------------------------------------------------------ */

/** A maximum dimension that may grow without bound (H5S_UNLIMITED). */
export const UNLIMITED = Number.POSITIVE_INFINITY;

export interface Dataspace {
  readonly kind: "scalar" | "simple" | "null";
  /** Current dimensions ([] for scalar and null). */
  readonly dims: readonly number[];
  /** Maximum dimensions (UNLIMITED for unlimited); undefined when not stored. */
  readonly maxDims?: readonly number[];
}

/* ------------------------------------------------------------------ */
/* Attributes (spec IV.A.2.m).                                         */
/* ------------------------------------------------------------------ */

/**
 * A decoded attribute value. Numeric arrays are typed arrays (C order),
 * strings are JS strings, compounds are records, references are addresses.
 * A scalar dataspace gives a single element, a simple one an array.
 */
export type AttributeValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array
  | AttributeValue[]
  | { readonly [member: string]: AttributeValue };

export interface Attribute {
  readonly name: string;
  readonly type: Datatype;
  readonly space: Dataspace;
  readonly value: AttributeValue;
  /** Character set of the attribute name (attribute message v3). */
  readonly nameCharset?: CharacterSet;
}

/* ------------------------------------------------------------------ */
/* Storage of dataset raw data (spec IV.A.2.i layout, .l filters,      */
/* .e/.f fill value, .h external files).                               */
/* ------------------------------------------------------------------ */

/** Chunk index types of layout message v4 (plus the v1 B-tree of v1-v3). */
export type ChunkIndexKind = "btree-v1" | "single-chunk" | "implicit" | "fixed-array" | "extensible-array" | "btree-v2";

export interface CompactLayout {
  readonly kind: "compact";
  /** The raw data, stored inside the layout message. */
  readonly data: Uint8Array;
}

export interface ContiguousLayout {
  readonly kind: "contiguous";
  /** File address of the data; undefined when not allocated. */
  readonly address: number | undefined;
  readonly size: number;
}

export interface ChunkedLayout {
  readonly kind: "chunked";
  /** Chunk dimensions in elements (without the trailing element-size dimension). */
  readonly chunkDims: readonly number[];
  readonly index: ChunkIndexKind;
  /** Address of the index structure (or of the chunk for single-chunk/implicit). */
  readonly address: number | undefined;
  /** Layout v4 flags (e.g. don't-filter-partial-edge-chunks = bit 0). */
  readonly flags?: number;
  /** Single-chunk index with filters: stored size and filter mask of the chunk. */
  readonly singleChunkSize?: number;
  readonly singleChunkFilterMask?: number;
  /** Index parameters (fixed-array page bits, extensible-array params, v2 B-tree sizes). */
  readonly indexParams?: Readonly<Record<string, number>>;
}

export interface VirtualLayout {
  readonly kind: "virtual";
  readonly globalHeapAddress: number | undefined;
  readonly globalHeapIndex: number;
}

export type Layout = CompactLayout | ContiguousLayout | ChunkedLayout | VirtualLayout;

/** One entry of the filter pipeline message (spec IV.A.2.l). */
export interface Filter {
  /** Filter identification value (1 deflate, 2 shuffle, 3 fletcher32, 4 szip, 5 nbit, 6 scaleoffset, >= 256 registered). */
  readonly id: number;
  readonly name?: string;
  /** Bit 0: the filter is optional (may be skipped per chunk via the filter mask). */
  readonly optional: boolean;
  readonly clientData: readonly number[];
}

/** One external raw-data file (external data files message, spec IV.A.2.h). */
export interface ExternalFileSegment {
  readonly name: string;
  readonly offset: number;
  /** Bytes of data in this file; UNLIMITED for "to the end". */
  readonly size: number;
}

export interface FillValue {
  /** Space allocation time: 1 early, 2 late, 3 incremental. */
  readonly allocTime: number;
  /** Fill value write time: 0 on allocation, 1 never, 2 if set by user. */
  readonly fillTime: number;
  /**
   * Whether a fill value is defined at all (spec IV.A.2.f: the "fill value defined"
   * byte of versions 1-2, the inverse of flag bit 4 of version 3). false is libhdf5's
   * H5D_FILL_VALUE_UNDEFINED, which differs from the default (zeros): `value` is then
   * undefined and readers report no fill value.
   */
  readonly defined: boolean;
  /** The fill value bytes in the dataset's datatype; undefined = library default (zeros) when defined. */
  readonly value: Uint8Array | undefined;
}

/* ------------------------------------------------------------------ */
/* Objects and links (spec IV.A.2.g link message, IV.A.2.r symbol table). */
/* ------------------------------------------------------------------ */

export interface HardLink {
  readonly kind: "hard";
  readonly name: string;
  /** Object header address of the target. */
  readonly address: number;
  readonly creationOrder?: number;
}

export interface SoftLink {
  readonly kind: "soft";
  readonly name: string;
  /** The path the link points at. */
  readonly target: string;
  readonly creationOrder?: number;
}

export interface ExternalLink {
  readonly kind: "external";
  readonly name: string;
  readonly file: string;
  readonly path: string;
  readonly creationOrder?: number;
}

export type Link = HardLink | SoftLink | ExternalLink;

export interface GroupNode {
  readonly kind: "group";
  /** Links in the order the file lists them (creation order when tracked, else name order). */
  readonly links: readonly Link[];
  readonly attributes: readonly Attribute[];
}

export interface DatasetNode {
  readonly kind: "dataset";
  readonly type: Datatype;
  readonly space: Dataspace;
  readonly layout: Layout;
  readonly filters: readonly Filter[];
  readonly fill?: FillValue;
  readonly external?: readonly ExternalFileSegment[];
  readonly attributes: readonly Attribute[];
}

/** A committed (named) datatype stored as its own object. */
export interface NamedDatatypeNode {
  readonly kind: "datatype";
  readonly type: Datatype;
  readonly attributes: readonly Attribute[];
}

export type Node = GroupNode | DatasetNode | NamedDatatypeNode;

/** Well-known filter identification values (spec IV.A.2.l, H5Zpublic.h, registered plugins). */
export const FILTER_NAMES: Readonly<Record<number, string>> = {
  1: "deflate",
  2: "shuffle",
  3: "fletcher32",
  4: "szip",
  5: "nbit",
  6: "scaleoffset",
  307: "bzip2",
  32000: "lzf",
  32001: "blosc",
  32004: "lz4",
  32008: "bitshuffle",
  32013: "zfp",
  32015: "zstd",
  32026: "blosc2",
};
