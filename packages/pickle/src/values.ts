/**
 * Allowlisted Python values that have no plain JS equivalent in model.ts
 * (complex, slice, range, datetime family, Decimal, UUID, OrderedDict).
 * Each keeps its source call (PyReconstructed.source) so the encoder can
 * write the same REDUCE sequence back.
 */
import { PyDict, PyReconstructed, type PyValue } from "./model.js";

export { PyBuffer } from "./decode/buffer.js";

export class PyComplex extends PyReconstructed {
  readonly kind = "complex";
  constructor(
    readonly real: number,
    readonly imag: number,
  ) {
    super();
  }
}

export class PySlice extends PyReconstructed {
  readonly kind = "slice";
  constructor(
    readonly start: PyValue,
    readonly stop: PyValue,
    readonly step: PyValue,
  ) {
    super();
  }
}

export class PyRange extends PyReconstructed {
  readonly kind = "range";
  constructor(
    readonly start: number | bigint,
    readonly stop: number | bigint,
    readonly step: number | bigint,
  ) {
    super();
  }
}

/** datetime.date / datetime / time / timedelta, decoded from their pickled bytes or ints. */
export class PyDateTime extends PyReconstructed {
  constructor(
    readonly kind: "date" | "datetime" | "time" | "timedelta",
    /** date: [y, m, d]; datetime: [y, m, d, H, M, S, us]; time: [H, M, S, us]; timedelta: [days, seconds, us]. */
    readonly fields: number[],
    readonly tzinfo: PyValue = null,
    readonly fold = 0,
  ) {
    super();
  }

  /** ISO 8601 text (timedelta: Python's str() form). */
  override toString(): string {
    const p = (n: number, w = 2) => String(n).padStart(w, "0");
    const f = this.fields;
    switch (this.kind) {
      case "date":
        return `${p(f[0], 4)}-${p(f[1])}-${p(f[2])}`;
      case "datetime":
        return `${p(f[0], 4)}-${p(f[1])}-${p(f[2])}T${p(f[3])}:${p(f[4])}:${p(f[5])}${f[6] ? `.${p(f[6], 6)}` : ""}`;
      case "time":
        return `${p(f[0])}:${p(f[1])}:${p(f[2])}${f[3] ? `.${p(f[3], 6)}` : ""}`;
      default: {
        const [d, s, us] = f;
        const hms = `${Math.floor(s / 3600)}:${p(Math.floor(s / 60) % 60)}:${p(s % 60)}${us ? `.${p(us, 6)}` : ""}`;
        return d ? `${d} day${Math.abs(d) === 1 ? "" : "s"}, ${hms}` : hms;
      }
    }
  }
}

export class PyDecimal extends PyReconstructed {
  readonly kind = "decimal";
  constructor(readonly text: string) {
    super();
  }
}

/** uuid.UUID; its 128-bit value arrives by BUILD ({'int': n}). */
export class PyUUID extends PyReconstructed {
  readonly kind = "uuid";
  value: bigint | null = null;

  override build(state: PyValue): boolean {
    if (!(state instanceof PyDict)) return super.build(state);
    const v = state.get("int");
    if (typeof v === "bigint" || typeof v === "number") this.value = BigInt(v);
    return super.build(state);
  }

  override toString(): string {
    const h = (this.value ?? 0n).toString(16).padStart(32, "0");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
}

/** collections.OrderedDict: items arrive by SETITEMS (or as a list of pairs in old pickles). */
export class PyOrderedDict extends PyReconstructed {
  readonly kind = "ordereddict";
  readonly dict = new PyDict();

  override setItem(key: PyValue, value: PyValue): boolean {
    this.dict.set(key, value);
    return true;
  }
}
