import {
  align8,
  GLOBAL_HEAP_HEADER_SIZE,
  GLOBAL_HEAP_MIN_SIZE,
  GLOBAL_HEAP_OBJECT_HEADER_SIZE,
} from "./constants.js";

/**
 * Global heap collections (spec III.E) for variable-length data. Objects
 * are appended to the current collection; a new one starts when a
 * collection would pass 64 KiB or 65535 objects. Every collection is at
 * least 4096 bytes (libhdf5's H5HG_MINSIZE: it reads that much first), and
 * the unused tail is described by free-space object 0 as libhdf5 does.
 */

const TARGET_SIZE = 65536;
const MAX_OBJECTS = 0xffff;

export interface HeapRef {
  readonly collection: number;
  readonly index: number;
}

interface Collection {
  objects: Uint8Array[];
  used: number;
}

export class GlobalHeapBuilder {
  private readonly collections: Collection[] = [];
  private addresses: number[] = [];

  get count(): number {
    return this.collections.length;
  }

  add(data: Uint8Array): HeapRef {
    const need = GLOBAL_HEAP_OBJECT_HEADER_SIZE + align8(data.length);
    let c = this.collections[this.collections.length - 1];
    if (c === undefined || (c.objects.length > 0 && c.used + need > TARGET_SIZE) || c.objects.length >= MAX_OBJECTS) {
      c = { objects: [], used: GLOBAL_HEAP_HEADER_SIZE };
      this.collections.push(c);
    }
    c.objects.push(data);
    c.used += need;
    return { collection: this.collections.length - 1, index: c.objects.length };
  }

  /** Size on disk of collection `i`. */
  size(i: number): number {
    return Math.max(GLOBAL_HEAP_MIN_SIZE, this.collections[i].used);
  }

  setAddress(i: number, address: number): void {
    this.addresses[i] = address;
  }

  address(ref: HeapRef): number {
    return this.addresses[ref.collection];
  }

  /** Encode collection `i` into `out` at `at` (the region must be zero-filled). */
  encode(i: number, out: Uint8Array, at: number): void {
    const c = this.collections[i];
    const size = this.size(i);
    const view = new DataView(out.buffer, out.byteOffset + at, size);
    out.set([0x47, 0x43, 0x4f, 0x4c, 1], at);
    view.setBigUint64(8, BigInt(size), true);
    let p = GLOBAL_HEAP_HEADER_SIZE;
    c.objects.forEach((obj, k) => {
      view.setUint16(p, k + 1, true);
      view.setUint16(p + 2, 0, true);
      view.setBigUint64(p + 8, BigInt(obj.length), true);
      out.set(obj, at + p + GLOBAL_HEAP_OBJECT_HEADER_SIZE);
      p += GLOBAL_HEAP_OBJECT_HEADER_SIZE + align8(obj.length);
    });
    const free = size - p;
    if (free >= GLOBAL_HEAP_OBJECT_HEADER_SIZE) {
      view.setUint16(p, 0, true);
      view.setBigUint64(p + 8, BigInt(free), true);
    }
  }
}
