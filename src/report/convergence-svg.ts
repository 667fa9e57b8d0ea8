/**
 * Convergence plots as SVG (vega-lite compiled to vega, rendered headless with renderer 'none'): best objective
 * against evaluations and against seconds, one line per strategy and repeat (the strategies' colours are the
 * report's, theme.ts), and the best known value as a rule when one is given.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { ModelComparison } from '../search/compare.js';
import type { TracePoint } from '../search/strategy.js';
import { strategyScale } from './theme.js';

export type { TracePoint };

/** The convergence plot of one model of a `compare` run: every run's best objective, the best known dashed. */
export function compareConvergenceSvg(m: ModelComparison): Promise<string> {
  return convergenceSvg(
    `${m.model}: best ${m.objective} of the training step (best known ${m.bestKnown.toPrecision(4)}, ${m.bestKnownSource}: dashed)`,
    `${m.objective} (${m.objectiveUnit})`, m.traces, m.bestKnown,
  );
}

export async function convergenceSvg(title: string, objectiveLabel: string, points: TracePoint[], bestKnown = 0): Promise<string> {
  const scale = strategyScale(points.map((p) => p.strategy));
  const panel = (x: 'evaluations' | 'seconds', xTitle: string) => ({
    width: 360,
    height: 240,
    layer: [
      {
        mark: { type: 'line' as const, interpolate: 'step-after' as const, point: false },
        encoding: {
          x: { field: x, type: 'quantitative' as const, title: xTitle, scale: { type: 'log' as const } },
          y: { field: 'objective', type: 'quantitative' as const, title: objectiveLabel, scale: { zero: false } },
          color: { field: 'strategy', type: 'nominal' as const, scale: { domain: scale.domain, range: scale.range } },
          detail: { field: 'repeat', type: 'nominal' as const },
        },
      },
      ...(bestKnown > 0
        ? [{ data: { values: [{ bestKnown }] }, mark: { type: 'rule' as const, strokeDash: [6, 3], color: '#444' }, encoding: { y: { field: 'bestKnown', type: 'quantitative' as const } } }]
        : []),
    ],
  });
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    data: { values: points.map((p) => ({ ...p, evaluations: Math.max(1, p.evaluations), seconds: Math.max(1e-3, p.seconds) })) },
    hconcat: [panel('evaluations', 'designs evaluated (log scale)'), panel('seconds', 'search time (s, log scale)')],
    config: { legend: { labelLimit: 260 } },
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
