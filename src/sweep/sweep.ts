/**
 * `sweep`: evaluates designs × workloads and stores every row in a DuckDB store as it goes (store.ts), then
 * exports it to Parquet. The stages:
 *   workloads → manifest → store (new, or the same sweep's to resume) → designs: the shard's part of the plan
 *   (exhaustive, random; shard.ts) less what is stored, evaluated in batches on the pool exactly as
 *   `search --strategy exhaustive` evaluates them, each batch's rows committed while the next batch evaluates;
 *   or the adaptive strategies (wham, genetic, spotlight) run by runSearch, every design they evaluate stored
 *   → complete → summary and best (SQL over the store) → results.parquet.
 * Resuming an adaptive strategy replays it from its seed (its designs depend on the results before them), so its
 * evaluations run again; only rows not yet stored are written.
 */
import type { DesignSpace } from '../arch/space.js';
import { InputError, MAX_THREADS, requireBudget, requireLimit, requireNonNegativeInt, requirePositiveInt } from '../errors.js';
import type { Execution } from '../engine/layout.js';
import type { DesignResult, WorkloadSpec } from '../evaluation/evaluator.js';
import type { Constraints, Objective } from '../evaluation/objectives.js';
import { createEvaluator, defaultThreads, type Evaluator } from '../pool/pool.js';
import { capacityShortfall, runSearch, STRATEGIES, workloadSpec } from '../search/run.js';
import type { TrainingGraph } from '../workload/ir.js';
import { buildManifest, describeShards, manifestDifference, type SweepManifest } from './manifest.js';
import { packedRows, resultRows, type RowBatch, type SweptDesign } from './rows.js';
import { checkShard, isPlanned, parseShard, planLength, shardPlan, spaceRadix, WHOLE, type PlanOptions, type Shard } from './shard.js';
import { SweepStore, type StoreSummary } from './store.js';

export interface SweepOptions {
  /** the directory of the store (DIR/sweep.duckdb) and of DIR/results.parquet */
  out: string;
  graphs: TrainingGraph[];
  space: DesignSpace;
  /** exhaustive (default), random, wham, genetic or spotlight */
  strategy?: string;
  objective?: Objective;
  /** area (mm²) and TDP (W) budgets; designs over them are stored as rows with `evaluated` false */
  limits?: Partial<Constraints>;
  /** exhaustive and random: designs of the plan (default: the whole space, random 4000); others: evaluations (4000) */
  budget?: number;
  seed?: number;
  threads?: number;
  execution?: Execution;
  /** this process's part of the sweep: `{index, count}` or "I/N" (0-based I) */
  shard?: Shard | string;
  /** continue the sweep stored in `out` (an error if it holds another sweep; a new one when it holds none) */
  resume?: boolean;
  /**
   * designs per transaction (and per evaluation batch): at most what a kill loses. Default: batches of 1024 ×
   * threads designs (as search's), committed together once 16384 designs or 2 s of work are pending (a commit
   * costs a write-ahead-log flush; fewer, larger ones keep the sweep as fast as the search)
   */
  commitEvery?: number;
  /** set `stopped` to end after the batch in flight (it is stored; resume later) */
  stop?: { stopped: boolean };
  onProgress?: (p: SweepProgress) => void;
}

export interface SweepProgress {
  /** designs stored, this run and before */
  designs: number;
  /** of how many (this shard's plan; null when not known) */
  planned: number | null;
  /** designs this run stored */
  evaluatedNow: number;
  elapsedS: number;
}

export interface SweepResult extends StoreSummary {
  /** DIR/sweep.duckdb */
  store: string;
  /** DIR/results.parquet */
  parquet: string;
  /** every design of the sweep (or of the merged shards) is stored */
  complete: boolean;
  /** which shards the store holds: "all", "1/4", "0,1,2,3/4" */
  shards: string;
  strategy: string;
  space: string;
  objective: Objective;
  workloads: string[];
  /** designs this run stored (0 for a resumed sweep that had finished) */
  designsThisRun: number;
  /** designs that were already stored when this run started (resume) */
  resumedFrom: number;
  wallTimeS: number;
}

/** Default commit policy: once this many designs, or this many seconds of work, are pending. */
const COMMIT_DESIGNS = 16384;
const COMMIT_SECONDS = 2;

/** Opens the store of `dir` for this manifest: a new one, or (resume) the same sweep's. */
async function openStore(dir: string, manifest: SweepManifest, resume: boolean): Promise<{ store: SweepStore; complete: boolean }> {
  if (!SweepStore.exists(dir)) return { store: await SweepStore.create(dir, manifest), complete: false };
  if (!resume) throw new InputError(`--out ${dir} already holds a sweep (${SweepStore.path(dir)}): give --resume to continue it, or another --out`);
  const store = await SweepStore.open(dir);
  try {
    const stored = await store.readManifest();
    const diff = manifestDifference(stored.manifest, manifest);
    if (diff) throw new InputError(`--resume: ${dir} holds another sweep, so it cannot be resumed with these options (${diff.replace(/: (.*) vs (.*)$/, ': stored $1, given $2')})`);
    await store.requireFeasibleMetrics('--resume');
    return { store, complete: stored.complete };
  } catch (e) {
    store.close();
    throw e;
  }
}

/** What the two ways of running a sweep share. */
interface RunContext {
  o: SweepOptions;
  store: SweepStore;
  workloads: WorkloadSpec[];
  /** designs already stored (resume) */
  stored: Set<number>;
  /** designs per evaluation batch; designs, seconds between commits */
  batchSize: number;
  commitEvery: number;
  commitAfterS: number;
  stop: { stopped: boolean };
  elapsedS: () => number;
  /** a transaction committed `designs` more designs */
  committed: (designs: number, planned: number | null) => void;
}

/**
 * Exhaustive and random: the shard's designs not yet stored, in batches on the pool (packed records, as search's
 * batches come back); a batch's rows are built while the next batch evaluates. Returns whether the plan is done.
 */
async function runPlanned(c: RunContext, evaluator: Evaluator, plan: PlanOptions): Promise<boolean> {
  const { shard } = plan;
  const planned = Math.max(0, Math.ceil((planLength(plan) - shard.index) / shard.count));
  const batches = (function* () {
    for (const chunk of shardPlan(plan, c.batchSize)) {
      const todo = chunk.filter((p) => !c.stored.has(p.index));
      if (todo.length) yield todo;
    }
  })();
  let pending: RowBatch[] = [];
  let pendingDesigns = 0;
  let lastCommitS = c.elapsedS();
  let next = batches.next();
  let inFlight = next.done ? null : evaluator.evaluatePacked(next.value.map((p) => p.design));
  while (inFlight) {
    const cur = next.value!;
    const results = await inFlight;
    next = c.stop.stopped ? { done: true, value: undefined } : batches.next();
    inFlight = next.done ? null : evaluator.evaluatePacked(next.value.map((p) => p.design));
    pending.push(packedRows(cur, results, c.workloads));
    pendingDesigns += cur.length;
    // a turn of the event loop per batch: on one thread the evaluation is synchronous, and Ctrl-C or SIGTERM
    // would otherwise wait for the next commit
    await new Promise<void>((res) => setImmediate(res));
    if (pendingDesigns >= c.commitEvery || c.elapsedS() - lastCommitS >= c.commitAfterS || !inFlight) {
      await c.store.append(pending);
      c.committed(pendingDesigns, planned);
      pending = [];
      pendingDesigns = 0;
      lastCommitS = c.elapsedS();
    }
  }
  // stopped: done only if nothing of the plan was left
  return !c.stop.stopped || batches.next().done === true;
}

/**
 * wham, genetic, spotlight: the search runs as `search` runs it (from its seed; a resumed sweep replays it) and
 * every design it evaluates that is not stored yet becomes rows, written in order while the search goes on.
 * Returns whether the search ran to its end.
 */
async function runAdaptive(c: RunContext, strategy: string, objective: Objective, limits: Constraints, seed: number, threads: number, budget: number): Promise<boolean> {
  const index = spaceRadix(c.o.space);
  const seen = new Set(c.stored);
  let position = 0;
  let pending: SweptDesign[] = [];
  let writes: Promise<void> = Promise.resolve();
  let writeError: unknown = null;
  const flush = () => {
    const batch = pending;
    pending = [];
    writes = writes.then(async () => {
      if (writeError || batch.length === 0) return;
      try {
        await c.store.append(resultRows(batch, c.workloads));
        c.committed(batch.length, null);
      } catch (e) {
        writeError = e;
        c.stop.stopped = true;
      }
    });
  };
  const onResults = (rs: DesignResult[]) => {
    for (const r of rs) {
      const i = index(r.design);
      const p = position++;
      if (seen.has(i)) continue;
      seen.add(i);
      pending.push({ index: i, position: p, result: r });
    }
    if (pending.length >= c.batchSize) flush();
  };
  await runSearch({
    graphs: c.o.graphs, space: c.o.space, objective, limits, strategy, topK: 1, seed, threads, budget, execution: c.o.execution, schedulePasses: 0,
    stop: c.stop, onResults,
  });
  flush();
  await writes;
  if (writeError) throw writeError;
  return !c.stop.stopped;
}

/**
 * The numbers a library caller gives, checked as the CLI checks its flags, before the store is made: a commitEvery of
 * 0 or NaN looped forever, a budget of 1.5 or a seed of NaN ran (a NaN seed as some other seed), and a bad threads,
 * seed or budget of an adaptive strategy was refused only after the store was made (a retry then met "already holds a sweep").
 */
function checkSweepNumbers(o: SweepOptions): void {
  if (o.budget !== undefined) requireBudget('budget', o.budget, 'the whole space');
  if (o.seed !== undefined) requireNonNegativeInt('seed', o.seed, Number.MAX_SAFE_INTEGER);
  if (o.threads !== undefined) requirePositiveInt('threads', o.threads, MAX_THREADS);
  if (o.commitEvery !== undefined) requirePositiveInt('commitEvery', o.commitEvery, Number.MAX_SAFE_INTEGER);
  if (o.limits?.areaMm2 !== undefined) requireLimit('limits.areaMm2', o.limits.areaMm2);
  if (o.limits?.tdpW !== undefined) requireLimit('limits.tdpW', o.limits.tdpW);
}

export async function sweep(o: SweepOptions): Promise<SweepResult> {
  checkSweepNumbers(o);
  const t0 = performance.now();
  const elapsedS = () => (performance.now() - t0) / 1000;
  const strategy = o.strategy ?? 'exhaustive';
  if (!STRATEGIES[strategy]) throw new InputError(`--strategy must be one of ${Object.keys(STRATEGIES).join(', ')}, got "${strategy}"`);
  const shard = o.shard === undefined ? WHOLE : typeof o.shard === 'string' ? parseShard(o.shard) : checkShard(o.shard);
  if (shard.count > 1 && !isPlanned(strategy)) {
    throw new InputError(`--shard works with --strategy exhaustive or random (a plan fixed in advance); ${strategy} chooses each design from the results before it`);
  }
  if (o.graphs.length === 0) throw new InputError('give at least one workload');
  const workloads = o.graphs.map(workloadSpec);
  const names = workloads.map((w) => w.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new InputError(`--model: workload "${twice}" is given twice`);
  const shortfall = capacityShortfall(o.space, workloads);
  if (shortfall) throw new InputError(shortfall);
  const objective = o.objective ?? 'throughput';
  const limits: Constraints = { areaMm2: o.limits?.areaMm2 ?? Infinity, tdpW: o.limits?.tdpW ?? Infinity };
  const budget = o.budget ?? (strategy === 'exhaustive' ? Infinity : 4000);
  if (!(budget > 0)) throw new InputError(`--budget must be a positive integer, got ${budget}`);
  const seed = o.seed ?? 1;
  const execution = o.execution ?? 'concurrent';
  const threads = o.threads ?? defaultThreads();
  const manifest = buildManifest({
    space: o.space, workloads, strategy, seed, budget: Number.isFinite(budget) ? budget : planLength({ space: o.space, budget }), objective, limits, execution, shard,
  });

  // the pool's workers start (threads, WebAssembly) while DuckDB loads and the store opens
  const evaluator = isPlanned(strategy) ? createEvaluator({ workloads, objective, limits, threads, execution }) : null;
  let opened: { store: SweepStore; complete: boolean };
  try {
    opened = await openStore(o.out, manifest, o.resume ?? false);
  } catch (e) {
    await evaluator?.close();
    throw e;
  }
  const { store, complete: wasComplete } = opened;
  try {
    const stored = await store.storedDesigns();
    let storedCount = stored.size;
    let storedNow = 0;
    const c: RunContext = {
      o, store, workloads, stored, elapsedS, stop: o.stop ?? { stopped: false },
      batchSize: o.commitEvery ?? 1024 * threads, commitEvery: o.commitEvery ?? COMMIT_DESIGNS, commitAfterS: o.commitEvery ? 0 : COMMIT_SECONDS,
      committed: (designs, planned) => {
        storedCount += designs;
        storedNow += designs;
        o.onProgress?.({ designs: storedCount, planned, evaluatedNow: storedNow, elapsedS: elapsedS() });
      },
    };
    let complete = wasComplete;
    if (!complete) {
      complete = evaluator && isPlanned(strategy)
        ? await runPlanned(c, evaluator, { space: o.space, strategy, seed, limits, budget, shard })
        : await runAdaptive(c, strategy, objective, limits, seed, threads, budget);
      if (complete) await store.setComplete(true);
    }
    const summary = await store.summary(objective, names);
    const parquet = await store.exportParquet(manifest);
    return {
      ...summary, store: SweepStore.path(o.out), parquet, complete, shards: describeShards(manifest), strategy, space: o.space.name, objective,
      workloads: names, designsThisRun: storedNow, resumedFrom: stored.size, wallTimeS: elapsedS(),
    };
  } finally {
    await evaluator?.close();
    store.close();
  }
}
