import { type ByteSource, type TensorMap, ZipWriter, fail, openZip, startsWith } from "@codec/core";
import { encodeNpyParts, npyWritable, openNpz } from "@codec/npy";
import type { DetectContext, FormatAdapter, Progress, WriteOptions } from "../adapter.js";
import { FileSink } from "../file-sink.js";
import { NO_PROGRESS } from "../progress.js";
import { objectArrayScan, scanNpzMembers } from "./npy-scan.js";

const ZIP_LOCAL = [0x50, 0x4b, 0x03, 0x04];
const ZIP_EMPTY = [0x50, 0x4b, 0x05, 0x06];

/**
 * NumPy .npz (np.savez / savez_compressed). A zip, so only the central
 * directory can tell it from a PyTorch or Keras archive: every member must
 * end in `.npy` (score 2); an empty zip is merely plausible (score 1).
 */
export const npzAdapter: FormatAdapter = {
  format: "npz",
  outputExtensions: ["npz"],

  async detect(ctx: DetectContext): Promise<number> {
    if (!startsWith(ctx.head, ZIP_LOCAL) && !startsWith(ctx.head, ZIP_EMPTY)) return 0;
    const zip = await openZip(ctx.source, { format: "npz" });
    const members = zip.entries.filter((e) => !e.name.endsWith("/"));
    if (members.length === 0) return 1;
    return members.every((e) => e.name.endsWith(".npy")) ? 2 : 0;
  },

  open(source: ByteSource): Promise<TensorMap> {
    // Object arrays (pickles) are not tensors: listed in metadata.npz.object_arrays, flagged by `scan`.
    return openNpz(source, { skipObjectArrays: true });
  },

  async reencode(source: ByteSource, _path: string, outPath: string, options: WriteOptions): Promise<void> {
    // Every array is re-encoded as numpy.save writes it; compression is kept,
    // and members that are not numeric arrays (object arrays, other files)
    // are copied through unchanged.
    const map = await openNpz(source, { skipObjectArrays: true });
    const compress = (map.metadata.npz as { compressed?: boolean } | undefined)?.compressed === true;
    const zip = await openZip(source, { format: "npz" });
    const arrays = new Set(map.names().map((n) => `${n}.npy`));
    const others = zip.entries.filter((e) => !arrays.has(e.name) && !e.name.endsWith("/"));
    await writeNpz(map, outPath, options.progress, compress, async (writer) => {
      for (const e of others) writer.add(e.name, await zip.read(e), e.method === 0 ? {} : { compress: true });
    });
  },

  async scan(source: ByteSource) {
    const { report, members } = await scanNpzMembers(await openZip(source, { format: "npz" }));
    return objectArrayScan("npz", members, report);
  },

  async write(input: TensorMap, outPath: string): Promise<void> {
    for (const name of input.names()) {
      const { dtype } = input.info(name);
      if (!npyWritable(dtype)) fail("UNSUPPORTED", "npz", `tensor '${name}' has dtype ${dtype}, which NumPy cannot store`);
    }
    // `convert` already reports progress as it hands tensors over (progress-map.ts).
    await writeNpz(input, outPath, NO_PROGRESS, false);
  },
};

/** Stream a .npz to `path`, one tensor in memory at a time (np.savez layout, data 64-byte aligned). */
async function writeNpz(
  map: TensorMap,
  path: string,
  progress: Progress,
  compress: boolean,
  extra?: (writer: ZipWriter) => Promise<void>,
): Promise<void> {
  const sink = new FileSink(path);
  try {
    const writer = new ZipWriter({ sink: (chunk) => sink.write(chunk) });
    const names = map.names();
    for (let i = 0; i < names.length; i++) {
      const [header, data] = encodeNpyParts(await map.get(names[i]));
      const member = new Uint8Array(header.length + data.length);
      member.set(header, 0);
      member.set(data, header.length);
      writer.add(`${names[i]}.npy`, member, compress ? { compress: true } : { align: 64 });
      progress.update("writing", i + 1, names.length);
    }
    if (extra) await extra(writer);
    writer.finish();
  } finally {
    sink.close();
  }
}
