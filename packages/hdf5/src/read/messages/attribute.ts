import { ByteReader, fail } from "@codec/core";
import type { CharacterSet, Dataspace, Datatype } from "../../model.js";
import { FORMAT } from "../context.js";
import { decodeText } from "../text.js";

/** An attribute message before its value is decoded (that needs the file for vlen data). */
export interface RawAttribute {
  readonly name: string;
  readonly type: Datatype;
  readonly space: Dataspace;
  readonly nameCharset: CharacterSet;
  readonly raw: Uint8Array;
  readonly offset: number;
  readonly creationOrder?: number;
}

/** How a caller turns (possibly shared) datatype / dataspace message bytes into values. */
export interface AttributeDecoders {
  datatype(data: Uint8Array, offset: number, shared: boolean): Datatype;
  dataspace(data: Uint8Array, offset: number, shared: boolean): Dataspace;
}

/** Attribute message (spec IV.A.2.m), versions 1-3. */
export function decodeAttribute(data: Uint8Array, offset: number, dec: AttributeDecoders, creationOrder?: number): RawAttribute {
  const r = new ByteReader(data, FORMAT, offset);
  const version = r.u8();
  if (version < 1 || version > 3) fail("UNSUPPORTED", FORMAT, `attribute message version ${version}`, { offset });
  const flags = r.u8();
  if (version === 1 && flags !== 0) fail("CORRUPT", FORMAT, "attribute message v1 with flags", { offset });
  const nameSize = r.u16();
  const typeSize = r.u16();
  const spaceSize = r.u16();
  const charset = version === 3 ? r.u8() : 0;
  const pad = (n: number) => (version === 1 ? (8 - (n % 8)) % 8 : 0);
  if (nameSize === 0) fail("CORRUPT", FORMAT, "attribute with an empty name", { offset });
  const nameBytes = r.bytesView(nameSize);
  let end = nameBytes.indexOf(0);
  if (end < 0) end = nameSize;
  const name = decodeText(nameBytes.subarray(0, end));
  r.skip(pad(nameSize));
  const typeAt = r.offset;
  const typeBytes = r.bytesView(typeSize);
  r.skip(pad(typeSize));
  const spaceAt = r.offset;
  const spaceBytes = r.bytesView(spaceSize);
  r.skip(pad(spaceSize));
  const type = dec.datatype(typeBytes, typeAt, (flags & 1) !== 0);
  const space = dec.dataspace(spaceBytes, spaceAt, (flags & 2) !== 0);
  return { name, type, space, nameCharset: charset === 1 ? "utf-8" : "ascii", raw: r.bytes.subarray(r.pos), offset: r.offset, creationOrder };
}
