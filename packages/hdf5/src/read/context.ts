import { ByteReader, type ByteSource, fail } from "@codec/core";
import { lookup3 } from "./checksum.js";
import type { FilterRegistry } from "./filters/registry.js";
import { OverlayReader, type SyncReader } from "./page-cache.js";

export const FORMAT = "hdf5";

/** Most structures a single file may chain before we call it a cycle (B-tree nodes, heap blocks, continuations). */
export const MAX_VISITS = 1 << 22;

/**
 * Shared state while reading one file: the byte source, the sizes the
 * superblock fixes (spec II.A: "Size of Offsets", "Size of Lengths") and
 * the base address that every other address is relative to.
 */
export class Context {
  readonly source: ByteSource;
  private io: SyncReader;
  offsetSize = 8;
  lengthSize = 8;
  /** Absolute position of the base address (the superblock, past any user block). */
  base = 0;
  readonly filters: FilterRegistry;
  /** Work budget: every metadata block read spends one; exhaustion means a cycle or a bomb. */
  private budget = MAX_VISITS;

  constructor(source: ByteSource, io: SyncReader, filters: FilterRegistry) {
    this.source = source;
    this.io = io;
    this.filters = filters;
  }

  /**
   * Serve reads of the given ranges (addresses relative to the base) from
   * these bytes instead of the file: metadata cache image entries.
   */
  overlay(patches: readonly { address: number; bytes: Uint8Array }[]): void {
    if (patches.length === 0) return;
    this.io = new OverlayReader(
      this.io,
      patches.map((p) => ({ start: this.base + p.address, bytes: p.bytes })),
    );
  }

  /** Bytes at an absolute position, unchecked (the superblock search). */
  readSync(offset: number, length: number): Uint8Array {
    return this.io.read(offset, length);
  }

  get byteLength(): number {
    return this.source.byteLength;
  }

  /** Bytes at a file address (relative to the base), bounds-checked. */
  bytes(address: number, length: number, what: string): Uint8Array {
    const abs = this.base + address;
    if (!Number.isSafeInteger(address) || !Number.isSafeInteger(length) || address < 0 || length < 0) {
      fail("CORRUPT", FORMAT, `invalid ${what} range ${address}+${length}`);
    }
    if (abs + length > this.source.byteLength) {
      fail("TRUNCATED", FORMAT, `${what} at ${address} (+${length} bytes) is past the end of the file (${this.source.byteLength} bytes)`, { offset: abs });
    }
    return this.io.read(abs, length);
  }

  /** Bytes from an address up to at most `max` bytes (clipped at the end of file). */
  bytesUpTo(address: number, max: number, what: string): Uint8Array {
    const abs = this.base + address;
    if (!Number.isSafeInteger(address) || address < 0 || abs >= this.source.byteLength) {
      fail("TRUNCATED", FORMAT, `${what} address ${address} is past the end of the file`, { offset: Math.max(0, abs) });
    }
    return this.io.read(abs, Math.min(max, this.source.byteLength - abs));
  }

  reader(address: number, length: number, what: string): ByteReader {
    return new ByteReader(this.bytes(address, length, what), FORMAT, this.base + address);
  }

  readerUpTo(address: number, max: number, what: string): ByteReader {
    return new ByteReader(this.bytesUpTo(address, max, what), FORMAT, this.base + address);
  }

  /** Spend work budget; throws LIMIT once a file asks for absurd amounts of metadata traversal. */
  spend(what: string, n = 1): void {
    this.budget -= n;
    if (this.budget < 0) fail("LIMIT", FORMAT, `too many metadata blocks while reading ${what} (cycle?)`);
  }

  /** Read an address field; undefined for the "undefined address" (all bits set). */
  addr(r: ByteReader): number | undefined {
    return readAddress(r, this.offsetSize);
  }

  /** Read an address that must be defined. */
  addrDefined(r: ByteReader, what: string): number {
    const at = r.offset;
    const a = readAddress(r, this.offsetSize);
    if (a === undefined) fail("CORRUPT", FORMAT, `${what} address is undefined`, { offset: at });
    return a;
  }

  len(r: ByteReader): number {
    return r.uint(this.lengthSize);
  }
}

/** An offset-sized field; all bits set is the spec's "undefined address". */
export function readAddress(r: ByteReader, size: number): number | undefined {
  r.need(size);
  let allOnes = true;
  for (let i = 0; i < size; i++) if (r.bytes[r.pos + i] !== 0xff) allOnes = false;
  if (allOnes) {
    r.pos += size;
    return undefined;
  }
  return r.uint(size);
}

/** Verify the lookup3 checksum stored in the 4 bytes after `bytes[0, end)`. */
export function verifyChecksum(bytes: Uint8Array, end: number, what: string, offset: number): void {
  if (end + 4 > bytes.length) fail("TRUNCATED", FORMAT, `${what} checksum is past the end`, { offset });
  const stored = (bytes[end] | (bytes[end + 1] << 8) | (bytes[end + 2] << 16) | (bytes[end + 3] << 24)) >>> 0;
  const computed = lookup3(bytes.subarray(0, end));
  if (stored !== computed) {
    fail("CORRUPT", FORMAT, `${what} checksum mismatch (stored 0x${stored.toString(16)}, computed 0x${computed.toString(16)})`, { offset });
  }
}

export function expectSignature(r: ByteReader, sig: string, what: string): void {
  const at = r.offset;
  r.need(4);
  for (let i = 0; i < 4; i++) {
    if (r.bytes[r.pos + i] !== sig.charCodeAt(i)) fail("CORRUPT", FORMAT, `${what}: expected signature '${sig}'`, { offset: at });
  }
  r.pos += 4;
}

/** Bytes needed to encode an unsigned value below 2^bits (libhdf5 H5VM_limit_enc_size / SIZEOF_OFFSET_BITS). */
export function bytesForBits(bits: number): number {
  return Math.ceil(bits / 8);
}

/** floor(log2(n)) for n >= 1 (H5VM_log2_gen). */
export function log2floor(n: number): number {
  let r = 0;
  while (n >= 2) {
    n = Math.floor(n / 2);
    r++;
  }
  return r;
}

/** libhdf5 H5VM_limit_enc_size: bytes to encode values up to n. */
export function limitEncSize(n: number): number {
  return Math.floor(log2floor(Math.max(1, n)) / 8) + 1;
}
