import { chunkBtreeNodeSize, UNDEF } from "./constants.js";
import { datatypeMessage } from "./datatype-encode.js";
import { compareNames } from "./group-structures.js";
import {
  attributeInfoMessage,
  dataspaceMessageV2,
  FLAG_DONT_SHARE,
  fillValueMessageV3,
  filterPipelineMessageV2,
  groupInfoMessage,
  layoutMessageV4,
  linkInfoMessage,
  linkMessageOf,
  MSG_ATTRIBUTE_INFO,
  MSG_GROUP_INFO,
  MSG_LINK,
  MSG_LINK_INFO,
} from "./latest-format.js";
import {
  dataspaceMessage,
  FLAG_CONSTANT,
  fillValueMessage,
  filterPipelineMessage,
  type HeaderMessage,
  type LayoutSpec,
  layoutMessage,
  MSG_DATASPACE,
  MSG_DATATYPE,
  MSG_FILL_VALUE,
  MSG_FILTER_PIPELINE,
  MSG_LAYOUT,
  MSG_SYMBOL_TABLE,
  symbolTableMessage,
} from "./messages.js";
import { type DatasetW, type GroupW, linkTarget, type Placed } from "./tree.js";

/**
 * The header messages of each object, in the order libhdf5 writes them:
 * groups: symbol table (default) or link info, group info and one link
 * message per child (latest); datasets: dataspace, datatype, fill value,
 * filter pipeline, layout; then the attributes. Sizes never depend on
 * addresses, so the layout computes them before addresses are known.
 */
export function headerMessages(p: Placed, latest: boolean, placedOf: ReadonlyMap<GroupW | DatasetW, Placed> | undefined): HeaderMessage[] {
  if (latest) return latestMessages(p, placedOf);
  const msgs: HeaderMessage[] = [];
  const node = p.node;
  if (node.kind === "group") {
    msgs.push({ type: MSG_SYMBOL_TABLE, flags: 0, body: symbolTableMessage(p.btreeRoot ?? UNDEF, p.heapAt ?? UNDEF) });
  } else {
    msgs.push({ type: MSG_DATASPACE, flags: 0, body: dataspaceMessage(node.space) });
    msgs.push({ type: MSG_DATATYPE, flags: FLAG_CONSTANT, body: datatypeMessage(node.type) });
    msgs.push({ type: MSG_FILL_VALUE, flags: FLAG_CONSTANT, body: fillValueMessage(node.fill) });
    if (node.filters.length > 0) msgs.push({ type: MSG_FILTER_PIPELINE, flags: FLAG_CONSTANT, body: filterPipelineMessage(node.filters) });
    let layout: LayoutSpec;
    if (node.compact) layout = { kind: "compact", data: p.raw?.bytes ?? new Uint8Array(0) };
    else if (node.chunks) {
      const root = p.chunkTreeAt === undefined ? UNDEF : p.chunkTreeAt + ((p.chunkTreeNodes ?? 1) - 1) * chunkBtreeNodeSize(node.chunks.length);
      layout = { kind: "chunked", address: root, chunkDims: node.chunks, elementSize: node.type.size };
    } else layout = { kind: "contiguous", address: p.dataAt ?? UNDEF, size: p.raw?.bytes.length ?? 0 };
    msgs.push({ type: MSG_LAYOUT, flags: 0, body: layoutMessage(layout) });
  }
  for (const a of p.attrMessages) msgs.push(a.msg);
  return msgs;
}

/** Reference count message (spec IV.A.2.w, version 0): v2 headers carry it once an object has several hard links. */
function referenceCountMessage(count: number): HeaderMessage {
  const body = new Uint8Array(5);
  new DataView(body.buffer).setUint32(1, count, true);
  return { type: 0x0016, flags: 0, body };
}

/** Header messages of the libver="latest" profile. */
function latestMessages(p: Placed, placedOf: ReadonlyMap<GroupW | DatasetW, Placed> | undefined): HeaderMessage[] {
  const msgs: HeaderMessage[] = [];
  const node = p.node;
  if (node.kind === "group") {
    const dense = p.denseLinks;
    msgs.push({ type: MSG_LINK_INFO, flags: 0, body: dense ? linkInfoMessage(dense.heapAt, dense.btreeAt) : linkInfoMessage() });
    msgs.push({ type: MSG_GROUP_INFO, flags: FLAG_CONSTANT, body: groupInfoMessage() });
    // Dense storage keeps the link messages in the fractal heap instead (dense-links.ts).
    for (const name of p.dense ? [] : [...node.children.keys()].sort(compareNames)) {
      msgs.push({ type: MSG_LINK, flags: 0, body: linkMessageOf(name, linkTarget(node.children.get(name), 0, placedOf)) });
    }
  } else {
    msgs.push({ type: MSG_DATASPACE, flags: 0, body: dataspaceMessageV2(node.space) });
    msgs.push({ type: MSG_DATATYPE, flags: FLAG_CONSTANT, body: datatypeMessage(node.type) });
    msgs.push({ type: MSG_FILL_VALUE, flags: FLAG_CONSTANT, body: fillValueMessageV3(node.fill) });
    if (node.filters.length > 0) msgs.push({ type: MSG_FILTER_PIPELINE, flags: FLAG_CONSTANT, body: filterPipelineMessageV2(node.filters) });
    let body: Uint8Array;
    if (node.compact) body = layoutMessageV4({ kind: "compact", data: p.raw?.bytes ?? new Uint8Array(0) });
    else if (node.chunks && p.chunkIndex === "btree") {
      const root = p.chunkTreeAt === undefined ? UNDEF : p.chunkTreeAt + ((p.chunkTreeNodes ?? 1) - 1) * chunkBtreeNodeSize(node.chunks.length);
      body = layoutMessage({ kind: "chunked", address: root, chunkDims: node.chunks, elementSize: node.type.size });
    } else if (node.chunks && p.chunkIndex === "single") {
      const c = p.stored?.[0];
      body = layoutMessageV4({
        kind: "single-chunk",
        chunkDims: node.chunks,
        elementSize: node.type.size,
        address: c?.address ?? UNDEF,
        filtered: node.filters.length > 0 ? { size: c?.bytes.length ?? 0, mask: c?.filterMask ?? 0 } : undefined,
      });
    } else if (node.chunks) {
      const kind = p.chunkIndex === "earray" ? "extensible-array" : p.chunkIndex === "bt2" ? "btree-v2" : "fixed-array";
      body = layoutMessageV4({ kind, chunkDims: node.chunks, elementSize: node.type.size, address: p.chunkTreeAt ?? UNDEF });
    } else body = layoutMessageV4({ kind: "contiguous", address: p.dataAt ?? UNDEF, size: p.raw?.bytes.length ?? 0 });
    msgs.push({ type: MSG_LAYOUT, flags: 0, body });
  }
  if (p.denseAttrs) {
    // Dense attributes live in a fractal heap (dense-attributes.ts); the header points at it.
    const d = p.denseAttributes;
    msgs.push({ type: MSG_ATTRIBUTE_INFO, flags: FLAG_DONT_SHARE, body: attributeInfoMessage(d?.heapAt ?? UNDEF, d?.btreeAt ?? UNDEF) });
  } else for (const a of p.attrMessages) msgs.push(a.msg);
  if ((p.links ?? 1) > 1) msgs.push(referenceCountMessage(p.links as number));
  return msgs;
}
