import type { FormatAdapter } from "../adapter.js";
import { hdf5Adapter } from "./hdf5.js";
import { joblibAdapter } from "./joblib.js";
import { kerasAdapter } from "./keras.js";
import { npyAdapter } from "./npy.js";
import { npzAdapter } from "./npz.js";
import { onnxAdapter } from "./onnx.js";
import { pickleAdapter } from "./pickle.js";
import { safetensorsAdapter } from "./safetensors.js";
import { torchAdapter } from "./torch.js";

/**
 * Every format the CLI knows, one adapter each (DESIGN.md section 6).
 * Each codec's adapter file adds itself here with one import and one entry.
 * Order matters only for `convert` outputs sharing an extension (first wins).
 */
export const ADAPTERS: FormatAdapter[] = [safetensorsAdapter, npyAdapter, npzAdapter, torchAdapter, pickleAdapter, joblibAdapter, hdf5Adapter, kerasAdapter, onnxAdapter];
