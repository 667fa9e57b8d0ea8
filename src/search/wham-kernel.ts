/**
 * `wham` with its loop in the kernel (assembly/tighten.ts): the orchestrator draws start designs inside the
 * budget from the seeded generator (as wham.ts newClimb does), hands each worker one climb at a time, and merges
 * the climbs' top-k sets and traces **in seed order**, so a seed gives the same answer on any number of threads.
 *
 * Budget: a climb is dispatched with at most the evaluations left when it starts (an upper bound on what it
 * may use once the climbs before it are merged). A climb capped at c evaluations is the prefix of the uncapped
 * climb, so when a merged climb would overrun the budget it is run again with exactly the evaluations left;
 * the climbs after it are dropped. Workers: `ClimbDriver` (src/evaluation/climb-driver.ts: one kernel instance
 * with every workload's graph).
 */
import { areaMm2, tdpW } from '../arch/cost.js';
import { designFromChoice, rng, type DesignSpace } from '../arch/space.js';
import {
  CHOICE_PARAMS, H_BEST_GOODNESS, H_CONSIDERED, H_EVALUATIONS, H_INFEASIBLE, H_NLOG, H_NTOP, H_NTRACE, REC_CHOICE, REC_EVAL, REC_EVALUATED,
  RW_ENERGY_J, RW_FITS, RW_STRIDE, RW_TIME_S, RW_VALID, REC_HEAD,
} from '../engine/climb-layout.js';
import { budgetReason, emptyShare, workloadReason, type DesignResult, type WorkloadSpec } from '../evaluation/evaluator.js';
import { goodness, objectiveValue, withinBudget, type Constraints, type ModelMetrics, type Objective } from '../evaluation/objectives.js';
import { designKey, TopK, type SearchTracePoint } from './strategy.js';
import { randomStart } from './wham.js';
import type { ClimbOutcome, ClimbTask } from '../evaluation/climb-driver.js';

export interface ResultContext {
  space: DesignSpace;
  workloads: WorkloadSpec[];
  objective: Objective;
  limits: Constraints;
}

/**
 * A climb record as a DesignResult, with the numbers the BatchEvaluator gives: area and TDP from
 * src/arch/cost.ts, the objective and score from the kernel's step times and energies (critical-path shares are
 * not carried: zeros).
 */
export function recordResult(rec: Float64Array, o: number, c: ResultContext): DesignResult {
  const choice = Int32Array.from(rec.subarray(o + REC_CHOICE, o + REC_CHOICE + CHOICE_PARAMS));
  const design = designFromChoice(c.space, choice);
  const area = areaMm2(design);
  const tdp = tdpW(design);
  const evaluated = rec[o + REC_EVALUATED] === 1;
  let reason = evaluated ? '' : budgetReason(c.limits, area, tdp) || 'outside the area/TDP budget';
  const models: ModelMetrics[] = [];
  const values: number[] = [];
  if (evaluated) {
    c.workloads.forEach((wl, w) => {
      const q = o + REC_HEAD + CHOICE_PARAMS + w * RW_STRIDE;
      const stepTimeS = rec[q + RW_TIME_S];
      const m: ModelMetrics = { model: wl.name, stepTimeS, throughput: wl.batch / stepTimeS, energyPerSampleJ: rec[q + RW_ENERGY_J] / wl.batch, fits: rec[q + RW_FITS] === 1 };
      models.push(m);
      values.push(objectiveValue(c.objective, m, area, tdp));
      if (!reason) reason = workloadReason(wl, rec[q + RW_VALID] === 1, stepTimeS, design.offChipBytes);
    });
  }
  const feasible = evaluated && !reason;
  let score = 0;
  if (feasible) {
    let logSum = 0;
    for (const v of values) logSum += Math.log(goodness(c.objective, v));
    score = Math.exp(logSum / values.length);
  }
  return { design, areaMm2: area, tdpW: tdp, feasible, reason, models, values, score, criticalShare: emptyShare() };
}

/** What the search keeps (the same books as the ask/tell loop in run.ts). */
export interface SearchBooks {
  top: DesignResult[];
  bestGoodness: number[];
  trace: SearchTracePoint[];
  evaluations: number;
  considered: number;
  infeasible: number;
}

export interface ClimbSearchOptions extends ResultContext {
  seed: number;
  topK: number;
  budget: number;
  timeBudgetS?: number;
  /** climbs in flight at once (one per worker) */
  concurrency: number;
  runClimb(t: ClimbTask): Promise<ClimbOutcome>;
  elapsedS(): number;
  stop?: { stopped: boolean };
  onResults?: (r: DesignResult[]) => void;
  onProgress?: (evaluations: number, bestObjective: number | null) => void;
  /** random draws to find a start inside the budget (wham.ts seedTries) */
  seedTries?: number;
}

interface Slot {
  start: Int32Array;
  inBudget: boolean;
  cap: number;
  running: Promise<void> | null;
  outcome: ClimbOutcome | null;
  doneAtS: number;
}

/** Runs climbs on the workers until the budget, the time or a stop; merges them in seed order. */
export async function climbSearch(o: ClimbSearchOptions): Promise<SearchBooks> {
  const rand = rng(o.seed);
  const seedTries = o.seedTries ?? 2000;
  const single = o.workloads.length === 1;
  const budgetOk = (c: Int32Array) => withinBudget(designFromChoice(o.space, c), o.limits);
  const newStart = (): Int32Array => randomStart(o.space, rand, (d) => withinBudget(d, o.limits), seedTries);
  const top = new TopK(o.topK);
  const books: SearchBooks = { top: top.items, bestGoodness: o.workloads.map(() => 0), trace: [], evaluations: 0, considered: 0, infeasible: 0 };
  let bestScore = 0;
  let mergedClimbs = 0;
  const slots: Slot[] = [];
  let next = 0; // first slot not merged yet
  let inFlight = 0;
  let finished = false;
  const waiters = new Set<Promise<void>>();
  const timeUp = () => o.timeBudgetS !== undefined && o.elapsedS() >= o.timeBudgetS;
  const halted = () => !!o.stop?.stopped || timeUp() || books.considered >= 20 * o.budget;

  const launch = (s: Slot) => {
    inFlight++;
    const p = o.runClimb({ kind: 'climb', start: s.start, maxEvals: s.cap, topK: o.topK, log: !!o.onResults }).then((r) => {
      s.outcome = r;
      s.doneAtS = o.elapsedS();
      inFlight--;
      waiters.delete(p);
      s.running = null;
    });
    s.running = p;
    waiters.add(p);
  };

  const addSlot = () => {
    const start = newStart();
    const s: Slot = { start, inBudget: budgetOk(start), cap: o.budget - books.evaluations, running: null, outcome: null, doneAtS: 0 };
    slots.push(s);
    if (s.inBudget) launch(s);
  };

  const merge = (s: Slot) => {
    const ctx: ResultContext = o;
    if (!s.inBudget) {
      // outside the budget: considered, never evaluated (as the ask/tell loop counts it)
      books.considered++;
      books.infeasible++;
      if (o.onResults) {
        const d = designFromChoice(o.space, s.start);
        o.onResults([{ design: d, areaMm2: areaMm2(d), tdpW: tdpW(d), feasible: false, reason: budgetReason(o.limits, areaMm2(d), tdpW(d)), models: [], values: [], score: 0, criticalShare: emptyShare() }]);
      }
      return;
    }
    const r = s.outcome!;
    const stride = r.recordStride;
    const evals = r.header[H_EVALUATIONS];
    const before = books.evaluations;
    for (let i = 0; i < r.header[H_NTOP]; i++) {
      top.offer(recordResult(r.top, i * stride, ctx));
    }
    for (let i = 0; i < r.header[H_NTRACE]; i++) {
      const d = recordResult(r.trace, i * stride, ctx);
      if (!(d.score > bestScore)) continue;
      bestScore = d.score;
      const e = r.trace[i * stride + REC_EVAL];
      // the climb ran from doneAtS − durationS to doneAtS; place the point by its share of the climb's evaluations
      const t = Math.max(0, s.doneAtS - r.durationS * (1 - e / Math.max(1, evals)));
      const last = books.trace.at(-1);
      books.trace.push({ evaluations: before + e, elapsedS: last ? Math.max(last.elapsedS, t) : t, objective: single ? d.values[0] : d.score, design: d.design });
    }
    o.workloads.forEach((_, w) => (books.bestGoodness[w] = Math.max(books.bestGoodness[w], r.header[H_BEST_GOODNESS + w])));
    if (o.onResults && r.header[H_NLOG] > 0) {
      const rs: DesignResult[] = [];
      for (let i = 0; i < r.header[H_NLOG]; i++) rs.push(recordResult(r.log, i * stride, ctx));
      o.onResults(rs);
    }
    books.evaluations += evals;
    books.considered += r.header[H_CONSIDERED];
    books.infeasible += r.header[H_INFEASIBLE];
    mergedClimbs++;
  };

  /** Merges finished climbs in seed order; reruns (or drops) the climb that would overrun the budget. */
  const mergeReady = (draining: boolean) => {
    while (!finished && next < slots.length) {
      const s = slots[next];
      if (s.inBudget && !s.outcome) return;
      if (s.inBudget) {
        const allowed = o.budget - books.evaluations;
        const evals = s.outcome!.header[H_EVALUATIONS];
        if (evals > allowed) {
          if (allowed <= 0 || draining) {
            finished = true;
            return;
          }
          s.outcome = null;
          s.cap = allowed;
          launch(s);
          return;
        }
      }
      merge(s);
      next++;
      if (books.evaluations >= o.budget || books.considered >= 20 * o.budget) finished = true;
      o.onProgress?.(books.evaluations, books.top.length ? (single ? books.top[0].values[0] : books.top[0].score) : null);
    }
  };

  const averageClimb = () => (mergedClimbs > 0 ? books.evaluations / mergedClimbs : 32);
  /** evaluations the unmerged climbs are expected to use */
  const pending = () => {
    let n = 0;
    for (let i = next; i < slots.length; i++) {
      const s = slots[i];
      if (s.inBudget) n += s.outcome ? s.outcome.header[H_EVALUATIONS] : averageClimb();
    }
    return n;
  };

  while (!finished) {
    mergeReady(false);
    if (finished || halted()) break;
    while (inFlight < o.concurrency && (next === slots.length || books.evaluations + pending() < o.budget)) {
      addSlot();
      if (!slots[slots.length - 1].inBudget) break; // merge it before drawing more
    }
    if (waiters.size > 0) await Promise.race(waiters);
    // a climb on this thread completes synchronously: yield to the event loop once per round, so Ctrl-C and
    // SIGTERM (which set o.stop) are seen mid-search
    await new Promise<void>((res) => setImmediate(res));
  }
  // finish the climbs in flight (Ctrl-C, time): keep what finished, in seed order, inside the budget
  await Promise.all([...waiters]);
  mergeReady(true);
  return books;
}
