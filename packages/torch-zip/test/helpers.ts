import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ByteWriter, MemorySource, openZipSync, ZipWriter } from "@codec/core";
import { repoPath } from "@codec/testing";

export const fixtureDir = repoPath("packages/torch-zip/test/fixtures");
export const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(fixtureDir, name)));

/** Rewrite a torch zip: `edit(name, bytes)` returns new bytes or null to drop the record. CRCs are recomputed. */
export function rewriteZip(bytes: Uint8Array, edit: (name: string, data: Uint8Array) => Uint8Array | null, compress?: (name: string) => boolean): Uint8Array {
  const src = openZipSync(new MemorySource(bytes));
  const w = new ZipWriter();
  for (const e of src.entries) {
    const data = edit(e.name, src.readSync(e));
    if (data !== null) w.add(e.name, data, compress?.(e.name) ? { compress: true } : { align: 64 });
  }
  return w.finish();
}

const enc = new TextEncoder();
const u8 = (...parts: Array<number[] | Uint8Array | string>): Uint8Array => {
  const w = new ByteWriter();
  for (const p of parts) w.bytes(typeof p === "string" ? enc.encode(p) : p instanceof Uint8Array ? p : new Uint8Array(p));
  return w.view8();
};

/** A protocol-2 pickle int (BININT, 4 bytes signed) or LONG1 for bigints. */
function pInt(v: number | bigint): Uint8Array {
  if (typeof v === "bigint") {
    const bytes: number[] = [];
    let x = v;
    for (let i = 0; i < 9; i++) {
      bytes.push(Number(x & 0xffn));
      x >>= 8n;
    }
    return u8([0x8a, bytes.length], bytes);
  }
  const b = new Uint8Array(5);
  b[0] = 0x4a; // BININT
  new DataView(b.buffer).setInt32(1, v, true);
  return b;
}

const pStr = (s: string) => {
  const b = enc.encode(s);
  const head = new Uint8Array(5);
  head[0] = 0x58; // BINUNICODE
  new DataView(head.buffer).setUint32(1, b.length, true);
  return u8(head, b);
};

const pTuple = (items: Uint8Array[]) => u8([0x28], ...items, [0x74]); // MARK ... TUPLE

export interface HandTensor {
  name: string;
  storageClass?: string;
  key?: string;
  numel: number | bigint;
  offset?: number | bigint;
  size: Array<number | bigint>;
  stride: Array<number | bigint>;
}

/**
 * A hand-made data.pkl as torch.save writes it for a dict of tensors:
 * {name: _rebuild_tensor_v2(persistent storage, offset, size, stride, False, OrderedDict())}.
 * Test input for bad strides/offsets/numels; torch itself never writes these.
 */
export function handPickle(tensors: HandTensor[]): Uint8Array {
  const parts: Uint8Array[] = [u8([0x80, 0x02, 0x7d, 0x28])]; // PROTO 2, EMPTY_DICT, MARK
  for (const t of tensors) {
    parts.push(pStr(t.name));
    parts.push(u8("ctorch._utils\n_rebuild_tensor_v2\n"));
    const pid = pTuple([pStr("storage"), u8(`ctorch\n${t.storageClass ?? "FloatStorage"}\n`), pStr(t.key ?? "0"), pStr("cpu"), pInt(t.numel)]);
    const args = pTuple([
      u8(pid, [0x51]), // BINPERSID
      pInt(t.offset ?? 0),
      pTuple(t.size.map(pInt)),
      pTuple(t.stride.map(pInt)),
      u8([0x89]), // NEWFALSE
      u8("ccollections\nOrderedDict\n", [0x29, 0x52]), // EMPTY_TUPLE REDUCE
    ]);
    parts.push(args, u8([0x52])); // REDUCE
  }
  parts.push(u8([0x75, 0x2e])); // SETITEMS STOP
  return u8(...parts);
}

/** A zip torch file with the given data.pkl and storages. */
export function handZip(pkl: Uint8Array, storages: Record<string, Uint8Array>, root = "archive"): Uint8Array {
  const w = new ZipWriter();
  w.add(`${root}/data.pkl`, pkl, { align: 64 });
  for (const [k, v] of Object.entries(storages)) w.add(`${root}/data/${k}`, v, { align: 64 });
  w.add(`${root}/version`, enc.encode("3\n"));
  return w.finish();
}

