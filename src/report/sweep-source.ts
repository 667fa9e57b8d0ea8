/**
 * The adapter from a sweep directory to a report: `DIR/results.parquet`, written by `accelmine sweep`, read with
 * DuckDB (`@duckdb/node-api`, loaded only here and only when a sweep is reported).
 *
 * The row shape it reads (SweepRow): one row per design × workload, with
 *   - the design: every field of the template (tensorCores, tcRows, tcCols, vectorCores, vectorLanes,
 *     localBufferBytes, globalBufferBytes, globalBufferGBs, offChipBytes, offChipGBs, nocGBs, clockGHz,
 *     precision, dataflow, techNm);
 *   - the workload: `workload` (a zoo model name; `model` is read when `workload` is absent), and `batch`
 *     and `seq` when the sweep set them;
 *   - the design's areaMm2 and tdpW;
 *   - its metrics on the workload: stepTimeS, throughput (samples/s), energyJ (per step), avgPowerW, feasible
 *     (boolean) and reason ('' when feasible).
 * Columns beyond these are ignored; a missing one is a one-line error naming it.
 */
import { join } from 'node:path';
import type { Design } from '../arch/design.js';
import { DEFAULT_SCHEDULE_PASSES } from '../evaluate.js';
import { InputError } from '../errors.js';
import { DesignCollector, SOURCE_FILES, type BestDesignRef, type ReportSource } from './sources.js';
import { zooWorkload } from './workloads.js';

export interface SweepRow {
  design: Design;
  workload: string;
  batch?: number;
  seq?: number;
  areaMm2: number;
  tdpW: number;
  stepTimeS: number;
  throughput: number;
  energyJ: number;
  avgPowerW: number;
  feasible: boolean;
  reason: string;
}

const DESIGN_NUMBERS = ['tensorCores', 'tcRows', 'tcCols', 'vectorCores', 'vectorLanes', 'localBufferBytes', 'globalBufferBytes', 'globalBufferGBs',
  'offChipBytes', 'offChipGBs', 'nocGBs', 'clockGHz', 'techNm'] as const;
const DESIGN_STRINGS = ['precision', 'dataflow'] as const;
const METRICS = ['areaMm2', 'tdpW', 'stepTimeS', 'throughput', 'energyJ', 'avgPowerW'] as const;

const num = (v: unknown): number => (typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN);

/** A parquet row (column name → value, as DuckDB returns it) as a SweepRow; `where` names it in errors. */
export function toSweepRow(raw: Record<string, unknown>, where: string): SweepRow {
  const need = (k: string) => {
    if (!(k in raw)) throw new InputError(`report: ${where} has no column "${k}" (a sweep row needs the design's fields, workload, ${METRICS.join(', ')}, feasible and reason)`);
    return raw[k];
  };
  const design = {} as Record<string, number | string>;
  for (const k of DESIGN_NUMBERS) design[k] = num(need(k));
  for (const k of DESIGN_STRINGS) design[k] = String(need(k));
  const workload = 'workload' in raw ? raw.workload : need('model');
  const metrics = {} as Record<(typeof METRICS)[number], number>;
  for (const k of METRICS) metrics[k] = num(need(k));
  const f = need('feasible');
  const batch = raw.batch === undefined || raw.batch === null ? undefined : num(raw.batch);
  const seq = raw.seq === undefined || raw.seq === null ? undefined : num(raw.seq);
  return {
    design: design as unknown as Design, workload: String(workload), ...(batch !== undefined && Number.isFinite(batch) ? { batch } : {}),
    ...(seq !== undefined && Number.isFinite(seq) ? { seq } : {}), ...metrics,
    feasible: f === true || f === 1 || f === 'true', reason: String(raw.reason ?? ''),
  };
}

/** The report source of a sweep's rows: per workload its designs, and the highest-throughput feasible one. */
export function sweepSource(dir: string, rows: readonly SweepRow[]): ReportSource {
  const collectors = new Map<string, DesignCollector>();
  const bestRows = new Map<string, SweepRow>();
  let infeasible = 0;
  for (const r of rows) {
    if (!r.feasible || !(r.throughput > 0)) {
      infeasible++;
      continue;
    }
    let c = collectors.get(r.workload);
    if (!c) collectors.set(r.workload, (c = new DesignCollector(r.workload)));
    c.add({ strategy: 'sweep', design: r.design, areaMm2: r.areaMm2, tdpW: r.tdpW, throughput: r.throughput });
    const b = bestRows.get(r.workload);
    if (!b || r.throughput > b.throughput || (r.throughput === b.throughput && r.areaMm2 < b.areaMm2)) bestRows.set(r.workload, r);
  }
  const best: BestDesignRef[] = [...bestRows.values()].map((r) => ({
    strategy: 'sweep', design: r.design, workload: zooWorkload(r.workload, r.batch, r.seq), execution: 'concurrent',
    schedulePasses: DEFAULT_SCHEDULE_PASSES, launchOverheadS: 0,
    why: `the sweep's highest throughput on ${r.workload} (${r.throughput.toPrecision(4)} samples/s; scheduled here with ${DEFAULT_SCHEDULE_PASSES} improvement passes, as evaluate does)`,
  }));
  const workloads = [...collectors.keys()];
  return {
    kind: 'sweep', dir,
    summary: [`sweep of ${rows.length} design × workload rows (${infeasible} infeasible) on ${workloads.join(', ') || 'no feasible workload'}`],
    strategies: ['sweep'],
    designs: [...collectors.values()].map((c) => c.result()),
    convergence: [],
    best,
    notes: ['a sweep evaluates a fixed set of designs: it has no convergence chart', ...(best.length ? [] : ['no row is feasible: no schedule, roofline or breakdowns'])],
  };
}

/** The DuckDB client, or a one-line error naming the package to install. */
async function duckdb(): Promise<{ DuckDBInstance: { create(path: string): Promise<DuckDBInstanceLike> } }> {
  const name = '@duckdb/node-api'; // not a dependency of this package: the sweep command brings it
  try {
    return (await import(name)) as never;
  } catch {
    throw new InputError(`report: reading a sweep's results.parquet needs the package ${name} (npm install ${name})`);
  }
}

interface DuckDBInstanceLike {
  connect(): Promise<{
    runAndReadAll(sql: string): Promise<{ getRowObjectsJS?(): Record<string, unknown>[]; getRowObjects(): Record<string, unknown>[] }>;
    closeSync?(): void;
  }>;
  closeSync?(): void;
}

export async function readSweepDir(dir: string): Promise<ReportSource> {
  const file = join(dir, SOURCE_FILES.sweep);
  const { DuckDBInstance } = await duckdb();
  const db = await DuckDBInstance.create(':memory:');
  try {
    const conn = await db.connect();
    try {
      let result;
      try {
        result = await conn.runAndReadAll(`SELECT * FROM read_parquet('${file.replace(/'/g, "''")}')`);
      } catch (e) {
        throw new InputError(`report: cannot read ${file} as parquet (${String((e as Error).message).split('\n')[0]})`);
      }
      const raw = result.getRowObjectsJS ? result.getRowObjectsJS() : result.getRowObjects();
      return sweepSource(dir, raw.map((r, i) => toSweepRow(r, `${file} row ${i + 1}`)));
    } finally {
      conn.closeSync?.();
    }
  } finally {
    db.closeSync?.();
  }
}
