/**
 * Where the best design's energy (per training step, by component), area (by component) and TDP (by term) go, as
 * bars; the numbers are evaluateDesign's `energy`, `area` and `tdp` breakdowns.
 */
import { tdpTerms, type AreaBreakdown, type PowerBreakdown, type TdpTerm } from '../../arch/cost.js';
import type { EnergyBreakdown } from '../../evaluate.js';
import { PANEL_WIDTH } from '../theme.js';
import { topLevel, type VegaLiteSpec } from './spec.js';

const ENERGY_LABELS: Record<keyof EnergyBreakdown, string> = {
  macJ: 'MACs (tensor cores)', vectorJ: 'vector lanes', localBufferJ: 'local buffers', nocJ: 'NoC', globalBufferJ: 'global buffer',
  offChipJ: 'off-chip memory', clockJ: 'clock and control', leakageJ: 'leakage',
};
const AREA_LABELS: Record<Exclude<keyof AreaBreakdown, 'totalMm2'>, string> = {
  tensorMm2: 'tensor cores', vectorMm2: 'vector lanes', laneOverheadMm2: 'vector-lane overhead', sramMm2: 'SRAM (local + global buffers)',
  phyMm2: 'off-chip PHY', nocMm2: 'NoC',
};

const TDP_LABELS: Record<TdpTerm, string> = {
  leakageW: 'leakage', clockW: 'clock and control', tensorW: 'MACs (every PE busy)', localBufferW: 'local buffers',
  vectorW: 'vector lanes (every lane busy)', globalBufferW: 'global buffer', nocW: 'NoC', offChipW: 'off-chip memory',
};

function bars(title: string, rows: { component: string; value: number }[], xTitle: string, colour: string, format: string): VegaLiteSpec {
  const total = rows.reduce((s, r) => s + r.value, 0);
  return topLevel(title, {
    width: PANEL_WIDTH + 120,
    height: { step: 22 },
    data: { values: rows.map((r) => ({ ...r, share: total > 0 ? r.value / total : 0 })) },
    mark: { type: 'bar', color: colour },
    encoding: {
      y: { field: 'component', type: 'nominal', title: 'component', sort: '-x' },
      x: { field: 'value', type: 'quantitative', title: xTitle },
      tooltip: [
        { field: 'component', type: 'nominal' },
        { field: 'value', type: 'quantitative', title: xTitle, format },
        { field: 'share', type: 'quantitative', title: 'share (%)', format: '.1%' },
      ],
    },
  });
}

export function energySpec(title: string, energy: EnergyBreakdown): VegaLiteSpec {
  const rows = (Object.keys(ENERGY_LABELS) as (keyof EnergyBreakdown)[]).map((k) => ({ component: ENERGY_LABELS[k], value: energy[k] }));
  return bars(title, rows, 'energy per training step (J)', '#e6550d', '.4~g');
}

export function areaSpec(title: string, area: AreaBreakdown): VegaLiteSpec {
  const rows = (Object.keys(AREA_LABELS) as (keyof typeof AREA_LABELS)[]).map((k) => ({ component: AREA_LABELS[k], value: area[k] }));
  return bars(title, rows, 'area (mm²)', '#3182bd', '.2f');
}

/** The terms that add up to the TDP (leakage, clock/control and the class that sets it), in W. */
export function tdpSpec(title: string, tdp: PowerBreakdown): VegaLiteSpec {
  const rows = tdpTerms(tdp).map((k) => ({ component: TDP_LABELS[k], value: tdp[k] }));
  return bars(title, rows, 'power at TDP (W)', '#756bb1', '.2f');
}
