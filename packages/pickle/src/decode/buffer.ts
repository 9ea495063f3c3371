/**
 * A protocol 5 PickleBuffer: an out-of-band buffer (NEXT_BUFFER) or an
 * in-band bytearray made read-only (READONLY_BUFFER). Python gives the
 * caller's buffer object (or a read-only memoryview of it).
 */
import { PyReconstructed } from "../model.js";

export class PyBuffer extends PyReconstructed {
  readonly kind = "buffer";

  constructor(
    readonly data: Uint8Array,
    public readonly: boolean,
    readonly outOfBand: boolean,
    /** Position among the out-of-band buffers (NEXT_BUFFER order), -1 in band. */
    readonly index = -1,
  ) {
    super();
  }
}
