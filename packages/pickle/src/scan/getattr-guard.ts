/**
 * Scanner judgement of `builtins.getattr` by its uses rather than at import
 * (the symbolic VM, symbolic-vm.ts). A guarded import stays `suspicious`
 * only while every use is `getattr(obj, 'plain_name')` by REDUCE on an
 * object the pickle built, with the result kept as stored data (OneCycleLR
 * checkpoints keep getattr(self, '_annealing_cos')); any other use raises
 * it, and its global record, to `dangerous`.
 */
import type { ScannedGlobal } from "./report.js";
import type { Risk } from "./risk.js";
import { isNode, render, type SymGlobal, type SymValue } from "./values.js";

/** Reason of a getattr import judged at its uses (it becomes dangerous on any other use). */
export const GUARDED_GETATTR = "getattr: judged at each use; only reads of plain attributes of objects the pickle built, kept as data, are tolerated";

export class GetattrGuard {
  /** Guarded getattr nodes -> their global records, to raise to dangerous. */
  private readonly guarded = new Map<SymGlobal, ScannedGlobal>();

  /** Whether any getattr is still guarded (nothing to check otherwise). */
  get active(): boolean {
    return this.guarded.size > 0;
  }

  guard(node: SymGlobal, record: ScannedGlobal): void {
    this.guarded.set(node, record);
  }

  guards(node: SymGlobal): boolean {
    return this.guarded.has(node);
  }

  /** Raise a guarded getattr import to dangerous (and every later judgement of it). */
  private escalate(node: SymGlobal, why: string): void {
    const g = this.guarded.get(node);
    if (g === undefined) return;
    this.guarded.delete(node);
    g.risk = "dangerous";
    g.reason = `getattr ${why}`;
    (node as { risk: Risk }).risk = "dangerous";
  }

  /**
   * Escalates every guarded getattr that `v` holds (deep): the function itself
   * anywhere, or, when `results` is set, the result of a call of it (a bound
   * method handed to map/partial/another call runs when that one does).
   */
  escalateHeld(v: SymValue, where: string, results: boolean): void {
    if (this.guarded.size === 0) return;
    const seen = new Set<object>();
    const stack: SymValue[] = [v];
    while (stack.length > 0 && this.guarded.size > 0) {
      const x = stack.pop() as SymValue;
      if (!isNode(x) || seen.has(x)) continue;
      seen.add(x);
      switch (x.t) {
        case "global":
          if (this.guarded.has(x)) this.escalate(x, `is used ${where}`);
          break;
        case "list":
        case "tuple":
        case "set":
        case "frozenset":
          for (const it of x.items) stack.push(it);
          break;
        case "dict":
          for (const it of x.keys) stack.push(it);
          for (const it of x.vals) stack.push(it);
          break;
        case "object":
          if (isNode(x.callable) && x.callable.t === "global" && this.guarded.has(x.callable)) {
            // A result of the guarded getattr: tolerated as stored data, not where it could be called.
            if (results) this.escalate(x.callable, `result is used ${where}`);
          } else {
            stack.push(x.callable);
          }
          stack.push(x.args);
          if (x.state !== undefined) stack.push(x.state);
          if (x.items !== undefined) for (const it of x.items) stack.push(it);
          break;
        case "persistent":
          stack.push(x.pid);
          break;
        default:
          break;
      }
    }
  }

  /**
   * A guarded getattr call stays `suspicious` only as `getattr(obj, 'name')` by REDUCE, with
   * `obj` an object this pickle built (not an imported module or class, not a dangerous call)
   * and `name` a plain identifier that is not a dunder; anything else is dangerous, as are
   * its results anywhere but stored data (escalateHeld), and calling them (computed callable).
   */
  judgeCall(node: SymGlobal, args: SymValue, opcode: string): void {
    if (opcode !== "REDUCE" || !isNode(args) || args.t !== "tuple" || args.items.length !== 2) {
      this.escalate(node, `is called by ${opcode} with other than (object, name)`);
      return;
    }
    const [obj, attr] = args.items;
    if (!isNode(obj) || obj.t !== "object" || obj.risk === "dangerous") {
      this.escalate(node, `reads an attribute of ${render(obj, 60)}, not of an object built by the pickle`);
      return;
    }
    if (!isNode(attr) || attr.t !== "str" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(attr.v) || /^__.*__$/.test(attr.v)) {
      this.escalate(node, `reads the attribute ${render(attr, 60)} (only plain, non-dunder names are tolerated)`);
    }
  }
}
