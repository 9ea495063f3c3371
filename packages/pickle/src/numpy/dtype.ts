/**
 * numpy.dtype as pickled: `numpy.dtype(typestr, align, copy)` followed by
 * BUILD with the state tuple of numpy's arraydescr_setstate:
 * (version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata]).
 * Numeric and bool dtypes map to the DESIGN.md section 4 names; string,
 * void/structured, object and datetime dtypes are described but are not
 * tensor dtypes.
 */
import { type DType, DTYPE_NUMPY_TYPESTR, NUMPY_TYPESTR_DTYPE } from "@codec/core";
import { PyDict, PyReconstructed, PyTuple, type PyValue } from "../model.js";

const NUMERIC: Readonly<Record<string, DType>> = NUMPY_TYPESTR_DTYPE;

/** numpy typestr (kind + size) for each tensor dtype, for writing. */
export const NUMPY_TYPESTR: Readonly<Partial<Record<DType, string>>> = DTYPE_NUMPY_TYPESTR;

export interface DTypeField {
  name: string;
  dtype: NumpyDType;
  offset: number;
  title: PyValue;
}

export class NumpyDType extends PyReconstructed {
  readonly kind = "dtype";
  /** numpy kind character: b i u f c U S V O M m ... */
  readonly char: string;
  /** Item size from the typestr ('f8' -> 8); flexible types take it from the state. */
  itemsize: number;
  /** '<', '>', '|' (not applicable) or '=' (native). */
  byteorder = "=";
  names: string[] | null = null;
  fields: DTypeField[] | null = null;
  /** Subarray dtypes (`('>f8', (2,))`): base dtype and shape. */
  subarray: { base: NumpyDType; shape: number[] } | null = null;
  metadata: PyValue = null;
  stateVersion = 0;

  constructor(readonly typestr: string) {
    super();
    const m = /^([a-zA-Z?])(\d*)/.exec(typestr);
    this.char = m === null ? "?" : m[1] === "?" ? "b" : m[1];
    this.itemsize = m === null || m[2] === "" ? (this.char === "b" ? 1 : 0) : Number(m[2]);
    if (this.char === "O" && this.itemsize === 0) this.itemsize = 8;
    if (this.char === "b" || this.itemsize <= 1) this.byteorder = "|";
  }

  /** A dtype made directly (for writing), e.g. `NumpyDType.of("float32")`. */
  static of(dtype: DType): NumpyDType {
    const t = NUMPY_TYPESTR[dtype];
    if (t === undefined) throw new TypeError(`no numpy dtype for ${dtype}`);
    const d = new NumpyDType(t);
    d.byteorder = d.itemsize === 1 ? "|" : "<";
    return d;
  }

  /** The tensor dtype, or null for string/void/object/datetime dtypes. */
  get tensorDType(): DType | null {
    if (this.fields !== null || this.subarray !== null) return null;
    return NUMERIC[`${this.char}${this.itemsize}`] ?? null;
  }

  get isObject(): boolean {
    return this.char === "O";
  }

  get bigEndian(): boolean {
    return this.byteorder === ">";
  }

  /** numpy's dtype.str, e.g. '<f8', '|b1', '|V20'. */
  get str(): string {
    const bo = this.byteorder === "=" ? "<" : this.byteorder;
    return `${bo}${this.char}${this.itemsize}`;
  }

  override build(state: PyValue): boolean {
    if (!(state instanceof PyTuple)) return super.build(state);
    const s = state.items;
    // Version 3/4 layout; versions 0-2 (numpy < 1.7) lack the leading version or flags.
    let i = 0;
    if (s.length >= 8 && typeof s[0] === "number") {
      this.stateVersion = s[0];
      i = 1;
    }
    if (typeof s[i] === "string") this.byteorder = s[i] as string;
    const sub = s[i + 1];
    if (sub instanceof PyTuple && sub.items[0] instanceof NumpyDType && sub.items[1] instanceof PyTuple) {
      const shape = sub.items[1].items.filter((x): x is number => typeof x === "number");
      this.subarray = { base: sub.items[0], shape };
    }
    const names = s[i + 2];
    const fields = s[i + 3];
    if (names instanceof PyTuple && fields instanceof PyDict) {
      this.names = names.items.filter((x): x is string => typeof x === "string");
      this.fields = [];
      for (const n of this.names) {
        const f = fields.get(n);
        if (f instanceof PyTuple && f.items[0] instanceof NumpyDType && typeof f.items[1] === "number") {
          this.fields.push({ name: n, dtype: f.items[0], offset: f.items[1], title: f.items[2] ?? null });
        }
      }
    }
    const elsize = s[i + 4];
    if (typeof elsize === "number" && elsize > 0) this.itemsize = elsize;
    if (s.length > i + 7) this.metadata = s[i + 7];
    return super.build(state);
  }
}
