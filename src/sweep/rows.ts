/**
 * A sweep's row: one design on one workload. RESULT_COLUMNS is the table (names with their units, SQL types,
 * what each holds); `resultRows` turns evaluated designs into a column-major batch of rows.
 */
import { SPACE_PARAMS } from '../arch/space.js';
import { BOUND_NAMES, type Bound } from '../engine/layout.js';
import type { Design } from '../arch/design.js';
import { PACKED, packedStride, workloadReason, type DesignResult, type PackedResults, type WorkloadSpec } from '../evaluation/evaluator.js';

export type SqlType = 'BIGINT' | 'INTEGER' | 'DOUBLE' | 'VARCHAR' | 'BOOLEAN';

export interface Column {
  name: string;
  type: SqlType;
  doc: string;
}

const BOUND_COLUMN: Record<Bound, string> = {
  tensor: 'boundTensor', vector: 'boundVector', 'local-buffer': 'boundLocalBuffer', noc: 'boundNoc',
  'global-buffer': 'boundGlobalBuffer', 'off-chip': 'boundOffChip', network: 'boundNetwork', none: 'boundNone',
};

const DESIGN_COLUMNS: Column[] = [
  { name: 'tensorCores', type: 'INTEGER', doc: 'tensor cores (systolic arrays)' },
  { name: 'tcRows', type: 'INTEGER', doc: 'rows of PEs per array' },
  { name: 'tcCols', type: 'INTEGER', doc: 'columns of PEs per array' },
  { name: 'vectorCores', type: 'INTEGER', doc: 'vector cores' },
  { name: 'vectorLanes', type: 'INTEGER', doc: 'SIMD lanes per vector core' },
  { name: 'localBufferBytes', type: 'BIGINT', doc: 'local buffer per tensor core, bytes' },
  { name: 'globalBufferBytes', type: 'BIGINT', doc: 'global buffer, bytes' },
  { name: 'globalBufferGBs', type: 'DOUBLE', doc: 'global buffer bandwidth, GB/s' },
  { name: 'offChipBytes', type: 'DOUBLE', doc: 'off-chip memory, bytes' },
  { name: 'offChipGBs', type: 'DOUBLE', doc: 'off-chip bandwidth, GB/s' },
  { name: 'nocGBs', type: 'DOUBLE', doc: 'on-chip network bandwidth, GB/s' },
  { name: 'clockGHz', type: 'DOUBLE', doc: 'clock, GHz' },
  { name: 'precision', type: 'VARCHAR', doc: 'bf16, fp32, ...' },
  { name: 'dataflow', type: 'VARCHAR', doc: 'ws, os, is or rs' },
  { name: 'techNm', type: 'INTEGER', doc: 'process node, nm' },
];
if (DESIGN_COLUMNS.map((c) => c.name).join() !== SPACE_PARAMS.join()) throw new Error('sweep rows: design columns out of step with SPACE_PARAMS');

/** The `results` table, in order. (designIndex, workload) is its key. */
export const RESULT_COLUMNS: readonly Column[] = Object.freeze([
  { name: 'designIndex', type: 'BIGINT', doc: "the design's index in the space (mixed radix, `designAt(space, i)`): with `workload`, the key" },
  { name: 'workload', type: 'VARCHAR', doc: 'the workload (model name)' },
  { name: 'position', type: 'BIGINT', doc: 'where the design comes in the sweep: exhaustive, its index; random, its draw; adaptive strategies, its evaluation' },
  ...DESIGN_COLUMNS,
  { name: 'areaMm2', type: 'DOUBLE', doc: 'die area, mm²' },
  { name: 'tdpW', type: 'DOUBLE', doc: 'TDP, W' },
  { name: 'evaluated', type: 'BOOLEAN', doc: 'the kernel evaluated the design (false: over the --area/--tdp budget; the metrics are NULL)' },
  { name: 'feasible', type: 'BOOLEAN', doc: 'within the budget, and the training state of this workload fits off-chip memory' },
  { name: 'reason', type: 'VARCHAR', doc: "why not feasible ('' when feasible)" },
  { name: 'stepTimeS', type: 'DOUBLE', doc: 'one training step, s (the list schedule, what searches rank by)' },
  { name: 'throughput', type: 'DOUBLE', doc: 'samples/s' },
  { name: 'energyJ', type: 'DOUBLE', doc: 'energy of one step, J' },
  { name: 'energyPerSampleJ', type: 'DOUBLE', doc: 'J/sample' },
  { name: 'avgPowerW', type: 'DOUBLE', doc: 'energyJ / stepTimeS, W' },
  { name: 'objective', type: 'DOUBLE', doc: "the sweep's objective for this workload, in its unit (samples/s, samples/s/W, ...)" },
  ...BOUND_NAMES.map((b): Column => ({
    name: BOUND_COLUMN[b], type: 'DOUBLE',
    doc: `share of the critical path's time bound by ${b} (the bound columns sum to 1; NULL for wham, whose climbs do not report it)`,
  })),
]);

export type Cell = number | string | boolean | null;

/**
 * Rows, column-major in RESULT_COLUMNS order: numeric columns (BIGINT, INTEGER, DOUBLE) as Float64Array with NaN
 * for NULL, the others as arrays.
 */
export interface RowBatch {
  length: number;
  columns: (Float64Array | Cell[])[];
}

/** A design of the sweep and its result. */
export interface SweptDesign {
  index: number;
  position: number;
  result: DesignResult;
}

const NUMERIC = RESULT_COLUMNS.map((c) => c.type !== 'VARCHAR' && c.type !== 'BOOLEAN');
const COL = Object.fromEntries(RESULT_COLUMNS.map((c, i) => [c.name, i])) as Record<string, number>;
const FIRST_DESIGN = COL.tensorCores;
const FIRST_BOUND = COL[BOUND_COLUMN[BOUND_NAMES[0]]];

function allocate(n: number): RowBatch {
  return { length: n, columns: RESULT_COLUMNS.map((_, k) => (NUMERIC[k] ? new Float64Array(n).fill(NaN) : new Array<Cell>(n).fill(null))) };
}

/** The columns every row of a design has: key, position, design fields, area, TDP, evaluated. */
function putDesign(cols: RowBatch['columns'], row: number, index: number, workload: string, position: number, design: object, areaMm2: number, tdpW: number, evaluated: boolean): void {
  cols[COL.designIndex][row] = index;
  cols[COL.workload][row] = workload;
  cols[COL.position][row] = position;
  const d = design as Record<string, number | string>;
  for (let p = 0; p < SPACE_PARAMS.length; p++) cols[FIRST_DESIGN + p][row] = d[SPACE_PARAMS[p]];
  cols[COL.areaMm2][row] = areaMm2;
  cols[COL.tdpW][row] = tdpW;
  cols[COL.evaluated][row] = evaluated;
}

/** The metrics of one workload on an evaluated design; `shares` null when the strategy does not report them. */
function putMetrics(
  cols: RowBatch['columns'], row: number, wl: WorkloadSpec, offChipBytes: number, stepTimeS: number, throughput: number, energyPerSampleJ: number,
  objective: number, shares: ((k: number) => number) | null,
): void {
  const valid = Number.isFinite(stepTimeS) && stepTimeS > 0;
  const reason = workloadReason(wl, valid, stepTimeS, offChipBytes);
  const energyJ = energyPerSampleJ * wl.batch;
  cols[COL.feasible][row] = reason === '';
  cols[COL.reason][row] = reason;
  cols[COL.stepTimeS][row] = stepTimeS;
  cols[COL.throughput][row] = throughput;
  cols[COL.energyJ][row] = energyJ;
  cols[COL.energyPerSampleJ][row] = energyPerSampleJ;
  cols[COL.avgPowerW][row] = energyJ / stepTimeS;
  cols[COL.objective][row] = objective;
  if (shares) for (let k = 0; k < BOUND_NAMES.length; k++) cols[FIRST_BOUND + k][row] = shares(k);
}

/** Rows of a design over the budget: never evaluated, every metric NULL. */
function putNotEvaluated(cols: RowBatch['columns'], row: number, reason: string): void {
  cols[COL.feasible][row] = false;
  cols[COL.reason][row] = reason || 'not evaluated';
}

/** One row per design and workload, in workload order, from result objects (the adaptive strategies). */
export function resultRows(items: readonly SweptDesign[], workloads: readonly WorkloadSpec[]): RowBatch {
  const nw = workloads.length;
  const batch = allocate(items.length * nw);
  const cols = batch.columns;
  items.forEach(({ index, position, result: r }, i) => {
    const evaluated = r.models.length > 0;
    workloads.forEach((wl, w) => {
      const row = i * nw + w;
      putDesign(cols, row, index, wl.name, position, r.design, r.areaMm2, r.tdpW, evaluated);
      if (!evaluated) return putNotEvaluated(cols, row, r.reason);
      const m = r.models[w];
      const share = m.criticalShare;
      putMetrics(cols, row, wl, r.design.offChipBytes, m.stepTimeS, m.throughput, m.energyPerSampleJ, r.values[w], share ? (k) => share[BOUND_NAMES[k]] : null);
    });
  });
  return batch;
}

/** The same rows straight from packed records (the planned strategies: no result objects on the way). */
export function packedRows(
  items: readonly { index: number; position: number; design: Design }[], packed: PackedResults, workloads: readonly WorkloadSpec[],
): RowBatch {
  const nw = workloads.length;
  const stride = packedStride(nw);
  const d = packed.data;
  const batch = allocate(items.length * nw);
  const cols = batch.columns;
  for (let i = 0; i < items.length; i++) {
    const { index, position, design } = items[i];
    const o = i * stride;
    const evaluated = d[o + PACKED.EVALUATED] === 1;
    for (let w = 0; w < nw; w++) {
      const row = i * nw + w;
      const wl = workloads[w];
      putDesign(cols, row, index, wl.name, position, design, d[o + PACKED.AREA], d[o + PACKED.TDP], evaluated);
      if (!evaluated) {
        putNotEvaluated(cols, row, packed.reasons[i] ?? '');
        continue;
      }
      const q = o + PACKED.HEAD + w * PACKED.PER_MODEL;
      putMetrics(cols, row, wl, design.offChipBytes, d[q + PACKED.STEP_TIME_S], d[q + PACKED.THROUGHPUT], d[q + PACKED.ENERGY_PER_SAMPLE_J], d[q + PACKED.VALUE],
        (k) => d[q + PACKED.SHARES + k]);
    }
  }
  return batch;
}
