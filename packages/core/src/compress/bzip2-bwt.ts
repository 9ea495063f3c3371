import { fail } from "../errors.js";
import { BZIP2_RNUMS } from "./bzip2-random.js";

/**
 * A growable output buffer with a hard ceiling (the caller's
 * maxOutputBytes): growing past it is a LIMIT error.
 */
export class Bzip2Output {
  buf: Uint8Array;
  len = 0;
  readonly max: number;
  readonly format: string;

  constructor(initial: number, max: number, format: string) {
    this.buf = new Uint8Array(Math.min(initial, max));
    this.max = max;
    this.format = format;
  }

  /** Make room for `need` bytes in total; returns the (possibly new) buffer. */
  reserve(need: number, offset: number): Uint8Array {
    if (need > this.max) fail("LIMIT", this.format, `bzip2: output would exceed ${this.max} bytes (maxOutputBytes)`, { offset });
    if (need <= this.buf.length) return this.buf;
    const size = Math.min(this.max, Math.max(need, this.buf.length * 2));
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    return next;
  }
}

/**
 * Build the inverse-BWT transformation vector in place. On entry `tt[i]`
 * holds byte i of the block's BWT output (the last column L of the sorted
 * rotations); `counts` the occurrences of each byte. Sorting L stably gives
 * the first column F; for the k-th occurrence of byte b, its position in F
 * is cftab[b] + k, and the row that starts there continues at row i. We
 * store i in the upper 24 bits of that F-slot (the low 8 bits keep L's
 * byte), so following `tt[row] >>> 8` from the original row walks the
 * block forwards. Returns the first link (`origPtr` must be < nblock).
 */
export function buildTVector(tt: Uint32Array, nblock: number, counts: Int32Array, origPtr: number): number {
  const cftab = new Int32Array(256);
  let sum = 0;
  for (let b = 0; b < 256; b++) {
    cftab[b] = sum;
    sum += counts[b];
  }
  for (let i = 0; i < nblock; i++) {
    const b = tt[i] & 0xff;
    tt[cftab[b]++] |= i << 8;
  }
  return tt[origPtr] >>> 8;
}

/**
 * Walk the T-vector to recover the block (after the BWT it is the output of
 * the encoder's first run-length stage) and undo that stage: after four
 * equal bytes the next byte is a repeat count (0..255) for the same byte,
 * and the run state starts afresh after it. Randomised blocks (bzip2 0.9.0)
 * first get 1 XORed back into the bytes at the positions BZIP2_RNUMS selects.
 * Appends to `out` and returns nothing; the CRC is computed by the caller.
 */
export function walkBlock(tt: Uint32Array, nblock: number, start: number, randomised: boolean, out: Bzip2Output, inputOffset: number): void {
  if (randomised) derandomise(tt, nblock, start);
  // Reserve the block's length up front (the first stage only shrinks runs
  // of 4+, so most blocks decode to about this much); past it, grow as the
  // run counts demand.
  let buf = out.len + nblock <= out.max ? out.reserve(out.len + nblock, inputOffset) : out.buf;
  let op = out.len;
  let cap = buf.length;
  let tPos = start;
  let last = -1;
  let run = 0;
  for (let n = 0; n < nblock; n++) {
    const link = tt[tPos];
    const ch = link & 0xff;
    tPos = link >>> 8;
    if (run === 4) {
      if (ch !== 0) {
        if (op + ch > cap) {
          out.len = op;
          buf = out.reserve(op + ch, inputOffset);
          cap = buf.length;
        }
        if (ch < 16) for (let k = 0; k < ch; k++) buf[op + k] = last;
        else buf.fill(last, op, op + ch);
        op += ch;
      }
      run = 0;
      last = -1;
      continue;
    }
    if (ch === last) run++;
    else {
      last = ch;
      run = 1;
    }
    if (op >= cap) {
      out.len = op;
      buf = out.reserve(op + 1, inputOffset);
      cap = buf.length;
    }
    buf[op++] = ch;
  }
  out.len = op;
}

/**
 * Undo bzip2 0.9.0's randomisation in the T-vector itself: walking from
 * `start`, the n-th byte of the block (n counted from 0) had 1 XORed into it
 * when BZIP2_RNUMS's countdown stood at 1. We flip the low byte of the
 * entry that yields it, so the plain walk then sees the original bytes
 * (a valid block's walk visits every entry exactly once).
 */
function derandomise(tt: Uint32Array, nblock: number, start: number): void {
  let rNToGo = 0;
  let rTPos = 0;
  let tPos = start;
  for (let n = 0; n < nblock; n++) {
    const link = tt[tPos];
    if (rNToGo === 0) {
      rNToGo = BZIP2_RNUMS[rTPos];
      rTPos = (rTPos + 1) & 511;
    }
    rNToGo--;
    if (rNToGo === 1) tt[tPos] = link ^ 1;
    tPos = link >>> 8;
  }
}
