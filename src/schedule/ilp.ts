/**
 * Exact mode: the minimum makespan of a small graph (one layer's forward or backward ops, up to a few dozen ops)
 * on a design's tensor and vector core pools, as a mixed-integer program solved by HiGHS (npm `highs`), with
 * exactly the list scheduler's durations: op i on k ∈ {1, 2, 4, …, < K} ∪ {K} cores of its pool costs
 * refOptionLatencies(...).latency(i, k) cycles (k cores and k/K of the bandwidths, src/engine/reference.ts),
 * the same function the scheduler's TS reference uses; ops on no core (views, collectives) keep their fixed time.
 *
 * Both formulations below are exact in continuous time (no time discretisation): every feasible schedule maps
 * to a feasible point of the same makespan and every feasible point is (after re-timing, see milp-solution.ts) a
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
 *
 * This module is the entry (exactMakespan, solveInstance, compareWithList, listSchedule); one solve runs these
 * stages, each its own module: the bound and the start (milp-warm-start.ts), the windows under the bound
 * (milp-windows.ts), the model (milp-build.ts: milp-model.ts shared, milp-overlap.ts / milp-flow.ts, milp-cuts.ts,
 * on mip-builder.ts), the HiGHS run (highs.ts), the schedule read back and checked (milp-solution.ts,
 * instance.ts).
 */
import { unitEnergies } from '../arch/cost.js';
import type { Design } from '../arch/design.js';
import { flattenOps, type FlatGraph } from '../engine/flatten.js';
import { DEFAULT_SCHEDULE_PASSES, defaultKernel, type Kernel } from '../engine/kernel.js';
import { designRecord } from '../engine/layout.js';
import type { Op } from '../workload/ir.js';
import { HIGHS_INFEASIBLE, HIGHS_OPTIMAL, HIGHS_TIME_LIMIT, runMip } from './highs.js';
import { scheduleInstance, type OpAssignment, type ScheduleInstance } from './instance.js';
import { buildMilp } from './milp-build.js';
import type { Formulation } from './milp-model.js';
import { readBack } from './milp-solution.js';
import { startAndBound, warmStartOf } from './milp-warm-start.js';
import { timeWindows } from './milp-windows.js';

export { loadHighs } from './highs.js';
export { checkSchedule, durationAt, makespanOf, scheduleInstance, type OpAssignment, type ScheduleInstance } from './instance.js';
export type { Formulation } from './milp-model.js';

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
 * assembly/serial.ts; default DEFAULT_SCHEDULE_PASSES) of a graph on one design record, concurrent (the
 * schedules the ILP models), on the thread's kernel unless told. The kernel's own pass and execution settings
 * are restored afterwards.
 */
export function listSchedule(g: FlatGraph, rec: Float64Array, kernel: Kernel = defaultKernel(), schedulePasses = DEFAULT_SCHEDULE_PASSES): ListResult {
  const before = kernel.schedulePasses;
  const execution = kernel.execution;
  kernel.loadGraph(g);
  kernel.setSchedulePasses(schedulePasses);
  kernel.setExecution('concurrent');
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
    kernel.setExecution(execution);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Exact makespan
// ---------------------------------------------------------------------------------------------------------------

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
  if (opts.warmStart === undefined || opts.warmStart === true) start = listSchedule(g, rec, opts.kernel).assignment;
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

/**
 * One HiGHS solve of the model (see the header), from `startIn` (MIP start and upper bound) or a deadline:
 * the bound and the windows under it, the warm start, the model, the run, the schedule read back and checked.
 */
async function solveModel(inst: ScheduleInstance, startIn: readonly OpAssignment[] | null, opts: ExactOptions = {}): Promise<ExactResult> {
  const t0 = performance.now();
  const formulation = opts.formulation ?? 'overlap';
  const { start, UBc } = startAndBound(inst, startIn, opts.deadlineCycles);
  const w = timeWindows(inst, UBc);
  if (!w) return infeasibleResult(inst, formulation, UBc, (performance.now() - t0) / 1000);
  const ws = start ? warmStartOf(inst, w, start) : null;
  const model = buildMilp(inst, w, ws, formulation, opts.cuts ?? true);
  if (model.m.infeasible) return infeasibleResult(inst, formulation, UBc, (performance.now() - t0) / 1000);
  const run = await runMip(model.m, { timeLimitS: opts.timeLimitS ?? 10, mipRelGap: opts.mipRelGap ?? 1e-6 }, ws !== null);
  const { assignment, checkError, makespanCycles, lowerBoundCycles } = readBack(model, run, start, UBc);
  const status = run.status;
  return {
    status: status === HIGHS_OPTIMAL ? 'optimal' : status === HIGHS_TIME_LIMIT ? 'time-limit' : status === HIGHS_INFEASIBLE ? 'infeasible' : 'other',
    highsStatus: status, makespanCycles, lowerBoundCycles,
    mipGapPct: ((makespanCycles - lowerBoundCycles) / makespanCycles) * 100,
    assignment, verified: checkError === null, checkError, formulation, warmStarted: ws !== null, upperBoundCycles: UBc,
    ops: inst.n, poolOps: [model.poolOps[0].length, model.poolOps[1].length], binaries: model.m.nBin,
    columns: model.m.names.length, rows: model.m.rlo.length, buildS: (run.builtAt - t0) / 1000, solveS: run.solveS, probes: 0,
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
  const list = listSchedule(g, rec, opts.kernel, opts.schedulePasses ?? DEFAULT_SCHEDULE_PASSES);
  const inst = scheduleInstance(g, rec);
  const solved = await solveInstance(inst, opts.warmStart === false ? null : list.assignment, opts);
  // a schedule is at least as long as its longest op at its fastest: a bound when HiGHS proved none before its
  // time limit (a lower bound of 0 made gapBoundPct Infinity, null in `exact --json`)
  const longestOp = inst.dur.reduce((m, d) => Math.max(m, Math.min(...d)), 0);
  const exact = longestOp > solved.lowerBoundCycles
    ? { ...solved, lowerBoundCycles: longestOp, mipGapPct: ((solved.makespanCycles - longestOp) / solved.makespanCycles) * 100 }
    : solved;
  return {
    exact, list,
    gapPct: ((list.makespanCycles - exact.makespanCycles) / exact.makespanCycles) * 100,
    gapBoundPct: ((list.makespanCycles - exact.lowerBoundCycles) / exact.lowerBoundCycles) * 100,
  };
}
