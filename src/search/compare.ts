/**
 * Head-to-head comparison of strategies on one cost model and one budget, as stages:
 * for each model → the best known value (the exhaustive optimum when the space is small enough, else the best
 * any run found) → each strategy × repeat (seed = seed + repeat) → per strategy: median and spread of the best
 * objective, evaluations and seconds to reach 95% and 99% of the best known value → a convergence SVG.
 * A strategy run inference-only ranks designs by the forward pass; its trace is re-scored on the training step
 * (the training objective of the design it held as best at each point), so that its plot, its 95%/99% figures and
 * its best are all on the scale of the best known value.
 * Every run ranks designs by the list schedule alone (schedulePasses 0, as the climbs and batches do): the traces
 * and the best known value are then on one scale (the final re-scheduling of runSearch would lift the bests only).
 */
import type { Design } from '../arch/design.js';
import { spaceSize, type DesignSpace } from '../arch/space.js';
import { ParetoKeeper } from './pareto.js';
import type { TracePoint } from './strategy.js';
import type { TrainingGraph } from '../workload/ir.js';
import type { DesignResult } from '../evaluation/evaluator.js';
import { goodness, MINIMISED, OBJECTIVE_UNITS, type Constraints, type Objective } from '../evaluation/objectives.js';
import { describe, InputError, MAX_REPEATS, MAX_THREADS, requireLimit, requirePositiveInt } from '../errors.js';
import { checkSearchNumbers, runSearch, type SearchResult } from './run.js';
import { trainingTrace } from './training-trace.js';

export interface CompareOptions {
  models: TrainingGraph[];
  strategies: string[];
  space: DesignSpace;
  objective: Objective;
  limits: Constraints;
  budget: number;
  timeBudgetS?: number;
  repeats: number;
  seed: number;
  threads?: number;
  /** spaces up to this size get an exhaustive ground truth (default 200,000) */
  exhaustiveLimit?: number;
  inferenceOnlyStrategies?: string[];
  onRun?: (model: string, strategy: string, repeat: number) => void;
}

/**
 * One strategy over its repeats. Every field is a number: the best-objective fields are 0 when no repeat found
 * a feasible design (`feasibleRuns` 0), the evaluations/seconds to 95% and 99% are -1 when fewer than half the
 * repeats got there.
 */
export interface StrategySummary {
  strategy: string;
  runs: number;
  /** repeats that found a feasible design */
  feasibleRuns: number;
  bestMedian: number;
  bestMin: number;
  bestMax: number;
  /** medians over repeats; -1 when fewer than half the repeats got there */
  evaluationsTo95: number;
  evaluationsTo99: number;
  secondsTo95: number;
  secondsTo99: number;
  reached99: number;
  wallTimeSMedian: number;
}

/** A design one strategy found, with its training-step metrics (list schedule, as the runs rank). */
export interface ComparedDesign {
  strategy: string;
  design: Design;
  areaMm2: number;
  tdpW: number;
  /** samples/s of the training step */
  throughput: number;
  /** the objective's natural value */
  objective: number;
}

export interface ModelComparison {
  model: string;
  /** how the workload was built (the report rebuilds it to schedule the best design) */
  workload: { model: string; batch: number; seq?: number };
  objective: Objective;
  /** the unit of the objective's natural value */
  objectiveUnit: string;
  bestKnown: number;
  bestKnownSource: 'exhaustive' | 'best run';
  /** 0 when the space was too large for an exhaustive ground truth */
  exhaustiveEvaluations: number;
  strategies: StrategySummary[];
  /** the best design found (the exhaustive optimum, else the best run's); absent when nothing was feasible */
  best?: ComparedDesign;
  /**
   * every run's best objective against evaluations and seconds, on the training step; an inference-only run's
   * points are the training objective of the design it held as best (it ranked by the forward pass), labelled
   * `<strategy> (inference-only)`
   */
  traces: TracePoint[];
  /**
   * the designs on each strategy's throughput-vs-area or throughput-vs-TDP front (over its repeats; the
   * exhaustive search's too); inference-only strategies' designs are not kept (their metrics are the forward pass's)
   */
  pareto: ComparedDesign[];
}

/** How a strategy appears in plots and traces. */
export const strategyLabel = (strategy: string, inferenceOnly: boolean): string => (inferenceOnly ? `${strategy} (inference-only)` : strategy);

const compared = (strategy: string, r: DesignResult | { design: Design; areaMm2: number; tdpW: number }, throughput: number, objective: number): ComparedDesign =>
  ({ strategy, design: r.design, areaMm2: r.areaMm2, tdpW: r.tdpW, throughput, objective });

/** The median, or `none` for an empty list. */
const median = (xs: number[], none: number): number => {
  if (xs.length === 0) return none;
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** First trace point whose goodness reaches `fraction` of the best known goodness. */
function firstReach(r: SearchResult, o: Objective, target: number): { evaluations: number; seconds: number } | null {
  for (const t of r.trace) if (goodness(o, t.objective) >= target) return { evaluations: t.evaluations, seconds: t.elapsedS };
  return null;
}

/**
 * The numbers a library caller gives, checked as the CLI checks its flags, before any run: repeats of 0, -1 or NaN
 * returned empty summaries, 1.5 ran 2 runs and Infinity never ended; a bad budget, seed or time was refused only
 * after the exhaustive ground truth had run.
 */
function checkCompareNumbers(o: CompareOptions): void {
  requirePositiveInt('repeats', o.repeats, MAX_REPEATS);
  // the runs' seeds are seed .. seed + repeats - 1
  checkSearchNumbers({ topK: 1, seed: o.seed, budget: o.budget, timeBudgetS: o.timeBudgetS });
  if (o.repeats - 1 > Number.MAX_SAFE_INTEGER - o.seed) {
    throw new InputError(`seed + repeats - 1 (the last run's seed) must be no larger than ${Number.MAX_SAFE_INTEGER}, got seed ${o.seed} and repeats ${o.repeats}`);
  }
  if (o.threads !== undefined) requirePositiveInt('threads', o.threads, MAX_THREADS);
  requireLimit('limits.areaMm2', o.limits?.areaMm2);
  requireLimit('limits.tdpW', o.limits?.tdpW);
  if (o.exhaustiveLimit !== undefined && !(o.exhaustiveLimit === Infinity || (Number.isSafeInteger(o.exhaustiveLimit) && o.exhaustiveLimit >= 0))) {
    throw new InputError(`exhaustiveLimit must be a non-negative integer or Infinity (designs), got ${describe(o.exhaustiveLimit)}`);
  }
}

export async function compareStrategies(o: CompareOptions): Promise<ModelComparison[]> {
  checkCompareNumbers(o);
  const out: ModelComparison[] = [];
  for (const g of o.models) {
    let bestKnownG = 0;
    let source: ModelComparison['bestKnownSource'] = 'best run';
    let exEvals = 0;
    // each strategy's front (throughput vs area, vs TDP) over its repeats, from every design it evaluated
    const fronts = new Map<string, ParetoKeeper<ComparedDesign>>();
    const keep = (label: string) => {
      const k = new ParetoKeeper<ComparedDesign>();
      fronts.set(label, k);
      return (rs: DesignResult[]) => { for (const r of rs) if (r.feasible) k.add(compared(label, r, r.models[0].throughput, r.values[0])); };
    };
    let best: ComparedDesign | undefined;
    const consider = (label: string, r: SearchResult) => {
      if (r.best && (!best || goodness(o.objective, r.best.objective) > goodness(o.objective, best.objective))) {
        best = compared(label, r.best, r.best.perModel[0].throughput, r.best.objective);
      }
    };
    if (spaceSize(o.space) <= (o.exhaustiveLimit ?? 200_000)) {
      const ex = await runSearch({
        graphs: [g], space: o.space, objective: o.objective, limits: o.limits, strategy: 'exhaustive', topK: 1, seed: o.seed, threads: o.threads, budget: Infinity,
        schedulePasses: 0, onResults: keep('exhaustive'),
      });
      if (ex.best) bestKnownG = goodness(o.objective, ex.best.objective);
      consider('exhaustive', ex);
      source = 'exhaustive';
      exEvals = ex.evaluations;
    }
    const isInferenceOnly = (s: string) => o.inferenceOnlyStrategies?.includes(s) ?? false;
    const runs = new Map<string, SearchResult[]>();
    for (const s of o.strategies) {
      const list: SearchResult[] = [];
      const onResults = isInferenceOnly(s) ? undefined : keep(s);
      for (let r = 0; r < o.repeats; r++) {
        o.onRun?.(g.name, s, r);
        const run = await runSearch({
          graphs: [g], space: o.space, objective: o.objective, limits: o.limits, strategy: s, topK: 1, seed: o.seed + r, threads: o.threads,
          budget: o.budget, timeBudgetS: o.timeBudgetS, inferenceOnly: isInferenceOnly(s), schedulePasses: 0, onResults,
        });
        // an inference-only run ranked by the forward pass: its trace is scored on the training step here, so
        // that it is comparable with the training optimum (its best is already the training step's)
        list.push(isInferenceOnly(s) ? { ...run, trace: trainingTrace(run.trace, g, o.objective, o.limits) } : run);
        if (source !== 'exhaustive') consider(strategyLabel(s, isInferenceOnly(s)), run);
      }
      runs.set(s, list);
    }
    if (source !== 'exhaustive') for (const list of runs.values()) for (const r of list) if (r.best) bestKnownG = Math.max(bestKnownG, goodness(o.objective, r.best.objective));
    const natural = (gv: number) => (MINIMISED.has(o.objective) ? 1 / gv : gv);
    const points: TracePoint[] = [];
    const strategies: StrategySummary[] = o.strategies.map((s) => {
      const list = runs.get(s)!;
      const bests = list.filter((r) => r.best).map((r) => r.best!.objective);
      const reach = (f: number) => list.map((r) => firstReach(r, o.objective, f * bestKnownG));
      const r95 = reach(0.95), r99 = reach(0.99);
      const med = (xs: ({ evaluations: number; seconds: number } | null)[], k: 'evaluations' | 'seconds') => {
        const got = xs.filter((x) => x !== null).map((x) => x![k]);
        return got.length * 2 >= list.length ? median(got, -1) : -1;
      };
      const label = strategyLabel(s, isInferenceOnly(s));
      list.forEach((r, i) => {
        for (const t of r.trace) points.push({ strategy: label, repeat: i, evaluations: t.evaluations, seconds: t.elapsedS, objective: t.objective });
        if (r.trace.length) points.push({ strategy: label, repeat: i, evaluations: r.evaluations, seconds: r.wallTimeS, objective: r.trace[r.trace.length - 1].objective });
      });
      return {
        strategy: s, runs: list.length, feasibleRuns: bests.length,
        bestMedian: median(bests, 0), bestMin: bests.length ? Math.min(...bests) : 0, bestMax: bests.length ? Math.max(...bests) : 0,
        evaluationsTo95: med(r95, 'evaluations'), evaluationsTo99: med(r99, 'evaluations'),
        secondsTo95: med(r95, 'seconds'), secondsTo99: med(r99, 'seconds'),
        reached99: r99.filter((x) => x !== null).length,
        wallTimeSMedian: median(list.map((r) => r.wallTimeS), 0),
      };
    });
    out.push({
      model: g.name, workload: { model: g.name, batch: g.batch, ...(g.seq !== undefined ? { seq: g.seq } : {}) },
      objective: o.objective, objectiveUnit: OBJECTIVE_UNITS[o.objective],
      bestKnown: bestKnownG > 0 ? natural(bestKnownG) : 0, bestKnownSource: source, exhaustiveEvaluations: exEvals, strategies,
      ...(best ? { best } : {}), traces: points, pareto: [...fronts.values()].flatMap((k) => k.front()),
    });
  }
  return out;
}
