/**
 * Convergence plots as SVG (vega-lite compiled to vega, rendered headless with renderer 'none'): best objective
 * against evaluations and against seconds, one line per strategy and repeat.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface TracePoint {
  strategy: string;
  repeat: number;
  evaluations: number;
  seconds: number;
  objective: number;
}

export async function convergenceSvg(title: string, objectiveLabel: string, points: TracePoint[]): Promise<string> {
  const panel = (x: 'evaluations' | 'seconds', xTitle: string) => ({
    width: 360,
    height: 240,
    mark: { type: 'line' as const, interpolate: 'step-after' as const, point: false },
    encoding: {
      x: { field: x, type: 'quantitative' as const, title: xTitle, scale: { type: 'log' as const } },
      y: { field: 'objective', type: 'quantitative' as const, title: objectiveLabel, scale: { zero: false } },
      color: { field: 'strategy', type: 'nominal' as const },
      detail: { field: 'repeat', type: 'nominal' as const },
    },
  });
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    data: { values: points.map((p) => ({ ...p, evaluations: Math.max(1, p.evaluations), seconds: Math.max(1e-3, p.seconds) })) },
    hconcat: [panel('evaluations', 'evaluations'), panel('seconds', 'seconds')],
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
