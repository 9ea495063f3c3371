/**
 * `codec run model.h5`: a Keras Sequential model (model_config in the
 * file) run layer by layer on `input`, giving `output`. The model comes
 * from @codec/hdf5's Keras reader (config plus each layer's weights in
 * Keras' order); functional models and layers outside layers.ts are
 * refused by name.
 */
import { fail, type JsonValue, Tensor } from "@codec/core";
import { activation, batchNorm, conv2d, dense, globalPool, type KTensor, lstm, pool2d } from "./layers.js";

const F = "infer";

/** What the runner needs of a Keras model (@codec/hdf5's KerasModel has it). */
export interface KerasModelLike {
  readonly config: JsonValue;
  readonly kerasVersion: string | undefined;
  readonly layers: readonly { readonly name: string; readonly weights: readonly { readonly path: string }[] }[];
  get(path: string): Promise<Tensor>;
}

interface LayerSpec {
  className: string;
  config: Record<string, unknown>;
}

function sequentialLayers(config: JsonValue): LayerSpec[] {
  const c = config as { class_name?: string; config?: unknown } | null;
  if (c === null || typeof c !== "object") return fail("UNSUPPORTED", F, "the Keras file has no model_config (a weights-only file cannot run)");
  if (c.class_name !== "Sequential") return fail("UNSUPPORTED", F, `running a Keras ${c.class_name ?? "model"} (only Sequential models run)`);
  // Keras >= 2.2.3 and 3: {"name", "layers": [...]}; older: the list itself.
  const list = Array.isArray(c.config) ? c.config : (c.config as { layers?: unknown } | undefined)?.layers;
  if (!Array.isArray(list)) return fail("CORRUPT", F, "Sequential model_config without layers");
  return list.map((l: { class_name?: string; config?: Record<string, unknown> }) => ({ className: String(l.class_name), config: l.config ?? {} }));
}

/** Elements as float32 (Keras computes in float32); string and complex tensors are refused. */
function floats(t: Tensor): Float32Array {
  if (t.dtype === "string" || t.dtype === "complex64" || t.dtype === "complex128") return fail("UNSUPPORTED", F, `a ${t.dtype} array cannot be a Keras input or weight`);
  return t.toFloat32();
}

async function weightsOf(model: KerasModelLike, name: string): Promise<KTensor[]> {
  const layer = model.layers.find((l) => l.name === name);
  if (layer === undefined) return [];
  const out: KTensor[] = [];
  for (const w of layer.weights) {
    const t = await model.get(w.path);
    out.push({ shape: [...t.shape], data: floats(t) });
  }
  return out;
}

export async function runKeras(model: KerasModelLike, input: Tensor): Promise<Tensor> {
  const version = model.kerasVersion ?? "2";
  let x: KTensor = { shape: [...input.shape], data: floats(input) };
  for (const layer of sequentialLayers(model.config)) {
    const cfg = layer.config;
    const w = await weightsOf(model, String(cfg.name));
    const useBias = cfg.use_bias !== false;
    switch (layer.className) {
      case "InputLayer":
      case "Dropout":
      case "SpatialDropout1D":
      case "SpatialDropout2D":
      case "GaussianNoise":
      case "GaussianDropout":
      case "AlphaDropout":
      case "ActivityRegularization":
        break;
      case "Dense":
        x = activation(cfg.activation, dense(x, w[0], useBias ? w[1] : undefined), version);
        break;
      case "Activation":
        x = activation(cfg.activation, x, version);
        break;
      case "ReLU":
        x = activation("relu", x, version);
        break;
      case "Softmax":
        x = activation("softmax", x, version);
        break;
      case "Flatten":
        x = { shape: [x.shape[0], x.data.length / x.shape[0]], data: x.data };
        break;
      case "Reshape": {
        const target = (cfg.target_shape as number[]).slice();
        const known = target.reduce((a, b) => (b === -1 ? a : a * b), 1);
        const per = x.data.length / x.shape[0];
        x = { shape: [x.shape[0], ...target.map((d) => (d === -1 ? per / known : d))], data: x.data };
        break;
      }
      case "BatchNormalization":
        x = batchNorm(x, cfg, w);
        break;
      case "Conv2D":
        x = activation(cfg.activation, conv2d(x, cfg, w[0], useBias ? w[1] : undefined), version);
        break;
      case "MaxPooling2D":
      case "MaxPool2D":
        x = pool2d(x, cfg, true);
        break;
      case "AveragePooling2D":
      case "AvgPool2D":
        x = pool2d(x, cfg, false);
        break;
      case "GlobalAveragePooling2D":
      case "GlobalAveragePooling1D":
        x = globalPool(x, false);
        break;
      case "GlobalMaxPooling2D":
      case "GlobalMaxPooling1D":
        x = globalPool(x, true);
        break;
      case "LSTM":
        x = lstm(x, cfg, w[0], w[1], useBias ? w[2] : undefined, version);
        break;
      default:
        return fail("UNSUPPORTED", F, `Keras layer ${layer.className} ('${String(cfg.name)}') is not implemented`);
    }
  }
  return new Tensor({ dtype: "float32", shape: x.shape, data: new Uint8Array(x.data.buffer, x.data.byteOffset, x.data.byteLength) });
}
