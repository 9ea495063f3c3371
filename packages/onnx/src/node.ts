/**
 * Node entry point (`@codec/onnx/node`): ONNX files on disk, with external
 * data files resolved next to the model. A location must stay inside the
 * model's directory (onnx's own loader refuses others since the
 * directory-traversal fix, CVE-2022-25882): a model must not make its
 * reader open arbitrary files.
 *
 * Writing: a model whose tensors do not fit in protobuf's 2 GiB limit is
 * written with its large tensors in one data file beside it,
 * `<model file name>.data` (as torch.onnx.export and onnx.save_model with
 * `save_as_external_data` do for large models); smaller models stay one file.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { basename, dirname, isAbsolute, join, normalize, sep } from "node:path";
import { type ByteSource, DTYPES, fail, numelOf, type TensorMap } from "@codec/core";
import { FileSource } from "@codec/core/node";
import { encodeOnnxParts, ExternalDataFile, MAX_MODEL_BYTES, type OnnxEncodeOptions, type OnnxModel, type OnnxOpenOptions, openOnnx, reencodeOnnx } from "@codec/onnx";

const F = "onnx";

/** The external data file for `location`, relative to `modelPath`'s directory. */
export function externalDataPath(modelPath: string, location: string): string {
  if (location.includes("\0") || isAbsolute(location) || /^[a-zA-Z]:/.test(location)) {
    fail("UNSAFE", F, `external data location '${location}' is not a relative path`);
  }
  const rel = normalize(location);
  if (rel === ".." || rel.startsWith(`..${sep}`) || rel.split(/[\\/]/).includes("..")) {
    fail("UNSAFE", F, `external data location '${location}' points outside the model's directory`);
  }
  return join(dirname(modelPath), rel);
}

/** Open options for the model at `path`: external data read from beside it. */
export function onnxFileOptions(path: string): OnnxOpenOptions {
  return {
    externalData: (location: string): ByteSource => {
      const file = externalDataPath(path, location);
      try {
        return new FileSource(file);
      } catch (e) {
        return fail("IO", F, `cannot open external data file '${location}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
    },
  };
}

/** Opens an .onnx file; tensors load on demand, external data from beside the file. */
function openFile(path: string): FileSource {
  try {
    return new FileSource(path);
  } catch (e) {
    return fail("IO", F, `cannot open '${path}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

export async function openOnnxFile(path: string): Promise<OnnxModel> {
  const source = openFile(path);
  try {
    const model = await openOnnx(source, onnxFileOptions(path));
    const closeModel = model.close.bind(model);
    // Closing the model also closes the file.
    model.close = async () => {
      await closeModel();
      await source.close();
    };
    return model;
  } catch (e) {
    await source.close();
    throw e;
  }
}

function writeParts(path: string, parts: readonly Uint8Array[]): void {
  let fd: number;
  try {
    fd = openSync(path, "w");
  } catch (e) {
    fail("IO", F, `cannot write '${path}' (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    for (const p of parts) {
      let done = 0;
      while (done < p.length) done += writeSync(fd, p, done, p.length - done);
    }
  } finally {
    closeSync(fd);
  }
}

/** The data file written beside `modelPath` when its tensors must go outside the model. */
function defaultDataFile(modelPath: string): ExternalDataFile {
  return new ExternalDataFile(`${basename(modelPath)}.data`);
}

/**
 * An estimate, from the listing alone, of `map` as one ModelProto: every
 * tensor's bytes plus room for its name, dims and field headers (string
 * tensors, whose size is unknown before reading, count 16 bytes each).
 */
function inlineSizeBound(map: TensorMap): number {
  let total = 0;
  for (const name of map.names()) {
    const info = map.info(name);
    const numel = numelOf(info.shape, F);
    total += (info.dtype === "string" ? numel * 16 : numel * DTYPES[info.dtype].size) + name.length * 3 + 11 * info.shape.length + 64;
  }
  return total;
}

/** Whether `map` is too large for one ONNX file, so that its large tensors must go to a data file. */
export function needsExternalData(map: TensorMap): boolean {
  return inlineSizeBound(map) > MAX_MODEL_BYTES;
}

/** Writes a model's parts to `path` and, when it has any, its external data file beside it. */
export function writeOnnxParts(path: string, model: readonly Uint8Array[], external?: ExternalDataFile): void {
  if (external !== undefined && external.length > 0) writeParts(externalDataPath(path, external.location), external.parts);
  writeParts(path, model);
}

/**
 * Writes every tensor of `map` as an initializer of a node-less ONNX model.
 * With `options.externalData` its large tensors go to that file (relative
 * to the model); without it they do only when one file cannot hold them
 * (`needsExternalData`), to `<file name>.data`.
 */
export async function writeOnnxFile(path: string, map: TensorMap, options: OnnxEncodeOptions = {}): Promise<void> {
  const external = options.externalData ?? (needsExternalData(map) ? defaultDataFile(path) : undefined);
  const parts = await encodeOnnxParts(map, { ...options, externalData: external });
  writeOnnxParts(path, parts.parts(), external);
}

/**
 * `codec convert a.onnx b.onnx`: the whole model, external data inlined,
 * or, when that would not fit in 2 GiB, moved to `b.onnx.data`.
 */
export async function reencodeOnnxFile(inPath: string, outPath: string): Promise<void> {
  const source = openFile(inPath);
  const external = defaultDataFile(outPath);
  let bytes: Uint8Array;
  try {
    bytes = await reencodeOnnx(source, onnxFileOptions(inPath), { externalData: external, externalOnlyWhenTooLarge: true });
  } finally {
    await source.close();
  }
  writeOnnxParts(outPath, [bytes], external);
}
