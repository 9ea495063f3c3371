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

/**
 * NUMERIC by kind character, then item size: tensorDType is asked for every
 * array decoded, and a `${char}${size}` key would be a new string to hash
 * each time.
 */
const NUMERIC_BY_KIND = new Map<string, Map<number, DType>>();
for (const [typestr, dtype] of Object.entries(NUMERIC)) {
  const kind = typestr[0];
  let bySize = NUMERIC_BY_KIND.get(kind);
  if (bySize === undefined) NUMERIC_BY_KIND.set(kind, (bySize = new Map()));
  bySize.set(Number(typestr.slice(1)), dtype);
}

/** Kind character and item size of a typestr ('f8' -> ['f', 8]); typestrs repeat, so parsed once each. */
const parsedTypestrs = new Map<string, readonly [string, number]>();

function parseTypestr(typestr: string): readonly [string, number] {
  const hit = parsedTypestrs.get(typestr);
  if (hit !== undefined) return hit;
  const m = /^([a-zA-Z?])(\d*)/.exec(typestr);
  const char = m === null ? "?" : m[1] === "?" ? "b" : m[1];
  let itemsize = m === null || m[2] === "" ? (char === "b" ? 1 : 0) : Number(m[2]);
  if (char === "O" && itemsize === 0) itemsize = 8;
  const out = [char, itemsize] as const;
  if (parsedTypestrs.size < 1024) parsedTypestrs.set(typestr, out);
  return out;
}

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
    [this.char, this.itemsize] = parseTypestr(typestr);
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
    return NUMERIC_BY_KIND.get(this.char)?.get(this.itemsize) ?? null;
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
