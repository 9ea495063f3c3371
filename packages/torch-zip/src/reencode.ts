import { type ByteInput, guardDecodeAsync, ZipWriter } from "@codec/core";
import { type ByteSink, writeInOrder } from "./byte-sink.js";
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
export function reencodeTorchTo(input: ByteInput | TorchFile, sink: ByteSink, options: ReencodeOptions = {}): Promise<void> {
  return guardDecodeAsync("torch", async () => {
    const file = input instanceof Object && "kind" in input && "object" in input ? (input as TorchFile) : await openTorch(input as ByteInput, options);
    if (file.kind === "torchscript" && file.archive !== undefined) {
      const archive = file.archive;
      await writeInOrder(sink, async (out) => {
        const zip = new ZipWriter({ sink: out.push });
        for (const e of archive.entries) {
          const bytes = await archive.read(e);
          await out.drain();
          zip.add(e.name, bytes, { align: TORCH_ALIGNMENT });
        }
        zip.finish();
      });
      return;
    }
    await writeTorch(file.object, sink, { archiveName: options.archiveName ?? file.layout?.root ?? "archive" });
  });
}

/** `reencodeTorchTo` into memory. */
export function reencodeTorch(input: ByteInput | TorchFile, options: ReencodeOptions = {}): Promise<Uint8Array> {
  return collectSink((sink) => reencodeTorchTo(input, sink, options));
}
