/**
 * Symbolic values of the scanner's VM. Nothing here is a Python object:
 * a global is a name, a call is a record of (callable, args), so the
 * scanner can follow what a pickle would do without doing it.
 */
import type { Risk } from "./risk.js";

export type SymValue = null | boolean | number | bigint | SymNode;

export type SymNode = SymStr | SymBytes | SymSeq | SymDict | SymGlobal | SymObject | SymPersistent | SymOpaque;

export interface SymStr {
  readonly t: "str";
  readonly v: string;
}

export interface SymBytes {
  readonly t: "bytes";
  readonly v: Uint8Array;
  readonly bytearray: boolean;
}

export interface SymSeq {
  readonly t: "list" | "tuple" | "set" | "frozenset";
  readonly items: SymValue[];
}

export interface SymDict {
  readonly t: "dict";
  readonly keys: SymValue[];
  readonly vals: SymValue[];
}

export interface SymGlobal {
  readonly t: "global";
  readonly module: string;
  readonly name: string;
  readonly risk: Risk;
  /** Qualified name after normalisation (risk.ts). */
  readonly qualified: string;
  /** STACK_GLOBAL on operands the scanner could not resolve to literal strings. */
  readonly dynamic: boolean;
}

export interface SymObject {
  readonly t: "object";
  readonly callable: SymValue;
  readonly args: SymValue;
  readonly opcode: string;
  readonly offset: number;
  readonly risk: Risk;
  /** Bytes this call is known to produce (`_codecs.encode(str, 'latin1')`), for nested-pickle checks. */
  readonly producesBytes?: Uint8Array;
  state?: SymValue;
  items?: SymValue[];
}

export interface SymPersistent {
  readonly t: "persistent";
  readonly pid: SymValue;
}

export interface SymOpaque {
  readonly t: "opaque";
  readonly what: string;
}

export function isNode(v: SymValue): v is SymNode {
  return typeof v === "object" && v !== null;
}

export function typeName(v: SymValue): string {
  if (v === null) return "NoneType";
  if (typeof v === "boolean") return "bool";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "bigint") return "int";
  return v.t;
}

function quote(s: string, max: number): string {
  const body = s.length > max ? `${s.slice(0, max)}...` : s;
  const esc = body.replace(/\\/g, "\\\\").replace(/'/g, "\\'").replace(/\n/g, "\\n").replace(/\r/g, "\\r").replace(/\t/g, "\\t");
  return `'${esc.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)}'`;
}

/** A short Python-like rendering for reports, e.g. `os.system('id')`. Bounded in length and depth. */
export function render(v: SymValue, budget = 160, depth = 0): string {
  if (v === null) return "None";
  if (typeof v === "boolean") return v ? "True" : "False";
  if (typeof v === "number") return Number.isNaN(v) ? "nan" : String(v);
  if (typeof v === "bigint") return v.toString();
  if (depth > 6) return "...";
  switch (v.t) {
    case "str":
      return quote(v.v, Math.max(8, budget));
    case "bytes": {
      const n = Math.min(v.v.length, Math.max(8, budget));
      let s = "";
      for (let i = 0; i < n; i++) {
        const c = v.v[i];
        s += c >= 0x20 && c < 0x7f && c !== 0x27 && c !== 0x5c ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, "0")}`;
      }
      return `${v.bytearray ? "bytearray(" : ""}b'${s}${v.v.length > n ? "..." : ""}'${v.bytearray ? ")" : ""}`;
    }
    case "list":
    case "tuple":
    case "set":
    case "frozenset": {
      const [open, close] = v.t === "list" ? ["[", "]"] : v.t === "tuple" ? ["(", v.items.length === 1 ? ",)" : ")"] : [`${v.t}({`, "})"];
      return open + renderItems(v.items, budget, depth) + close;
    }
    case "dict": {
      const parts: string[] = [];
      let used = 0;
      for (let i = 0; i < v.keys.length; i++) {
        if (used > budget) {
          parts.push("...");
          break;
        }
        const s = `${render(v.keys[i], budget / 4, depth + 1)}: ${render(v.vals[i], budget / 2, depth + 1)}`;
        used += s.length;
        parts.push(s);
      }
      return `{${parts.join(", ")}}`;
    }
    case "global":
      return v.dynamic ? `<computed global ${v.module}.${v.name}>` : `${v.module}.${v.name}`;
    case "object": {
      const callee = render(v.callable, budget / 2, depth + 1);
      const args = v.args !== null && typeof v.args === "object" && v.args.t === "tuple" ? renderItems(v.args.items, budget, depth) : render(v.args, budget, depth + 1);
      return `${callee}(${args})`;
    }
    case "persistent":
      return `persistent_load(${render(v.pid, budget, depth + 1)})`;
    case "opaque":
      return `<${v.what}>`;
  }
}

function renderItems(items: readonly SymValue[], budget: number, depth: number): string {
  const parts: string[] = [];
  let used = 0;
  for (const it of items) {
    if (used > budget) {
      parts.push("...");
      break;
    }
    const s = render(it, budget / 2, depth + 1);
    used += s.length + 2;
    parts.push(s);
  }
  return parts.join(", ");
}
