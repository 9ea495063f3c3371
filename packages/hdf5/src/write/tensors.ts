import { fail, type JsonValue, type Tensor, type TensorMap } from "@codec/core";
import type { DatasetOptions } from "./writer.js";
import { Hdf5Writer } from "./writer.js";

/**
 * Tensors to an HDF5 file (DESIGN.md section 5): a '/' in a tensor name
 * becomes a group boundary, '.' is kept as is. String metadata values become
 * root attributes (vlen UTF-8 strings); other JSON values are stored as
 * their JSON text.
 */

export type TensorEntries = ReadonlyMap<string, Tensor> | Readonly<Record<string, Tensor>> | ReadonlyArray<readonly [string, Tensor]>;

function entriesOf(tensors: TensorEntries): Array<readonly [string, Tensor]> {
  if (tensors instanceof Map) return [...tensors.entries()];
  if (Array.isArray(tensors)) return [...tensors];
  return Object.entries(tensors as Readonly<Record<string, Tensor>>);
}

function addMetadata(w: Hdf5Writer, metadata: { readonly [key: string]: JsonValue } | undefined): void {
  if (!metadata) return;
  for (const [k, v] of Object.entries(metadata)) {
    if (v === null) continue;
    w.setAttribute("/", k, typeof v === "string" ? v : JSON.stringify(v));
  }
}

function checkName(name: string): void {
  if (name.split("/").filter((p) => p.length > 0).length === 0) fail("USAGE", "hdf5", `tensor name '${name}' has no path components`);
}

export function writeTensorsAsHdf5(
  tensors: TensorEntries,
  metadata?: { readonly [key: string]: JsonValue },
  options: DatasetOptions = {},
): Uint8Array {
  const w = new Hdf5Writer();
  for (const [name, t] of entriesOf(tensors)) {
    checkName(name);
    w.createDataset(name, t, t.shape.length === 0 ? {} : options);
  }
  addMetadata(w, metadata);
  return w.finish();
}

/** Same as writeTensorsAsHdf5, loading each tensor of a TensorMap in turn. */
export async function writeTensorMapAsHdf5(map: TensorMap, options: DatasetOptions = {}): Promise<Uint8Array> {
  const w = new Hdf5Writer();
  for (const name of map.names()) {
    checkName(name);
    const t = await map.get(name);
    w.createDataset(name, t, t.shape.length === 0 ? {} : options);
  }
  addMetadata(w, map.metadata);
  return w.finish();
}
