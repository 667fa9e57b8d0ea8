/**
 * The best design's schedule as a Gantt chart: one panel per core pool (tensor cores, vector cores), time (ms)
 * across, one lane per core down; each op is a bar on the cores it ran on (the scheduler gives an op a number of
 * cores of its pool; which ones is drawn here: the lowest-numbered free ones). Ops on the scheduled critical path
 * are red, the others coloured by their phase of the training step.
 */
import type { Design } from '../../arch/design.js';
import type { Evaluation, OpReport } from '../../evaluate.js';
import { PHASES } from '../../workload/ir.js';
import { CRITICAL_COLOUR, PANEL_WIDTH } from '../theme.js';
import { topLevel, type VegaLiteSpec } from './spec.js';

/** One bar: an op on the cores [lane0, lane1) of its pool. */
export interface GanttBar {
  pool: 'tensor' | 'vector';
  lane0: number;
  lane1: number;
  startMs: number;
  endMs: number;
  name: string;
  kind: string;
  phase: string;
  layer: string;
  cores: number;
  bound: string;
  critical: boolean;
}

/**
 * Places each op of a pool on concrete cores: in order of start, on the lowest-numbered cores free at its start
 * (an op's cores free again at its finish). Consecutive cores make one bar. A schedule that oversubscribes the
 * pool (it should not) puts the excess on lanes past the pool's last core.
 */
export function assignLanes(ops: readonly OpReport[], pool: 'tensor' | 'vector', poolCores: number, stepTimeS: number): GanttBar[] {
  const eps = Math.max(stepTimeS, 1e-30) * 1e-9;
  const mine = ops.filter((op) => op.pool === pool && op.timeS > 0 && op.cores > 0).sort((a, b) => a.startS - b.startS || b.timeS - a.timeS);
  const freeAt: number[] = Array.from({ length: poolCores }, () => -Infinity); // when each core frees
  const bars: GanttBar[] = [];
  for (const op of mine) {
    const lanes: number[] = [];
    for (let c = 0; c < freeAt.length && lanes.length < op.cores; c++) if (freeAt[c] <= op.startS + eps) lanes.push(c);
    while (lanes.length < op.cores) {
      freeAt.push(-Infinity);
      lanes.push(freeAt.length - 1);
    }
    const end = op.startS + op.timeS;
    for (const c of lanes) freeAt[c] = end;
    for (let i = 0; i < lanes.length; ) {
      let j = i;
      while (j + 1 < lanes.length && lanes[j + 1] === lanes[j] + 1) j++;
      bars.push({
        pool, lane0: lanes[i], lane1: lanes[j] + 1, startMs: op.startS * 1e3, endMs: end * 1e3, name: op.name, kind: op.kind,
        phase: op.phase, layer: op.layer, cores: op.cores, bound: op.bound, critical: op.critical,
      });
      i = j + 1;
    }
  }
  return bars;
}

const HIGHLIGHT_DOMAIN = ['critical path', ...PHASES];
const HIGHLIGHT_RANGE = [CRITICAL_COLOUR, '#9ecae1', '#a1d99b', '#fdd0a2', '#dadaeb', '#d9d9d9'];

function panel(bars: GanttBar[], pool: 'tensor' | 'vector', cores: number, stepMs: number): VegaLiteSpec {
  const lanes = Math.max(cores, ...bars.map((b) => b.lane1));
  return {
    width: 2 * PANEL_WIDTH + 60,
    height: Math.min(320, Math.max(60, lanes * 6)),
    data: { values: bars.map((b) => ({ ...b, highlight: b.critical ? 'critical path' : b.phase })).sort((a, b) => Number(a.critical) - Number(b.critical)) },
    mark: { type: 'rect', strokeWidth: 0.3, stroke: 'white' },
    encoding: {
      x: { field: 'startMs', type: 'quantitative', title: 'time into the step (ms)', scale: { domain: [0, stepMs] } },
      x2: { field: 'endMs' },
      y: { field: 'lane0', type: 'quantitative', title: `${pool} core (index, of ${cores})`, scale: { domain: [0, lanes], nice: false }, axis: { tickMinStep: 1 } },
      y2: { field: 'lane1' },
      color: { field: 'highlight', type: 'nominal', title: 'op', scale: { domain: HIGHLIGHT_DOMAIN, range: HIGHLIGHT_RANGE } },
      tooltip: [
        { field: 'name', type: 'nominal', title: 'op' },
        { field: 'kind', type: 'nominal' },
        { field: 'phase', type: 'nominal' },
        { field: 'layer', type: 'nominal' },
        { field: 'startMs', type: 'quantitative', title: 'start (ms)', format: '.4~g' },
        { field: 'endMs', type: 'quantitative', title: 'finish (ms)', format: '.4~g' },
        { field: 'cores', type: 'quantitative', title: `${pool} cores` },
        { field: 'bound', type: 'nominal', title: 'bound by' },
        { field: 'critical', type: 'nominal', title: 'on the critical path' },
      ],
    },
  };
}

export function ganttSpec(title: string, design: Design, e: Evaluation): VegaLiteSpec {
  const stepMs = e.stepTimeS * 1e3;
  const panels: VegaLiteSpec[] = [];
  for (const [pool, cores] of [['tensor', design.tensorCores], ['vector', design.vectorCores]] as const) {
    const bars = assignLanes(e.ops, pool, cores, e.stepTimeS);
    if (bars.length) panels.push(panel(bars, pool, cores, stepMs));
  }
  return topLevel(title, { vconcat: panels, resolve: { scale: { color: 'shared', x: 'shared' } } });
}
