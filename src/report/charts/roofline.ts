/**
 * A roofline of the best design's ops: each op at its arithmetic intensity (FLOPs / bytes it moves with nothing
 * kept on chip, FLOP/byte) and the rate it achieved (FLOPs / its time on the cores it was given, TFLOP/s), under
 * the chip's roofs: the tensor cores' and the vector lanes' peak, each limited by off-chip bandwidth × intensity.
 * An op given part of its pool sits below the roof by that share too.
 */
import type { Design } from '../../arch/design.js';
import { peakTflops } from '../../arch/cost.js';
import type { Evaluation } from '../../evaluate.js';
import type { TrainingGraph } from '../../workload/ir.js';
import { CRITICAL_COLOUR, PANEL_HEIGHT, PANEL_WIDTH } from '../theme.js';
import { topLevel, type VegaLiteSpec } from './spec.js';

export interface RooflinePoint {
  name: string;
  kind: string;
  phase: string;
  pool: string;
  bound: string;
  critical: boolean;
  cores: number;
  /** FLOP/byte */
  intensity: number;
  /** TFLOP/s achieved */
  tflops: number;
}

/** The ops with work: FLOPs, bytes and time all positive. */
export function rooflinePoints(graph: TrainingGraph, e: Evaluation): RooflinePoint[] {
  return e.ops.flatMap((op, i) => {
    const g = graph.ops[i];
    if (!(g.flops > 0 && g.bytes > 0 && op.timeS > 0) || op.pool === 'none') return [];
    return [{
      name: op.name, kind: op.kind, phase: op.phase, pool: op.pool, bound: op.bound, critical: op.critical, cores: op.cores,
      intensity: g.flops / g.bytes, tflops: g.flops / op.timeS / 1e12,
    }];
  });
}

/** The roofs over [lo, hi] FLOP/byte: min(peak, intensity × off-chip GB/s), TFLOP/s. */
export function roofs(design: Design, lo: number, hi: number): { roof: string; intensity: number; tflops: number }[] {
  const bwTBs = design.offChipGBs / 1e3; // TB/s: × FLOP/byte = TFLOP/s
  const tensor = peakTflops(design);
  const vector = (design.vectorCores * design.vectorLanes * design.clockGHz) / 1e3;
  const n = 48;
  const out: { roof: string; intensity: number; tflops: number }[] = [];
  for (const [roof, peak] of [[`tensor cores (${tensor.toPrecision(3)} TFLOP/s)`, tensor], [`vector lanes (${vector.toPrecision(3)} TFLOP/s)`, vector]] as const) {
    const ridge = peak / bwTBs;
    const xs = Array.from({ length: n + 1 }, (_, i) => lo * (hi / lo) ** (i / n));
    if (ridge > lo && ridge < hi) xs.push(ridge);
    xs.sort((a, b) => a - b);
    for (const x of xs) out.push({ roof, intensity: x, tflops: Math.min(peak, x * bwTBs) });
  }
  return out;
}

export function rooflineSpec(title: string, design: Design, graph: TrainingGraph, e: Evaluation): VegaLiteSpec {
  const points = rooflinePoints(graph, e).map((p) => ({ ...p, highlight: p.critical ? 'critical path' : `${p.pool} op` }));
  const xs = points.map((p) => p.intensity);
  const lo = xs.length ? Math.min(...xs) / 2 : 0.1;
  const hi = xs.length ? Math.max(...xs) * 2 : 1e4;
  const x = { field: 'intensity', type: 'quantitative', title: 'arithmetic intensity (FLOP/byte, log scale)', scale: { type: 'log' } };
  const y = { field: 'tflops', type: 'quantitative', title: 'achieved (TFLOP/s, log scale)', scale: { type: 'log' } };
  return topLevel(title, {
    width: PANEL_WIDTH + 260, height: PANEL_HEIGHT + 60,
    layer: [
      {
        description: 'roofs',
        data: { values: roofs(design, lo, hi) },
        mark: { type: 'line', color: '#555', strokeWidth: 1.5 },
        encoding: { x, y, strokeDash: { field: 'roof', type: 'nominal', title: `roof (off-chip ${design.offChipGBs} GB/s)` }, order: { field: 'intensity', type: 'quantitative' } },
      },
      {
        description: 'ops',
        data: { values: points.sort((a, b) => Number(a.critical) - Number(b.critical)) },
        mark: { type: 'point', filled: true, size: 30, opacity: 0.75 },
        encoding: {
          x, y,
          color: { field: 'highlight', type: 'nominal', title: 'op', scale: { domain: ['critical path', 'tensor op', 'vector op'], range: [CRITICAL_COLOUR, '#6baed6', '#74c476'] } },
          shape: { field: 'pool', type: 'nominal', title: 'core pool' },
          tooltip: [
            { field: 'name', type: 'nominal', title: 'op' },
            { field: 'kind', type: 'nominal' },
            { field: 'phase', type: 'nominal' },
            { field: 'intensity', type: 'quantitative', title: 'intensity (FLOP/byte)', format: '.3~g' },
            { field: 'tflops', type: 'quantitative', title: 'achieved (TFLOP/s)', format: '.3~g' },
            { field: 'cores', type: 'quantitative', title: 'cores' },
            { field: 'bound', type: 'nominal', title: 'bound by' },
          ],
        },
      },
    ],
  });
}
