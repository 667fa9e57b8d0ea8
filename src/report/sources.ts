/**
 * What a report is made of, read from one of three kinds of directories:
 *   search  (`search --out DIR`):  result.json (+ evaluations.jsonl, every design considered)
 *   compare (`compare --out DIR`): compare.json (per model: runs' traces, each strategy's Pareto designs, the best)
 *   sweep   (`sweep --out DIR`):   results.parquet, through the adapter in sweep-source.ts
 * Every kind becomes one ReportSource: the designs to plot per workload, the convergence series, the best designs.
 */
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Design } from '../arch/design.js';
import { validateDesign } from '../arch/validate.js';
import { DEFAULT_SCHEDULE_PASSES, EXECUTIONS, MAX_SCHEDULE_PASSES, type Execution } from '../evaluate.js';
import { describe, InputError } from '../errors.js';
import { jsonErrorMessage } from '../json-file.js';
import { MINIMISED, OBJECTIVE_UNITS, OBJECTIVES, type Objective } from '../evaluation/objectives.js';
import type { SearchResult } from '../search/run.js';
import type { SearchTracePoint } from '../search/strategy.js';
import { trainingTrace } from '../search/training-trace.js';
import { ParetoKeeper, type ParetoCandidate } from '../search/pareto.js';
import type { TracePoint } from '../search/strategy.js';
import { workloadGraph, zooWorkload, type WorkloadRef } from './workloads.js';

/** One design on one workload, as a Pareto chart plots it. */
export interface DesignPoint extends ParetoCandidate {
  strategy: string;
  design: Design;
}

/** The designs of one workload: those on a front (area or TDP) and a thinned sample of the rest, for context. */
export interface WorkloadDesigns {
  workload: string;
  front: DesignPoint[];
  others: DesignPoint[];
  /** designs read (feasible ones) */
  total: number;
}

/** The best objective against evaluations and seconds for each run of each strategy on one workload. */
export interface ConvergenceSeries {
  model: string;
  objective: string;
  objectiveUnit: string;
  minimised: boolean;
  /** the natural value the 95% and 99% marks are fractions of (0: none known) */
  bestKnown: number;
  bestKnownSource: string;
  points: TracePoint[];
}

/** A design to re-evaluate on one workload (the Gantt chart, roofline and breakdowns). */
export interface BestDesignRef {
  strategy: string;
  design: Design;
  workload: WorkloadRef;
  execution: Execution;
  schedulePasses: number;
  launchOverheadS: number;
  /** why this design (the objective it is best by) */
  why: string;
}

export type SourceKind = 'search' | 'compare' | 'sweep';

export interface ReportSource {
  kind: SourceKind;
  dir: string;
  /** lines describing the run */
  summary: string[];
  /** strategy labels, in the order the colour scale takes them */
  strategies: string[];
  designs: WorkloadDesigns[];
  convergence: ConvergenceSeries[];
  best: BestDesignRef[];
  /** what the report could not show, and why */
  notes: string[];
}

/** The files that say which kind a directory is. */
export const SOURCE_FILES: Record<SourceKind, string> = { search: 'result.json', compare: 'compare.json', sweep: 'results.parquet' };

/** Which kind of directory `dir` is; a one-line InputError when it is none. */
export function sourceKind(dir: string): SourceKind {
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new InputError(`report: no such directory: ${dir}`);
  }
  if (!isDir) throw new InputError(`report: ${dir} is not a directory (give the directory a search, compare or sweep --out wrote)`);
  const kinds = (Object.keys(SOURCE_FILES) as SourceKind[]).filter((k) => existsSync(join(dir, SOURCE_FILES[k])));
  if (kinds.length === 0) {
    throw new InputError(`report: ${dir} is not a search, compare or sweep directory: it has none of ${Object.values(SOURCE_FILES).join(', ')}`);
  }
  if (kinds.length > 1) throw new InputError(`report: ${dir} holds ${kinds.map((k) => SOURCE_FILES[k]).join(' and ')}: give a directory of one run`);
  return kinds[0];
}

export function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new InputError(`report: cannot read ${file}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`report: ${file} is not valid JSON (${jsonErrorMessage(e)})`);
  }
}

/**
 * Collects the designs of one workload: every one goes through the front keeper; a systematic sample of at most
 * `cap` (every k-th, k doubling as the stream grows) is kept for context.
 */
export class DesignCollector {
  private readonly keeper = new ParetoKeeper<DesignPoint>();
  private sample: DesignPoint[] = [];
  private stride = 1;
  private seen = 0;

  constructor(readonly workload: string, private readonly cap = 1500) {}

  add(p: DesignPoint): void {
    this.keeper.add(p);
    if (this.seen++ % this.stride === 0) this.sample.push(p);
    if (this.sample.length > this.cap) {
      this.sample = this.sample.filter((_, i) => i % 2 === 0);
      this.stride *= 2;
    }
  }

  result(): WorkloadDesigns {
    const front = this.keeper.front();
    const onFront = new Set(front);
    return { workload: this.workload, front, others: this.sample.filter((p) => !onFront.has(p)), total: this.seen };
  }
}

/** The natural value the marks refer to: the best of the points (by goodness). */
function bestOf(points: readonly TracePoint[], minimised: boolean): number {
  if (points.length === 0) return 0;
  const vs = points.map((p) => p.objective).filter((v) => Number.isFinite(v) && v > 0);
  return vs.length === 0 ? 0 : minimised ? Math.min(...vs) : Math.max(...vs);
}

// ---------------------------------------------------------------- fields of the files read back

/**
 * Checks of the fields a report reads from a result file (search's result.json, compare's compare.json, the rows
 * of evaluations.jsonl): a hand-edited field of the wrong kind (a null design, a string objective) was an
 * internal error ("n.toFixed is not a function"); now one line naming the file and the field.
 */
class FieldCheck {
  constructor(private readonly file: string) {}
  fail(field: string, what: string, v: unknown): never {
    throw new InputError(`report: ${this.file}: ${field} must be ${what}, got ${describe(v)}`);
  }
  obj(field: string, v: unknown): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(field, 'an object', v);
    return v as Record<string, unknown>;
  }
  list(field: string, v: unknown): unknown[] {
    if (!Array.isArray(v)) this.fail(field, 'a list', v);
    return v as unknown[];
  }
  str(field: string, v: unknown): void {
    if (typeof v !== 'string') this.fail(field, 'a string', v);
  }
  num(field: string, v: unknown): void {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(field, 'a number', v);
  }
  numOrNull(field: string, v: unknown): void {
    if (v !== null) this.num(field, v);
  }
  objective(field: string, v: unknown): void {
    if (!OBJECTIVES.includes(v as Objective)) this.fail(field, `one of ${OBJECTIVES.join(', ')}`, v);
  }
  design(field: string, v: unknown): void {
    validateDesign(v, `report: ${this.file}: ${field}`);
  }
}

/** The fields of a search's result.json the report reads (SearchFile). */
function checkSearchFile(file: string, r: Record<string, unknown>): void {
  const c = new FieldCheck(file);
  c.str('space', r.space);
  c.objective('objective', r.objective);
  c.str('objectiveUnit', r.objectiveUnit);
  (r.models as unknown[]).forEach((m, i) => c.str(`models[${i}]`, m));
  const limits = c.obj('limits', r.limits);
  c.numOrNull('limits.areaMm2', limits.areaMm2);
  c.numOrNull('limits.tdpW', limits.tdpW);
  c.num('evaluations', r.evaluations);
  c.num('wallTimeS', r.wallTimeS);
  if (r.schedulePasses !== undefined && !(Number.isInteger(r.schedulePasses) && (r.schedulePasses as number) >= 0 && (r.schedulePasses as number) <= MAX_SCHEDULE_PASSES)) {
    c.fail('schedulePasses', `an integer from 0 to ${MAX_SCHEDULE_PASSES}`, r.schedulePasses);
  }
  if (r.inferenceOnly !== undefined && typeof r.inferenceOnly !== 'boolean') c.fail('inferenceOnly', 'true or false', r.inferenceOnly);
  if (r.execution !== undefined && !EXECUTIONS.includes(r.execution as Execution)) c.fail('execution', `one of ${EXECUTIONS.join(', ')}`, r.execution);
  (r.trace as unknown[]).forEach((t, i) => {
    const p = c.obj(`trace[${i}]`, t);
    for (const f of ['evaluations', 'elapsedS', 'objective']) c.num(`trace[${i}].${f}`, p[f]);
    if (p.design !== undefined) c.design(`trace[${i}].design`, p.design);
  });
  if (r.best !== null && r.best !== undefined) {
    const b = c.obj('best', r.best);
    c.design('best.design', b.design);
    c.num('best.objective', b.objective);
    c.list('best.metrics', b.metrics).forEach((m, i) => {
      const x = c.obj(`best.metrics[${i}]`, m);
      c.str(`best.metrics[${i}].model`, x.model);
      c.num(`best.metrics[${i}].batch`, x.batch);
    });
  }
  if (r.workloads !== undefined) {
    c.list('workloads', r.workloads).forEach((w, i) => {
      const x = c.obj(`workloads[${i}]`, w);
      c.obj(`workloads[${i}].source`, x.source);
      if (x.training !== undefined) c.obj(`workloads[${i}].training`, x.training);
    });
  }
}

/** The fields of one compare.json entry the report reads (CompareEntry). */
function checkCompareEntry(file: string, m: Record<string, unknown>, k: number): void {
  const c = new FieldCheck(file);
  const at = `[${k}]`;
  (m.strategies as unknown[]).forEach((s, i) => c.str(`${at}.strategies[${i}].strategy`, c.obj(`${at}.strategies[${i}]`, s).strategy));
  if (m.objective !== undefined) c.objective(`${at}.objective`, m.objective);
  if (m.objectiveUnit !== undefined) c.str(`${at}.objectiveUnit`, m.objectiveUnit);
  if (m.bestKnown !== undefined) c.num(`${at}.bestKnown`, m.bestKnown);
  if (m.workload !== undefined) {
    const w = c.obj(`${at}.workload`, m.workload);
    c.str(`${at}.workload.model`, w.model);
    if (w.batch !== undefined) c.num(`${at}.workload.batch`, w.batch);
    if (w.seq !== undefined) c.num(`${at}.workload.seq`, w.seq);
  }
  if (m.best !== undefined && m.best !== null) {
    const b = c.obj(`${at}.best`, m.best);
    c.str(`${at}.best.strategy`, b.strategy);
    c.design(`${at}.best.design`, b.design);
    c.num(`${at}.best.objective`, b.objective);
  }
  if (m.traces !== undefined) {
    c.list(`${at}.traces`, m.traces).forEach((t, i) => {
      const p = c.obj(`${at}.traces[${i}]`, t);
      c.str(`${at}.traces[${i}].strategy`, p.strategy);
      for (const f of ['evaluations', 'seconds', 'objective']) c.num(`${at}.traces[${i}].${f}`, p[f]);
    });
  }
  if (m.pareto !== undefined) {
    c.list(`${at}.pareto`, m.pareto).forEach((d, i) => {
      const p = c.obj(`${at}.pareto[${i}]`, d);
      c.str(`${at}.pareto[${i}].strategy`, p.strategy);
      c.design(`${at}.pareto[${i}].design`, p.design);
      for (const f of ['areaMm2', 'tdpW', 'throughput']) c.num(`${at}.pareto[${i}].${f}`, p[f]);
    });
  }
}

// ---------------------------------------------------------------- search directories

/** A search's result.json: the SearchResult fields the report reads, as written (designs of old traces may be absent). */
interface SearchFile extends Pick<SearchResult, 'strategy' | 'space' | 'objective' | 'objectiveUnit' | 'models' | 'limits' | 'schedulePasses' | 'evaluations' | 'wallTimeS'> {
  trace: (Omit<SearchTracePoint, 'design'> & { design?: Design })[];
  best: { design: Design; objective: number; metrics: { model: string; batch: number; seq?: number; execution?: Execution; launchOverheadS?: number }[] } | null;
  inferenceOnly?: boolean;
  execution?: Execution;
  workloads?: Pick<WorkloadRef, 'source' | 'training'>[];
}

async function readEvaluations(file: string, strategy: string, collectors: Map<string, DesignCollector>): Promise<void> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (!line.trim()) continue;
    let row: { design: Design; feasible: boolean; areaMm2: number; tdpW: number; models: { model: string; throughput: number }[] };
    try {
      row = JSON.parse(line);
    } catch {
      throw new InputError(`report: ${file} line ${n} is not valid JSON`);
    }
    const c = new FieldCheck(`${file} line ${n}`);
    c.obj('the row', row);
    if (!row.feasible || !Array.isArray(row.models)) continue;
    c.design('design', row.design);
    c.num('areaMm2', row.areaMm2);
    c.num('tdpW', row.tdpW);
    row.models.forEach((m, i) => {
      const x = c.obj(`models[${i}]`, m);
      c.str(`models[${i}].model`, x.model);
      c.num(`models[${i}].throughput`, x.throughput);
    });
    for (const m of row.models) {
      let c = collectors.get(m.model);
      if (!c) collectors.set(m.model, (c = new DesignCollector(m.model)));
      c.add({ strategy, design: row.design, areaMm2: row.areaMm2, tdpW: row.tdpW, throughput: m.throughput });
    }
  }
}

export async function readSearchDir(dir: string): Promise<ReportSource> {
  const file = join(dir, SOURCE_FILES.search);
  const r = readJson(file) as SearchFile;
  if (!r || typeof r !== 'object' || typeof r.strategy !== 'string' || !Array.isArray(r.trace) || !Array.isArray(r.models)) {
    throw new InputError(`report: ${file} is not a search result (it needs strategy, models and trace, as search --out writes)`);
  }
  checkSearchFile(file, r as unknown as Record<string, unknown>);
  const notes: string[] = [];
  const label = r.inferenceOnly ? `${r.strategy} (inference-only)` : r.strategy;
  // the workloads, as search --out records them; older result.json files: zoo models by name, batch and seq
  let workloads: WorkloadRef[] = [];
  if (Array.isArray(r.workloads)) {
    workloads = r.workloads.map((w, i) => ({ name: r.best?.metrics[i]?.model ?? r.models[i], source: w.source, training: w.training }));
  } else if (r.best) {
    workloads = r.best.metrics.map((m) => zooWorkload(m.model, m.batch, m.seq));
    notes.push('result.json does not say how its workloads were built (written before `workloads` was recorded): they were rebuilt as zoo models by name, batch and sequence length, trained with Adam');
  }
  const collectors = new Map<string, DesignCollector>();
  const jsonl = join(dir, 'evaluations.jsonl');
  if (existsSync(jsonl)) await readEvaluations(jsonl, label, collectors);
  else notes.push(`${jsonl} is missing: the Pareto charts show nothing`);

  const minimised = MINIMISED.has(r.objective);
  const single = r.models.length === 1;
  let trace = r.trace;
  let scale = single ? 'training step' : 'normalised geometric mean over the workloads';
  if (r.inferenceOnly) {
    const withDesigns = trace.every((t) => t.design);
    if (single && withDesigns && workloads.length === 1) {
      try {
        const limits = { areaMm2: r.limits.areaMm2 ?? Infinity, tdpW: r.limits.tdpW ?? Infinity };
        trace = trainingTrace(trace as SearchTracePoint[], workloadGraph(workloads[0]), r.objective, limits);
        scale = 'training step (the inference-only search ranked by the forward pass; each point is the training objective of the design it held as best)';
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        scale = 'forward pass';
        notes.push(`the inference-only trace stays on the forward pass: its workload cannot be rebuilt (${e.message})`);
      }
    } else {
      scale = 'forward pass';
      notes.push('the inference-only trace is plotted on the forward pass (the search ranked by it): its designs or its one workload are not recorded to score it on the training step');
    }
  }
  const points: TracePoint[] = trace.map((t) => ({ strategy: label, repeat: 0, evaluations: t.evaluations, seconds: t.elapsedS, objective: t.objective }));
  if (points.length) points.push({ ...points[points.length - 1], evaluations: Math.max(r.evaluations, points[points.length - 1].evaluations), seconds: Math.max(r.wallTimeS, points[points.length - 1].seconds) });
  const convergence: ConvergenceSeries[] = points.length
    ? [{
        model: `${r.models.join(', ')} (${scale})`, objective: single ? r.objective : 'score', objectiveUnit: single ? OBJECTIVE_UNITS[r.objective] : 'normalised',
        minimised: single && minimised, bestKnown: bestOf(points, single && minimised), bestKnownSource: 'the best this search found (list schedule)', points,
      }]
    : [];
  if (!points.length) notes.push('the search recorded no improvement (no feasible design): no convergence chart');

  const best: BestDesignRef[] = r.best
    ? workloads.map((w, i) => ({
        strategy: label, design: r.best!.design, workload: w,
        execution: r.execution ?? r.best!.metrics[i]?.execution ?? 'concurrent', schedulePasses: r.schedulePasses ?? DEFAULT_SCHEDULE_PASSES,
        launchOverheadS: r.best!.metrics[i]?.launchOverheadS ?? 0,
        why: `the search's best by ${r.objective} (${r.best!.objective.toPrecision(4)} ${r.objectiveUnit})`,
      }))
    : [];
  if (!r.best) notes.push('the search found no feasible design: no schedule, roofline or breakdowns');
  const limits = [r.limits.areaMm2 !== null ? `area ≤ ${r.limits.areaMm2} mm²` : '', r.limits.tdpW !== null ? `TDP ≤ ${r.limits.tdpW} W` : ''].filter(Boolean).join(', ') || 'unconstrained';
  return {
    kind: 'search', dir,
    summary: [
      `${label} search of space '${r.space}' for ${r.models.join(', ')}, objective ${r.objective} (${r.objectiveUnit}), ${limits}`,
      `${r.evaluations} designs evaluated in ${r.wallTimeS.toFixed(1)} s`,
    ],
    strategies: [label],
    designs: [...collectors.values()].map((c) => c.result()),
    convergence, best, notes,
  };
}

// ---------------------------------------------------------------- compare directories

interface CompareEntry {
  model: string;
  workload?: { model: string; batch: number; seq?: number };
  objective?: Objective;
  objectiveUnit?: string;
  bestKnown: number;
  bestKnownSource: string;
  strategies: { strategy: string }[];
  best?: { strategy: string; design: Design; objective: number };
  traces?: TracePoint[];
  pareto?: DesignPoint[];
}

export function readCompareDir(dir: string): ReportSource {
  const file = join(dir, SOURCE_FILES.compare);
  const raw = readJson(file);
  // [] as well: compare --out writes one entry per model (an empty list gave a page of 0 charts, exit 0)
  if (!Array.isArray(raw) || raw.length === 0 || raw.some((m) => !m || typeof m.model !== 'string' || !Array.isArray(m.strategies))) {
    throw new InputError(`report: ${file} is not a compare result (an array of models with their strategies, as compare --out writes)`);
  }
  raw.forEach((m, k) => checkCompareEntry(file, m, k));
  const entries = raw as CompareEntry[];
  const notes: string[] = [];
  const labels: string[] = [];
  const designs: WorkloadDesigns[] = [];
  const convergence: ConvergenceSeries[] = [];
  const best: BestDesignRef[] = [];
  for (const m of entries) {
    // labels as the runs were plotted (`spotlight (inference-only)`); the strategies' names when there is no trace
    if (!Array.isArray(m.traces) || m.traces.length === 0) labels.push(...m.strategies.map((s) => s.strategy));
    const objective = m.objective ?? 'objective';
    const unit = m.objectiveUnit ?? (m.objective ? OBJECTIVE_UNITS[m.objective] : 'as compared');
    if (Array.isArray(m.pareto)) {
      labels.push(...m.pareto.map((p) => p.strategy));
      // already each strategy's fronts (a keeper over all of them would drop the fronts the exhaustive one dominates)
      designs.push({ workload: m.model, front: m.pareto, others: [], total: m.pareto.length });
    } else {
      notes.push(`${m.model}: compare.json has no Pareto designs (written before they were recorded): re-run compare --out for the Pareto chart`);
    }
    if (Array.isArray(m.traces) && m.traces.length) {
      labels.push(...m.traces.map((t) => t.strategy));
      convergence.push({
        model: `${m.model} (training step)`, objective, objectiveUnit: unit, minimised: m.objective ? MINIMISED.has(m.objective) : false,
        bestKnown: m.bestKnown > 0 ? m.bestKnown : 0, bestKnownSource: m.bestKnownSource, points: m.traces,
      });
    } else {
      notes.push(`${m.model}: compare.json has no traces${Array.isArray(m.traces) ? ' (no run found a feasible design)' : ' (written before they were recorded): re-run compare --out for the convergence chart'}`);
    }
    if (m.best) {
      labels.push(m.best.strategy);
      const w = m.workload ?? { model: m.model, batch: undefined, seq: undefined };
      best.push({
        strategy: m.best.strategy, design: m.best.design, workload: zooWorkload(w.model, w.batch, w.seq), execution: 'concurrent',
        schedulePasses: DEFAULT_SCHEDULE_PASSES, launchOverheadS: 0,
        why: `the best ${objective} found (${m.best.objective.toPrecision(4)} ${unit}, by ${m.best.strategy}; scheduled here with ${DEFAULT_SCHEDULE_PASSES} improvement passes, as evaluate does)`,
      });
    } else {
      notes.push(`${m.model}: compare.json names no best design${m.bestKnown > 0 ? ' (written before it was recorded)' : ' (nothing was feasible)'}: no schedule, roofline or breakdowns`);
    }
  }
  const strategies = entries.flatMap((m) => m.strategies.map((s) => s.strategy));
  return {
    kind: 'compare', dir,
    summary: [`compare of ${[...new Set(strategies)].join(', ')} on ${entries.map((m) => m.model).join(', ')}`],
    strategies: [...new Set(labels)], designs, convergence, best, notes,
  };
}
