import { stFail } from "./errors.js";
import { type SafetensorsDType, dtypeBits, dtypeRank } from "./dtypes.js";

/**
 * Builds the header exactly like the reference writer (safetensors crate
 * `prepare` + `serialize`): entries sorted by dtype rank descending, then
 * by name in byte order; offsets laid end to end; compact serde_json text
 * with `__metadata__` first and fields in the order dtype, shape,
 * data_offsets; padded with spaces to a multiple of 8 so the data section
 * starts 8-aligned.
 */

export interface HeaderEntry {
  readonly name: string;
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  readonly byteLength: number;
}

export interface PreparedHeader<E extends HeaderEntry> {
  /** The 8-byte length prefix followed by the padded JSON header. */
  readonly prefix: Uint8Array;
  /** Entries in the order their bytes must follow the header. */
  readonly order: E[];
  /** Total bytes of the data section. */
  readonly dataLength: number;
}

/**
 * Order strings by Unicode code point, which is the UTF-8 byte order Rust's
 * `String: Ord` uses. Plain `<` compares UTF-16 units and would put U+1F600
 * (a surrogate pair) before U+FB01.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return fixup(x) - fixup(y);
  }
  return a.length - b.length;
}

/** Surrogates (D800-DFFF) encode code points above every BMP unit from E000 up. */
function fixup(u: number): number {
  return u >= 0xe000 ? u - 0x800 : u >= 0xd800 ? u + 0x2000 : u;
}

/** serde_json's string escaping: `"` `\` and C0 controls; everything else raw. */
export function jsonString(s: string): string {
  let simple = true;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c) {
      simple = false;
      break;
    }
  }
  if (simple) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c === 0x08) out += "\\b";
    else if (c === 0x0c) out += "\\f";
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c < 0x20) out += `\\u00${c.toString(16).padStart(2, "0")}`;
    else out += s[i];
  }
  return `${out}"`;
}

/** Expected byte length of a tensor, checked like the reference `TensorView::new`. */
export function tensorByteLength(name: string, dtype: SafetensorsDType, shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) stFail("InvalidTensorView", `tensor ${JSON.stringify(name)} has invalid dimension ${d}`);
    n *= d;
  }
  const bits = n * dtypeBits(dtype);
  if (!Number.isSafeInteger(bits)) stFail("ValidationOverflow", `tensor ${JSON.stringify(name)} is too large`);
  if (bits % 8 !== 0) stFail("MisalignedSlice", `tensor ${JSON.stringify(name)}: ${n} ${dtype} elements do not fill whole bytes`);
  return bits / 8;
}

export function prepareHeader<E extends HeaderEntry>(entries: readonly E[], metadata?: Readonly<Record<string, string>> | null): PreparedHeader<E> {
  const order = [...entries].sort((x, y) => dtypeRank(y.dtype) - dtypeRank(x.dtype) || compareCodePoints(x.name, y.name));
  const parts: string[] = [];
  if (metadata !== undefined && metadata !== null) {
    const kv: string[] = [];
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") stFail("InvalidArgument", `metadata value for ${JSON.stringify(k)} must be a string (safetensors metadata is a string map)`);
      kv.push(`${jsonString(k)}:${jsonString(v)}`);
    }
    parts.push(`"__metadata__":{${kv.join(",")}}`);
  }
  let offset = 0;
  for (const e of order) {
    const end = offset + e.byteLength;
    parts.push(`${jsonString(e.name)}:{"dtype":"${e.dtype}","shape":[${e.shape.join(",")}],"data_offsets":[${offset},${end}]}`);
    offset = end;
  }
  const json = new TextEncoder().encode(`{${parts.join(",")}}`);
  const padded = (json.length + 7) & ~7;
  const prefix = new Uint8Array(8 + padded);
  const view = new DataView(prefix.buffer);
  view.setUint32(0, padded % 0x100000000, true);
  view.setUint32(4, Math.floor(padded / 0x100000000), true);
  prefix.set(json, 8);
  prefix.fill(0x20, 8 + json.length);
  return { prefix, order, dataLength: offset };
}
