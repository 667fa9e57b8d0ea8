/**
 * The part of the exact scheduler's MILP both formulations share (see ilp.ts's header): the makespan, start and
 * option columns with their expressions (duration, cores, area of an op), the option, dependency and makespan
 * rows, and the pairs of each pool: ordered by their windows alone, or free with y columns and big-M rows.
 */
import { P_NONE } from '../engine/layout.js';
import type { ScheduleInstance } from './instance.js';
import { Lin, MipBuilder } from './mip-builder.js';
import { wsBefore, type WarmStart } from './milp-warm-start.js';
import type { Windows } from './milp-windows.js';

export type Formulation = 'overlap' | 'flow';

/** The order columns and constants of pairs of ops, kept to re-time the solver's answer. */
export interface OrderVars {
  /** pairs (i, j) of one pool whose windows put i before j (no column) */
  fixedBefore: [number, number][];
  /** key i*n+j → column of y_ij, "i finishes before j starts" */
  yOf: Map<number, number>;
  /** key i*n+j (i < j) → column of u_ij, "i starts no later than j" ('overlap') */
  uOf: Map<number, number>;
  /** key i*n+j (i < j) → u_ij fixed to 0/1 by the windows ('overlap') */
  uConst: Map<number, number>;
}

/** A model under construction: its instance, windows, warm start, builder and the columns made so far. */
export interface ModelContext extends OrderVars {
  inst: ScheduleInstance;
  w: Windows;
  /** the warm start (the columns' warm values read it only when it is set) */
  ws: WarmStart | null;
  m: MipBuilder;
  /** the makespan column */
  Ccol: number;
  /** start column of each op */
  Scol: number[];
  /** option columns x_io of each op with more than one kept option (option → column) */
  xcol: Map<number, number>[];
  /** ops of the tensor and the vector pool */
  poolOps: [number[], number[]];
  /** free pairs (i, j) of each pool, i before j in poolOps */
  freeByPool: [number, number][][];
}

/** The warm start (call only from a column's warm value: it is read only when there is one). */
export function W(c: ModelContext): WarmStart {
  return c.ws!;
}

/** A new model: the makespan C, a start S_i per op and an option column x_io per kept option of ops with a choice. */
export function newModel(inst: ScheduleInstance, w: Windows, ws: WarmStart | null): ModelContext {
  const { n, pool } = inst;
  const { UB, eps, est, lst, keep, lb0 } = w;
  const m = new MipBuilder();
  const W = () => ws!;
  const Ccol = m.col('C', lb0, UB + eps, false, () => W().C, 1);
  const Scol = Array.from({ length: n }, (_, i) => m.col(`S${i}`, est[i], Math.max(est[i], lst[i]) + eps, false, () => W().S[i]));
  const xcol = keep.map((ks, i) => {
    const mp = new Map<number, number>();
    if (ks.length > 1) for (const o of ks) mp.set(o, m.col(`x${i}_${o}`, 0, 1, true, () => (W().o[i] === o ? 1 : 0)));
    return mp;
  });
  const poolOps: [number[], number[]] = [[], []];
  for (let i = 0; i < n; i++) if (pool[i] !== P_NONE) poolOps[pool[i]].push(i);
  return {
    inst, w, ws, m, Ccol, Scol, xcol, poolOps, freeByPool: [[], []],
    fixedBefore: [], yOf: new Map(), uOf: new Map(), uConst: new Map(),
  };
}

/** d_i = Σ_o dur_io x_io (a constant when op i keeps one option). */
export function dExpr(c: ModelContext, i: number): Lin {
  const { keep, du } = c.w, xcol = c.xcol;
  return keep[i].length === 1 ? Lin.of(du[i][keep[i][0]]) : keep[i].reduce((e, o) => e.add(xcol[i].get(o)!, du[i][o]), new Lin());
}

/** k_i = Σ_o k_o x_io. */
export function kExpr(c: ModelContext, i: number): Lin {
  const { keep, coresOf } = c.w, xcol = c.xcol;
  return keep[i].length === 1 ? Lin.of(coresOf(i, keep[i][0])) : keep[i].reduce((e, o) => e.add(xcol[i].get(o)!, coresOf(i, o)), new Lin());
}

/** The area k_i d_i = Σ_o k_o dur_io x_io. */
export function aExpr(c: ModelContext, i: number): Lin {
  const { keep, du, coresOf } = c.w, xcol = c.xcol;
  return keep[i].length === 1 ? Lin.of(coresOf(i, keep[i][0]) * du[i][keep[i][0]]) : keep[i].reduce((e, o) => e.add(xcol[i].get(o)!, coresOf(i, o) * du[i][o]), new Lin());
}

/** S_i. */
export function startExpr(c: ModelContext, i: number): Lin {
  return new Lin().add(c.Scol[i], 1);
}

/** Σ_o x_io = 1 for every op with a choice of options. */
export function addOptionChoice(c: ModelContext): void {
  const { keep } = c.w;
  for (let i = 0; i < c.inst.n; i++) if (keep[i].length > 1) c.m.eq(keep[i].reduce((e, o) => e.add(c.xcol[i].get(o)!, 1), new Lin()), 1);
}

/** S_j ≥ S_i + d_i for every dependency i → j. */
export function addDependencies(c: ModelContext): void {
  for (const [a, b] of c.inst.deps) c.m.ge(startExpr(c, b).addLin(startExpr(c, a), -1).addLin(dExpr(c, a), -1), 0);
}

/** C ≥ S_i + d_i for every op without successors. */
export function addMakespanRows(c: ModelContext): void {
  for (let i = 0; i < c.inst.n; i++) if (c.w.succ[i].length === 0) c.m.ge(new Lin().add(c.Ccol, 1).addLin(startExpr(c, i), -1).addLin(dExpr(c, i), -1), 0);
}

/**
 * The pairs of pool p not ordered by the dependencies: those whose windows order them go to fixedBefore, the
 * others ("free") are returned (and kept in freeByPool[p]).
 */
export function freePairs(c: ModelContext, p: number): [number, number][] {
  const { desc, est, lst, dmax } = c.w;
  const related = (i: number, j: number) => desc[i][j] === 1 || desc[j][i] === 1;
  const P = c.poolOps[p];
  const free: [number, number][] = [];
  for (let a = 0; a < P.length; a++) {
    for (let b = a + 1; b < P.length; b++) {
      const i = P[a], j = P[b];
      if (related(i, j)) continue;
      if (est[j] >= lst[i] + dmax[i]) { c.fixedBefore.push([i, j]); continue; }
      if (est[i] >= lst[j] + dmax[j]) { c.fixedBefore.push([j, i]); continue; }
      free.push([i, j]);
    }
  }
  c.freeByPool[p] = free;
  return free;
}

/**
 * y_ab ∈ {0,1} "a finishes before b starts" for both directions of a free pair (unless a cannot finish before b
 * starts), with S_b ≥ S_a + d_a − M_ab (1 − y_ab), M_ab = lst_a + dmax_a − est_b.
 */
export function addPrecedence(c: ModelContext, i: number, j: number): void {
  const { n } = c.inst;
  const { est, dmin, dmax, lst, eps, UB } = c.w;
  for (const [a, b] of [[i, j], [j, i]]) {
    if (est[a] + dmin[a] > lst[b] + eps) continue; // a cannot finish before b starts
    const y = c.m.col(`y${a}_${b}`, 0, 1, true, () => wsBefore(W(c), UB, a, b));
    c.yOf.set(a * n + b, y);
    const M = lst[a] + dmax[a] - est[b];
    c.m.ge(startExpr(c, b).addLin(startExpr(c, a), -1).addLin(dExpr(c, a), -1).add(y, -M), -M);
  }
}
