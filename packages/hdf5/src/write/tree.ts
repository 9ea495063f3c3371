import type { Dataspace, Datatype, FillValue, Filter } from "../model.js";
import type { NormalizedValue } from "./attribute-input.js";
import type { Bt2ChunkPlan } from "./btree-v2-chunks.js";
import type { StoredChunk } from "./chunk-index.js";
import type { DenseAttributesPlan } from "./dense-attributes.js";
import type { DenseLinksPlan } from "./dense-links.js";
import type { ExtensibleArrayPlan } from "./extensible-array.js";
import type { GroupPlan } from "./group-structures.js";
import type { FixedArrayPlan } from "./latest-format.js";
import type { HeaderMessage } from "./messages.js";
import type { EncodedElements } from "./value-encode.js";
import type { StoredChunkSource } from "./writer.js";

/** The writer's in-memory tree, and each object's placement while the file is laid out. */

export interface AttrW {
  name: string;
  value: NormalizedValue;
}

/** A soft link: a path resolved when the link is followed (spec IV.A.2.g link type 1). */
export interface SoftLinkW {
  kind: "soft";
  target: string;
}

/** An external link: an object path in another file (spec IV.A.2.g link type 64), never followed by the writer. */
export interface ExternalLinkW {
  kind: "external";
  file: string;
  path: string;
}

/** What a link names: an object of this file (hard link), or a path (soft / external link). */
export type LinkChild = GroupW | DatasetW | SoftLinkW | ExternalLinkW;

export interface GroupW {
  kind: "group";
  children: Map<string, LinkChild>;
  attrs: Map<string, AttrW>;
}

export interface DatasetW {
  kind: "dataset";
  type: Datatype;
  space: Dataspace;
  data: Uint8Array | readonly string[] | NormalizedValue["value"];
  chunks: number[] | undefined;
  filters: readonly Filter[];
  fill: FillValue;
  compact: boolean;
  attrs: Map<string, AttrW>;
  /** Already-filtered chunks to store unchanged (re-encode), by chunk coordinates. */
  storedChunk?: StoredChunkSource;
}

/** Per-object state while laying out the file. */
export interface Placed {
  path: string;
  node: GroupW | DatasetW;
  header: number;
  headerSize: number;
  attrMessages: Array<{ msg: HeaderMessage; dataAt: number; enc: EncodedElements }>;
  /** Hard links to the object (its header's reference count); 1 unless created with createHardLink. */
  links?: number;
  // groups
  plan?: GroupPlan;
  heapAt?: number;
  snodAt?: number;
  btreeAt?: number;
  btreeRoot?: number;
  /** latest profile: links in dense storage (decided before layout), and its plan once placed. */
  dense?: boolean;
  denseLinks?: DenseLinksPlan;
  /** latest profile: attributes in dense storage (decided before layout), and its plan once placed. */
  denseAttrs?: boolean;
  denseAttributes?: DenseAttributesPlan;
  // datasets
  raw?: EncodedElements;
  chunkTreeAt?: number;
  /** The chunk index used (the default profile always uses the v1 B-tree). */
  chunkIndex?: "btree" | "single" | "farray" | "earray" | "bt2";
  /** Chunks in the current extent. */
  chunkCount?: number;
  farray?: FixedArrayPlan;
  earray?: ExtensibleArrayPlan;
  /** Extensible array element index of every chunk, ascending. */
  earrayIndices?: number[];
  bt2?: Bt2ChunkPlan;
  chunkTreeNodes?: number;
  dataAt?: number;
  stored?: StoredChunk[];
}

/** What a link message points at: a soft link's path, an external link's file and path, else the child's object header address (`fallback` before layout). */
export function linkTarget(child: LinkChild | undefined, fallback: number, placed?: ReadonlyMap<GroupW | DatasetW, Placed>): number | string | ExternalLinkW {
  if (child === undefined) return fallback;
  if (child.kind === "soft") return child.target;
  if (child.kind === "external") return child;
  return placed?.get(child)?.header ?? fallback;
}
