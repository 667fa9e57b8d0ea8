/**
 * Exact mode: the minimum makespan of a small graph (one layer's forward or backward ops, up to a few dozen ops)
 * on a design's tensor and vector core pools, as a mixed-integer program solved by HiGHS (npm `highs`), with
 * exactly the list scheduler's durations: op i on k ∈ {1, 2, 4, …, < K} ∪ {K} cores of its pool costs
 * refOptionLatencies(...).latency(i, k) cycles (k cores and k/K of the bandwidths, src/engine/reference.ts),
 * the same function the scheduler's TS reference uses; ops on no core (views, collectives) keep their fixed time.
 *
 * Both formulations below are exact in continuous time (no time discretisation): every feasible schedule maps
 * to a feasible point of the same makespan and every feasible point is (after re-timing, see `retime`) a
 * feasible schedule of makespan ≤ its objective.
 *
 * Common part (times in units of UB/1000, UB = an upper bound on the makespan, the list schedule's by default):
 *   x_io ∈ {0,1}   op i takes core option o, Σ_o x_io = 1; d_i = Σ_o dur_io x_io, k_i = Σ_o k_o x_io
 *   S_i ∈ [est_i, lst_i]   start (heads/tails from the shortest durations; lst_i = UB − dmin_i − tail_i)
 *   S_j ≥ S_i + d_i for every dependency i → j;  C ≥ S_i + d_i;  minimise C.
 *   Pairs of one pool that are ordered by the dependencies (or whose time windows cannot overlap) need nothing
 *   more; for every other ("free") pair: y_ij ∈ {0,1} "i finishes before j starts",
 *   S_j ≥ S_i + d_i − M_ij (1 − y_ij), M_ij = lst_i + dmax_i − est_j.
 *
 * 'overlap' (default; capacity checked at every op's start, exact by the argument below):
 *   u_ij ∈ {0,1} (i < j) "i starts no later than j": S_j ≥ S_i − M(1 − u_ij), S_i ≥ S_j − M u_ij; the u's form a
 *   linear order (3-cycle cuts u_ab + u_bc − u_ac ∈ [0, 1] on free triples); y_ij ≤ u_ij, y_ji ≤ 1 − u_ij.
 *   j runs at S_i iff r_ij = [j starts first] − y_ji = 1; w_ij ≥ k_j − kmax_j (1 − r_ij), w_ij ≥ kmin_j r_ij
 *   (w_ij = cores of j busy at S_i); capacity: k_i + Σ_j w_ij ≤ K at every op i of the pool.
 *   Exact: the load of a pool is largest at some op's start; take the last op i (in the u order) starting at that
 *   time: every op running then started first (r = 1) and is counted, so Σ ≤ K. Conversely, the u order of the
 *   starts and y_ij = [S_j ≥ S_i + d_i] of any feasible schedule satisfy every row.
 * 'flow' (resource flow, Artigues, Michelon and Reusser, EJOR 2003): f_ij ≥ 0 cores handed from i to j,
 *   f_ij ≤ min(kmax_i, kmax_j) y_ij; Σ_j f_ij + f_i,sink = k_i = Σ_j f_ji + f_source,i; source and sink carry K.
 *
 * Valid cuts added to both (they only remove fractional points): per pool, the area bound Σ_i k_i d_i ≤
 * K (C − minhead − mintail); for every op i and pool p, its descendants in p run in [S_i + d_i, C − their
 * smallest tail], its ancestors in p in [their smallest head, S_i], and the ops between i and a descendant j in
 * [S_i + d_i, S_j], so their area fits in K_p times that span; energetic reasoning on fixed intervals between
 * heads and latest completions; two free ops whose chosen core counts exceed K together are sequenced.
 *
 * Search (solveInstance): a first solve from the warm start; if the gap is still open, deadline probes (see
 * there). Status 'optimal' means the best schedule and the proven lower bound meet within mipRelGap.
 * Option reductions (exact): an option with more cores and no shorter duration than another is dropped, and so
 * is one that cannot fit under UB (head + duration + tail > UB).
 *
 * The solver's answer is re-timed (the earliest schedule with the same core counts and the same orders, a longest
 * path) in cycles, so the reported makespan has no solver tolerance in it, and checked independently
 * (checkSchedule: durations, dependencies, each pool's load at every instant).
 */
import { unitEnergies } from '../arch/cost.js';
import type { Design } from '../arch/design.js';
import { flattenOps, type FlatGraph } from '../engine/flatten.js';
import { DEFAULT_SCHEDULE_PASSES, Kernel } from '../engine/kernel.js';
import { designRecord, P_NONE, POOL_NAMES } from '../engine/layout.js';
import { refOptionLatencies } from '../engine/reference.js';
import type { Op } from '../workload/ir.js';

// ---------------------------------------------------------------------------------------------------------------
// Instance: pools, core options and durations per op (the list scheduler's own costing)
// ---------------------------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------------------------
// The list scheduler on the same graph (the WASM kernel)
// ---------------------------------------------------------------------------------------------------------------

export interface ListResult {
  makespanCycles: number;
  assignment: OpAssignment[];
  /** serial improvement passes run after the list schedule (0: the list schedule alone) */
  schedulePasses: number;
}

/**
 * The kernel scheduler's schedule (assembly/schedule.ts, then `schedulePasses` serial improvement passes,
 * assembly/serial.ts; default DEFAULT_SCHEDULE_PASSES) of a graph on one design record. The kernel's own pass
 * setting is restored afterwards.
 */
export function listSchedule(g: FlatGraph, rec: Float64Array, kernel: Kernel = new Kernel(), schedulePasses = DEFAULT_SCHEDULE_PASSES): ListResult {
  const before = kernel.schedulePasses;
  kernel.loadGraph(g);
  kernel.setSchedulePasses(schedulePasses);
  try {
    const s = kernel.schedule(rec);
    if (!s.step.valid) throw new Error('the list scheduler found the design invalid');
    const assignment: OpAssignment[] = [];
    for (let i = 0; i < g.nOps; i++) {
      const o = s.op(i);
      assignment.push({ startCycles: o.startCycles, finishCycles: o.finishCycles, cores: o.cores, pool: o.pool as OpAssignment['pool'] });
    }
    return { makespanCycles: s.step.stepCycles, assignment, schedulePasses };
  } finally {
    kernel.setSchedulePasses(before);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// HiGHS
// ---------------------------------------------------------------------------------------------------------------

type HighsRuntime = import('highs').Highs;
let highsPromise: Promise<HighsRuntime> | null = null;
/** HiGHS, loaded once per process (~50 ms). */
export function loadHighs(): Promise<HighsRuntime> {
  // the package's ESM build exports the loader as default; its CommonJS-typed .d.ts makes TS see the module there
  highsPromise ??= import('highs').then((m) => (m.default as unknown as () => Promise<HighsRuntime>)());
  return highsPromise;
}

/** A sparse linear expression over model columns plus a constant. */
class Lin {
  t = new Map<number, number>();
  c = 0;
  static of(c = 0): Lin { const l = new Lin(); l.c = c; return l; }
  add(col: number, coef: number): this { if (coef !== 0) this.t.set(col, (this.t.get(col) ?? 0) + coef); return this; }
  addLin(e: Lin, s = 1): this { for (const [k, v] of e.t) this.add(k, s * v); this.c += s * e.c; return this; }
  get isConst(): boolean { return this.t.size === 0; }
}

class MipBuilder {
  names: string[] = [];
  lb: number[] = [];
  ub: number[] = [];
  integ: number[] = [];
  cost: number[] = [];
  warm: (() => number)[] = [];
  starts: number[] = [0];
  idx: number[] = [];
  val: number[] = [];
  rlo: number[] = [];
  rhi: number[] = [];
  nBin = 0;
  /** a row without variables is violated: no schedule within the bound */
  infeasible = false;
  col(name: string, lb: number, ub: number, integer: boolean, warm: () => number, cost = 0): number {
    this.names.push(name);
    this.lb.push(lb);
    this.ub.push(ub);
    this.integ.push(integer ? 1 : 0);
    this.cost.push(cost);
    this.warm.push(warm);
    if (integer) this.nBin++;
    return this.names.length - 1;
  }
  /** lo ≤ e ≤ hi (the constant of e moves to the bounds) */
  row(e: Lin, lo: number, hi: number): void {
    if (e.isConst) {
      if (e.c < lo - 1e-9 * Math.max(1, Math.abs(lo)) || e.c > hi + 1e-9 * Math.max(1, Math.abs(hi))) this.infeasible = true;
      return;
    }
    for (const [k, v] of [...e.t].sort((a, b) => a[0] - b[0])) {
      if (v === 0) continue;
      this.idx.push(k);
      this.val.push(v);
    }
    this.starts.push(this.idx.length);
    this.rlo.push(lo - e.c);
    this.rhi.push(hi - e.c);
  }
  ge(e: Lin, v: number): void { this.row(e, v, Infinity); }
  le(e: Lin, v: number): void { this.row(e, -Infinity, v); }
  eq(e: Lin, v: number): void { this.row(e, v, v); }
}

// ---------------------------------------------------------------------------------------------------------------
// Exact makespan
// ---------------------------------------------------------------------------------------------------------------

export type Formulation = 'overlap' | 'flow';
export type ExactStatus = 'optimal' | 'time-limit' | 'infeasible' | 'other';

export interface ExactOptions {
  /** HiGHS time limit, seconds (default 10) */
  timeLimitS?: number;
  formulation?: Formulation;
  /**
   * A known schedule to start from (a MIP start, also the upper bound that prunes options): true (default) = the
   * list scheduler's; false = none (cold: the bound is then the serial all-cores schedule, and the ILP is
   * independent of the list scheduler); or an assignment.
   */
  warmStart?: boolean | readonly OpAssignment[];
  /** HiGHS relative MIP gap at which it stops as optimal (default 1e-6) */
  mipRelGap?: number;
  kernel?: Kernel;
  /** add the area cuts (default true) */
  cuts?: boolean;
  /** a deadline (cycles): only schedules with makespan ≤ it are searched (status 'infeasible' when none exists) */
  deadlineCycles?: number;
  /** close a gap left by the first solve with deadline probes (default true) */
  probes?: boolean;
  /** share of the time limit for the first solve (default 0.4) */
  firstShare?: number;
  /** serial improvement passes of the scheduler compared against (compareWithList; default DEFAULT_SCHEDULE_PASSES) */
  schedulePasses?: number;
}

export interface ExactResult {
  status: ExactStatus;
  /** HiGHS's model status code (7 optimal, 13 time limit, …) */
  highsStatus: number;
  /** makespan of the best schedule found, re-timed in cycles (the optimum when status = 'optimal') */
  makespanCycles: number;
  /** HiGHS's proven lower bound on the makespan, cycles */
  lowerBoundCycles: number;
  /** (makespan − lower bound) / makespan, percent */
  mipGapPct: number;
  /** per op (graph order): start, finish, cores */
  assignment: OpAssignment[];
  /** checkSchedule passed on `assignment` */
  verified: boolean;
  /** null, or why the check failed */
  checkError: string | null;
  formulation: Formulation;
  /** whether a MIP start was given */
  warmStarted: boolean;
  /** the upper bound the model was built with, cycles */
  upperBoundCycles: number;
  ops: number;
  /** ops per pool (tensor, vector) */
  poolOps: [number, number];
  binaries: number;
  columns: number;
  rows: number;
  buildS: number;
  /** wall time of the whole search, seconds */
  solveS: number;
  /** deadline probes run after the first solve */
  probes: number;
}

function toFlat(ops: readonly Op[] | FlatGraph): FlatGraph {
  return Array.isArray(ops) ? flattenOps(ops as readonly Op[]) : (ops as FlatGraph);
}

function toRecord(design: Design | Float64Array): Float64Array {
  return design instanceof Float64Array ? design : designRecord(design, unitEnergies(design));
}

/** Kahn order of a graph given as successor lists; null on a cycle. */
function topoOrder(n: number, succ: number[][]): number[] | null {
  const indeg = new Int32Array(n);
  for (const s of succ) for (const j of s) indeg[j]++;
  const q: number[] = [];
  for (let i = 0; i < n; i++) if (indeg[i] === 0) q.push(i);
  for (let h = 0; h < q.length; h++) for (const j of succ[q[h]]) if (--indeg[j] === 0) q.push(j);
  return q.length === n ? q : null;
}

/** Earliest starts under difference constraints S_j ≥ S_i + w (edges i → j with weight w), or null on a cycle. */
function longestPath(n: number, edges: [number, number, number][]): number[] | null {
  const succ: number[][] = Array.from({ length: n }, () => []);
  const out: [number, number][][] = Array.from({ length: n }, () => []);
  for (const [a, b, w] of edges) { succ[a].push(b); out[a].push([b, w]); }
  const order = topoOrder(n, succ);
  if (!order) return null;
  const s = new Array<number>(n).fill(0);
  for (const i of order) for (const [j, w] of out[i]) if (s[i] + w > s[j]) s[j] = s[i] + w;
  return s;
}

/** A feasible schedule that needs no solver: every op on all its cores, one after another in dependency order. */
function serialSchedule(inst: ScheduleInstance): OpAssignment[] {
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

const HIGHS_OPTIMAL = 7;
const HIGHS_INFEASIBLE = 8;
const HIGHS_TIME_LIMIT = 13;

/**
 * Minimum makespan of a graph (ops or a flat graph) on a design (or design record) by HiGHS. See the header for
 * the formulations. Throws only on bad input; a time limit gives status 'time-limit' with the best schedule
 * found (at worst the warm start) and HiGHS's lower bound.
 */
export async function exactMakespan(ops: readonly Op[] | FlatGraph, design: Design | Float64Array, opts: ExactOptions = {}): Promise<ExactResult> {
  const g = toFlat(ops);
  const rec = toRecord(design);
  const inst = scheduleInstance(g, rec);
  let start: readonly OpAssignment[] | null = null;
  if (opts.warmStart === undefined || opts.warmStart === true) start = listSchedule(g, rec, opts.kernel ?? new Kernel()).assignment;
  else if (opts.warmStart !== false) start = opts.warmStart;
  return solveInstance(inst, start, opts);
}

/**
 * exactMakespan on an instance (durations already costed); `start` = MIP start and upper bound, or null.
 * Search: one HiGHS solve minimising the makespan from the start (a share of the time limit); if it is not
 * proven optimal by then, deadline probes close the gap: a model with deadline T between the best lower bound
 * and the best schedule either is infeasible (T becomes the lower bound: the windows and big-Ms of a tight
 * deadline make these proofs much easier than the open-ended solve), or yields a schedule ≤ T, or its own
 * dual bound; a probe proven optimal is the optimum. Stops when the bounds meet within mipRelGap.
 */
export async function solveInstance(inst: ScheduleInstance, start: readonly OpAssignment[] | null, opts: ExactOptions = {}): Promise<ExactResult> {
  const total = opts.timeLimitS ?? 10;
  const tol = opts.mipRelGap ?? 1e-6;
  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;
  if (opts.deadlineCycles !== undefined || opts.probes === false) return solveModel(inst, start, opts);
  const first = await solveModel(inst, start, { ...opts, timeLimitS: total * (opts.firstShare ?? 0.4) });
  if (first.status !== 'time-limit' || !first.assignment.length) return { ...first, solveS: elapsed() };
  let best = first;
  let lb = Number.isFinite(first.lowerBoundCycles) ? first.lowerBoundCycles : 0;
  let ub = first.makespanCycles;
  let probes = 0;
  let optimal = false;
  let frac = 0.5;
  while (ub - lb > tol * ub && total - elapsed() > 0.2) {
    const T = lb + frac * (ub - lb);
    const r = await solveModel(inst, null, { ...opts, deadlineCycles: T, timeLimitS: Math.min(total - elapsed(), Math.max(1, total / 4)) });
    probes++;
    let learned = false;
    if (r.status === 'infeasible') { lb = Math.max(lb, T); learned = true; }
    else {
      // the probe's bound holds for schedules ≤ T; the others are > T
      const plb = Math.min(r.lowerBoundCycles, T);
      if (Number.isFinite(plb) && plb > lb) { lb = plb; learned = true; }
      if (r.verified && r.makespanCycles < ub) { ub = r.makespanCycles; best = r; learned = true; }
      if (r.status === 'optimal' && r.verified) { lb = Math.max(lb, ub * (1 - tol)); optimal = true; break; }
    }
    // an inconclusive probe: try nearer the lower bound (infeasibility is quicker to prove there)
    frac = learned ? 0.5 : Math.max(0.1, frac / 2);
  }
  lb = Math.min(lb, ub);
  if (ub - lb <= tol * ub) optimal = true;
  return {
    ...best, status: optimal ? 'optimal' : 'time-limit', highsStatus: best.highsStatus, lowerBoundCycles: lb,
    mipGapPct: ((ub - lb) / ub) * 100, upperBoundCycles: first.upperBoundCycles, warmStarted: first.warmStarted,
    binaries: first.binaries, columns: first.columns, rows: first.rows, buildS: first.buildS, solveS: elapsed(), probes,
  };
}

/** One HiGHS solve of the model (see the header), from `startIn` (MIP start and upper bound) or a deadline. */
async function solveModel(inst: ScheduleInstance, startIn: readonly OpAssignment[] | null, opts: ExactOptions = {}): Promise<ExactResult> {
  const t0 = performance.now();
  const formulation = opts.formulation ?? 'overlap';
  const useCuts = opts.cuts ?? true;
  const { n, pool, cores: K } = inst;
  let start = startIn;
  if (start) {
    const bad = checkSchedule(inst, start, 1e-9);
    if (bad) throw new Error(`the warm-start schedule is not feasible: ${bad}`);
  }
  const UBc = opts.deadlineCycles ?? makespanOf(start ?? serialSchedule(inst));
  if (start && makespanOf(start) > UBc) start = null;
  const unit = UBc > 0 ? UBc / 1000 : 1;
  const UB = UBc / unit;
  const eps = 1e-9 * UB;

  // ---- graph structure
  const succ: number[][] = Array.from({ length: n }, () => []);
  const pred: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of inst.deps) { succ[a].push(b); pred[b].push(a); }
  const order = topoOrder(n, succ);
  if (!order) throw new Error('the graph has a dependency cycle');
  const desc = Array.from({ length: n }, () => new Uint8Array(n));
  for (let t = n - 1; t >= 0; t--) {
    const i = order[t];
    for (const j of succ[i]) { desc[i][j] = 1; for (let k = 0; k < n; k++) if (desc[j][k]) desc[i][k] = 1; }
  }
  const related = (i: number, j: number) => desc[i][j] === 1 || desc[j][i] === 1;

  // ---- options (indices into inst.options[pool]) kept per op, durations in units
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
  if (keep.some((ks) => ks.length === 0)) return infeasibleResult(inst, formulation, UBc, (performance.now() - t0) / 1000);
  const dmax = keep.map((ks, i) => Math.max(...ks.map((o) => du[i][o])));
  const kmax = keep.map((ks, i) => Math.max(...ks.map((o) => coresOf(i, o))));
  const kmin = keep.map((ks, i) => Math.min(...ks.map((o) => coresOf(i, o))));
  const lst = dmin.map((d, i) => UB - d - tail[i]);
  const lb0 = Math.max(0, ...dmin.map((d, i) => est[i] + d + tail[i]));

  // ---- warm-start schedule mapped onto the kept options (a dropped option → a kept one with fewer cores, no slower)
  let ws: { S: number[]; o: number[]; d: number[]; C: number } | null = null;
  if (start) {
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
    ws = { S, o, d, C: Math.max(...S.map((s, i) => s + d[i])) };
  }
  const W = () => ws!;

  // ---- model
  const m = new MipBuilder();
  const Ccol = m.col('C', lb0, UB + eps, false, () => W().C, 1);
  const Scol = Array.from({ length: n }, (_, i) => m.col(`S${i}`, est[i], Math.max(est[i], lst[i]) + eps, false, () => W().S[i]));
  const xcol: Map<number, number>[] = keep.map((ks, i) => {
    const mp = new Map<number, number>();
    if (ks.length > 1) for (const o of ks) mp.set(o, m.col(`x${i}_${o}`, 0, 1, true, () => (W().o[i] === o ? 1 : 0)));
    return mp;
  });
  const dExpr = (i: number) => (keep[i].length === 1 ? Lin.of(du[i][keep[i][0]]) : keep[i].reduce((e, o) => e.add(xcol[i].get(o)!, du[i][o]), new Lin()));
  const kExpr = (i: number) => (keep[i].length === 1 ? Lin.of(coresOf(i, keep[i][0])) : keep[i].reduce((e, o) => e.add(xcol[i].get(o)!, coresOf(i, o)), new Lin()));
  const aExpr = (i: number) => (keep[i].length === 1 ? Lin.of(coresOf(i, keep[i][0]) * du[i][keep[i][0]]) : keep[i].reduce((e, o) => e.add(xcol[i].get(o)!, coresOf(i, o) * du[i][o]), new Lin()));
  const S = (i: number) => new Lin().add(Scol[i], 1);
  for (let i = 0; i < n; i++) if (keep[i].length > 1) m.eq(keep[i].reduce((e, o) => e.add(xcol[i].get(o)!, 1), new Lin()), 1);
  for (const [a, b] of inst.deps) m.ge(S(b).addLin(S(a), -1).addLin(dExpr(a), -1), 0);
  for (let i = 0; i < n; i++) if (succ[i].length === 0) m.ge(new Lin().add(Ccol, 1).addLin(S(i), -1).addLin(dExpr(i), -1), 0);

  // pairs of each pool; `before` edges kept for re-timing
  const fixedBefore: [number, number][] = [];
  const yOf = new Map<number, number>(); // key i*n+j → column
  const uOf = new Map<number, number>(); // key i*n+j (i<j) → column
  const uConst = new Map<number, number>(); // key i*n+j (i<j) → 0/1
  const poolOps: [number[], number[]] = [[], []];
  const freeByPool: [number, number][][] = [[], []];
  for (let i = 0; i < n; i++) if (pool[i] !== P_NONE) poolOps[pool[i]].push(i);
  const wsBefore = (i: number, j: number) => (W().S[j] >= W().S[i] + W().d[i] - 1e-9 * UB ? 1 : 0);
  const wsFirst = (i: number, j: number) => (W().S[i] < W().S[j] || (W().S[i] === W().S[j] && i < j) ? 1 : 0);
  for (const p of [0, 1]) {
    const P = poolOps[p];
    const free: [number, number][] = [];
    for (let a = 0; a < P.length; a++) {
      for (let b = a + 1; b < P.length; b++) {
        const i = P[a], j = P[b];
        if (related(i, j)) continue;
        if (est[j] >= lst[i] + dmax[i]) { fixedBefore.push([i, j]); continue; }
        if (est[i] >= lst[j] + dmax[j]) { fixedBefore.push([j, i]); continue; }
        free.push([i, j]);
      }
    }
    freeByPool[p] = free;
    for (const [i, j] of free) {
      for (const [a, b] of [[i, j], [j, i]]) {
        if (est[a] + dmin[a] > lst[b] + eps) continue; // a cannot finish before b starts
        const y = m.col(`y${a}_${b}`, 0, 1, true, () => wsBefore(a, b));
        yOf.set(a * n + b, y);
        const M = lst[a] + dmax[a] - est[b];
        m.ge(S(b).addLin(S(a), -1).addLin(dExpr(a), -1).add(y, -M), -M);
      }
      const yij = yOf.get(i * n + j), yji = yOf.get(j * n + i);
      if (formulation === 'overlap') {
        let U: Lin; // U = [i starts no later than j]
        if (lst[i] < est[j]) { U = Lin.of(1); uConst.set(i * n + j, 1); }
        else if (lst[j] < est[i]) { U = Lin.of(0); uConst.set(i * n + j, 0); }
        else {
          const u = m.col(`u${i}_${j}`, 0, 1, true, () => wsFirst(i, j));
          uOf.set(i * n + j, u);
          U = new Lin().add(u, 1);
          const M1 = lst[i] - est[j], M2 = lst[j] - est[i];
          m.ge(S(j).addLin(S(i), -1).add(u, -M1), -M1);
          m.ge(S(i).addLin(S(j), -1).add(u, M2), 0);
        }
        if (yij !== undefined) m.ge(new Lin().addLin(U).add(yij, -1), 0);
        if (yji !== undefined) m.le(new Lin().addLin(U).add(yji, 1), 1);
      } else {
        if (yij !== undefined && yji !== undefined) m.le(new Lin().add(yij, 1).add(yji, 1), 1);
      }
    }
    if (formulation === 'overlap') {
      // w[a][b]: cores of b busy at S_a
      const load = new Map<number, Lin>(P.map((i) => [i, kExpr(i)]));
      for (const [i, j] of free) {
        const Uij = uOf.has(i * n + j) ? new Lin().add(uOf.get(i * n + j)!, 1) : Lin.of(uConst.get(i * n + j)!);
        for (const [a, b] of [[i, j], [j, i]]) {
          // r = [b starts first] − y_ba
          const r = a === i ? Lin.of(1).addLin(Uij, -1) : new Lin().addLin(Uij);
          const yba = yOf.get(b * n + a);
          if (yba !== undefined) r.add(yba, -1);
          if (r.isConst && r.c <= 0) continue;
          const w = m.col(`w${a}_${b}`, 0, kmax[b], false, () => {
            const first = a === i ? 1 - wsFirst(i, j) : wsFirst(i, j);
            const run = first - (yba !== undefined ? wsBefore(b, a) : 0);
            return run > 0 ? coresOf(b, W().o[b]) : 0;
          });
          m.ge(new Lin().add(w, 1).addLin(kExpr(b), -1).addLin(r, -kmax[b]), -kmax[b]);
          m.ge(new Lin().add(w, 1).addLin(r, -kmin[b]), 0);
          load.get(a)!.add(w, 1);
        }
      }
      for (const i of P) if (!load.get(i)!.isConst) m.le(load.get(i)!, K[p]);
      // the starts form a linear order: no 3-cycle among free triples with variable u
      const U = (a: number, b: number): Lin | null => {
        const key = a < b ? a * n + b : b * n + a;
        const u = uOf.get(key);
        if (u === undefined) return null;
        return a < b ? new Lin().add(u, 1) : Lin.of(1).add(u, -1);
      };
      for (let a = 0; a < P.length; a++) for (let b = a + 1; b < P.length; b++) {
        const uab = U(P[a], P[b]);
        if (!uab) continue;
        for (let c = b + 1; c < P.length; c++) {
          const ubc = U(P[b], P[c]), uca = U(P[c], P[a]);
          if (!ubc || !uca) continue;
          const e = new Lin().addLin(uab).addLin(ubc).addLin(uca);
          m.row(e, 1, 2);
        }
      }
    } else {
      // resource flow: arcs i → j where i may finish before j starts
      const can = (i: number, j: number) => desc[i][j] === 1 || fixedBefore.some(([a, b]) => a === i && b === j) || yOf.has(i * n + j);
      const flowIn = new Map<number, Lin>(P.map((i) => [i, new Lin()]));
      const flowOut = new Map<number, Lin>(P.map((i) => [i, new Lin()]));
      const src = new Lin(), snk = new Lin();
      const wf = warmFlows(P, K[p]);
      for (const i of P) for (const j of P) {
        if (i === j || !can(i, j)) continue;
        const cap = Math.min(kmax[i], kmax[j]);
        const f = m.col(`f${i}_${j}`, 0, cap, false, () => wf().arc.get(i * n + j) ?? 0);
        flowOut.get(i)!.add(f, 1);
        flowIn.get(j)!.add(f, 1);
        const y = yOf.get(i * n + j);
        if (y !== undefined) m.le(new Lin().add(f, 1).add(y, -cap), 0);
      }
      for (const i of P) {
        const fs = m.col(`fs${i}`, 0, kmax[i], false, () => wf().src.get(i) ?? 0);
        const ft = m.col(`ft${i}`, 0, kmax[i], false, () => wf().snk.get(i) ?? 0);
        src.add(fs, 1);
        snk.add(ft, 1);
        m.eq(flowOut.get(i)!.add(ft, 1).addLin(kExpr(i), -1), 0);
        m.eq(flowIn.get(i)!.add(fs, 1).addLin(kExpr(i), -1), 0);
      }
      if (P.length > 0) {
        const fst = m.col(`fst${p}`, 0, K[p], false, () => wf().through);
        m.eq(src.add(fst, 1), K[p]);
        m.eq(snk.add(fst, 1), K[p]);
      }
    }
  }

  /** A concrete core allocation of the warm start in pool P: cores handed between ops (for the flow start). */
  function warmFlows(P: number[], Kp: number) {
    let memo: { arc: Map<number, number>; src: Map<number, number>; snk: Map<number, number>; through: number } | null = null;
    return () => {
      if (memo) return memo;
      const w = W();
      const holder = new Array<number>(Kp).fill(-1); // last op on each core (-1: source)
      const freeAt = new Array<number>(Kp).fill(-Infinity);
      const arc = new Map<number, number>(), src = new Map<number, number>(), snk = new Map<number, number>();
      const byStart = [...P].sort((a, b) => w.S[a] - w.S[b] || a - b);
      for (const i of byStart) {
        const k = coresOf(i, w.o[i]);
        // cores free at S_i whose last holder finished before S_i (the model's y), earliest-freed first
        const cand = [...Array(Kp).keys()].filter((c) => freeAt[c] <= w.S[i] + 1e-9 * UB && (holder[c] < 0 || wsBefore(holder[c], i) === 1));
        cand.sort((a, b) => freeAt[a] - freeAt[b] || a - b);
        for (const c of cand.slice(0, k)) {
          if (holder[c] < 0) src.set(i, (src.get(i) ?? 0) + 1);
          else arc.set(holder[c] * n + i, (arc.get(holder[c] * n + i) ?? 0) + 1);
          holder[c] = i;
          freeAt[c] = w.S[i] + w.d[i];
        }
      }
      let through = 0;
      for (const h of holder) { if (h < 0) through++; else snk.set(h, (snk.get(h) ?? 0) + 1); }
      memo = { arc, src, snk, through };
      return memo;
    };
  }

  if (useCuts) {
    for (const p of [0, 1]) {
      const P = poolOps[p];
      if (P.length === 0) continue;
      const e = new Lin().add(Ccol, K[p]);
      for (const i of P) e.addLin(aExpr(i), -1);
      m.ge(e, K[p] * (Math.min(...P.map((i) => est[i])) + Math.min(...P.map((i) => tail[i]))));
      for (let i = 0; i < n; i++) {
        const D = P.filter((j) => desc[i][j]);
        if (D.length > 0) {
          const e1 = new Lin().add(Ccol, K[p]).addLin(S(i), -K[p]).addLin(dExpr(i), -K[p]);
          for (const j of D) e1.addLin(aExpr(j), -1);
          m.ge(e1, K[p] * Math.min(...D.map((j) => tail[j])));
          if (pool[i] === p) {
            const e2 = new Lin().add(Ccol, K[p]).addLin(S(i), -K[p]).addLin(aExpr(i), -1);
            for (const j of D) e2.addLin(aExpr(j), -1);
            m.ge(e2, K[p] * Math.min(tail[i], ...D.map((j) => tail[j])));
          }
        }
        // ops between i and a descendant j run in [S_i + d_i, S_j]
        for (let j = 0; j < n; j++) {
          if (!desc[i][j]) continue;
          const B = P.filter((l) => desc[i][l] && desc[l][j]);
          if (B.length < 2) continue;
          const e4 = new Lin().addLin(S(j), K[p]).addLin(S(i), -K[p]).addLin(dExpr(i), -K[p]);
          for (const l of B) e4.addLin(aExpr(l), -1);
          m.ge(e4, 0);
        }
        const A = P.filter((j) => desc[j][i]);
        if (A.length > 0) {
          const e3 = new Lin().addLin(S(i), K[p]);
          for (const j of A) e3.addLin(aExpr(j), -1);
          m.ge(e3, K[p] * Math.min(...A.map((j) => est[j])));
        }
      }
    }
  }

  // energetic reasoning on fixed intervals [t1, t2] (heads and latest completions under the bound UB): the part
  // of op i that must run inside, whatever its start in [est_i, lst_i], is k_o · max(0, min(d_o, t2 − t1,
  // est_i + d_o − t1, t2 − lct_i + d_o)) for option o; those parts fit in K (t2 − t1)
  if (useCuts) {
    for (const p of [0, 1]) {
      const P = poolOps[p];
      const lct = (i: number) => UB - tail[i];
      const t1s = [...new Set(P.map((i) => est[i]))].sort((a, b) => a - b);
      const t2s = [...new Set(P.map(lct))].sort((a, b) => a - b);
      for (const t1 of t1s) for (const t2 of t2s) {
        if (t2 <= t1 + eps) continue;
        const e = new Lin();
        let maxLhs = 0;
        for (const i of P) {
          let most = 0;
          for (const o of keep[i]) {
            const d = du[i][o];
            const part = Math.max(0, Math.min(d, t2 - t1, est[i] + d - t1, t2 - lct(i) + d));
            if (part <= 0) continue;
            const v = coresOf(i, o) * part;
            most = Math.max(most, v);
            if (keep[i].length > 1) e.add(xcol[i].get(o)!, v); else e.c += v;
          }
          maxLhs += most;
        }
        if (maxLhs <= K[p] * (t2 - t1) * (1 + 1e-9)) continue;
        m.le(e, K[p] * (t2 - t1));
      }
    }
  }

  // two free ops whose core counts add up to more than K run one after the other
  if (useCuts) {
    for (const p of [0, 1]) {
      for (const [i, j] of freeByPool[p]) {
        const yij = yOf.get(i * n + j), yji = yOf.get(j * n + i);
        for (const o of keep[i]) {
          const big = keep[j].filter((o2) => coresOf(i, o) + coresOf(j, o2) > K[p]);
          if (big.length === 0) continue;
          // y_ij + y_ji ≥ x_io + Σ_big x_jo' − 1
          const e = new Lin();
          if (yij !== undefined) e.add(yij, 1);
          if (yji !== undefined) e.add(yji, 1);
          if (keep[i].length > 1) e.add(xcol[i].get(o)!, -1); else e.c -= 1;
          if (keep[j].length > 1) for (const o2 of big) e.add(xcol[j].get(o2)!, -1); else e.c -= 1;
          if (e.isConst && e.c >= -1) continue;
          m.ge(e, -1);
        }
      }
    }
  }

  // ---- solve
  if (m.infeasible) return infeasibleResult(inst, formulation, UBc, (performance.now() - t0) / 1000);
  const highs = await loadHighs();
  const nc = m.names.length, nr = m.rlo.length;
  const inf = highs.infinity;
  const fin = (v: number) => (v === Infinity ? inf : v === -Infinity ? -inf : v);
  const model = highs.createModel({
    numCols: nc, numRows: nr, sense: highs.constants.objectiveSense.minimize, offset: 0,
    colCost: Float64Array.from(m.cost), colLower: Float64Array.from(m.lb), colUpper: Float64Array.from(m.ub),
    rowLower: Float64Array.from(m.rlo, fin), rowUpper: Float64Array.from(m.rhi, fin),
    matrix: { format: 'csr', numRows: nr, numCols: nc, starts: Int32Array.from(m.starts), indices: Int32Array.from(m.idx), values: Float64Array.from(m.val) },
    integrality: Int32Array.from(m.integ), colNames: m.names,
  });
  const buildS = (performance.now() - t0) / 1000;
  let status: number, colValue: Float64Array | null = null, dual = NaN, solveS = 0;
  try {
    model.options.set({ output_flag: false, time_limit: opts.timeLimitS ?? 10, mip_rel_gap: opts.mipRelGap ?? 1e-6, random_seed: 0 });
    if (ws) model.setSolution({ colValue: Float64Array.from(m.warm, (f) => f()) });
    const t1 = performance.now();
    model.run();
    solveS = (performance.now() - t1) / 1000;
    status = model.getModelStatus();
    const primal = Number(model.info.get('primal_solution_status'));
    if (primal === 2) colValue = model.getSolution().colValue;
    dual = Number(model.info.get('mip_dual_bound'));
  } finally {
    model.dispose();
  }

  // ---- decode and re-time in cycles
  let assignment: OpAssignment[] = [];
  if (colValue) {
    const cv = colValue;
    const o = keep.map((ks, i) => (ks.length === 1 ? ks[0] : ks.reduce((b, k) => (cv[xcol[i].get(k)!] > cv[xcol[i].get(b)!] ? k : b), ks[0])));
    const dc = o.map((ko, i) => inst.dur[i][ko]);
    const edges: [number, number, number][] = inst.deps.map(([a, b]) => [a, b, dc[a]]);
    for (const [a, b] of fixedBefore) edges.push([a, b, dc[a]]);
    for (const [key, col] of yOf) if (cv[col] > 0.5) edges.push([Math.floor(key / n), key % n, dc[Math.floor(key / n)]]);
    for (const [key, col] of uOf) {
      const i = Math.floor(key / n), j = key % n;
      edges.push(cv[col] > 0.5 ? [i, j, 0] : [j, i, 0]);
    }
    for (const [key, v] of uConst) {
      const i = Math.floor(key / n), j = key % n;
      edges.push(v === 1 ? [i, j, 0] : [j, i, 0]);
    }
    const st = longestPath(n, edges) ?? Array.from({ length: n }, (_, i) => cv[Scol[i]] * unit);
    assignment = st.map((s, i) => ({ startCycles: s, finishCycles: s + dc[i], cores: coresOf(i, o[i]), pool: POOL_NAMES[pool[i]] as OpAssignment['pool'] }));
  } else if (start) {
    assignment = start.map((x) => ({ ...x }));
  }
  const checkError = assignment.length ? checkSchedule(inst, assignment) : 'no schedule';
  const makespanCycles = assignment.length ? makespanOf(assignment) : NaN;
  let lowerBoundCycles = !Number.isFinite(dual) ? NaN : Number.isFinite(makespanCycles) ? Math.min(dual * unit, makespanCycles) : dual * unit;
  if (status === HIGHS_INFEASIBLE) lowerBoundCycles = UBc; // no schedule within the deadline
  else if (status === HIGHS_OPTIMAL && m.nBin === 0) lowerBoundCycles = makespanCycles; // solved as an LP
  return {
    status: status === HIGHS_OPTIMAL ? 'optimal' : status === HIGHS_TIME_LIMIT ? 'time-limit' : status === HIGHS_INFEASIBLE ? 'infeasible' : 'other',
    highsStatus: status, makespanCycles, lowerBoundCycles,
    mipGapPct: ((makespanCycles - lowerBoundCycles) / makespanCycles) * 100,
    assignment, verified: checkError === null, checkError, formulation, warmStarted: ws !== null, upperBoundCycles: UBc,
    ops: n, poolOps: [poolOps[0].length, poolOps[1].length], binaries: m.nBin, columns: nc, rows: nr, buildS, solveS, probes: 0,
  };
}

function infeasibleResult(inst: ScheduleInstance, formulation: Formulation, ub: number, buildS: number): ExactResult {
  return {
    status: 'infeasible', highsStatus: HIGHS_INFEASIBLE, makespanCycles: NaN, lowerBoundCycles: ub, mipGapPct: NaN, assignment: [],
    verified: false, checkError: 'no schedule', formulation, warmStarted: false, upperBoundCycles: ub, ops: inst.n,
    poolOps: [0, 1].map((p) => Array.from(inst.pool).filter((q) => q === p).length) as [number, number],
    binaries: 0, columns: 0, rows: 0, buildS, solveS: 0, probes: 0,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The list scheduler against the optimum
// ---------------------------------------------------------------------------------------------------------------

export interface ListGap {
  exact: ExactResult;
  list: ListResult;
  /** (list − exact) / exact makespan, percent (exact when status = 'optimal'; else against the best found) */
  gapPct: number;
  /** (list − lower bound) / lower bound, percent: an upper bound on the true gap whatever the status */
  gapBoundPct: number;
}

/** The list scheduler's makespan against the exact one on the same graph and design. */
export async function compareWithList(ops: readonly Op[] | FlatGraph, design: Design | Float64Array, opts: ExactOptions = {}): Promise<ListGap> {
  const g = toFlat(ops);
  const rec = toRecord(design);
  const list = listSchedule(g, rec, opts.kernel ?? new Kernel(), opts.schedulePasses ?? DEFAULT_SCHEDULE_PASSES);
  const exact = await solveInstance(scheduleInstance(g, rec), opts.warmStart === false ? null : list.assignment, opts);
  return {
    exact, list,
    gapPct: ((list.makespanCycles - exact.makespanCycles) / exact.makespanCycles) * 100,
    gapBoundPct: ((list.makespanCycles - exact.lowerBoundCycles) / exact.lowerBoundCycles) * 100,
  };
}
