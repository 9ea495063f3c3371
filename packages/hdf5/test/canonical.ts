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

const f64 = new DataView(new ArrayBuffer(8));
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

function fbits(x: number): string {
  f64.setFloat64(0, x, false);
  let s = '"f:';
  for (let i = 0; i < 8; i++) s += HEX[f64.getUint8(i)];
  return `${s}"`;
}

const keyCache = new WeakMap<Datatype, string[]>();

/** Canonical JSON text of one element (Python's json.dumps(separators=(",", ":"), ensure_ascii=False)). */
export function canonText(t: Datatype, v: ElementValue): string {
  switch (t.class) {
    case "compound": {
      const rec = v as { [k: string]: ElementValue };
      if (isH5pyComplex(t)) return `[${fbits(Number(rec.r))},${fbits(Number(rec.i))}]`;
      let keys = keyCache.get(t);
      if (!keys) {
        keys = t.members.map((m) => `${JSON.stringify(m.name)}:`);
        keyCache.set(t, keys);
      }
      let s = "{";
      for (let i = 0; i < t.members.length; i++) {
        if (i > 0) s += ",";
        s += keys[i] + canonText(t.members[i].type, rec[t.members[i].name]);
      }
      return `${s}}`;
    }
    case "array":
      return `[${(v as ElementValue[]).map((x) => canonText(t.base, x)).join(",")}]`;
    case "vlen":
      if (t.kind === "string") return JSON.stringify(v as string);
      return `[${(v as ElementValue[]).map((x) => canonText(t.base, x)).join(",")}]`;
    case "reference": {
      if (v === null) return "null";
      const r = v as { ref?: number; region?: number | null };
      return r.ref !== undefined ? `{"ref":${r.ref}}` : `{"region":${r.region ?? "null"}}`;
    }
    case "opaque": {
      const b = (v as { opaque: Uint8Array }).opaque;
      // h5py stores numpy bytes dtypes it cannot map as opaque tagged "NUMPY:|S<n>" and reads them back as bytes.
      if (t.tag.startsWith("NUMPY:|S")) {
        const end = b.indexOf(0);
        return JSON.stringify(Buffer.from(end < 0 ? b : b.subarray(0, end)).toString("utf8"));
      }
      return `"x:${Buffer.from(b).toString("hex")}"`;
    }
    case "enum":
      if (isH5pyBool(t)) return v ? "true" : "false";
      return String(v);
    case "floating-point":
      return fbits(v as number);
    case "string":
      return JSON.stringify(v as string);
    default:
      return String(v);
  }
}

export function jsonDigest(t: Datatype, values: ElementValue[] | null): string {
  const h = createHash("sha256");
  if (values === null) h.update("null");
  else {
    h.update("[");
    for (let i = 0; i < values.length; i++) h.update(i === 0 ? canonText(t, values[i]) : `,${canonText(t, values[i])}`);
    h.update("]");
  }
  return `json:${h.digest("hex")}`;
}
