/**
 * `accelmine report DIR --html FILE`, as stages:
 *   directory → ReportSource (sources.ts; sweeps through sweep-source.ts) → the strategy colour scale, one for
 *   every chart → the best design(s) re-evaluated on their workload (evaluateDesign: per-op schedule, energy and
 *   area) → one vega-lite spec per chart (charts/) → one self-contained HTML page (html-page.ts) → the file.
 */
import { writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { fsReason, makeDirectory } from '../out-dir.js';
import { evaluateDesign, prepareWorkload, type Evaluation } from '../evaluate.js';
import { designKey } from '../search/strategy.js';
import type { TrainingGraph } from '../workload/ir.js';
import { areaSpec, energySpec, tdpSpec } from './charts/breakdowns.js';
import { convergenceSpec } from './charts/convergence.js';
import { ganttSpec } from './charts/gantt.js';
import { paretoSpec } from './charts/pareto.js';
import { rooflineSpec } from './charts/roofline.js';
import type { Chart } from './charts/spec.js';
import { htmlPage } from './html-page.js';
import { readCompareDir, readSearchDir, sourceKind, SOURCE_FILES, type BestDesignRef, type ReportSource, type SourceKind } from './sources.js';
import { designSummary, strategyScale, type StrategyScale } from './theme.js';
import { workloadGraph } from './workloads.js';

export type { ReportSource, SourceKind } from './sources.js';
export type { Chart } from './charts/spec.js';

export interface ReportOptions {
  /** the HTML file to write */
  html: string;
  /** the page's title (default: the kind and the directory's name) */
  title?: string;
}

export interface ReportResult {
  /** the file written (absolute) */
  file: string;
  bytes: number;
  kind: SourceKind;
  charts: { id: string; section: string; title: string }[];
  /** what the report could not show, and why */
  notes: string[];
}

/** Reads a search, compare or sweep directory (which one is told by the file it holds). */
export async function readReportSource(dir: string): Promise<ReportSource> {
  const kind = sourceKind(dir);
  if (kind === 'search') return readSearchDir(dir);
  if (kind === 'compare') return readCompareDir(dir);
  return (await import('./sweep-source.js')).readSweepDir(dir);
}

/** Every strategy label the source plots, in the colour scale's order. */
export function sourceScale(s: ReportSource): StrategyScale {
  return strategyScale([
    ...s.strategies,
    ...s.designs.flatMap((w) => [...w.front, ...w.others].map((p) => p.strategy)),
    ...s.convergence.flatMap((c) => c.points.map((p) => p.strategy)),
  ]);
}

/** The best design of one workload, scheduled again: what the Gantt chart, roofline and energy chart show. */
export interface BestDesignDetail {
  ref: BestDesignRef;
  graph: TrainingGraph;
  evaluation: Evaluation;
}

export function evaluateBest(ref: BestDesignRef): BestDesignDetail {
  const graph = workloadGraph(ref.workload);
  const evaluation = evaluateDesign(ref.design, prepareWorkload(graph), undefined, {
    execution: ref.execution, schedulePasses: ref.schedulePasses, launchOverheadS: ref.launchOverheadS,
  });
  return { ref, graph, evaluation };
}

const DATA_FROM: Record<SourceKind, string> = {
  search: 'evaluations.jsonl (every design the search evaluated; throughput on the list schedule, as the search ranked them)',
  compare: "compare.json (the designs on each strategy's fronts over its repeats, and the exhaustive search's; list schedule)",
  sweep: 'results.parquet (every feasible design × workload row of the sweep)',
};

/** The charts of a source, in page order; `notes` gets what could not be drawn. */
export function buildCharts(s: ReportSource, notes: string[]): Chart[] {
  const scale = sourceScale(s);
  const charts: Chart[] = [];
  const add = (section: string, title: string, caption: string, spec: Chart['spec']) =>
    charts.push({ id: `chart-${charts.length + 1}`, section, title, caption, spec });
  for (const w of s.designs) {
    if (w.front.length === 0) continue;
    add('Pareto fronts', `${w.workload}: throughput against area and against TDP`,
      `${w.total} ${s.kind === 'compare' ? 'designs on the fronts' : 'feasible designs'} from ${DATA_FROM[s.kind]}. ` +
      `${s.strategies.length > 1 ? "Each strategy's front is the staircase of its colour" : 'The front is the staircase'}: the highest ` +
      `throughput ${s.kind === 'sweep' ? 'the sweep has' : 'found'} at each area (left) or TDP (right). ${w.others.length ? `${w.others.length} of the other designs in grey (an even sample).` : ''} Hover a point for its design.`,
      paretoSpec(w, scale));
  }
  for (const c of s.convergence) {
    add('Convergence', `${c.model}: best ${c.objective} while searching`,
      `One line per strategy and repeat: the best ${c.objective} found against designs evaluated (left) and seconds (right), from ` +
      `${s.kind === 'search' ? "result.json's trace" : "compare.json's traces"}. The solid line is the best known value (${c.bestKnownSource}), the dashed ones 99% and 95% of it.`,
      convergenceSpec(c, scale));
  }
  const details: BestDesignDetail[] = [];
  for (const ref of s.best) {
    try {
      details.push(evaluateBest(ref));
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      notes.push(`${ref.workload.name}: the best design cannot be scheduled again, its workload cannot be rebuilt (${e.message})`);
    }
  }
  for (const d of details) {
    const e = d.evaluation;
    add('Best design: schedule', `${d.ref.workload.name}: the best design's training step, ${(e.stepTimeS * 1e3).toPrecision(4)} ms`,
      `${d.ref.why}: ${designSummary(d.ref.design)}. Re-evaluated with evaluateDesign (${e.execution}, ${e.schedulePasses} serial improvement passes): ` +
      `${e.ops.length} ops, ${e.criticalPath.ops} on the critical path (red). Each bar is an op on the cores it ran on.`,
      ganttSpec(`${d.ref.workload.name}: schedule of the best design`, d.ref.design, e));
  }
  for (const d of details) {
    add('Best design: roofline', `${d.ref.workload.name}: roofline of the best design's ops`,
      'Each op with work at its arithmetic intensity (its FLOPs over the bytes it moves with nothing kept on chip) and the rate it achieved ' +
      "on the cores the schedule gave it; the roofs are the whole chip's peaks, limited by off-chip bandwidth. Critical-path ops in red.",
      rooflineSpec(`${d.ref.workload.name}: roofline of the best design`, d.ref.design, d.graph, d.evaluation));
  }
  for (const d of details) {
    add('Best design: energy and area', `${d.ref.workload.name}: energy of one training step by component`,
      `evaluateDesign's energy breakdown: ${d.evaluation.energyJ.toPrecision(4)} J per step (${d.evaluation.avgPowerW.toPrecision(4)} W on average).`,
      energySpec(`${d.ref.workload.name}: energy per training step`, d.evaluation.energy));
  }
  const seen = new Set<string>();
  for (const d of details) {
    const k = designKey(d.ref.design);
    if (seen.has(k)) continue;
    seen.add(k);
    add('Best design: energy and area', `the best design for ${d.ref.workload.name}: area by component`,
      `evaluateDesign's area breakdown: ${d.evaluation.areaMm2.toFixed(1)} mm².`,
      areaSpec(`area of the best design for ${d.ref.workload.name}`, d.evaluation.area));
    add('Best design: energy and area', `the best design for ${d.ref.workload.name}: what its TDP is made of`,
      `evaluateDesign's TDP breakdown: ${d.evaluation.tdpW.toFixed(1)} W, set by the ${d.evaluation.tdpClass} class at its sustained rate ` +
      `(leakage, clock and control, the class's units, its memory levels at full bandwidth); the step averages ${d.evaluation.avgPowerW.toPrecision(4)} W.`,
      tdpSpec(`TDP of the best design for ${d.ref.workload.name}`, d.evaluation.tdp));
  }
  return charts;
}

/** The page of a directory, without writing it. */
export async function buildReport(dir: string, title?: string): Promise<{ source: ReportSource; charts: Chart[]; notes: string[]; html: string }> {
  const source = await readReportSource(dir);
  const notes = [...source.notes];
  const charts = buildCharts(source, notes);
  const html = htmlPage({
    title: title ?? `accelmine ${source.kind} report: ${basename(resolve(dir))}`,
    summary: [...source.summary, `read from ${resolve(dir)}/${SOURCE_FILES[source.kind]}`],
    charts, notes,
  });
  return { source, charts, notes, html };
}

/** Writes the report of a search, compare or sweep directory as one self-contained HTML file. */
/** The files of a run's directory the page is built from (search, compare and sweep --out): --html must not replace one. */
const RUN_FILES = [...Object.values(SOURCE_FILES), 'evaluations.jsonl', 'sweep.duckdb'];

export async function report(dir: string, options: ReportOptions): Promise<ReportResult> {
  const file = resolve(options.html);
  // `report DIR --html DIR/result.json` wrote the page over the search it reports
  if (RUN_FILES.some((f) => resolve(dir, f) === file)) {
    throw new InputError(`report: --html ${options.html} is a file of the run in ${dir}; give another file (e.g. ${join(dir, 'report.html')})`);
  }
  const { source, charts, notes, html } = await buildReport(dir, options.title);
  try {
    makeDirectory(dirname(file));
    writeFileSync(file, html);
  } catch (e) {
    throw new InputError(`report: cannot write ${options.html} (${fsReason(e)})`);
  }
  return { file, bytes: Buffer.byteLength(html), kind: source.kind, charts: charts.map(({ id, section, title }) => ({ id, section, title })), notes };
}
