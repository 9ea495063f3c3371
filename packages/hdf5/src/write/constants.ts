/**
 * Sizes and signatures of the default (h5py / libhdf5 "earliest") profile:
 * superblock v0 with 8-byte offsets and lengths, group B-tree K = 16,
 * symbol-table-node K = 4 and chunk B-tree K = 32 (libhdf5 defaults).
 */

/** Size of offsets and of lengths in bytes (superblock fields). */
export const OFFSET_SIZE = 8;
export const LENGTH_SIZE = 8;
/** The undefined address: all bits set (spec II, "undefined address"). */
export const UNDEF = -1;

export const GROUP_LEAF_K = 4;
export const GROUP_INTERNAL_K = 16;
export const CHUNK_BTREE_K = 32;

export const SIGNATURE = new Uint8Array([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Superblock v0 size: 24 fixed bytes + 4 addresses + one symbol table entry. */
export const SUPERBLOCK_V0_SIZE = 24 + 4 * OFFSET_SIZE + 40;
/** Symbol table entry (spec III.C): name offset, header address, cache type, reserved, scratch pad. */
export const SYMBOL_ENTRY_SIZE = OFFSET_SIZE * 2 + 4 + 4 + 16;
/** Symbol table node "SNOD": 8-byte header + 2K entries (libhdf5 always reads the full node). */
export const SNOD_SIZE = 8 + 2 * GROUP_LEAF_K * SYMBOL_ENTRY_SIZE;
/** v1 B-tree node header: signature, type, level, entries used, two sibling addresses. */
export const BTREE_HEADER_SIZE = 8 + 2 * OFFSET_SIZE;
/** A group B-tree node: 2K children and 2K+1 keys (heap offsets), full size on disk. */
export const GROUP_BTREE_NODE_SIZE = BTREE_HEADER_SIZE + 2 * GROUP_INTERNAL_K * OFFSET_SIZE + (2 * GROUP_INTERNAL_K + 1) * LENGTH_SIZE;
/** Local heap header "HEAP". */
export const LOCAL_HEAP_HEADER_SIZE = 8 + 2 * LENGTH_SIZE + OFFSET_SIZE;
/** libhdf5's "no free block" value for local heap free lists (H5HL_FREE_NULL). */
export const LOCAL_HEAP_FREE_NULL = 1;
/** Global heap collections are at least this big (libhdf5 H5HG_MINSIZE). */
export const GLOBAL_HEAP_MIN_SIZE = 4096;
/** Collection header: "GCOL", version, 3 reserved, collection size. */
export const GLOBAL_HEAP_HEADER_SIZE = 8 + LENGTH_SIZE;
/** Heap object header: index u16, refcount u16, reserved u32, size. */
export const GLOBAL_HEAP_OBJECT_HEADER_SIZE = 8 + LENGTH_SIZE;
/** v1 object header prefix, padded to 8 bytes (spec IV.A.1.a). */
export const OBJECT_HEADER_V1_PREFIX = 16;

/** Chunk B-tree node size for a dataset of `rank` dimensions (keys hold rank+1 offsets). */
export function chunkBtreeNodeSize(rank: number): number {
  const key = 4 + 4 + 8 * (rank + 1);
  return BTREE_HEADER_SIZE + 2 * CHUNK_BTREE_K * OFFSET_SIZE + (2 * CHUNK_BTREE_K + 1) * key;
}

export function align8(n: number): number {
  return Math.ceil(n / 8) * 8;
}
