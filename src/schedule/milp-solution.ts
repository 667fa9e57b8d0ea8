/**
 * The exact scheduler's MILP answer read back: the chosen options and the orders of pairs, re-timed in cycles (the
 * earliest schedule with those core counts and orders, a longest path, so no solver tolerance is left in it),
 * checked independently, with the lower bound the run proves.
 */
import { POOL_NAMES } from '../engine/layout.js';
import { longestPath } from './graph-order.js';
import { HIGHS_INFEASIBLE, HIGHS_OPTIMAL, type MipRun } from './highs.js';
import { checkSchedule, makespanOf, type OpAssignment, type ScheduleInstance } from './instance.js';
import type { ModelContext } from './milp-model.js';

export interface ReadBack {
  /** per op: start, finish, cores (the solver's schedule re-timed, else the start given, else none) */
  assignment: OpAssignment[];
  /** null, or why checkSchedule rejected the assignment ('no schedule' without one) */
  checkError: string | null;
  makespanCycles: number;
  lowerBoundCycles: number;
}

/** The schedule in column values `cv`: each op's largest option column, its orders as edges, earliest starts. */
export function decodeSchedule(c: ModelContext, cv: Float64Array): OpAssignment[] {
  const { inst, w, xcol } = c;
  const { n, pool } = inst;
  const { keep, coresOf, unit } = w;
  const o = keep.map((ks, i) => (ks.length === 1 ? ks[0] : ks.reduce((b, k) => (cv[xcol[i].get(k)!] > cv[xcol[i].get(b)!] ? k : b), ks[0])));
  const dc = o.map((ko, i) => inst.dur[i][ko]);
  const edges: [number, number, number][] = inst.deps.map(([a, b]) => [a, b, dc[a]]);
  for (const [a, b] of c.fixedBefore) edges.push([a, b, dc[a]]);
  for (const [key, col] of c.yOf) if (cv[col] > 0.5) edges.push([Math.floor(key / n), key % n, dc[Math.floor(key / n)]]);
  for (const [key, col] of c.uOf) {
    const i = Math.floor(key / n), j = key % n;
    edges.push(cv[col] > 0.5 ? [i, j, 0] : [j, i, 0]);
  }
  for (const [key, v] of c.uConst) {
    const i = Math.floor(key / n), j = key % n;
    edges.push(v === 1 ? [i, j, 0] : [j, i, 0]);
  }
  const st = longestPath(n, edges) ?? Array.from({ length: n }, (_, i) => cv[c.Scol[i]] * unit);
  return st.map((s, i) => ({ startCycles: s, finishCycles: s + dc[i], cores: coresOf(i, o[i]), pool: POOL_NAMES[pool[i]] as OpAssignment['pool'] }));
}

/**
 * The run's schedule (else a copy of the start, else none), its check and makespan, and the lower bound: HiGHS's
 * dual bound (no more than the makespan), the bound UBc itself when no schedule fits under it, or the makespan
 * when the model had no integer column and was solved to optimality.
 */
export function readBack(c: ModelContext, run: MipRun, start: readonly OpAssignment[] | null, UBc: number): ReadBack {
  let assignment: OpAssignment[] = [];
  if (run.colValue) assignment = decodeSchedule(c, run.colValue);
  else if (start) assignment = start.map((x) => ({ ...x }));
  const checkError = assignment.length ? checkSchedule(c.inst, assignment) : 'no schedule';
  const makespanCycles = assignment.length ? makespanOf(assignment) : NaN;
  const { dual, status } = run, unit = c.w.unit;
  let lowerBoundCycles = !Number.isFinite(dual) ? NaN : Number.isFinite(makespanCycles) ? Math.min(dual * unit, makespanCycles) : dual * unit;
  if (status === HIGHS_INFEASIBLE) lowerBoundCycles = UBc; // no schedule within the deadline
  else if (status === HIGHS_OPTIMAL && c.m.nBin === 0) lowerBoundCycles = makespanCycles; // solved as an LP
  return { assignment, checkError, makespanCycles, lowerBoundCycles };
}
