/**
 * What the exact scheduler's MILP is built on, in model time units (UB/1000 cycles): the dependency graph's
 * transitive closure, the core options each op keeps (dominance and deadline reductions), and its heads, tails
 * and start window under the bound UB.
 */
import { P_NONE } from '../engine/layout.js';
import { topoOrder } from './graph-order.js';
import type { ScheduleInstance } from './instance.js';

export interface Windows {
  /** cycles per model time unit */
  unit: number;
  /** the upper bound on the makespan, in units (1000 unless it is 0) */
  UB: number;
  /** tolerance on times, units */
  eps: number;
  /** successors of each op */
  succ: number[][];
  /** desc[i][j] = 1 when j depends on i, directly or not */
  desc: Uint8Array[];
  /** options (indices into inst.options[pool]) each op keeps */
  keep: number[][];
  /** du[i][o]: duration of op i at option o, units */
  du: number[][];
  /** shortest and longest duration, fewest and most cores over the kept options */
  dmin: number[];
  dmax: number[];
  kmin: number[];
  kmax: number[];
  /** earliest start (head) and the shortest time after its finish (tail) */
  est: number[];
  tail: number[];
  /** latest start: UB − dmin − tail */
  lst: number[];
  /** a lower bound on the makespan: the longest head + duration + tail */
  lb0: number;
  /** cores of op i at option o (0 for ops on no core) */
  coresOf(i: number, o: number): number;
}

/** Model units for an upper bound of UBc cycles. */
function units(UBc: number): { unit: number; UB: number; eps: number } {
  const unit = UBc > 0 ? UBc / 1000 : 1;
  const UB = UBc / unit;
  return { unit, UB, eps: 1e-9 * UB };
}

/** Transitive closure of the dependencies (desc) and the successor lists it comes from; throws on a cycle. */
function closure(inst: ScheduleInstance): { succ: number[][]; order: number[]; desc: Uint8Array[] } {
  const n = inst.n;
  const succ: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of inst.deps) succ[a].push(b);
  const order = topoOrder(n, succ);
  if (!order) throw new Error('the graph has a dependency cycle');
  const desc = Array.from({ length: n }, () => new Uint8Array(n));
  for (let t = n - 1; t >= 0; t--) {
    const i = order[t];
    for (const j of succ[i]) { desc[i][j] = 1; for (let k = 0; k < n; k++) if (desc[j][k]) desc[i][k] = 1; }
  }
  return { succ, order, desc };
}

/**
 * Options, durations and windows of every op under a bound of UBc cycles; null when some op has no option that
 * fits under it (no schedule within the bound).
 */
export function timeWindows(inst: ScheduleInstance, UBc: number): Windows | null {
  const { n, pool } = inst;
  const { unit, UB, eps } = units(UBc);
  const { succ, order, desc } = closure(inst);
  const coresOf = (i: number, o: number) => (pool[i] === P_NONE ? 0 : inst.options[pool[i]][o]);
  const du = inst.dur.map((d) => d.map((v) => v / unit));
  let keep: number[][] = du.map((d, i) => {
    if (pool[i] === P_NONE) return [0];
    // dominance: drop o if an option with fewer cores is no slower
    return d.map((_, o) => o).filter((o) => !d.some((v, o2) => coresOf(i, o2) < coresOf(i, o) && v <= d[o]));
  });
  const dmin = keep.map((ks, i) => Math.min(...ks.map((o) => du[i][o])));
  const est = new Array<number>(n).fill(0);
  for (const i of order) for (const j of succ[i]) est[j] = Math.max(est[j], est[i] + dmin[i]);
  const tail = new Array<number>(n).fill(0);
  for (let t = n - 1; t >= 0; t--) { const i = order[t]; for (const j of succ[i]) tail[i] = Math.max(tail[i], dmin[j] + tail[j]); }
  keep = keep.map((ks, i) => ks.filter((o) => est[i] + du[i][o] + tail[i] <= UB + eps));
  if (keep.some((ks) => ks.length === 0)) return null;
  const dmax = keep.map((ks, i) => Math.max(...ks.map((o) => du[i][o])));
  const kmax = keep.map((ks, i) => Math.max(...ks.map((o) => coresOf(i, o))));
  const kmin = keep.map((ks, i) => Math.min(...ks.map((o) => coresOf(i, o))));
  const lst = dmin.map((d, i) => UB - d - tail[i]);
  const lb0 = Math.max(0, ...dmin.map((d, i) => est[i] + d + tail[i]));
  return { unit, UB, eps, succ, desc, keep, du, dmin, dmax, kmin, kmax, est, tail, lst, lb0, coresOf };
}
