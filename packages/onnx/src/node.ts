/**
 * Node entry point (`@codec/onnx/node`): ONNX files on disk, with external
 * data files resolved next to the model. A location must stay inside the
 * model's directory (onnx's own loader refuses others since the
 * directory-traversal fix, CVE-2022-25882): a model must not make its
 * reader open arbitrary files.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { dirname, isAbsolute, join, normalize, sep } from "node:path";
import { type ByteSource, fail, type TensorMap } from "@codec/core";
import { FileSource } from "@codec/core/node";
import { encodeOnnxParts, type OnnxEncodeOptions, type OnnxModel, type OnnxOpenOptions, openOnnx, reencodeOnnx } from "@codec/onnx";

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

/** Writes every tensor of `map` as an initializer of a node-less ONNX model. */
export async function writeOnnxFile(path: string, map: TensorMap, options?: OnnxEncodeOptions): Promise<void> {
  const parts = await encodeOnnxParts(map, options);
  writeParts(path, parts.parts());
}

/** `codec convert a.onnx b.onnx`: the whole model, external data inlined. */
export async function reencodeOnnxFile(inPath: string, outPath: string): Promise<void> {
  const source = openFile(inPath);
  try {
    const bytes = await reencodeOnnx(source, onnxFileOptions(inPath));
    writeParts(outPath, [bytes]);
  } finally {
    await source.close();
  }
}
