import { ByteReader, fail } from "@codec/core";
import type { ByteOrder, CharacterSet, CompoundMember, Datatype, EnumMember, StringPadding } from "../../model.js";
import { FORMAT } from "../context.js";
import { decodeText } from "../text.js";

const MAX_DEPTH = 32;
const PADDINGS: StringPadding[] = ["null-terminate", "null-pad", "space-pad"];

/** Datatype message (spec IV.A.2.d), versions 1-3. */
export function decodeDatatype(data: Uint8Array, offset: number, offsetSize = 8): Datatype {
  const r = new ByteReader(data, FORMAT, offset);
  return readDatatype(r, offsetSize, 0);
}

export function readDatatype(r: ByteReader, offsetSize: number, depth: number): Datatype {
  if (depth > MAX_DEPTH) fail("LIMIT", FORMAT, "datatype nests too deeply", { offset: r.offset });
  const at = r.offset;
  const cv = r.u8();
  const version = cv >> 4;
  const cls = cv & 15;
  if (version < 1 || version > 3) fail("UNSUPPORTED", FORMAT, `datatype message version ${version}`, { offset: at });
  const b0 = r.u8();
  const b1 = r.u8();
  const b2 = r.u8();
  const size = r.u32();
  const bits = b0 | (b1 << 8) | (b2 << 16);
  const order = (b: number): ByteOrder => (b & 1 ? "BE" : "LE");
  switch (cls) {
    case 0: {
      const bitOffset = r.u16();
      const precision = r.u16();
      checkBits(size, bitOffset, precision, at);
      return { class: "fixed-point", size, byteOrder: order(bits), signed: (bits & 8) !== 0, bitOffset, precision, loPad: (bits & 2) !== 0, hiPad: (bits & 4) !== 0 };
    }
    case 1: {
      const bitOffset = r.u16();
      const precision = r.u16();
      const exponentLocation = r.u8();
      const exponentSize = r.u8();
      const mantissaLocation = r.u8();
      const mantissaSize = r.u8();
      const exponentBias = r.u32();
      checkBits(size, bitOffset, precision, at);
      const signLocation = (bits >> 8) & 0xff;
      const norm = (bits >> 4) & 3;
      if (norm === 3) fail("CORRUPT", FORMAT, "floating-point mantissa normalization 3", { offset: at });
      const vax = (bits & 0x41) === 0x41;
      if (exponentSize === 0 || exponentLocation + exponentSize > size * 8 || mantissaLocation + mantissaSize > size * 8 || signLocation >= size * 8) {
        fail("CORRUPT", FORMAT, "floating-point bit fields outside the element", { offset: at });
      }
      return {
        class: "floating-point", size, byteOrder: vax ? "VAX" : order(bits), bitOffset, precision,
        signLocation, exponentLocation, exponentSize, mantissaLocation, mantissaSize, exponentBias,
        mantissaNormalization: norm === 0 ? "none" : norm === 1 ? "msb-set" : "implied",
        loPad: (bits & 2) !== 0, hiPad: (bits & 4) !== 0, internalPad: (bits & 8) !== 0,
      };
    }
    case 2: {
      const precision = r.u16();
      return { class: "time", size, byteOrder: order(bits), precision };
    }
    case 3: {
      checkSize(size, at);
      return { class: "string", size, padding: padding(bits & 15, at), charset: charset((bits >> 4) & 15, at) };
    }
    case 4: {
      const bitOffset = r.u16();
      const precision = r.u16();
      checkBits(size, bitOffset, precision, at);
      return { class: "bitfield", size, byteOrder: order(bits), bitOffset, precision };
    }
    case 5: {
      const tagLen = bits & 0xff;
      const tagBytes = r.bytesView(tagLen);
      let end = tagBytes.indexOf(0);
      if (end < 0) end = tagLen;
      return { class: "opaque", size, tag: decodeText(tagBytes.subarray(0, end)) };
    }
    case 6:
      return readCompound(r, version, bits & 0xffff, size, offsetSize, depth, at);
    case 7: {
      const t = bits & 15;
      // Types 2-4 are HDF5 1.12 revised references (H5R_ref_t; datatype version 4).
      if (t === 2 || t === 3 || t === 4) return { class: "reference", size, kind: t === 2 ? "object2" : t === 3 ? "region2" : "attribute", revised: true };
      if (t > 1) fail("UNSUPPORTED", FORMAT, `reference type ${t}`, { offset: at });
      return { class: "reference", size, kind: t === 0 ? "object" : "region" };
    }
    case 8: {
      const n = bits & 0xffff;
      const base = readDatatype(r, offsetSize, depth + 1);
      if (base.class !== "fixed-point") fail("CORRUPT", FORMAT, "enum base type is not an integer", { offset: at });
      const names: string[] = [];
      for (let i = 0; i < n; i++) names.push(version >= 3 ? readNulString(r) : readPaddedName(r));
      const members: EnumMember[] = [];
      for (let i = 0; i < n; i++) {
        const vb = r.bytesView(base.size);
        members.push({ name: names[i], value: intValue(vb, 0, base.size, base.byteOrder === "BE", base.signed) });
      }
      return { class: "enum", size, base, members };
    }
    case 9: {
      const kind = bits & 15;
      const base = readDatatype(r, offsetSize, depth + 1);
      if (kind === 1) return { class: "vlen", kind: "string", size, padding: padding((bits >> 4) & 15, at), charset: charset((bits >> 8) & 15, at) };
      if (kind !== 0) fail("CORRUPT", FORMAT, `variable-length type ${kind}`, { offset: at });
      return { class: "vlen", kind: "sequence", size, base };
    }
    case 10: {
      const rank = r.u8();
      if (rank > 32) fail("CORRUPT", FORMAT, `array datatype rank ${rank} is over 32`, { offset: at });
      if (version < 3) r.skip(3);
      const dims: number[] = [];
      for (let i = 0; i < rank; i++) dims.push(r.u32());
      if (version < 3) r.skip(4 * rank);
      const base = readDatatype(r, offsetSize, depth + 1);
      let n = 1;
      for (const d of dims) n *= d;
      if (n * base.size !== size) fail("CORRUPT", FORMAT, `array datatype size ${size} is not ${n} x ${base.size}`, { offset: at });
      return { class: "array", size, dims, base };
    }
    default:
      return fail("UNSUPPORTED", FORMAT, `datatype class ${cls}`, { offset: at });
  }
}

function readCompound(r: ByteReader, version: number, n: number, size: number, offsetSize: number, depth: number, at: number): Datatype {
  if (n === 0) fail("CORRUPT", FORMAT, "compound datatype with no members", { offset: at });
  const members: CompoundMember[] = [];
  // Version 3 encodes member offsets in the bytes needed for the compound size.
  let offBytes = 1;
  while (offBytes < 8 && 2 ** (8 * offBytes) <= size) offBytes++;
  for (let i = 0; i < n; i++) {
    const name = version >= 3 ? readNulString(r) : readPaddedName(r);
    let offset: number;
    let type: Datatype;
    if (version === 1) {
      offset = r.u32();
      const rank = r.u8();
      r.skip(3 + 4 + 4);
      const dims: number[] = [];
      for (let d = 0; d < 4; d++) dims.push(r.u32());
      if (rank > 4) fail("CORRUPT", FORMAT, `compound member rank ${rank}`, { offset: r.offset });
      const base = readDatatype(r, offsetSize, depth + 1);
      if (rank > 0) {
        const ad = dims.slice(0, rank);
        let cnt = 1;
        for (const d of ad) cnt *= d;
        type = { class: "array", size: cnt * base.size, dims: ad, base };
      } else type = base;
    } else {
      offset = version >= 3 ? r.uint(offBytes) : r.u32();
      type = readDatatype(r, offsetSize, depth + 1);
    }
    if (offset + type.size > size) fail("CORRUPT", FORMAT, `compound member '${name}' (offset ${offset}, ${type.size} bytes) is outside the ${size}-byte element`, { offset: r.offset });
    members.push({ name, offset, type });
  }
  return { class: "compound", size, members };
}

function readNulString(r: ByteReader): string {
  const start = r.pos;
  const end = r.bytes.indexOf(0, start);
  if (end < 0) fail("TRUNCATED", FORMAT, "unterminated name", { offset: r.offset });
  const s = decodeText(r.bytes.subarray(start, end));
  r.pos = end + 1;
  return s;
}

/** A NUL-terminated name padded to a multiple of 8 bytes (datatype v1/v2). */
function readPaddedName(r: ByteReader): string {
  const start = r.pos;
  const s = readNulString(r);
  const used = r.pos - start;
  r.skip((8 - (used % 8)) % 8);
  return s;
}

function padding(p: number, at: number): StringPadding {
  if (p > 2) fail("CORRUPT", FORMAT, `string padding type ${p}`, { offset: at });
  return PADDINGS[p];
}

function charset(c: number, at: number): CharacterSet {
  if (c > 1) fail("CORRUPT", FORMAT, `character set ${c}`, { offset: at });
  return c === 0 ? "ascii" : "utf-8";
}

function checkSize(size: number, at: number): void {
  if (size === 0) fail("CORRUPT", FORMAT, "datatype of size 0", { offset: at });
}

function checkBits(size: number, bitOffset: number, precision: number, at: number): void {
  checkSize(size, at);
  if (precision === 0 || bitOffset + precision > size * 8) fail("CORRUPT", FORMAT, `bit offset ${bitOffset} + precision ${precision} exceed ${size} bytes`, { offset: at });
}

/** An integer of 1-8 bytes; a number when it fits 2^53, else a bigint. */
export function intValue(b: Uint8Array, at: number, size: number, be: boolean, signed: boolean): number | bigint {
  if (size <= 6) {
    let v = 0;
    for (let i = 0; i < size; i++) v = v * 256 + b[at + (be ? i : size - 1 - i)];
    if (signed && size > 0 && v >= 2 ** (8 * size - 1)) v -= 2 ** (8 * size);
    return v;
  }
  if (size === 8) {
    // Two 32-bit halves: a number whenever the value is exact, bigint otherwise.
    let lo: number;
    let hi: number;
    if (be) {
      hi = ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
      lo = ((b[at + 4] << 24) | (b[at + 5] << 16) | (b[at + 6] << 8) | b[at + 7]) >>> 0;
    } else {
      lo = (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
      hi = (b[at + 4] | (b[at + 5] << 8) | (b[at + 6] << 16) | (b[at + 7] << 24)) >>> 0;
    }
    if (hi < 0x200000) return hi * 4294967296 + lo;
    if (signed && hi >= 0xffe00000 && !(hi === 0xffe00000 && lo === 0)) return (hi - 4294967296) * 4294967296 + lo;
    const u = (BigInt(hi) << 32n) | BigInt(lo);
    return signed ? BigInt.asIntN(64, u) : u;
  }
  let v = 0n;
  for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(b[at + (be ? i : size - 1 - i)]);
  if (signed && v >= 1n << BigInt(8 * size - 1)) v -= 1n << BigInt(8 * size);
  return v;
}
