import { type ByteInput, guardDecodeAsync, ZipWriter } from "@codec/core";
import { collectSink } from "./collect-sink.js";
import { openTorch, type OpenTorchOptions, type TorchFile } from "./torch-file.js";
import { TORCH_ALIGNMENT, writeTorch } from "./writer.js";

export interface ReencodeOptions extends OpenTorchOptions {
  /** Archive root of the output; default: the input's root (zip), else "archive". */
  archiveName?: string;
}

/**
 * Lossless same-format re-encode (`codec convert a.pt b.pt`):
 * - torch.save zip files: the whole decoded object (tensors, optimizer
 *   state, numbers, Namespaces, numpy arrays...) pickled again with its
 *   storages, each shared storage once;
 * - legacy files: the same object graph, written in the zip format that
 *   torch >= 1.6 writes (torch.load reads it to equal objects);
 * - TorchScript archives: every record copied (code, constants, debug
 *   info, storages), realigned at 64 bytes, CRC-checked on the way.
 */
export function reencodeTorchTo(input: ByteInput | TorchFile, sink: (chunk: Uint8Array) => void, options: ReencodeOptions = {}): Promise<void> {
  return guardDecodeAsync("torch", async () => {
    const file = input instanceof Object && "kind" in input && "object" in input ? (input as TorchFile) : await openTorch(input as ByteInput, options);
    if (file.kind === "torchscript" && file.archive !== undefined) {
      const zip = new ZipWriter({ sink });
      for (const e of file.archive.entries) zip.add(e.name, await file.archive.read(e), { align: TORCH_ALIGNMENT });
      zip.finish();
      return;
    }
    await writeTorch(file.object, sink, { archiveName: options.archiveName ?? file.layout?.root ?? "archive" });
  });
}

/** `reencodeTorchTo` into memory. */
export function reencodeTorch(input: ByteInput | TorchFile, options: ReencodeOptions = {}): Promise<Uint8Array> {
  return collectSink((sink) => reencodeTorchTo(input, sink, options));
}
