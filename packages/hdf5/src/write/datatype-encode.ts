import { ByteWriter, fail, utf8Encode } from "@codec/core";
import type { ByteOrder, CharacterSet, Datatype, StringPadding } from "../model.js";

/**
 * Datatype message encoder (HDF5 spec IV.A.2.d). The version written is the
 * lowest one that can express the type, as libhdf5 does with its default
 * ("earliest") format bounds: version 1 everywhere, version 2 when an array
 * type is involved (array class needs v2; a compound or vlen holding one is
 * upgraded with it, like H5T__upgrade_version).
 */

const CLASS_CODE: Record<Datatype["class"], number> = {
  "fixed-point": 0,
  "floating-point": 1,
  time: 2,
  string: 3,
  bitfield: 4,
  opaque: 5,
  compound: 6,
  reference: 7,
  enum: 8,
  vlen: 9,
  array: 10,
};

const PADDING_CODE: Record<StringPadding, number> = { "null-terminate": 0, "null-pad": 1, "space-pad": 2 };
const CHARSET_CODE: Record<CharacterSet, number> = { ascii: 0, "utf-8": 1 };

/** Bytes a name takes in v1/v2 compound and enum properties: NUL-terminated, padded to 8. */
function paddedNameLength(bytes: Uint8Array): number {
  return (bytes.length + 1 + 7) & ~7;
}

/** Lowest datatype message version that can encode `t`. */
export function datatypeVersion(t: Datatype): number {
  switch (t.class) {
    case "array":
      return Math.max(2, datatypeVersion(t.base));
    case "compound": {
      let v = 1;
      for (const m of t.members) v = Math.max(v, datatypeVersion(m.type));
      return v;
    }
    case "enum":
      return datatypeVersion(t.base);
    case "vlen":
      return t.kind === "sequence" ? datatypeVersion(t.base) : 1;
    default:
      return 1;
  }
}

function orderBit(order: ByteOrder | "VAX"): number {
  return order === "LE" ? 0 : order === "BE" ? 1 : 0x41;
}

function writeNamePadded(w: ByteWriter, bytes: Uint8Array): void {
  w.bytes(bytes);
  w.zeros(paddedNameLength(bytes) - bytes.length);
}

function writeEnumValue(w: ByteWriter, base: Datatype, value: number | bigint): void {
  const size = base.size;
  const le = !("byteOrder" in base) || base.byteOrder !== "BE";
  let v = BigInt.asUintN(size * 8, BigInt(value));
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    out[le ? i : size - 1 - i] = Number(v & 0xffn);
    v >>= 8n;
  }
  w.bytes(out);
}

/** Append the datatype message body for `t` (version `version`, default: lowest). */
export function encodeDatatype(w: ByteWriter, t: Datatype, version = datatypeVersion(t)): void {
  const head = (bits0: number, bits1 = 0, bits2 = 0): void => {
    w.u8((version << 4) | CLASS_CODE[t.class]);
    w.u8(bits0 & 0xff).u8(bits1 & 0xff).u8(bits2 & 0xff);
    w.u32(t.size);
  };
  switch (t.class) {
    case "fixed-point":
      head(orderBit(t.byteOrder) | (t.loPad ? 2 : 0) | (t.hiPad ? 4 : 0) | (t.signed ? 8 : 0));
      w.u16(t.bitOffset).u16(t.precision);
      return;
    case "floating-point": {
      const norm = t.mantissaNormalization === "none" ? 0 : t.mantissaNormalization === "msb-set" ? 1 : 2;
      const bits0 = orderBit(t.byteOrder) | (t.loPad ? 2 : 0) | (t.hiPad ? 4 : 0) | (t.internalPad ? 8 : 0) | (norm << 4);
      head(bits0, t.signLocation);
      w.u16(t.bitOffset).u16(t.precision);
      w.u8(t.exponentLocation).u8(t.exponentSize).u8(t.mantissaLocation).u8(t.mantissaSize);
      w.u32(t.exponentBias);
      return;
    }
    case "time":
      head(orderBit(t.byteOrder));
      w.u16(t.precision);
      return;
    case "string":
      head(PADDING_CODE[t.padding] | (CHARSET_CODE[t.charset] << 4));
      return;
    case "bitfield":
      head(orderBit(t.byteOrder));
      w.u16(t.bitOffset).u16(t.precision);
      return;
    case "opaque": {
      const tag = utf8Encode(t.tag);
      const len = tag.length === 0 ? 0 : paddedNameLength(tag);
      head(len);
      if (len > 0) writeNamePadded(w, tag);
      return;
    }
    case "compound": {
      const n = t.members.length;
      head(n & 0xff, n >> 8);
      for (const m of t.members) {
        const name = utf8Encode(m.name);
        if (version >= 3) {
          w.bytes(name).u8(0);
          const width = t.size < 256 ? 1 : t.size < 65536 ? 2 : t.size < 2 ** 24 ? 3 : 4;
          w.uint(m.offset, width);
        } else {
          writeNamePadded(w, name);
          w.u32(m.offset);
          // Version 1 reserves room for the old "array member" fields (rank 0 here).
          if (version === 1) w.zeros(1 + 3 + 4 + 4 + 16);
        }
        encodeDatatype(w, m.type, version);
      }
      return;
    }
    case "reference":
      // Revised (HDF5 1.12) references need datatype version 4 and heap blobs: not written.
      if (t.kind !== "object" && t.kind !== "region") fail("UNSUPPORTED", "hdf5", `writing ${t.kind} (HDF5 1.12 revised) references`);
      head(t.kind === "object" ? 0 : 1);
      return;
    case "enum": {
      const n = t.members.length;
      head(n & 0xff, n >> 8);
      encodeDatatype(w, t.base, version);
      for (const m of t.members) {
        const name = utf8Encode(m.name);
        if (version >= 3) w.bytes(name).u8(0);
        else writeNamePadded(w, name);
      }
      for (const m of t.members) writeEnumValue(w, t.base, m.value);
      return;
    }
    case "vlen":
      if (t.kind === "string") {
        head(1 | (PADDING_CODE[t.padding] << 4), CHARSET_CODE[t.charset]);
        // A vlen string's base is one byte of character data (H5T_NATIVE_UCHAR, as libhdf5 writes).
        encodeDatatype(w, { class: "fixed-point", size: 1, signed: false, byteOrder: "LE", bitOffset: 0, precision: 8 }, version);
      } else {
        head(0);
        encodeDatatype(w, t.base, version);
      }
      return;
    case "array": {
      head(0);
      w.u8(t.dims.length);
      if (version < 3) w.zeros(3);
      for (const d of t.dims) w.u32(d);
      if (version < 3) for (let i = 0; i < t.dims.length; i++) w.u32(i);
      encodeDatatype(w, t.base, version);
      return;
    }
    default:
      fail("UNSUPPORTED", "hdf5", `cannot encode datatype class ${(t as { class: string }).class}`);
  }
}

/** The datatype message body as bytes. */
export function datatypeMessage(t: Datatype): Uint8Array {
  const w = new ByteWriter(64);
  encodeDatatype(w, t);
  return w.finish();
}
