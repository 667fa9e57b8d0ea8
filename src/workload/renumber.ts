/**
 * After a fusion pass removed ops (null slots): number the survivors densely and point every dependency on a
 * removed op at the op it went into (`movedTo`, followed to its end).
 */
import type { Op } from './ir.js';

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
