/**
 * The exact scheduler's MIP start: the given schedule checked, the upper bound it sets (else a deadline or the
 * serial schedule's makespan), the schedule in model terms (kept options, times in units), and what it says about
 * the order and the core hand-overs of two ops (the values of the y, u, w and flow columns).
 */
import { P_NONE } from '../engine/layout.js';
import { checkSchedule, makespanOf, serialSchedule, type OpAssignment, type ScheduleInstance } from './instance.js';
import type { Windows } from './milp-windows.js';

/** The warm start in model terms: start S and kept option o of each op, its duration d, the makespan C (units). */
export interface WarmStart {
  S: number[];
  o: number[];
  d: number[];
  C: number;
}

/**
 * The upper bound UBc (cycles) a solve is built with, a deadline or the start's makespan (the serial schedule's
 * without one), and the start kept for it (null when none or above a deadline). Throws if the start is infeasible.
 */
export function startAndBound(inst: ScheduleInstance, startIn: readonly OpAssignment[] | null, deadlineCycles?: number): { start: readonly OpAssignment[] | null; UBc: number } {
  let start = startIn;
  if (start) {
    const bad = checkSchedule(inst, start, 1e-9);
    if (bad) throw new Error(`the warm-start schedule is not feasible: ${bad}`);
  }
  const UBc = deadlineCycles ?? makespanOf(start ?? serialSchedule(inst));
  if (start && makespanOf(start) > UBc) start = null;
  return { start, UBc };
}

/** The start schedule mapped onto the kept options (a dropped option → a kept one with fewer cores, no slower). */
export function warmStartOf(inst: ScheduleInstance, w: Windows, start: readonly OpAssignment[]): WarmStart {
  const { n, pool } = inst;
  const { keep, du, eps, unit, coresOf } = w;
  const o = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    if (pool[i] === P_NONE) { o[i] = 0; continue; }
    const o0 = inst.options[pool[i]].indexOf(start[i].cores);
    let best = -1;
    for (const ko of keep[i]) if (coresOf(i, ko) <= coresOf(i, o0) && du[i][ko] <= du[i][o0] + eps && (best < 0 || du[i][ko] < du[i][best])) best = ko;
    if (best < 0) throw new Error(`warm start: no kept option for op ${i}`);
    o[i] = best;
  }
  const S = start.map((x) => x.startCycles / unit);
  const d = o.map((ko, i) => du[i][ko]);
  return { S, o, d, C: Math.max(...S.map((s, i) => s + d[i])) };
}

/** 1 when op i finishes before op j starts in the warm start (the model's y_ij), else 0. */
export function wsBefore(ws: WarmStart, UB: number, i: number, j: number): number {
  return ws.S[j] >= ws.S[i] + ws.d[i] - 1e-9 * UB ? 1 : 0;
}

/** 1 when op i starts before op j in the warm start (ties by index; the model's u_ij), else 0. */
export function wsFirst(ws: WarmStart, i: number, j: number): number {
  return ws.S[i] < ws.S[j] || (ws.S[i] === ws.S[j] && i < j) ? 1 : 0;
}

export interface WarmFlows {
  /** cores handed from i to j, keyed i*n+j */
  arc: Map<number, number>;
  /** cores each op takes from the source, and gives back to the sink */
  src: Map<number, number>;
  snk: Map<number, number>;
  /** cores no op of the pool uses */
  through: number;
}

/**
 * A concrete core allocation of the warm start in pool P of Kp cores: cores handed between ops (for the flow
 * start), computed on the first call (only when the start is read) and kept.
 */
export function warmFlows(inst: ScheduleInstance, w: Windows, ws: WarmStart | null, P: number[], Kp: number): () => WarmFlows {
  const { n } = inst;
  const { UB, coresOf } = w;
  let memo: WarmFlows | null = null;
  return () => {
    if (memo) return memo;
    const W = ws!;
    const holder = new Array<number>(Kp).fill(-1); // last op on each core (-1: source)
    const freeAt = new Array<number>(Kp).fill(-Infinity);
    const arc = new Map<number, number>(), src = new Map<number, number>(), snk = new Map<number, number>();
    const byStart = [...P].sort((a, b) => W.S[a] - W.S[b] || a - b);
    for (const i of byStart) {
      const k = coresOf(i, W.o[i]);
      // cores free at S_i whose last holder finished before S_i (the model's y), earliest-freed first
      const cand = [...Array(Kp).keys()].filter((c) => freeAt[c] <= W.S[i] + 1e-9 * UB && (holder[c] < 0 || wsBefore(W, UB, holder[c], i) === 1));
      cand.sort((a, b) => freeAt[a] - freeAt[b] || a - b);
      for (const c of cand.slice(0, k)) {
        if (holder[c] < 0) src.set(i, (src.get(i) ?? 0) + 1);
        else arc.set(holder[c] * n + i, (arc.get(holder[c] * n + i) ?? 0) + 1);
        holder[c] = i;
        freeAt[c] = W.S[i] + W.d[i];
      }
    }
    let through = 0;
    for (const h of holder) { if (h < 0) through++; else snk.set(h, (snk.get(h) ?? 0) + 1); }
    memo = { arc, src, snk, through };
    return memo;
  };
}
