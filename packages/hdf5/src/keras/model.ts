import type { DType, JsonValue, TensorMap } from "@codec/core";
import type { Hdf5File } from "../read/file.js";

/** Which kind of Keras file was opened. */
export type KerasFileKind =
  /** Keras 3 `.keras` zip: config.json + metadata.json + model.weights.h5. */
  | "keras-archive"
  /** Keras 3 `model.save_weights("x.weights.h5")`: `layers/<name>/vars/<i>`. */
  | "keras3-weights"
  /** Legacy (Keras 1/2, tf.keras, Keras 3 `save(..., "x.h5")`) full model: model_config + model_weights. */
  | "legacy-model"
  /** Legacy `save_weights("x.h5")`: layer_names at the root. */
  | "legacy-weights";

export interface KerasWeight {
  /** The weight's Keras name (legacy weight_names entry, or the var index in Keras 3). */
  readonly name: string;
  /** Dataset path inside the HDF5 file, without the leading '/': the TensorMap name. */
  readonly path: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
}

export interface KerasLayer {
  /** Layer name (legacy layer_names entry; Keras 3: the config's name, else the path's). */
  readonly name: string;
  /** Keras 3: the saving path (`layers/dense_1`); legacy: the layer group's path. */
  readonly path: string;
  /** Class name from the model config when known. */
  readonly className?: string;
  readonly weights: readonly KerasWeight[];
}

/**
 * A Keras model or weights file: config, per-layer weights in Keras' order,
 * and a TensorMap (format "keras") whose names are dataset paths (DESIGN.md
 * section 5): the layers' weights first in Keras' order, then every other
 * dataset (optimizer state, ...) in file order.
 */
export interface KerasModel extends TensorMap {
  readonly format: "keras";
  readonly kind: KerasFileKind;
  /** model_config (legacy) or config.json (Keras 3), parsed; null when the file has none. */
  readonly config: JsonValue;
  /** training_config (legacy), parsed; null when absent. */
  readonly trainingConfig: JsonValue;
  readonly kerasVersion: string | undefined;
  readonly backend: string | undefined;
  readonly layers: readonly KerasLayer[];
  /** The HDF5 weights file (for `.keras`, the archive's model.weights.h5). */
  readonly file: Hdf5File;
}
