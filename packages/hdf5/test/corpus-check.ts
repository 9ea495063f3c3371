/**
 * Reads one corpus file completely with our reader and compares it with
 * what h5py read (test/fixtures/corpus-expected.json). Shared by the
 * conformance test and by tools that want a per-file report.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { isCodecError } from "@codec/core";
import { FileSource } from "@codec/core/node";
import { Hdf5Dataset, type Hdf5File, type Hdf5Object, type OpenOptions, decodeElements, openHdf5FileSync } from "../src/index.js";
import { jsonDigest, sha256 } from "./canonical.js";

export interface ExpectedObject {
  kind: "group" | "dataset" | "datatype";
  attrs: Record<string, string>;
  dtype?: string;
  shape?: number[] | null;
  digest?: string;
  error?: string;
}

export type Outcome = { status: "complete" } | { status: "unsupported"; message: string } | { status: "failing"; message: string };

/** Digest of every attribute (an error string when one cannot be decoded). */
function attrDigests(o: Hdf5Object): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of o.rawAttributes()) {
    try {
      if (raw.space.kind === "null") out[raw.name] = jsonDigest(raw.type, null);
      else {
        let n = 1;
        for (const d of raw.space.dims) n *= d;
        out[raw.name] = jsonDigest(raw.type, decodeElements(raw.type, raw.raw, 0, n, o.file.heap));
      }
    } catch (e) {
      const c = classify(e);
      out[raw.name] = `error:${c.status}:${c.status === "complete" ? "" : c.message}`;
    }
  }
  return out;
}

/** Compare one file; returns the outcome and the first mismatches. */
export function checkFile(path: string, expected: Record<string, ExpectedObject>): Outcome {
  let file: Hdf5File;
  const dir = dirname(path);
  try {
    const options: OpenOptions = {
      externalFile: (name) => {
        try {
          return readFileSync(join(dir, name));
        } catch {
          return undefined;
        }
      },
      // Sibling files for external links and virtual dataset sources, as libhdf5 finds them.
      externalLink: (name) => {
        const p = join(dir, name);
        return existsSync(p) ? openHdf5FileSync(new FileSource(p), options) : undefined;
      },
    };
    file = openHdf5FileSync(new FileSource(path), options);
  } catch (e) {
    return classify(e);
  }
  const problems: string[] = [];
  let unsupported: string | undefined;
  try {
    const seen = new Map<string, Hdf5Object>();
    for (const o of file.walk()) seen.set(o.path === "/" ? "" : o.path.slice(1), o);
    for (const [p, exp] of Object.entries(expected)) {
      const o = seen.get(p);
      if (!o) {
        problems.push(`${p}: missing`);
        continue;
      }
      if (o.kind !== exp.kind) problems.push(`${p}: kind ${o.kind}, expected ${exp.kind}`);
      try {
        const got = attrDigests(o);
        for (const [a, d] of Object.entries(exp.attrs)) {
          const g = got[a];
          if (g?.startsWith("error:unsupported:")) unsupported ??= `${p}@${a}: ${g.slice(18)}`;
          else if (d.startsWith("error:")) {
            // h5py could not read it: a clear CodecError (or a value) is fine.
            if (g === undefined || g.startsWith("error:failing:non-CodecError")) problems.push(`${p}@${a}: ${g ?? "missing"}`);
          } else if (g !== d) problems.push(`${p}@${a}: attribute ${g === undefined ? "missing" : g.startsWith("error:") ? g : "differs"}`);
        }
        if (Object.keys(got).length !== Object.keys(exp.attrs).length) problems.push(`${p}: ${Object.keys(got).length} attributes, expected ${Object.keys(exp.attrs).length}`);
      } catch (e) {
        const c = classify(e);
        if (c.status === "unsupported") unsupported ??= `${p}: ${c.message}`;
        else problems.push(`${p}: attributes: ${c.status === "failing" ? c.message : ""}`);
      }
      if (o instanceof Hdf5Dataset) {
        try {
          if (o.layout.kind === "virtual") o.readRaw(); // refuses with UNSUPPORTED before shapes are compared
          const shape = o.space.kind === "null" ? null : o.shape;
          if (exp.shape !== undefined && JSON.stringify(shape) !== JSON.stringify(exp.shape)) problems.push(`${p}: shape ${JSON.stringify(shape)}, expected ${JSON.stringify(exp.shape)}`);
          if (exp.error !== undefined) {
            // h5py could not read the values: we must read them or refuse clearly.
            o.values();
            continue;
          }
          const d = exp.digest ?? "";
          let got: string;
          if (d.startsWith("bytes:")) got = `bytes:${sha256(o.read().bytes())}`;
          else got = o.space.kind === "null" ? jsonDigest(o.type, null) : jsonDigest(o.type, o.values());
          if (got !== d) problems.push(`${p}: values differ`);
        } catch (e) {
          const c = classify(e);
          if (c.status === "unsupported") unsupported ??= `${p}: ${c.message}`;
          else if (exp.error === undefined) problems.push(`${p}: ${c.status === "failing" ? c.message : ""}`);
        }
      }
    }
    for (const p of seen.keys()) if (!(p in expected)) problems.push(`${p}: not listed by h5py`);
  } catch (e) {
    const c = classify(e);
    if (c.status !== "complete") problems.push(c.message);
  }
  if (problems.length > 0) return { status: "failing", message: problems.slice(0, 4).join("; ") };
  if (unsupported) return { status: "unsupported", message: unsupported };
  return { status: "complete" };
}

function classify(e: unknown): Outcome {
  if (isCodecError(e)) return e.code === "UNSUPPORTED" ? { status: "unsupported", message: e.message } : { status: "failing", message: `${e.code}: ${e.message}` };
  return { status: "failing", message: `non-CodecError ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` };
}
