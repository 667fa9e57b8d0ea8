/** What a chart builder returns: a vega-lite spec as plain JSON (validated by vega-lite when compiled). */
export type VegaLiteSpec = Record<string, unknown>;

/** One chart of a report. */
export interface Chart {
  /** DOM id of its container */
  id: string;
  /** the section it belongs to (Pareto front, convergence, schedule, roofline, breakdowns) */
  section: string;
  title: string;
  /** what it shows and from which data */
  caption: string;
  spec: VegaLiteSpec;
}

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** A top-level spec with the report's common settings. */
export function topLevel(title: string, body: VegaLiteSpec): VegaLiteSpec {
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: title, anchor: 'start' },
    config: { view: { stroke: '#ddd' }, axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelLimit: 260 } },
    ...body,
  };
}
