/**
 * Which rows of `accelmine validate` a calibrated constant was fitted on. Such a row is a calibration check (the
 * constant was chosen to bring it, with its group, within its bound); every other row is a prediction. Each
 * constant says where it lives and what it was fitted on; docs/fidelity.md has the same list.
 */
import type { FidelityRow } from './rows.js';

export interface CalibratedConstant {
  /** the short name `validate` prints in its `fitted` column */
  label: string;
  /** where the constant (or constants, fitted together) live */
  constants: readonly string[];
  /** the validate cases it was fitted on */
  fittedOn: (caseName: string) => boolean;
}

const POWER_ROW =
  /^(eyeriss CONV[1-5] chip power|tpu-v[34] (average power, .*|TDP vs measured max)|(v100|a100|h100) (average power, .*|TDP))$/;
const EYERISS_GLB_ROW = /^eyeriss (VGG-16 )?CONV[\d-]+ global-buffer accesses$/;
/** VGG-16 CONV1-1 to CONV4-3: the layers whose buffer rate set the preset's global-buffer bandwidth */
const VGG_BUFFER_BOUND_LATENCY = /^eyeriss VGG-16 (CONV[1-4]-\d|all layers) processing latency$/;

export const CALIBRATED_CONSTANTS: readonly CalibratedConstant[] = [
  {
    label: 'power fit',
    constants: [
      'technology.json calibration.clockControlPJPerCycleMm2', 'technology.json calibration.reluZeroFraction',
      'technology.json nodes.16.energyScale', 'technology.json nodes.7.energyScale',
    ],
    fittedOn: (c) => POWER_ROW.test(c),
  },
  {
    label: 'ifmap share',
    constants: ['RS_GLB_IFMAP_SHARE (src/engine/layout.ts, assembly/layout.ts)'],
    fittedOn: (c) => EYERISS_GLB_ROW.test(c),
  },
  {
    label: 'eyeriss buffer rate',
    constants: ["the eyeriss preset's global-buffer bandwidth, 16 B per cycle (src/arch/presets.ts)"],
    fittedOn: (c) => VGG_BUFFER_BOUND_LATENCY.test(c),
  },
  {
    label: 'area overheads',
    constants: ['technology.json calibration.arrayPortOverheadUm2At45nm', 'technology.json calibration.laneOverheadUm2At45nm'],
    fittedOn: (c) => /^(eyeriss|v100|a100|h100) area$/.test(c),
  },
  {
    label: 'megatron efficiency',
    constants: ['MEGATRON_A100_COMPUTE_EFFICIENCY (src/distributed/calibration.ts)'],
    fittedOn: (c) => c.startsWith('megatron gpt '),
  },
];

/** A validate row with the calibrated constants fitted on it (empty: a prediction). */
export interface ValidateRow extends FidelityRow {
  fitted: string[];
}

export function withFittedConstants(rows: FidelityRow[]): ValidateRow[] {
  return rows.map((r) => ({ ...r, fitted: CALIBRATED_CONSTANTS.filter((k) => k.fittedOn(r.case)).map((k) => k.label) }));
}
