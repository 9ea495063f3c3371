/**
 * The canonical value form of tools/fixtures/hdf5/dump_corpus.py, in
 * TypeScript: the conformance test hashes what our reader decodes exactly
 * the way the dump script hashes what h5py reads.
 */
import { createHash } from "node:crypto";
import { type Datatype, type ElementValue, isH5pyBool, isH5pyComplex } from "../src/index.js";

export function sha256(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function fbits(x: number): string {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, x, false);
  let s = "f:";
  for (let i = 0; i < 8; i++) s += b.getUint8(i).toString(16).padStart(2, "0");
  return s;
}

type Canon = null | boolean | number | bigint | string | Canon[] | { [k: string]: Canon };

export function canon(t: Datatype, v: ElementValue): Canon {
  switch (t.class) {
    case "compound": {
      const rec = v as { [k: string]: ElementValue };
      if (isH5pyComplex(t)) return [fbits(Number(rec.r)), fbits(Number(rec.i))];
      const out: { [k: string]: Canon } = {};
      for (const m of t.members) out[m.name] = canon(m.type, rec[m.name]);
      return out;
    }
    case "array":
      return (v as ElementValue[]).map((x) => canon(t.base, x));
    case "vlen":
      if (t.kind === "string") return v as string;
      return (v as ElementValue[]).map((x) => canon(t.base, x));
    case "reference": {
      if (v === null) return null;
      const r = v as { ref?: number; region?: number };
      return r.ref !== undefined ? { ref: r.ref } : { region: r.region ?? null };
    }
    case "opaque": {
      const b = (v as { opaque: Uint8Array }).opaque;
      // h5py stores numpy bytes dtypes it cannot map as opaque tagged "NUMPY:|S<n>" and reads them back as bytes.
      if (t.tag.startsWith("NUMPY:|S")) {
        const end = b.indexOf(0);
        return Buffer.from(end < 0 ? b : b.subarray(0, end)).toString("utf8");
      }
      return `x:${Buffer.from(b).toString("hex")}`;
    }
    case "enum":
      if (isH5pyBool(t)) return Boolean(v);
      return v as number | bigint;
    case "floating-point":
      return fbits(v as number);
    case "string":
      return v as string;
    default:
      return v as number | bigint;
  }
}

/** JSON with Python's `json.dumps(separators=(",", ":"), ensure_ascii=False)` spelling. */
export function stringify(c: Canon): string {
  if (c === null) return "null";
  if (typeof c === "boolean") return c ? "true" : "false";
  if (typeof c === "number" || typeof c === "bigint") return c.toString();
  if (typeof c === "string") return JSON.stringify(c);
  if (Array.isArray(c)) return `[${c.map(stringify).join(",")}]`;
  return `{${Object.keys(c).map((k) => `${JSON.stringify(k)}:${stringify(c[k])}`).join(",")}}`;
}

export function jsonDigest(t: Datatype, values: ElementValue[] | null): string {
  const doc = values === null ? "null" : `[${values.map((v) => stringify(canon(t, v))).join(",")}]`;
  return `json:${sha256(Buffer.from(doc, "utf8"))}`;
}
