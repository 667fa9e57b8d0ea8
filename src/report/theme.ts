/**
 * What every chart of a report shares: one colour per strategy (the same in every chart and every report), the
 * design fields a tooltip shows, and the size of a panel.
 */
import type { Design } from '../arch/design.js';

/** Colours of the known strategies (a label `spotlight (inference-only)` takes its strategy's colour). */
const STRATEGY_COLOURS: Record<string, string> = {
  wham: '#1f77b4',
  spotlight: '#ff7f0e',
  genetic: '#2ca02c',
  random: '#9467bd',
  exhaustive: '#8c564b',
  sweep: '#17becf',
};
const SPARE_COLOURS = ['#e377c2', '#bcbd22', '#d62728', '#7f7f7f', '#aec7e8', '#ffbb78'];

/** Colour of dominated designs shown for context (no strategy colour). */
export const CONTEXT_COLOUR = '#c7c7c7';
/** Colour of the scheduled critical path in the Gantt chart and the roofline. */
export const CRITICAL_COLOUR = '#d62728';

export const PANEL_WIDTH = 340;
export const PANEL_HEIGHT = 260;

/** A strategy label's base strategy: `spotlight (inference-only)` → `spotlight`. */
export const baseStrategy = (label: string): string => label.replace(/\s*\(.*\)\s*$/, '');

/** The colour scale of strategies: built once per report from all its labels and used by every chart. */
export interface StrategyScale {
  domain: string[];
  range: string[];
}

export function strategyScale(labels: readonly string[]): StrategyScale {
  const domain = [...new Set(labels)];
  let spare = 0;
  const assigned = new Map<string, string>();
  const range = domain.map((label) => {
    const base = baseStrategy(label);
    if (STRATEGY_COLOURS[base]) return STRATEGY_COLOURS[base];
    if (!assigned.has(base)) assigned.set(base, SPARE_COLOURS[spare++ % SPARE_COLOURS.length]);
    return assigned.get(base)!;
  });
  return { domain, range };
}

/** The vega-lite colour encoding of a strategy field. */
export function strategyColour(scale: StrategyScale) {
  return { field: 'strategy', type: 'nominal' as const, title: 'strategy', scale: { domain: scale.domain, range: scale.range } };
}

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${Number.isInteger(n) ? n : n.toFixed(1)} ${units[i]}`;
}

/** A design as tooltip fields (strings, units in the text). */
export function designTooltipFields(d: Design): Record<string, string> {
  return {
    tensorCores: `${d.tensorCores} × ${d.tcRows}×${d.tcCols} (${d.dataflow})`,
    vectorCores: `${d.vectorCores} × ${d.vectorLanes} lanes`,
    localBuffer: bytes(d.localBufferBytes),
    globalBuffer: `${bytes(d.globalBufferBytes)} @ ${d.globalBufferGBs} GB/s`,
    offChip: `${bytes(d.offChipBytes)} @ ${d.offChipGBs} GB/s`,
    noc: `${d.nocGBs} GB/s`,
    chip: `${d.clockGHz} GHz, ${d.precision}, ${d.techNm} nm`,
  };
}

/** The tooltip entries of designTooltipFields. */
export const DESIGN_TOOLTIP = [
  { field: 'tensorCores', title: 'tensor cores' },
  { field: 'vectorCores', title: 'vector cores' },
  { field: 'localBuffer', title: 'local buffer' },
  { field: 'globalBuffer', title: 'global buffer' },
  { field: 'offChip', title: 'off-chip' },
  { field: 'noc', title: 'NoC' },
  { field: 'chip', title: 'clock, precision, node' },
].map((t) => ({ ...t, type: 'nominal' as const }));

/** A one-line description of a design (headings). */
export function designSummary(d: Design): string {
  const f = designTooltipFields(d);
  return `${f.tensorCores} tensor cores, ${f.vectorCores} vector cores, local ${f.localBuffer}, global ${f.globalBuffer}, off-chip ${f.offChip}, NoC ${f.noc}, ${f.chip}`;
}
