import { registerFormat, startsWith } from "@codec/core";
import { type Hdf5File, Hdf5Group } from "../read/file.js";

/**
 * Recognising Keras files. A `.keras` archive is a zip whose entries are
 * metadata.json, config.json and model.weights.h5 (saving_lib.py writes them
 * in that order, stored). An HDF5 file is Keras when it carries the legacy
 * attributes (keras_version, backend, model_config, layer_names) or the
 * Keras 3 weights layout (`vars` groups under the root or `layers/<name>`).
 */

const KERAS_ENTRIES = ["metadata.json", "config.json", "model.weights.h5", "model.weights.npz"];
const LEGACY_ATTRS = ["keras_version", "model_config", "layer_names", "layer_names0", "backend"];

function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]);
  return s;
}

/** Confidence (0..2) that `head` starts a Keras 3 `.keras` zip archive. */
export function detectKerasArchive(head: Uint8Array): number {
  if (!startsWith(head, [0x50, 0x4b, 0x03, 0x04]) || head.length < 30) return 0;
  const nameLength = head[26] | (head[27] << 8);
  const first = latin1(head.subarray(30, Math.min(head.length, 30 + nameLength)));
  if (KERAS_ENTRIES.includes(first)) return 2;
  const text = latin1(head);
  return text.includes("config.json") && text.includes("model.weights.h5") ? 2 : 0;
}

export function registerKerasFormat(): void {
  registerFormat({ format: "keras", extensions: ["keras"], detect: (head) => detectKerasArchive(head) });
}

function childGroup(g: Hdf5Group, name: string): Hdf5Group | undefined {
  const link = g.links().find((l) => l.name === name);
  if (link?.kind !== "hard") return undefined;
  const o = g.get(name);
  return o instanceof Hdf5Group ? o : undefined;
}

/** Whether an opened HDF5 file is a Keras model or weights file (the CLI then reports format "keras"). */
export function isKerasHdf5(file: Hdf5File): boolean {
  return kerasHdf5Kind(file) !== undefined;
}

export type KerasHdf5Kind = "legacy-model" | "legacy-weights" | "keras3-weights";

export function kerasHdf5Kind(file: Hdf5File): KerasHdf5Kind | undefined {
  const root = file.root;
  const names = new Set(root.rawAttributes().map((a) => a.name));
  if (names.has("model_config")) return "legacy-model";
  const mw = childGroup(root, "model_weights");
  if (mw?.rawAttributes().some((a) => a.name === "layer_names" || a.name === "layer_names0")) return "legacy-model";
  if (LEGACY_ATTRS.some((n) => names.has(n))) return "legacy-weights";
  if (childGroup(root, "vars")) return "keras3-weights";
  const layers = childGroup(root, "layers");
  if (layers) {
    for (const l of layers.links()) {
      const g = childGroup(layers, l.name);
      if (g && childGroup(g, "vars")) return "keras3-weights";
    }
  }
  return undefined;
}
