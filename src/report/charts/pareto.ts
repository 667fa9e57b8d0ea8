/**
 * The Pareto chart of one workload: throughput (samples/s) against area (mm²) and against TDP (W); each
 * strategy's front as a staircase of its colour (the best throughput it found at each cost), the other designs
 * read in grey for context; hovering a point shows its design.
 */
import { paretoFront, type CostAxis } from '../../search/pareto.js';
import type { DesignPoint, WorkloadDesigns } from '../sources.js';
import { CONTEXT_COLOUR, DESIGN_TOOLTIP, designTooltipFields, PANEL_HEIGHT, PANEL_WIDTH, strategyColour, type StrategyScale } from '../theme.js';
import { topLevel, type VegaLiteSpec } from './spec.js';

const AXES: Record<CostAxis, string> = { areaMm2: 'area (mm²)', tdpW: 'TDP (W)' };

const row = (p: DesignPoint) => ({
  strategy: p.strategy, areaMm2: p.areaMm2, tdpW: p.tdpW, throughput: p.throughput, ...designTooltipFields(p.design),
});

const TOOLTIP = [
  { field: 'strategy', type: 'nominal' },
  { field: 'throughput', type: 'quantitative', title: 'throughput (samples/s)', format: '.4~g' },
  { field: 'areaMm2', type: 'quantitative', title: 'area (mm²)', format: '.1f' },
  { field: 'tdpW', type: 'quantitative', title: 'TDP (W)', format: '.1f' },
  ...DESIGN_TOOLTIP,
];

/** Each strategy's front on one cost axis (the points the chart draws as its front). */
export function strategyFronts(w: WorkloadDesigns, cost: CostAxis): DesignPoint[] {
  const byStrategy = new Map<string, DesignPoint[]>();
  for (const p of w.front) byStrategy.set(p.strategy, [...(byStrategy.get(p.strategy) ?? []), p]);
  // the exhaustive front (the reference) first, so that the strategies' fronts are drawn over it
  const order = [...byStrategy.keys()].sort((a, b) => Number(b === 'exhaustive') - Number(a === 'exhaustive'));
  return order.flatMap((s) => paretoFront(byStrategy.get(s)!, cost));
}

function panel(w: WorkloadDesigns, cost: CostAxis, scale: StrategyScale): VegaLiteSpec {
  const x = { field: cost, type: 'quantitative', title: AXES[cost], scale: { zero: false } };
  const y = { field: 'throughput', type: 'quantitative', title: 'throughput (samples/s)', scale: { zero: false } };
  const front = strategyFronts(w, cost).map(row);
  const layers: VegaLiteSpec[] = [];
  if (w.others.length) {
    layers.push({
      description: 'others',
      data: { values: w.others.map(row) },
      mark: { type: 'point', filled: true, size: 14, opacity: 0.45, color: CONTEXT_COLOUR },
      encoding: { x, y, tooltip: TOOLTIP },
    });
  }
  layers.push(
    {
      description: 'front-line',
      data: { values: front },
      mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.5 },
      encoding: { x, y, color: strategyColour(scale), order: { field: cost, type: 'quantitative' } },
    },
    {
      description: 'front',
      data: { values: front },
      mark: { type: 'point', filled: true, size: 45 },
      encoding: { x, y, color: strategyColour(scale), tooltip: TOOLTIP },
    },
  );
  return { width: PANEL_WIDTH, height: PANEL_HEIGHT, layer: layers };
}

export function paretoSpec(w: WorkloadDesigns, scale: StrategyScale): VegaLiteSpec {
  return topLevel(`${w.workload}: throughput against area and TDP`, {
    hconcat: [panel(w, 'areaMm2', scale), panel(w, 'tdpW', scale)],
    resolve: { scale: { color: 'shared' } },
  });
}
