import type { Dataspace, Datatype, FillValue, Filter } from "../model.js";
import type { NormalizedValue } from "./attribute-input.js";
import type { StoredChunk } from "./chunk-index.js";
import type { GroupPlan } from "./group-structures.js";
import type { FixedArrayPlan } from "./latest-format.js";
import type { HeaderMessage } from "./messages.js";
import type { EncodedElements } from "./value-encode.js";

/** The writer's in-memory tree, and each object's placement while the file is laid out. */

export interface AttrW {
  name: string;
  value: NormalizedValue;
}

export interface GroupW {
  kind: "group";
  children: Map<string, GroupW | DatasetW>;
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
}

/** Per-object state while laying out the file. */
export interface Placed {
  path: string;
  node: GroupW | DatasetW;
  header: number;
  headerSize: number;
  attrMessages: Array<{ msg: HeaderMessage; dataAt: number; enc: EncodedElements }>;
  // groups
  plan?: GroupPlan;
  heapAt?: number;
  snodAt?: number;
  btreeAt?: number;
  btreeRoot?: number;
  // datasets
  raw?: EncodedElements;
  chunkTreeAt?: number;
  /** latest profile: the chunk index used (v1 B-tree for unlimited dimensions). */
  chunkIndex?: "btree" | "single" | "farray";
  farray?: FixedArrayPlan;
  chunkTreeNodes?: number;
  dataAt?: number;
  stored?: StoredChunk[];
}
