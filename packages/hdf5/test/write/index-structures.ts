import { inflateSync } from "node:zlib";

/**
 * Test helper: an address-free description of the extensible array or
 * version 2 B-tree chunk index in a one-dataset HDF5 file (found by its
 * signature), so a file we write and one libhdf5 writes can be compared
 * structure by structure. Every field is kept except file addresses and
 * checksums; a chunk pointer is replaced by the first int32 of the chunk it
 * points at (inflated when the dataset is gzip-compressed), which identifies
 * the chunk in the test data (np.arange).
 */

export interface IndexDescription {
  kind: "earray" | "bt2" | "farray";
  /** Header fields (hex) without addresses and checksum. */
  header: string;
  blocks: string[];
  /** Stored (compressed) chunk sizes by chunk id, when filtered. */
  sizes: Record<string, number>;
}

const UNDEF = 0xffffffffffffffffn;

function find(bytes: Uint8Array, sig: string): number[] {
  const out: number[] = [];
  const s = [...sig].map((c) => c.charCodeAt(0));
  for (let i = 0; i + 4 <= bytes.length; i++) if (bytes[i] === s[0] && bytes[i + 1] === s[1] && bytes[i + 2] === s[2] && bytes[i + 3] === s[3]) out.push(i);
  return out;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

export function describeIndex(bytes: Uint8Array, filtered: boolean, rank = 2): IndexDescription | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sizes: Record<string, number> = {};
  const chunkId = (addr: bigint, size: number, mask: number): string => {
    if (addr === UNDEF) return "U";
    const a = Number(addr);
    let data = bytes.subarray(a, a + (filtered ? size : 4));
    if (filtered) data = inflateSync(data);
    const id = String(new DataView(data.buffer, data.byteOffset).getInt32(0, true));
    if (filtered) sizes[id] = size;
    return filtered ? `${id}/m${mask}` : id;
  };
  const uint = (p: number, w: number): number => {
    let v = 0;
    for (let i = w - 1; i >= 0; i--) v = v * 256 + bytes[p + i];
    return v;
  };
  const ea = find(bytes, "EAHD");
  if (ea.length > 0) {
    const at = ea[0];
    const elsize = bytes[at + 6];
    const sizeWidth = filtered ? elsize - 12 : 0;
    const blocks: string[] = [];
    const element = (p: number): string => chunkId(view.getBigUint64(p, true), filtered ? uint(p + 8, sizeWidth) : 0, filtered ? view.getUint32(p + 8 + sizeWidth, true) : 0);
    const dblock = (addr: bigint, count: number, pageInit?: boolean[]): void => {
      if (addr === UNDEF) {
        blocks.push("dblock U");
        return;
      }
      const d = Number(addr);
      const off = view.getUint32(d + 14, true);
      const els: string[] = [];
      if (count <= 1024) for (let i = 0; i < count; i++) els.push(element(d + 18 + i * elsize));
      else {
        // Paged: prefix checksum, then pages of 1024 elements + checksum; only initialised pages are read.
        for (let page = 0; page < count / 1024; page++) {
          const base = d + 18 + 4 + page * (1024 * elsize + 4);
          if (!pageInit?.[page]) els.push("page-U");
          else for (let i = 0; i < 1024; i++) els.push(element(base + i * elsize));
        }
      }
      blocks.push(`dblock ${hex(bytes.subarray(d + 4, d + 6))} off=${off} [${els.join(",")}]`);
    };
    const ib = Number(view.getBigUint64(at + 60, true));
    const ibEls: string[] = [];
    for (let i = 0; i < 4; i++) ibEls.push(element(ib + 14 + i * elsize));
    let p = ib + 14 + 4 * elsize;
    const dAddrs: bigint[] = [];
    for (let i = 0; i < 6; i++, p += 8) dAddrs.push(view.getBigUint64(p, true));
    const sAddrs: bigint[] = [];
    for (let i = 0; i < 25; i++, p += 8) sAddrs.push(view.getBigUint64(p, true));
    blocks.push(`iblock ${hex(bytes.subarray(ib + 4, ib + 6))} [${ibEls.join(",")}] d=${dAddrs.map((a) => (a === UNDEF ? "U" : "A")).join("")} s=${sAddrs.map((a) => (a === UNDEF ? "U" : "A")).join("")}`);
    // Index-block data blocks belong to super blocks 0..3: 16, 32, 32, 32, 64, 64 elements.
    dAddrs.forEach((a, i) => {
      dblock(a, [16, 32, 32, 32, 64, 64][i]);
    });
    sAddrs.forEach((a, k) => {
      if (a === UNDEF) return;
      const s = Number(a);
      const ndblks = 2 ** Math.floor((k + 4) / 2);
      const nelmts = 2 ** Math.floor((k + 5) / 2) * 16;
      const npages = nelmts > 1024 ? nelmts / 1024 : 0;
      const bitmap = bytes.subarray(s + 18, s + 18 + ndblks * Math.ceil(npages / 8));
      const ptrs: bigint[] = [];
      for (let i = 0; i < ndblks; i++) ptrs.push(view.getBigUint64(s + 18 + bitmap.length + 8 * i, true));
      blocks.push(`sblock ${hex(bytes.subarray(s + 4, s + 6))} off=${view.getUint32(s + 14, true)} bitmap=${hex(bitmap)} d=${ptrs.map((x) => (x === UNDEF ? "U" : "A")).join("")}`);
      ptrs.forEach((x, i) => {
        const init = Array.from({ length: npages }, (_, page) => {
          const bit = i * npages + page;
          return (bitmap[bit >> 3] & (0x80 >> (bit & 7))) !== 0;
        });
        dblock(x, nelmts, init);
      });
    });
    return { kind: "earray", header: hex(bytes.subarray(at + 4, at + 60)), blocks, sizes };
  }
  const fa = find(bytes, "FAHD");
  if (fa.length > 0) {
    // Fixed array: header fields, the data block's page bitmap and the entries of its initialised pages.
    const at = fa[0];
    const es = bytes[at + 6];
    const count = Number(view.getBigUint64(at + 8, true));
    const db = Number(view.getBigUint64(at + 16, true));
    const pageElems = 2 ** bytes[at + 7];
    const npages = count > pageElems ? Math.ceil(count / pageElems) : 0;
    const bitmap = bytes.subarray(db + 14, db + 14 + Math.ceil(npages / 8));
    let p = db + 14 + (npages > 0 ? bitmap.length + 4 : 0);
    const blocks = [`dblock ${hex(bytes.subarray(db + 4, db + 6))} bitmap=${hex(bitmap)}`];
    const sw = filtered ? es - 12 : 0;
    for (let page = 0; page < Math.max(1, npages); page++) {
      const n = npages > 0 ? Math.min(pageElems, count - page * pageElems) : count;
      const used = npages === 0 || (bitmap[page >> 3] & (0x80 >> (page & 7))) !== 0;
      const els: string[] = [];
      for (let i = 0; used && i < n; i++) {
        const q = p + i * es;
        els.push(chunkId(view.getBigUint64(q, true), filtered ? uint(q + 8, sw) : 0, filtered ? view.getUint32(q + 8 + sw, true) : 0));
      }
      blocks.push(`page ${page} [${els.join(",")}]`);
      p += n * es + (npages > 0 ? 4 : 0);
    }
    return { kind: "farray", header: hex(bytes.subarray(at + 4, at + 16)), blocks, sizes };
  }
  const bt = find(bytes, "BTHD");
  if (bt.length === 0) return undefined;
  const at = bt[0];
  const recSize = view.getUint16(at + 10, true);
  const depth = view.getUint16(at + 12, true);

  const blocks: string[] = [];
  const record = (p: number): string => {
    const r = rank;
    const sw = filtered ? recSize - 8 - 4 - 8 * r : 0;
    const id = chunkId(view.getBigUint64(p, true), filtered ? uint(p + 8, sw) : 0, filtered ? view.getUint32(p + 8 + sw, true) : 0);
    const scaled: number[] = [];
    for (let d = 0; d < r; d++) scaled.push(Number(view.getBigUint64(p + recSize - 8 * (r - d), true)));
    return `${id}@${scaled.join(".")}`;
  };
  // Pointer field widths as libhdf5 computes them (the reader in src/read derives the same).
  const node = (addr: number, nrec: number, level: number, ptrWidths: number[][]): void => {
    const recs: string[] = [];
    for (let i = 0; i < nrec; i++) recs.push(record(addr + 6 + i * recSize));
    blocks.push(`${level === 0 ? "leaf" : "internal"} ${hex(bytes.subarray(addr + 4, addr + 6))} [${recs.join(",")}]`);
    if (level === 0) return;
    let p = addr + 6 + nrec * recSize;
    const [nw, tw] = ptrWidths[level - 1];
    const kids: Array<[number, number]> = [];
    const counts: string[] = [];
    for (let i = 0; i <= nrec; i++) {
      const a = Number(view.getBigUint64(p, true));
      const n = uint(p + 8, nw);
      const t = tw > 0 ? uint(p + 8 + nw, tw) : n;
      counts.push(`${n}/${t}`);
      kids.push([a, n]);
      p += 8 + nw + tw;
    }
    blocks.push(`  children ${counts.join(" ")}`);
    for (const [a, n] of kids) node(a, n, level - 1, ptrWidths);
  };
  const widths: number[][] = [];
  const enc = (n: number) => Math.floor(Math.floor(Math.log2(n)) / 8) + 1;
  let maxNrec = Math.floor((2048 - 10) / recSize);
  let cum = maxNrec;
  widths.push([enc(maxNrec), 0]);
  for (let d = 1; d < depth; d++) {
    const ptr = 8 + widths[d - 1][0] + (d > 1 ? widths[d - 1][1] : 0);
    maxNrec = Math.floor((2048 - 10 - ptr) / (recSize + ptr));
    cum = (maxNrec + 1) * cum + maxNrec;
    widths.push([enc(maxNrec), enc(cum)]);
  }
  // Level d's pointers to level d-1 children: node count width of d-1, total width of d-1 when d-1 > 0.
  const ptrWidths = widths.map((w, i) => [w[0], i > 0 ? w[1] : 0]);
  node(Number(view.getBigUint64(at + 16, true)), view.getUint16(at + 24, true), depth, ptrWidths);
  return { kind: "bt2", header: hex(bytes.subarray(at + 4, at + 16)) + hex(bytes.subarray(at + 24, at + 34)), blocks, sizes };
}
