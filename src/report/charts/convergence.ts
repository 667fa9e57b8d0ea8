/**
 * The convergence chart of one workload: the best objective of each run (one line per strategy and repeat, the
 * strategy's colour) against kernel evaluations and against seconds, with the best known value and the 95% and
 * 99% marks (for a minimised objective, the best known / 0.95 and / 0.99).
 */
import type { ConvergenceSeries } from '../sources.js';
import { PANEL_HEIGHT, PANEL_WIDTH, strategyColour, type StrategyScale } from '../theme.js';
import { topLevel, type VegaLiteSpec } from './spec.js';

/** The reference lines: the best known value and the values at 95% and 99% of it. */
export function convergenceMarks(s: ConvergenceSeries): { mark: string; value: number }[] {
  if (!(s.bestKnown > 0)) return [];
  const at = (f: number) => (s.minimised ? s.bestKnown / f : s.bestKnown * f);
  return [
    { mark: 'best known', value: s.bestKnown },
    { mark: '99% of best known', value: at(0.99) },
    { mark: '95% of best known', value: at(0.95) },
  ];
}

function panel(s: ConvergenceSeries, x: 'evaluations' | 'seconds', scale: StrategyScale): VegaLiteSpec {
  const xTitle = x === 'evaluations' ? 'designs evaluated (count, log scale)' : 'search time (s, log scale)';
  const yTitle = `best ${s.objective} (${s.objectiveUnit})`;
  const marks = convergenceMarks(s);
  const points = s.points
    .filter((p) => Number.isFinite(p.objective))
    .map((p) => ({ ...p, evaluations: Math.max(1, p.evaluations), seconds: Math.max(1e-3, p.seconds) }));
  const layers: VegaLiteSpec[] = [
    {
      description: 'runs',
      data: { values: points },
      mark: { type: 'line', interpolate: 'step-after', point: { filled: true, size: 16 } },
      encoding: {
        x: { field: x, type: 'quantitative', title: xTitle, scale: { type: 'log' } },
        y: { field: 'objective', type: 'quantitative', title: yTitle, scale: { zero: false } },
        color: strategyColour(scale),
        detail: { field: 'repeat', type: 'nominal' },
        tooltip: [
          { field: 'strategy', type: 'nominal' },
          { field: 'repeat', type: 'ordinal', title: 'repeat (seed offset)' },
          { field: 'evaluations', type: 'quantitative', title: 'designs evaluated' },
          { field: 'seconds', type: 'quantitative', title: 'time (s)', format: '.3f' },
          { field: 'objective', type: 'quantitative', title: yTitle, format: '.4~g' },
        ],
      },
    },
  ];
  if (marks.length) {
    layers.push(
      {
        description: 'marks',
        data: { values: marks },
        mark: { type: 'rule', color: '#444', strokeWidth: 1 },
        encoding: {
          y: { field: 'value', type: 'quantitative', title: yTitle },
          strokeDash: { field: 'mark', type: 'nominal', title: 'reference', scale: { domain: marks.map((m) => m.mark), range: [[1, 0], [6, 3], [2, 2]] } },
          tooltip: [{ field: 'mark', type: 'nominal' }, { field: 'value', type: 'quantitative', title: yTitle, format: '.4~g' }],
        },
      }
    );
  }
  return { width: PANEL_WIDTH, height: PANEL_HEIGHT, layer: layers };
}

export function convergenceSpec(s: ConvergenceSeries, scale: StrategyScale): VegaLiteSpec {
  return topLevel(`${s.model}: best ${s.objective} while searching`, {
    hconcat: [panel(s, 'evaluations', scale), panel(s, 'seconds', scale)],
  });
}
