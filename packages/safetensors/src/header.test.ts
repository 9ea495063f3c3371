import { isCodecError } from "@codec/core";
import { describe, expect, it } from "vitest";
import { DETAIL_CODES } from "./errors.js";
import { decodeSafetensors } from "./file.js";
import { MAX_HEADER_SIZE } from "./header.js";

/** A file with `json` as its header (unpadded) and `data` bytes after it. */
function file(json: string, dataLength = 0, lengthOverride?: bigint): Uint8Array {
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + dataLength);
  new DataView(out.buffer).setBigUint64(0, lengthOverride ?? BigInt(head.length), true);
  out.set(head, 8);
  return out;
}

function rejection(bytes: Uint8Array): { code: string; detail: string | undefined; message: string } {
  try {
    decodeSafetensors(bytes);
  } catch (e) {
    if (!isCodecError(e)) throw e;
    expect(e.code).toBe(DETAIL_CODES[e.detail as keyof typeof DETAIL_CODES]);
    return { code: e.code, detail: e.detail, message: e.message };
  }
  throw new Error("expected a rejection");
}

const t = (dtype: string, shape: string, offsets: string) => `{"dtype":"${dtype}","shape":${shape},"data_offsets":${offsets}}`;

describe("header validation (reference order and names)", () => {
  it("prefix checks", () => {
    expect(rejection(new Uint8Array(0)).detail).toBe("HeaderTooSmall");
    expect(rejection(new Uint8Array(7)).detail).toBe("HeaderTooSmall");
    expect(rejection(file("{}", 0, BigInt(MAX_HEADER_SIZE + 1))).detail).toBe("HeaderTooLarge");
    expect(rejection(file("{}", 0, 1n << 63n)).detail).toBe("HeaderTooLarge");
    expect(rejection(file("{}", 0, 3n)).detail).toBe("InvalidHeaderLength");
  });

  it("text checks: UTF-8, start, BOM, JSON", () => {
    expect(rejection(file('{"\xff":1}'.replace("\xff", "x"), 0).map((b, i) => (i === 10 ? 0xc3 : b))).detail).toBe("InvalidHeader");
    const bom = rejection(file("\ufeff{}"));
    expect(bom.detail).toBe("InvalidHeaderStart");
    expect(bom.message).toMatch(/byte order mark/);
    expect(rejection(file("[]")).detail).toBe("InvalidHeaderStart");
    expect(rejection(file("")).detail).toBe("InvalidHeaderStart");
    expect(rejection(file("{")).detail).toBe("InvalidHeaderDeserialization");
    expect(rejection(file("{} x")).detail).toBe("InvalidHeaderDeserialization");
    expect(rejection(file('{"a":"\x01"}')).detail).toBe("InvalidHeaderDeserialization");
    expect(rejection(file('{"a\\ud800":1}')).detail).toBe("InvalidHeaderDeserialization");
    expect(rejection(file(`{"x":${"[".repeat(200)}${"]".repeat(200)}}`)).detail).toBe("InvalidHeaderDeserialization");
    expect(decodeSafetensors(file(" \n{}\t")).names()).toEqual([]);
  });

  it("structure checks follow serde's derived reader", () => {
    expect(rejection(file(`{"a":${t("F99", "[1]", "[0,4]")}}`, 4)).message).toMatch(/unknown dtype "F99"/);
    expect(rejection(file(`{"a":${t("F32", "[1.0]", "[0,4]")}}`, 4)).detail).toBe("InvalidHeaderDeserialization");
    expect(rejection(file(`{"a":${t("F32", "[-1]", "[0,4]")}}`, 4)).detail).toBe("InvalidHeaderDeserialization");
    expect(rejection(file(`{"a":${t("F32", "[-0]", "[0,4]")}}`, 4)).detail).toBe("InvalidHeaderDeserialization");
    expect(rejection(file(`{"a":${t("F32", "[1]", "[0,4,8]")}}`, 4)).detail).toBe("InvalidHeaderDeserialization");
    expect(rejection(file(`{"a":${t("F32", "[18446744073709551616]", "[0,4]")}}`, 4)).detail).toBe("InvalidHeaderDeserialization");
    expect(rejection(file('{"a":{"dtype":"F32","shape":[1]}}', 4)).detail).toBe("InvalidHeaderDeserialization");
    expect(rejection(file('{"a":{"dtype":"F32","dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 4)).detail).toBe("InvalidHeaderDeserialization");
    expect(rejection(file('{"__metadata__":{"a":1}}')).detail).toBe("InvalidHeaderDeserialization");
    expect(rejection(file('{"__metadata__":{},"__metadata__":{}}')).detail).toBe("InvalidHeaderDeserialization");
    // Unknown fields are skipped, `__metadata__: null` means none.
    const ok = decodeSafetensors(file('{"__metadata__":null,"a":{"dtype":"F32","extra":[{"x":1}],"shape":[1],"data_offsets":[0,4]}}', 4));
    expect(ok.names()).toEqual(["a"]);
    expect(ok.header.metadata).toBeNull();
  });

  it("stricter than the reference: duplicates, __metadata__ tensors, >2^53", () => {
    expect(rejection(file(`{"a":${t("U8", "[1]", "[0,1]")},"a":${t("U8", "[1]", "[1,2]")}}`, 2)).detail).toBe("DuplicateTensorName");
    expect(rejection(file('{"__metadata__":{"k":"1","k":"2"}}')).detail).toBe("DuplicateMetadataKey");
    expect(rejection(file(`{"__metadata__":{"dtype":"U8","shape":"1","data_offsets":"0"}}`)).detail).toBe("MetadataIsTensor");
    expect(rejection(file(`{"a":${t("U8", "[0,9007199254740993]", "[0,0]")}}`)).detail).toBe("IntegerTooLarge");
  });

  it("offset and size checks", () => {
    expect(rejection(file(`{"a":${t("U8", "[2]", "[1,3]")}}`, 3)).detail).toBe("InvalidOffset");
    expect(rejection(file(`{"a":${t("U8", "[2]", "[0,2]")},"b":${t("U8", "[2]", "[1,3]")}}`, 3)).detail).toBe("InvalidOffset");
    expect(rejection(file(`{"a":${t("U8", "[2]", "[0,2]")},"b":${t("U8", "[2]", "[3,5]")}}`, 5)).detail).toBe("InvalidOffset");
    expect(rejection(file(`{"a":${t("U8", "[0]", "[5,0]")}}`)).detail).toBe("InvalidOffset");
    expect(rejection(file(`{"a":${t("U16", "[2]", "[0,3]")}}`, 3)).detail).toBe("TensorInvalidInfo");
    expect(rejection(file(`{"a":${t("U8", "[4294967296,4294967296]", "[0,1]")}}`, 1)).detail).toBe("ValidationOverflow");
    expect(rejection(file(`{"a":${t("F4", "[3]", "[0,2]")}}`, 2)).detail).toBe("MisalignedSlice");
    expect(rejection(file(`{"a":${t("U8", "[2]", "[0,2]")}}`, 3)).detail).toBe("MetadataIncompleteBuffer");
    expect(rejection(file(`{"a":${t("U8", "[2]", "[0,2]")}}`, 1)).detail).toBe("MetadataIncompleteBuffer");
    expect(rejection(file(`{"a":${t("U8", "[9007199254740993]", "[0,9007199254740993]")}}`, 1)).detail).toBe("MetadataIncompleteBuffer");
    // Any header key order is fine: entries are sorted by offsets.
    const f = decodeSafetensors(file(`{"b":${t("U8", "[1]", "[1,2]")},"a":${t("U8", "[1]", "[0,1]")}}`, 2));
    expect(f.names()).toEqual(["a", "b"]);
  });
});
