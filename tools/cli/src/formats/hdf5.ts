import { existsSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import type { ByteSource, TensorMap } from "@codec/core";
import { FileSource } from "@codec/core/node";
import {
  type Hdf5File,
  type OpenOptions,
  detectHdf5InSource,
  isKerasHdf5,
  openHdf5,
  openHdf5FileSync,
  openKeras,
  reencodeHdf5,
  withoutStringTensors,
  writeTensorMapAsHdf5,
} from "@codec/hdf5";
import type { DetectContext, FormatAdapter } from "../adapter.js";
import { stringMetadata } from "../metadata.js";

/**
 * HDF5 files (`.h5`, `.hdf5`, netCDF-4, ...): the signature at 0, 512,
 * 1024, ... (user blocks). A file that carries Keras' attributes or weights
 * layout opens as format "keras" (DESIGN.md section 6); every other one as
 * "hdf5". No pickles inside, so `scan` is always safe (the CLI's default).
 */
export const hdf5Adapter: FormatAdapter = {
  format: "hdf5",
  outputExtensions: ["h5", "hdf5", "hdf", "he5"],

  detect(ctx: DetectContext): Promise<number> {
    // Past the sniffed head too: a user block of 4 KiB or more puts the signature beyond it.
    return detectHdf5InSource(ctx.head, ctx.source);
  },

  async open(source: ByteSource, path: string): Promise<TensorMap> {
    const side = sideFiles(path);
    const map = await openHdf5(source, side.options);
    if (isKerasHdf5(map.file)) return openKeras(source);
    // The HDF5 map's close() would close the shared source, which the CLI owns; side files are ours.
    return { ...map, close: () => side.close() };
  },

  forTarget(input: TensorMap, targetFormat: string): TensorMap {
    // String datasets are listed (dtype "string") but are not tensors a flat format can hold:
    // they stay behind, the numeric datasets are carried.
    return targetFormat === "hdf5" || targetFormat === "keras" ? input : withoutStringTensors(input);
  },

  async reencode(source: ByteSource, path: string, outPath: string): Promise<void> {
    // Groups, attributes, datatypes, chunking and filters are kept (Keras files included);
    // external raw data and virtual datasets are copied in (as h5repack does).
    const side = sideFiles(path);
    try {
      writeFileSync(outPath, await reencodeHdf5(source, { open: side.options }));
    } finally {
      await side.close();
    }
  },

  async write(input: TensorMap, outPath: string): Promise<void> {
    // Tensor names with '/' become groups; string metadata becomes root attributes.
    const carried: TensorMap = {
      format: input.format,
      metadata: stringMetadata(input),
      names: () => input.names(),
      info: (name) => input.info(name),
      get: (name) => input.get(name),
    };
    writeFileSync(outPath, await writeTensorMapAsHdf5(carried));
  },
};

/**
 * Files an HDF5 file names for its data: external raw storage (h5py `external=`)
 * and the sources of virtual datasets. As libhdf5 looks for a virtual dataset's
 * source file (H5D__open_src: the name as given, then beside the file that holds
 * the mapping), a relative name is taken beside the input file; external raw
 * files are looked up the same way (what h5py reads when run from that
 * directory). Missing files stay missing: the reader then reports the dataset.
 */
function sideFiles(path: string): { options: OpenOptions; close(): Promise<void> } {
  const opened = new Map<string, FileSource>();
  const files = new Map<string, Hdf5File | undefined>();
  const base = dirname(resolve(path));
  const find = (name: string): string | undefined => {
    const candidates = isAbsolute(name) ? [name, resolve(base, name.split(/[\\/]/).pop() ?? name)] : [resolve(base, name), resolve(name)];
    return candidates.find((p) => existsSync(p));
  };
  const source = (p: string): FileSource => {
    let s = opened.get(p);
    if (!s) {
      s = new FileSource(p);
      opened.set(p, s);
    }
    return s;
  };
  const options: OpenOptions = {
    externalFile: (name) => {
      const p = find(name);
      return p === undefined ? undefined : source(p);
    },
    externalLink: (name) => {
      const p = find(name);
      if (p === undefined) return undefined;
      // Opened once each: a file whose virtual datasets name each other does not loop.
      if (!files.has(p)) {
        files.set(p, undefined);
        files.set(p, openHdf5FileSync(source(p), options));
      }
      return files.get(p);
    },
  };
  return {
    options,
    async close() {
      const all = [...opened.values()];
      opened.clear();
      await Promise.all(all.map((s) => s.close()));
    },
  };
}
