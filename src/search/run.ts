/**
 * The search, as the list of stages it runs:
 *   workloads → training graphs → flat graphs → evaluator (thread or pool) → strategy asks / pool evaluates /
 *   strategy learns, until the budget or the strategy ends or the caller stops it → top-k → top-k re-scheduled
 *   with the serial improvement passes and re-ranked → full metrics of the best.
 * The climbs and batches rank designs by the list schedule alone (assembly/schedule.ts, ~0.1 ms a BERT-large
 * step); the final top-k get the improvement passes (assembly/serial.ts, ~3-6 ms for 12 passes on the same step),
 * so what `search` reports for a design is what `evaluate` prints for it.
 */
import type { Design } from '../arch/design.js';
import { spaceSize, type DesignSpace } from '../arch/space.js';
import { flattenOps } from '../engine/flatten.js';
import { defaultKernel } from '../engine/kernel.js';
import { DEFAULT_SCHEDULE_PASSES, evaluateDesign, prepareWorkload, type Evaluation, type Execution } from '../evaluate.js';
import { createEvaluator, type Evaluator } from '../pool/pool.js';
import type { TrainingGraph } from '../workload/ir.js';
import { InputError, MAX_TOP_K, requireBudget, requireNonNegativeInt, requirePositiveInt } from '../errors.js';
import { memoryFootprint } from '../workload/memory.js';
import { BatchEvaluator, type DesignResult, type WorkloadSpec } from '../evaluation/evaluator.js';
import { exhaustive } from './exhaustive.js';
import { geomean, goodness, OBJECTIVE_UNITS, withinBudget, type Constraints, type Objective } from '../evaluation/objectives.js';
import { byRank, designKey, TopK, type SearchTracePoint, type Strategy, type StrategyContext } from './strategy.js';

export type { SearchTracePoint };
import { genetic } from './genetic.js';
import { randomSearch } from './random.js';
import { spotlight } from './spotlight.js';
import { wham } from './wham.js';
import { climbSearch, type SearchBooks } from './wham-kernel.js';

/**
 * The strategies by name. runSearch runs `wham` as climbs inside the kernel (wham-kernel.ts); its ask/tell
 * form (wham.ts) stays here for callers that drive a Strategy themselves.
 */
export const STRATEGIES: Record<string, (ctx: StrategyContext) => Strategy> = { wham, exhaustive, random: randomSearch, genetic, spotlight };

/** The forward pass alone (for --inference-only searches): forward ops, dependencies among them. */
export function forwardOnly(g: TrainingGraph): TrainingGraph {
  const ops = g.ops.filter((op) => op.phase === 'fwd');
  const ids = new Set(ops.map((op) => op.id));
  return { ...g, name: `${g.name} (forward)`, ops: ops.map((op) => ({ ...op, deps: op.deps.filter((d) => ids.has(d)) })) };
}

export interface SearchOptions {
  graphs: TrainingGraph[];
  space: DesignSpace;
  objective: Objective;
  limits: Constraints;
  strategy: string;
  topK: number;
  seed: number;
  threads?: number;
  /** stop after this many kernel evaluations (Infinity: until the strategy ends) */
  budget: number;
  /** stop after this many seconds */
  timeBudgetS?: number;
  /**
   * Optimise the forward pass alone (how WHAM compared against Spotlight, an inference tool) and report the
   * training metrics of what it found: the top-k are re-evaluated on the whole training step.
   */
  /** step schedules: concurrent (default) or single-stream (one op at a time on all cores) */
  execution?: Execution;
  /** serial improvement passes for the final top-k and the best's metrics (default DEFAULT_SCHEDULE_PASSES) */
  schedulePasses?: number;
  inferenceOnly?: boolean;
  /** designs per ask */
  batchSize?: number;
  onProgress?: (p: SearchProgress) => void;
  /** every evaluated design (for --out JSONL) */
  onResults?: (r: DesignResult[]) => void;
  /** set `stopped` to end the search after the batch in flight */
  stop?: { stopped: boolean };
}

export interface SearchProgress {
  evaluations: number;
  elapsedS: number;
  bestObjective: number | null;
  /** fraction of the budget (or of the space for exhaustive) done, when known */
  fraction: number | null;
}

export interface RankedDesign {
  design: Design;
  /** the objective: its natural value for one workload; for several, the geometric mean of each workload's goodness over its best seen */
  objective: number;
  score: number;
  areaMm2: number;
  tdpW: number;
  perModel: { model: string; stepTimeS: number; throughput: number; energyPerSampleJ: number; value: number }[];
}

export interface SearchResult {
  strategy: string;
  space: string;
  objective: Objective;
  objectiveUnit: string;
  models: string[];
  limits: { areaMm2: number | null; tdpW: number | null };
  seed: number;
  /** serial improvement passes the top-k and the best's metrics were scheduled with */
  schedulePasses: number;
  best: (RankedDesign & { metrics: Evaluation[] }) | null;
  topK: RankedDesign[];
  evaluations: number;
  designsConsidered: number;
  infeasible: number;
  wallTimeS: number;
  stopped: boolean;
  /** each improvement of the best: when (evaluations, seconds), its objective (as `best.objective` is scaled) and its design */
  trace: SearchTracePoint[];
}

export function workloadSpec(g: TrainingGraph): WorkloadSpec {
  return { name: g.name, batch: g.batch, seq: g.seq, flat: flattenOps(g.ops), memoryPeakBytes: memoryFootprint(g).peak };
}

/** The ask/tell loop: the strategy proposes batches, the pool evaluates them, the books keep top-k and trace. */
async function askTell(o: SearchOptions, strategy: Strategy, evaluator: Evaluator, nWorkloads: number, elapsed: () => number): Promise<SearchBooks> {
  const batchSize = o.batchSize ?? (o.strategy === 'exhaustive' ? 1024 * evaluator.threads : 512);
  const top = new TopK(o.topK);
  const bestGoodness = Array.from({ length: nWorkloads }, () => 0);
  const trace: SearchResult['trace'] = [];
  let evaluations = 0, considered = 0, infeasible = 0;
  let bestScore = 0;
  const single = nWorkloads === 1;
  const spaceTotal = o.strategy === 'exhaustive' ? spaceSizeOf(o.space) : null;
  // designs over the area/TDP budget cost no kernel evaluation; stop anyway once 20 x the budget were considered
  const timeUp = () => o.timeBudgetS !== undefined && elapsed() >= o.timeBudgetS;
  while (evaluations < o.budget && considered < 20 * o.budget && !o.stop?.stopped && !timeUp()) {
    const designs = strategy.ask(Math.max(1, Math.min(batchSize, o.budget - evaluations)));
    if (designs.length === 0) break;
    const results = await evaluator.evaluate(designs);
    // one turn of the event loop per batch: on one thread the evaluation is synchronous, and without it a
    // Ctrl-C or SIGTERM would wait for the whole search (and --out's evaluations for their stream)
    await new Promise<void>((res) => setImmediate(res));
    strategy.tell(results);
    o.onResults?.(results);
    considered += results.length;
    for (const r of results) {
      if (r.models.length > 0) evaluations++;
      if (!r.feasible) {
        infeasible++;
        continue;
      }
      r.values.forEach((v, i) => (bestGoodness[i] = Math.max(bestGoodness[i], goodness(o.objective, v))));
      top.offer(r);
      if (r.score > bestScore) {
        bestScore = r.score;
        trace.push({ evaluations, elapsedS: elapsed(), objective: single ? r.values[0] : r.score, design: r.design });
      }
    }
    o.onProgress?.({
      evaluations, elapsedS: elapsed(), bestObjective: top.items.length ? (single ? top.items[0].values[0] : top.items[0].score) : null,
      fraction: spaceTotal ? considered / spaceTotal : Number.isFinite(o.budget) ? evaluations / o.budget : o.timeBudgetS ? elapsed() / o.timeBudgetS : null,
    });
  }
  return { top: top.items, bestGoodness, trace, evaluations, considered, infeasible };
}

/**
 * Why no design of the space can hold a workload's training state ('' when the space's largest off-chip memory
 * holds every workload): checked before a search starts, so it fails at once with the numbers.
 */
export function capacityShortfall(space: DesignSpace, workloads: readonly WorkloadSpec[]): string {
  const largest = Math.max(...(space.values.offChipBytes as number[]));
  // GiB to two decimals; below 0.01 GiB that said "needs 0.00 GiB but ... is 0.00 GiB", so bytes, KiB or MiB
  const gib = (b: number) => {
    if (b >= 0.01 * 2 ** 30) return `${(b / 2 ** 30).toFixed(2)} GiB`;
    const [d, unit] = b >= 2 ** 20 ? [2 ** 20, 'MiB'] : b >= 2 ** 10 ? [2 ** 10, 'KiB'] : [1, 'bytes'];
    return `${d === 1 ? b : (b / d).toFixed(2)} ${unit}`;
  };
  for (const w of workloads) {
    if (w.memoryPeakBytes > largest) {
      return `the training state of ${w.name} needs ${gib(w.memoryPeakBytes)} but the largest off-chip memory of space '${space.name}' is ` +
        `${gib(largest)}: give a space with more offChipBytes, a smaller --batch, or --recompute`;
    }
  }
  return '';
}

/** The numbers of a search's options that the CLI checks as flags, checked for library callers too. */
export function checkSearchNumbers(o: Pick<SearchOptions, 'topK' | 'seed' | 'budget' | 'timeBudgetS'>): void {
  requirePositiveInt('topK', o.topK, MAX_TOP_K);
  requireNonNegativeInt('seed', o.seed, Number.MAX_SAFE_INTEGER);
  requireBudget('budget', o.budget, 'until the strategy ends');
  if (o.timeBudgetS !== undefined && !(Number.isFinite(o.timeBudgetS) && o.timeBudgetS > 0)) {
    throw new InputError(`timeBudgetS must be a positive number of seconds, got ${o.timeBudgetS}`);
  }
}

export async function runSearch(options: SearchOptions): Promise<SearchResult> {
  checkSearchNumbers(options);
  // a budget above the space's size is cut to it: a strategy that revisits designs still ends
  const o: SearchOptions = { ...options, budget: Math.min(options.budget, spaceSize(options.space)) };
  const t0 = performance.now();
  const elapsed = () => (performance.now() - t0) / 1000;
  const workloads = o.graphs.map((g) => workloadSpec(o.inferenceOnly ? forwardOnly(g) : g));
  const shortfall = capacityShortfall(o.space, workloads);
  if (shortfall) throw new InputError(shortfall);
  const factory = STRATEGIES[o.strategy];
  if (!factory) throw new Error(`unknown strategy ${o.strategy}`);
  // `wham` runs its climbs inside the kernel (wham-kernel.ts); the others ask and tell
  const inKernel = o.strategy === 'wham';
  const evaluator = createEvaluator({ workloads, objective: o.objective, limits: o.limits, threads: o.threads, space: inKernel ? o.space : undefined, execution: o.execution });
  const single = workloads.length === 1;
  let books: SearchBooks;
  try {
    if (inKernel) {
      books = await climbSearch({
        space: o.space, workloads, objective: o.objective, limits: o.limits, seed: o.seed, topK: o.topK, budget: o.budget,
        timeBudgetS: o.timeBudgetS, concurrency: evaluator.threads > 1 ? 2 * evaluator.threads : 1, runClimb: (t) => evaluator.climb(t), elapsedS: elapsed, stop: o.stop,
        onResults: o.onResults,
        onProgress: o.onProgress
          ? (evaluations, bestObjective) => o.onProgress!({
              evaluations, elapsedS: elapsed(), bestObjective,
              fraction: Number.isFinite(o.budget) ? evaluations / o.budget : o.timeBudgetS ? elapsed() / o.timeBudgetS : null,
            })
          : undefined,
      });
    } else {
      const budgetOk = (d: Design) => withinBudget(d, o.limits);
      books = await askTell(o, factory({ space: o.space, seed: o.seed, limits: o.limits, budgetOk }), evaluator, workloads.length, elapsed);
    }
  } finally {
    await evaluator.close();
  }
  const { top, bestGoodness, trace, evaluations, considered, infeasible } = books;
  const rank = (r: DesignResult): RankedDesign => ({
    design: r.design,
    objective: single ? r.values[0] : geomean(r.values.map((v, i) => goodness(o.objective, v) / bestGoodness[i])),
    score: r.score,
    areaMm2: r.areaMm2,
    tdpW: r.tdpW,
    perModel: r.models.map((m, i) => ({ model: m.model, stepTimeS: m.stepTimeS, throughput: m.throughput, energyPerSampleJ: m.energyPerSampleJ, value: r.values[i] })),
  });
  const schedulePasses = o.schedulePasses ?? DEFAULT_SCHEDULE_PASSES;
  let ranked = top;
  if ((o.inferenceOnly || schedulePasses > 0) && top.length > 0) {
    // the top-k on the training step (inference-only searches saw the forward pass alone), re-scheduled with the
    // improvement passes
    const final = new BatchEvaluator(o.inferenceOnly ? o.graphs.map(workloadSpec) : workloads, o.objective, o.limits, defaultKernel(), o.execution, schedulePasses);
    ranked = final.evaluate(top.map((r) => r.design)).filter((r) => r.feasible);
    const seen = ranked.length ? o.graphs.map((_, i) => Math.max(...ranked.map((r) => goodness(o.objective, r.values[i])))) : [];
    // inference-only: ranked by what the search saw (the forward pass), normalised by the training step's best;
    // otherwise re-ranked by the improved schedules, normalised by the best seen either way
    seen.forEach((b, i) => (bestGoodness[i] = o.inferenceOnly ? b : Math.max(bestGoodness[i], b)));
    if (!o.inferenceOnly) ranked.sort(byRank);
  }
  const topK = ranked.map(rank);
  const evalOpts = { execution: o.execution, schedulePasses };
  const best = topK.length
    ? { ...topK[0], metrics: o.graphs.map((g) => { const e = evaluateDesign(topK[0].design, prepareWorkload(g), undefined, evalOpts); return { ...e, ops: e.ops.filter((x) => x.critical) }; }) }
    : null;
  return {
    strategy: o.strategy, space: o.space.name, objective: o.objective, objectiveUnit: single ? OBJECTIVE_UNITS[o.objective] : 'normalised geometric mean',
    models: workloads.map((w) => w.name),
    limits: { areaMm2: Number.isFinite(o.limits.areaMm2) ? o.limits.areaMm2 : null, tdpW: Number.isFinite(o.limits.tdpW) ? o.limits.tdpW : null },
    seed: o.seed, schedulePasses, best, topK, evaluations, designsConsidered: considered, infeasible, wallTimeS: elapsed(), stopped: !!o.stop?.stopped, trace,
  };
}

import { spaceSize as spaceSizeOf } from '../arch/space.js';
