/**
 * Test helper: an address-free description of the fractal heaps and v2
 * B-trees (name indexes) of dense link / attribute storage in an HDF5 file,
 * found by signature, so a file we write and one libhdf5 writes can be
 * compared. Heap objects are shown with their last `dropTail` bytes removed
 * (a hard link's target address); B-tree records in full (they hold heap
 * IDs, which are heap offsets, not file addresses). The free-space manager
 * fields are left out (we do not write one).
 */
import { locateSlot, tableGeometry } from "../../src/write/fractal-heap-table.js";

export interface DenseDescription {
  heaps: string[];
  trees: string[];
}

function find(bytes: Uint8Array, sig: string): number[] {
  const out: number[] = [];
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = b.indexOf(sig); i >= 0; i = b.indexOf(sig, i + 1)) out.push(i);
  return out;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

export function describeDense(bytes: Uint8Array, objectSizes: (heapOffset: number, bytes: Uint8Array, at: number) => string[]): DenseDescription {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const heaps: string[] = [];
  for (const at of find(bytes, "FRHP")) {
    const f: string[] = [];
    const big = (o: number) => view.getBigUint64(at + o, true);
    // id length, filters, flags, max managed size; next huge id; free space; managed space, allocated, iterator, object counts.
    f.push(hex(bytes.subarray(at + 4, at + 14)), String(big(14)), `free=${big(30)}`);
    for (let i = 0; i < 8; i++) f.push(String(big(46 + 8 * i)));
    f.push(hex(bytes.subarray(at + 110, at + 132)), `rows=${view.getUint16(at + 140, true)}`);
    heaps.push(`heap ${f.join(" ")}`);
  }
  const dblocks: Array<[number, string]> = [];
  for (const at of find(bytes, "FHDB")) {
    const offBytes = bytes[find(bytes, "FRHP")[0] + 128] / 8;
    let off = 0;
    for (let i = offBytes - 1; i >= 0; i--) off = off * 256 + bytes[at + 13 + i];
    dblocks.push([off, `dblock off=${off} ${objectSizes(off, bytes, at).join(",")}`]);
  }
  // Blocks in heap order (their file order differs between writers).
  heaps.push(...dblocks.sort((a, b) => a[0] - b[0]).map((d) => d[1]));
  const iblocks: Array<[number, string]> = [];
  for (const at of find(bytes, "FHIB")) {
    const hp = find(bytes, "FRHP")[0];
    const offBytes = bytes[hp + 128] / 8;
    let off = 0;
    for (let i = offBytes - 1; i >= 0; i--) off = off * 256 + bytes[at + 13 + i];
    // The root's rows are in the header; a child's follow from where it sits in the doubling table
    // (the outermost table starting at that offset: these tests have no grandchildren).
    const g = tableGeometry(Number(view.getBigUint64(hp + 112, true)), view.getUint16(hp + 128, true), 4 + 1 + 8 + offBytes + 4);
    const rows = off === 0 ? view.getUint16(hp + 140, true) : (locateSlot(g, off).path.find((p) => p.heapOffset === off)?.rows ?? 0);
    const used: string[] = [];
    for (let i = 0; i < rows * 4; i++) used.push(view.getBigUint64(at + 13 + offBytes + 8 * i, true) === 0xffffffffffffffffn ? "U" : "A");
    iblocks.push([off, `iblock off=${off} ${used.join("")}`]);
  }
  heaps.push(...iblocks.sort((a, b) => a[0] - b[0]).map((d) => d[1]));
  const perTree: string[][] = [];
  for (const at of find(bytes, "BTHD")) {
    const trees: string[] = [];
    perTree.push(trees);
    const recSize = view.getUint16(at + 10, true);
    // Type 1 (huge heap objects) records start with the object's file address: masked.
    const skip = bytes[at + 5] === 1 ? 8 : 0;
    trees.push(`bthd ${hex(bytes.subarray(at + 4, at + 16))} ${hex(bytes.subarray(at + 24, at + 34))}`);
    const walk = (addr: number, nrec: number, level: number): void => {
      const recs: string[] = [];
      for (let i = 0; i < nrec; i++) recs.push(hex(bytes.subarray(addr + 6 + i * recSize + skip, addr + 6 + (i + 1) * recSize)));
      trees.push(`${level === 0 ? "leaf" : "internal"} ${recs.join(",")}`);
      if (level === 0) return;
      // Node count width 1 byte below 256 records per node (node size 512), totals only above level 1.
      let p = addr + 6 + nrec * recSize;
      const kids: Array<[number, number]> = [];
      for (let i = 0; i <= nrec; i++) {
        kids.push([Number(view.getBigUint64(p, true)), bytes[p + 8]]);
        p += 9 + (level > 1 ? 2 : 0);
      }
      for (const [a, n] of kids) walk(a, n, level - 1);
    };
    walk(Number(view.getBigUint64(at + 16, true)), view.getUint16(at + 24, true), view.getUint16(at + 12, true));
  }
  // Trees in header order (their file order differs between writers).
  const trees = perTree.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).flat();
  return { heaps, trees };
}

/** Link messages in a direct block, as "name" (hard link target dropped). */
export function linkObjects(_off: number, bytes: Uint8Array, at: number): string[] {
  const out: string[] = [];
  let p = at + 21;
  while (bytes[p] === 1) {
    const flags = bytes[p + 1];
    let q = p + 2;
    if (flags & 0x08) q++;
    if (flags & 0x04) q += 8;
    if (flags & 0x10) q++;
    const w = 1 << (flags & 3);
    let n = 0;
    for (let i = w - 1; i >= 0; i--) n = n * 256 + bytes[q + i];
    q += w;
    out.push(`${hex(bytes.subarray(p, p + 2))}:${Buffer.from(bytes.subarray(q, q + n)).toString("utf8")}`);
    p = q + n + 8;
  }
  return out;
}
