/**
 * Exact mode: the minimum makespan of a small graph (a layer's forward or backward ops) on a design's tensor
 * and vector pools, as a mixed-integer program solved by HiGHS (npm `highs`), with exactly the list
 * scheduler's durations (each op on k ∈ {1, 2, 4, …, K} cores of its pool with k/K of the bandwidths).
 *
 * Formulation (resource-flow, exact in continuous time; Artigues, Michelon and Reusser, EJOR 2003):
 *   x_io ∈ {0,1}   op i takes core option o (Σ_o x_io = 1); d_i = Σ_o dur_io x_io; k_i = Σ_o k_o x_io
 *   S_i ≥ 0        start;   S_j ≥ S_i + d_i for every dependency i → j
 *   y_ij ∈ {0,1}   i finishes before j starts (same pool): S_j ≥ S_i + d_i − M(1 − y_ij); y_ij + y_ji ≤ 1
 *   f_ij ≥ 0       cores handed from i to j: f_ij ≤ K·y_ij; Σ_j f_ij + f_i,sink = k_i; Σ_i f_ij + f_src,j = k_j;
 *                  the source and the sink carry the pool's K cores
 *   minimise C ≥ S_i + d_i.
 * Durations are scaled to ~1000 units for conditioning; M = Σ_i max_o dur_io.
 */
import type { FlatGraph } from '../engine/flatten.js';
import { Kernel } from '../engine/kernel.js';
import { P_NONE, S_CYCLES } from '../engine/layout.js';
import { refOptionLatencies } from '../engine/reference.js';

export interface ExactSchedule {
  status: string;
  /** optimum (or best found at the time limit) makespan, cycles */
  makespanCycles: number;
  /** the list scheduler's makespan on the same graph and design, cycles */
  listMakespanCycles: number;
  /** (list − exact) / exact, percent */
  gapPct: number;
  /** HiGHS's own optimality gap at the end (0 when proven optimal) */
  mipGapPct: number;
  solveS: number;
  ops: number;
  binaries: number;
  /** the solver's schedule re-checked: dependencies respected and no pool over its cores at any time */
  verified: boolean;
}

/** Checks a schedule (start, duration, cores held, pool per op) against dependencies and pool capacities. */
export function checkSchedule(start: number[], dur: number[], k: number[], pool: ArrayLike<number>, cores: [number, number], deps: [number, number][], tol = 1e-6): boolean {
  for (const [a, b] of deps) if (start[b] < start[a] + dur[a] - tol) return false;
  for (const p of [0, 1]) {
    const ev: [number, number][] = [];
    start.forEach((s0, i) => { if (pool[i] === p && dur[i] > tol) { ev.push([s0 + tol, k[i]]); ev.push([s0 + dur[i] - tol, -k[i]]); } });
    ev.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    let used = 0;
    for (const [, dk] of ev) { used += dk; if (used > cores[p] + 1e-9) return false; }
  }
  return true;
}

type Highs = { solve(lp: string, opts?: Record<string, unknown>): { Status: string; ObjectiveValue: number; Columns: Record<string, { Primal: number }>; } };
let highsPromise: Promise<Highs> | null = null;
/** HiGHS, loaded once per process (~50 ms). */
async function loadHighs(): Promise<Highs> {
  highsPromise ??= import('highs').then((m) => (m.default as unknown as () => Promise<Highs>)());
  return highsPromise;
}

export async function exactMakespan(g: FlatGraph, design: Float64Array, opts: { timeLimitS?: number; kernel?: Kernel } = {}): Promise<ExactSchedule> {
  const n = g.nOps;
  const L = refOptionLatencies(design, 0, g);
  const kernel = opts.kernel ?? new Kernel();
  kernel.loadGraph(g);
  const listMakespanCycles = kernel.evaluateStep(design)[S_CYCLES];
  const optsOf = (i: number) => (L.pool[i] === P_NONE ? [] : L.options[L.pool[i]]);
  const dur = Array.from({ length: n }, (_, i) => (L.pool[i] === P_NONE ? [L.latFull[i]] : optsOf(i).map((_, o) => L.latency(i, o))));
  const total = dur.reduce((s, d) => s + Math.max(...d), 0);
  const unit = total > 0 ? total / 1000 : 1;
  const du = dur.map((d) => d.map((v) => v / unit));
  const M = du.reduce((s, d) => s + Math.max(...d), 0) + 1;
  const deps: [number, number][] = [];
  for (let j = 0; j < n; j++) for (let e = g.depOffsets[j]; e < g.depOffsets[j + 1]; e++) deps.push([g.depIndex[e], j]);
  // ancestors: j can never run before one of its ancestors
  const anc = Array.from({ length: n }, () => new Set<number>());
  const order: number[] = [];
  const indeg = new Int32Array(n);
  const succ: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of deps) { succ[a].push(b); indeg[b]++; }
  const q = [...Array(n).keys()].filter((i) => indeg[i] === 0);
  while (q.length) { const i = q.shift()!; order.push(i); for (const s of succ[i]) { anc[s].add(i); for (const a of anc[i]) anc[s].add(a); if (--indeg[s] === 0) q.push(s); } }
  const dTerm = (i: number, sign: string) => (L.pool[i] === P_NONE ? '' : du[i].map((v, o) => ` ${sign} ${v} x${i}_${o}`).join(''));
  const dConst = (i: number) => (L.pool[i] === P_NONE ? du[i][0] : 0);
  const rows: string[] = [];
  const binaries: string[] = [];
  const bounds: string[] = [];
  let r = 0;
  for (let i = 0; i < n; i++) {
    if (L.pool[i] !== P_NONE) {
      rows.push(` r${r++}: ${optsOf(i).map((_, o) => `x${i}_${o}`).join(' + ')} = 1`);
      optsOf(i).forEach((_, o) => binaries.push(`x${i}_${o}`));
    }
    rows.push(` r${r++}: C - S${i}${dTerm(i, '-')} >= ${dConst(i)}`);
  }
  for (const [a, b] of deps) rows.push(` r${r++}: S${b} - S${a}${dTerm(a, '-')} >= ${dConst(a)}`);
  for (const p of [0, 1]) {
    const ops = [...Array(n).keys()].filter((i) => L.pool[i] === p);
    if (ops.length === 0) continue;
    const K = L.cores[p];
    const kTerm = (i: number) => L.options[p].map((k, o) => ` - ${k} x${i}_${o}`).join('');
    for (const i of ops) {
      const out = ops.filter((j) => j !== i).map((j) => `f${i}_${j}`);
      const inn = ops.filter((j) => j !== i).map((j) => `f${j}_${i}`);
      rows.push(` r${r++}: ${[...out, `ft${i}`].join(' + ')}${kTerm(i)} = 0`);
      rows.push(` r${r++}: ${[...inn, `fs${i}`].join(' + ')}${kTerm(i)} = 0`);
      for (const j of ops) {
        if (j === i) continue;
        if (anc[i].has(j)) { bounds.push(` y${i}_${j} = 0`); }
        binaries.push(`y${i}_${j}`);
        rows.push(` r${r++}: S${j} - S${i}${dTerm(i, '-')} - ${M} y${i}_${j} >= ${-M}`);
        rows.push(` r${r++}: f${i}_${j} - ${K} y${i}_${j} <= 0`);
        if (i < j) rows.push(` r${r++}: y${i}_${j} + y${j}_${i} <= 1`);
      }
    }
    rows.push(` r${r++}: ${[...ops.map((i) => `fs${i}`), `fst${p}`].join(' + ')} = ${K}`);
    rows.push(` r${r++}: ${[...ops.map((i) => `ft${i}`), `fst${p}`].join(' + ')} = ${K}`);
  }
  const lp = `Minimize\n obj: C\nSubject To\n${rows.join('\n')}\nBounds\n${bounds.join('\n')}\nBinary\n ${binaries.join('\n ')}\nEnd\n`;
  const highs = await loadHighs();
  const t0 = performance.now();
  const sol = highs.solve(lp, { time_limit: opts.timeLimitS ?? 10, mip_rel_gap: 1e-6 });
  const solveS = (performance.now() - t0) / 1000;
  const makespanCycles = sol.ObjectiveValue * unit;
  const val = (name: string) => sol.Columns[name]?.Primal ?? 0;
  const choice = (i: number) => (L.pool[i] === P_NONE ? 0 : du[i].findIndex((_, o) => val(`x${i}_${o}`) > 0.5));
  const verified = Number.isFinite(sol.ObjectiveValue) && checkSchedule(
    [...Array(n).keys()].map((i) => val(`S${i}`)), [...Array(n).keys()].map((i) => du[i][Math.max(0, choice(i))]),
    [...Array(n).keys()].map((i) => (L.pool[i] === P_NONE ? 0 : L.options[L.pool[i]][Math.max(0, choice(i))])), L.pool, L.cores, deps, 1e-6 * 1000,
  );
  return {
    status: sol.Status, makespanCycles, listMakespanCycles, gapPct: ((listMakespanCycles - makespanCycles) / makespanCycles) * 100,
    mipGapPct: sol.Status === 'Optimal' ? 0 : NaN, solveS, ops: n, binaries: binaries.length, verified,
  };
}
