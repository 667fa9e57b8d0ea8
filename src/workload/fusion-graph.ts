/**
 * The graph bookkeeping the fusion passes (fusion.ts, kernel-fusion.ts) share: who reads and who produces each
 * tensor, who waits for each op, and the renumbering once ops were merged away.
 */
import type { Op } from './ir.js';

/** Ids of the ops reading each tensor (inputs and weights), and the op producing it. */
export function tensorUsers(ops: readonly Op[]): { readers: Map<string, number[]>; producer: Map<string, number> } {
  const readers = new Map<string, number[]>();
  const producer = new Map<string, number>();
  for (const o of ops) {
    for (const t of [...o.inputs, ...o.weights]) {
      const r = readers.get(t.name);
      if (r) r.push(o.id);
      else readers.set(t.name, [o.id]);
    }
    for (const t of o.outputs) producer.set(t.name, o.id);
  }
  return { readers, producer };
}

/** Ids of the ops that list each op among their dependencies. */
export function dependentsOf(ops: readonly Op[]): Map<number, number[]> {
  const m = new Map<number, number[]>();
  for (const o of ops) {
    for (const d of o.deps) {
      const l = m.get(d);
      if (l) l.push(o.id);
      else m.set(d, [o.id]);
    }
  }
  return m;
}

/**
 * After a fusion pass removed ops (null slots): number the survivors densely and point every dependency on a
 * removed op at the op it went into (`movedTo`, followed to its end).
 */
export function renumberOps(ops: readonly (Op | null)[], movedTo: ReadonlyMap<number, number>): Op[] {
  const resolve = (id: number): number => {
    let cur = id;
    while (movedTo.has(cur)) cur = movedTo.get(cur)!;
    return cur;
  };
  const newId = new Map<number, number>();
  const out: Op[] = [];
  for (const o of ops) {
    if (!o) continue;
    newId.set(o.id, out.length);
    out.push(o);
  }
  for (const o of out) {
    o.id = newId.get(o.id)!;
    o.deps = [...new Set(o.deps.map((d) => newId.get(resolve(d))!))].filter((d) => d !== o.id);
  }
  return out;
}
