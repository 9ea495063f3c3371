/**
 * Sniffing of the legacy (`_use_new_zipfile_serialization=False`) torch.save
 * format. torch/serialization.py `_legacy_save` starts the file with
 * `pickle_module.dump(MAGIC_NUMBER, f, protocol=pickle_protocol)`, so the
 * first bytes depend on the `pickle_protocol` argument (0-5):
 *
 * - protocol 0/1: the text opcode `LONG` (`L119547037146038801333356L\n.`);
 * - protocol 2/3: `PROTO n`, then `LONG1` with 10 little-endian bytes;
 * - protocol 4/5: `PROTO n`, a `FRAME` (opcode 0x95 + u64 length), then `LONG1`.
 *
 * (pickle.py: protocol >= 4 frames every pickle; `save_long` uses LONG1 from
 * protocol 2 and the text LONG before.) Here so that the pickle sniffer
 * can step aside for torch files and torch-zip can recognise them, with one
 * definition.
 */

/** MAGIC_NUMBER = 0x1950a86a20f9469cfc6c, as LONG1 payload (10 little-endian bytes). */
const MAGIC_LE = [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];
/** The same number as protocol 0/1 write it: `L` + decimal + `L\n`. */
const MAGIC_TEXT = Array.from("L119547037146038801333356L\n", (c) => c.charCodeAt(0));

const PROTO = 0x80;
const FRAME = 0x95;
const LONG1 = 0x8a;

function matchAt(head: Uint8Array, at: number, bytes: readonly number[]): boolean {
  if (head.length < at + bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (head[at + i] !== bytes[i]) return false;
  return true;
}

/** True when `head` starts with torch's pickled magic number in any pickle protocol torch.save accepts. */
export function looksTorchLegacy(head: Uint8Array): boolean {
  if (matchAt(head, 0, MAGIC_TEXT)) return true;
  if (head.length < 2 || head[0] !== PROTO || head[1] < 2 || head[1] > 5) return false;
  let at = 2;
  if (head[1] >= 4 && head[at] === FRAME) at += 9;
  return head[at] === LONG1 && head[at + 1] === MAGIC_LE.length && matchAt(head, at + 2, MAGIC_LE);
}
