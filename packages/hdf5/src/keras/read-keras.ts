import {
  type ByteInput,
  type DType,
  fail,
  float32ArrayToBfloat16,
  guardDecodeAsync,
  type JsonValue,
  openZip,
  Tensor,
  type TensorInfo,
  toByteSource,
  utf8Decode,
} from "@codec/core";
import type { AttributeValue } from "../model.js";
import { Hdf5Dataset, type Hdf5File, Hdf5Group, openHdf5File } from "../read/file.js";
import { attributeToJson } from "../read/tensor-map.js";
import { detectKerasArchive, kerasHdf5Kind } from "./detect.js";
import type { KerasFileKind, KerasLayer, KerasModel, KerasWeight } from "./model.js";
import { ContainerNames, naturalCompare } from "./naming.js";

/**
 * Reading Keras files on top of the HDF5 reader. Facts used (keras-team/keras):
 *  - legacy .h5 (legacy/saving/legacy_h5_format.py): root attrs model_config,
 *    training_config (JSON), keras_version, backend; weights under
 *    `model_weights` (full model) or the root (save_weights); `layer_names`
 *    on that group and `weight_names` on each layer group, each split into
 *    `<name>0`, `<name>1`, ... when too big for one object header
 *    (load_attributes_from_hdf5_group);
 *  - Keras 3 (saving/saving_lib.py): `.keras` zip with config.json,
 *    metadata.json, model.weights.h5; variables of the saveable at path P in
 *    `P/vars/<i>` (the model's own at `vars`); layers of Sequential and
 *    Functional at `layers/<snake_case class name>[_<n>]`; a bfloat16 variable
 *    is marked with the dataset attribute dtype="bfloat16".
 */

const FORMAT = "keras";

function attr(g: Hdf5Group | Hdf5Dataset, name: string): AttributeValue | undefined {
  return g.attribute(name)?.value;
}

function asText(v: AttributeValue | undefined): string | undefined {
  if (typeof v === "string") return v;
  if (v instanceof Uint8Array) return utf8Decode(v, FORMAT);
  return undefined;
}

function asStringList(v: AttributeValue | undefined): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === "string") return [v];
  if (Array.isArray(v)) return v.map((x) => (typeof x === "string" ? x : String(attributeToJson(x))));
  // An empty list is saved by numpy as a float64 array of length 0.
  if (ArrayBuffer.isView(v) && (v as unknown as ArrayLike<number>).length === 0) return [];
  return fail("CORRUPT", FORMAT, "expected a list of names");
}

/** legacy_h5_format.load_attributes_from_hdf5_group: `name`, or `name0`, `name1`, ... concatenated. */
export function loadAttributeList(g: Hdf5Group | Hdf5Dataset, name: string): string[] {
  const attrs = g.attributes();
  const whole = attrs.find((a) => a.name === name);
  if (whole) return asStringList(whole.value);
  const out: string[] = [];
  for (let i = 0; ; i++) {
    const part = attrs.find((a) => a.name === `${name}${i}`);
    if (!part) break;
    out.push(...asStringList(part.value));
  }
  return out;
}

function parseJson(text: string | undefined, what: string): JsonValue {
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return fail("CORRUPT", FORMAT, `${what} is not valid JSON`);
  }
}

function group(file: Hdf5File, path: string): Hdf5Group | undefined {
  const o = file.get(path);
  return o instanceof Hdf5Group ? o : undefined;
}

interface Entry {
  ds: Hdf5Dataset;
  info: TensorInfo;
  bf16: boolean;
}

function entryFor(ds: Hdf5Dataset): Entry | undefined {
  const ti = ds.tensorInfo();
  if (!ti) return undefined;
  const name = ds.path.slice(1);
  const bf16 = attr(ds, "dtype") === "bfloat16" && (ti.dtype === "float32" || ds.type.size === 2);
  const dtype: DType = bf16 ? "bfloat16" : ti.dtype;
  return { ds, info: { name, dtype, shape: ti.shape }, bf16 };
}

function readEntry(e: Entry): Tensor {
  if (!e.bf16) return e.ds.read();
  if (e.ds.type.size === 2) {
    return new Tensor({ dtype: "bfloat16", shape: e.info.shape, data: e.ds.readRaw(), copied: true });
  }
  const f = e.ds.read().toFloat32();
  const bits = float32ArrayToBfloat16(f);
  return new Tensor({ dtype: "bfloat16", shape: e.info.shape, data: new Uint8Array(bits.buffer), copied: true });
}

function weightOf(e: Entry, name: string): KerasWeight {
  return { name, path: e.info.name, dtype: e.info.dtype, shape: e.info.shape };
}

function legacyLayers(_file: Hdf5File, weightsRoot: Hdf5Group, entries: Map<string, Entry>): KerasLayer[] {
  const layers: KerasLayer[] = [];
  for (const layerName of loadAttributeList(weightsRoot, "layer_names")) {
    const g = weightsRoot.get(layerName);
    if (!(g instanceof Hdf5Group)) fail("CORRUPT", FORMAT, `layer '${layerName}' listed in layer_names has no group`);
    const weights: KerasWeight[] = [];
    for (const wn of loadAttributeList(g, "weight_names")) {
      const ds = g.get(wn);
      if (!(ds instanceof Hdf5Dataset)) fail("CORRUPT", FORMAT, `weight '${wn}' of layer '${layerName}' has no dataset`);
      const e = entries.get(ds.path.slice(1));
      if (!e) fail("UNSUPPORTED", FORMAT, `weight '${wn}' of layer '${layerName}' is not a tensor`);
      weights.push(weightOf(e, wn));
    }
    layers.push({ name: layerName, path: g.path.slice(1), weights });
  }
  return layers;
}

function varsOf(file: Hdf5File, path: string, entries: Map<string, Entry>): { weights: KerasWeight[]; name?: string } {
  const vars = group(file, path ? `${path}/vars` : "vars");
  if (!vars) return { weights: [] };
  const names = vars.links().map((l) => l.name).sort(naturalCompare);
  const weights: KerasWeight[] = [];
  for (const n of names) {
    const e = entries.get(path ? `${path}/vars/${n}` : `vars/${n}`);
    if (e) weights.push(weightOf(e, n));
  }
  const label = attr(vars, "name");
  return { weights, name: typeof label === "string" ? label : undefined };
}

/** The layer configs of a Sequential/Functional config, in order (nested `config.layers`). */
function configLayers(config: JsonValue): Array<{ className: string; name: string }> {
  if (config === null || typeof config !== "object" || Array.isArray(config)) return [];
  const inner = config.config;
  if (inner === null || typeof inner !== "object" || Array.isArray(inner)) return [];
  const list = inner.layers;
  if (!Array.isArray(list)) return [];
  const out: Array<{ className: string; name: string }> = [];
  for (const l of list) {
    if (l === null || typeof l !== "object" || Array.isArray(l)) continue;
    const cls = typeof l.class_name === "string" ? l.class_name : "Layer";
    const cfg = l.config;
    const name = cfg !== null && typeof cfg === "object" && !Array.isArray(cfg) && typeof cfg.name === "string" ? cfg.name : cls;
    out.push({ className: cls, name });
  }
  return out;
}

function keras3Layers(file: Hdf5File, config: JsonValue, entries: Map<string, Entry>): KerasLayer[] {
  const layers: KerasLayer[] = [];
  const fromConfig = configLayers(config);
  const layersGroup = group(file, "layers");
  const present = new Set(layersGroup ? layersGroup.links().map((l) => l.name) : []);
  if (fromConfig.length > 0) {
    const names = new ContainerNames();
    for (const l of fromConfig) {
      const path = `layers/${names.next(l.className)}`;
      const v = varsOf(file, path, entries);
      if (!present.has(path.slice(7)) && l.className === "InputLayer") continue;
      layers.push({ name: l.name, path, className: l.className, weights: v.weights });
      present.delete(path.slice(7));
    }
  }
  // Groups the config did not account for (or no config: a bare .weights.h5), in natural order.
  for (const n of [...present].sort(naturalCompare)) {
    const path = `layers/${n}`;
    const v = varsOf(file, path, entries);
    layers.push({ name: v.name ?? n, path, weights: v.weights });
  }
  return layers;
}

async function openFromHdf5(file: Hdf5File, kind: KerasFileKind, config: JsonValue, extra: { kerasVersion?: string }): Promise<KerasModel> {
  const entries = new Map<string, Entry>();
  for (const o of file.walk()) {
    if (!(o instanceof Hdf5Dataset)) continue;
    const e = entryFor(o);
    if (e) entries.set(e.info.name, e);
  }
  const root = file.root;
  let trainingConfig: JsonValue = null;
  let layers: KerasLayer[];
  let kerasVersion = extra.kerasVersion;
  let backend: string | undefined;
  if (kind === "legacy-model" || kind === "legacy-weights") {
    if (kind === "legacy-model") {
      config = parseJson(asText(attr(root, "model_config")), "model_config");
      trainingConfig = parseJson(asText(attr(root, "training_config")), "training_config");
    }
    const weightsRoot = kind === "legacy-model" ? (group(file, "model_weights") ?? root) : root;
    kerasVersion = asText(attr(root, "keras_version")) ?? asText(attr(weightsRoot, "keras_version"));
    backend = asText(attr(root, "backend")) ?? asText(attr(weightsRoot, "backend"));
    layers = legacyLayers(file, weightsRoot, entries);
  } else {
    layers = keras3Layers(file, config, entries);
  }
  const ordered: string[] = [];
  const seen = new Set<string>();
  for (const l of layers) {
    for (const w of l.weights) {
      if (!seen.has(w.path)) {
        seen.add(w.path);
        ordered.push(w.path);
      }
    }
  }
  for (const n of entries.keys()) if (!seen.has(n)) ordered.push(n);
  const metadata: { [k: string]: JsonValue } = { kind };
  if (kerasVersion !== undefined) metadata.keras_version = kerasVersion;
  if (backend !== undefined) metadata.backend = backend;
  for (const a of root.attributes()) {
    if (a.name === "model_config" || a.name === "training_config") continue;
    if (!(a.name in metadata)) metadata[a.name] = attributeToJson(a.value);
  }
  if (config !== null) metadata.config = config;
  if (trainingConfig !== null) metadata.training_config = trainingConfig;
  const entry = (name: string): Entry => {
    const e = entries.get(name);
    if (!e) fail("USAGE", FORMAT, `no tensor named '${name}'`);
    return e;
  };
  return {
    format: "keras",
    kind,
    config,
    trainingConfig,
    kerasVersion,
    backend,
    layers,
    file,
    metadata,
    names: () => ordered.slice(),
    info: (name: string) => entry(name).info,
    get: (name: string) => guardDecodeAsync(FORMAT, async () => readEntry(entry(name))),
    close: () => file.close(),
  };
}

/**
 * Open a Keras file: a `.keras` archive, a Keras 3 `.weights.h5`, or a
 * legacy `.h5` model or weights file. Fails with BAD_MAGIC when the input is
 * neither a zip nor a Keras HDF5 file.
 */
export async function openKeras(input: ByteInput): Promise<KerasModel> {
  return guardDecodeAsync(FORMAT, async () => {
    const source = toByteSource(input);
    const head = await source.read(0, Math.min(source.byteLength, 4096));
    if (detectKerasArchive(head) > 0) {
      const zip = await openZip(source);
      const cfgEntry = zip.entry("config.json");
      const wEntry = zip.entry("model.weights.h5");
      if (!cfgEntry) fail("CORRUPT", FORMAT, ".keras archive has no config.json");
      if (!wEntry) {
        const npz = zip.entry("model.weights.npz");
        fail(npz ? "UNSUPPORTED" : "CORRUPT", FORMAT, npz ? ".keras archive with npz weights is not supported" : ".keras archive has no model.weights.h5");
      }
      const config = parseJson(utf8Decode(await zip.read(cfgEntry), FORMAT), "config.json");
      const metaEntry = zip.entry("metadata.json");
      const meta = metaEntry ? parseJson(utf8Decode(await zip.read(metaEntry), FORMAT), "metadata.json") : null;
      const file = await openHdf5File(await zip.read(wEntry), { name: "model.weights.h5" });
      const kerasVersion =
        meta !== null && typeof meta === "object" && !Array.isArray(meta) && typeof meta.keras_version === "string" ? meta.keras_version : undefined;
      const model = await openFromHdf5(file, "keras-archive", config, { kerasVersion });
      if (meta !== null) (model.metadata as { [k: string]: JsonValue }).archive_metadata = meta;
      return model;
    }
    const file = await openHdf5File(source);
    const kind = kerasHdf5Kind(file);
    if (!kind) fail("BAD_MAGIC", FORMAT, "not a Keras file (no Keras attributes or weights layout)");
    return openFromHdf5(file, kind, null, {});
  });
}
