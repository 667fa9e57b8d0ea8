/**
 * A scheduling instance for the exact scheduler: each op's pool and its duration at every core option, costed
 * exactly as the list scheduler costs them; a schedule of it (one assignment per op), its independent check, and
 * the serial schedule that needs no solver.
 */
import type { FlatGraph } from '../engine/flatten.js';
import { P_NONE, POOL_NAMES } from '../engine/layout.js';
import { refOptionLatencies } from '../engine/reference.js';
import { topoOrder } from './graph-order.js';

export interface ScheduleInstance {
  n: number;
  /** pool of each op: 0 tensor, 1 vector, 2 none (no core) */
  pool: Int32Array;
  /** cores K of the tensor and the vector pool */
  cores: [number, number];
  /** core-count options of each pool: 1, 2, 4, …, < K, then K */
  options: [number[], number[]];
  /** dur[i][o]: cycles of op i on options[pool[i]][o] cores; for ops on no core, [its fixed time] */
  dur: number[][];
  /** dependencies (before, after) as op indices */
  deps: [number, number][];
}

/** Durations of every op at every core option, exactly as the list scheduler costs them (refOptionLatencies). */
export function scheduleInstance(g: FlatGraph, rec: Float64Array): ScheduleInstance {
  const L = refOptionLatencies(rec, 0, g);
  const n = g.nOps;
  const dur: number[][] = [];
  for (let i = 0; i < n; i++) {
    const p = L.pool[i];
    dur.push(p === P_NONE ? [L.latFull[i]] : L.options[p].map((_, o) => L.latency(i, o)));
  }
  const deps: [number, number][] = [];
  for (let j = 0; j < n; j++) for (let e = g.depOffsets[j]; e < g.depOffsets[j + 1]; e++) deps.push([g.depIndex[e], j]);
  return { n, pool: L.pool, cores: L.cores, options: [L.options[0], L.options[1]], dur, deps };
}

export interface OpAssignment {
  startCycles: number;
  finishCycles: number;
  /** cores held (0 for ops on no core) */
  cores: number;
  pool: 'tensor' | 'vector' | 'none';
}

/** Cycles of op i when it holds `cores` cores (NaN if that is not one of its pool's options). */
export function durationAt(inst: ScheduleInstance, i: number, cores: number): number {
  const p = inst.pool[i];
  if (p === P_NONE) return cores === 0 ? inst.dur[i][0] : NaN;
  const o = inst.options[p].indexOf(cores);
  return o < 0 ? NaN : inst.dur[i][o];
}

/**
 * Checks a schedule against an instance: each op's duration is its cost at the cores it holds (within relTol),
 * dependencies hold, and no pool is ever over its cores. Returns null when valid, else the first problem.
 */
export function checkSchedule(inst: ScheduleInstance, a: readonly OpAssignment[], relTol = 1e-9): string | null {
  if (a.length !== inst.n) return `${a.length} assignments for ${inst.n} ops`;
  const span = Math.max(1, ...a.map((x) => x.finishCycles));
  const tol = relTol * span;
  for (let i = 0; i < inst.n; i++) {
    const x = a[i];
    if (!(x.startCycles >= -tol)) return `op ${i} starts at ${x.startCycles}`;
    const d = durationAt(inst, i, x.cores);
    if (!Number.isFinite(d)) return `op ${i} holds ${x.cores} cores, not an option of its pool`;
    if (Math.abs(x.finishCycles - x.startCycles - d) > tol) return `op ${i} lasts ${x.finishCycles - x.startCycles} cycles, its cost is ${d}`;
  }
  for (const [b, c] of inst.deps) if (a[c].startCycles < a[b].finishCycles - tol) return `op ${c} starts before its dependency ${b} finishes`;
  for (const p of [0, 1]) {
    const ev: [number, number][] = [];
    for (let i = 0; i < inst.n; i++) {
      if (inst.pool[i] !== p || a[i].finishCycles - a[i].startCycles <= tol) continue;
      ev.push([a[i].startCycles + tol, a[i].cores], [a[i].finishCycles - tol, -a[i].cores]);
    }
    ev.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    let used = 0;
    for (const [t, dk] of ev) {
      used += dk;
      if (used > inst.cores[p]) return `${POOL_NAMES[p]} pool holds ${used} of ${inst.cores[p]} cores at cycle ${t}`;
    }
  }
  return null;
}

export function makespanOf(a: readonly OpAssignment[]): number {
  return a.reduce((m, x) => Math.max(m, x.finishCycles), 0);
}

/** A feasible schedule that needs no solver: every op on all its cores, one after another in dependency order. */
export function serialSchedule(inst: ScheduleInstance): OpAssignment[] {
  const succ: number[][] = Array.from({ length: inst.n }, () => []);
  for (const [a, b] of inst.deps) succ[a].push(b);
  const order = topoOrder(inst.n, succ);
  if (!order) throw new Error('the graph has a dependency cycle');
  const a: OpAssignment[] = new Array(inst.n);
  let t = 0;
  for (const i of order) {
    const p = inst.pool[i];
    const k = p === P_NONE ? 0 : inst.cores[p];
    const d = p === P_NONE ? inst.dur[i][0] : inst.dur[i][inst.dur[i].length - 1];
    a[i] = { startCycles: t, finishCycles: t + d, cores: k, pool: POOL_NAMES[p] as OpAssignment['pool'] };
    t += d;
  }
  return a;
}
