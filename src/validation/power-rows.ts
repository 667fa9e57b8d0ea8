/**
 * Power against real chips. Training steps run single-stream (one op at a time on the whole chip: PyTorch on
 * one CUDA stream for the GPUs; XLA's sequential schedule of fused ops on a TPU core):
 *  - TPU v3 and v4: average power training ResNet-50 and BERT-large within 25% of the measured mean over
 *    production workloads; the modelled TDP between the measured maximum and 1.5× it;
 *  - V100, A100, H100: average power training ResNet-50 and BERT-large between 60% and 100% of the
 *    published TDP; the modelled TDP within ±20% of it.
 * Each row carries the clock/control power it includes and the power its node's energy scale does not move
 * (leakage and off-chip transfers), so scripts/fit-power.mjs can move it along both calibrated constants.
 */
import { powerBreakdown } from '../arch/cost.js';
import { presetDesign, presetInfo } from '../arch/presets.js';
import type { Kernel } from '../engine/kernel.js';
import { evaluateDesign, prepareWorkload, type PreparedWorkload } from '../evaluate.js';
import { loadTrainingGraph } from '../workload/load.js';
import { pctRow, rangeRow, readReferenceJson, type FidelityRow } from './rows.js';

/** The GPUs whose TDP the power rows hold to ±20% of the published figure (the preset rows leave them out). */
export const GPU_TDP_PRESETS: readonly string[] = ['v100', 'a100', 'h100'];

export interface PowerRow extends FidelityRow {
  /** clock/control power inside `predicted` (W) */
  clockW: number;
  /** leakage and off-chip power inside `predicted` (W): the part the node's energy scale does not multiply */
  unscaledW: number;
  /** the chip's technology node (nm) */
  techNm: number;
}

const WORKLOADS = [
  { model: 'resnet50', batch: 256, optimizer: 'momentum' as const },
  { model: 'bert-large', batch: 64, seq: 128, optimizer: 'adam' as const },
];

function measuredPower(chip: string): { mean: number; max: number } {
  const c = readReferenceJson('chips.json').chips.find((x: any) => x.name === chip);
  if (!c?.measuredPowerW) throw new Error(`chips.json has no measuredPowerW for ${chip}`);
  return c.measuredPowerW;
}

export function powerRows(kernel?: Kernel): PowerRow[] {
  const prepared: PreparedWorkload[] = WORKLOADS.map((w) =>
    prepareWorkload(loadTrainingGraph({ model: w.model, batch: w.batch, seq: w.seq, precision: 'bf16' }, { optimizer: w.optimizer })),
  );
  const label = (i: number) => `${WORKLOADS[i].model}${WORKLOADS[i].seq ? ` seq ${WORKLOADS[i].seq}` : ''} batch ${WORKLOADS[i].batch}`;
  const rows: PowerRow[] = [];
  const avg = (preset: string, i: number) => {
    const { launchOverheadS, arrayRateFraction } = presetInfo(preset);
    const ev = evaluateDesign(presetDesign(preset), prepared[i], kernel, { execution: 'single-stream', launchOverheadS, arrayRateFraction });
    const techNm = presetDesign(preset).techNm;
    return { w: ev.avgPowerW, clockW: ev.energy.clockJ / ev.stepTimeS, unscaledW: (ev.energy.leakageJ + ev.energy.offChipJ) / ev.stepTimeS, techNm };
  };
  const tdpParts = (preset: string) => {
    const p = powerBreakdown(presetDesign(preset));
    return { tdpW: p.tdpW, clockW: p.clockW, unscaledW: p.leakageW + p.offChipW, techNm: presetDesign(preset).techNm };
  };
  for (const [preset, chip] of [['tpu-v3', 'tpu-v3'], ['tpu-v4', 'tpu-v4']]) {
    const m = measuredPower(chip);
    prepared.forEach((_, i) => {
      const a = avg(preset, i);
      rows.push({ ...pctRow(`${preset} average power, ${label(i)}`, a.w, m.mean, 'W', 25), clockW: a.clockW, unscaledW: a.unscaledW, techNm: a.techNm });
    });
    const p = tdpParts(preset);
    rows.push({ ...rangeRow(`${preset} TDP vs measured max`, p.tdpW, m.max, 'W', m.max, 1.5 * m.max, 'measured max to 1.5x'), clockW: p.clockW, unscaledW: p.unscaledW, techNm: p.techNm });
  }
  for (const preset of GPU_TDP_PRESETS) {
    const tdp = presetInfo(preset).published.tdpW!;
    prepared.forEach((_, i) => {
      const a = avg(preset, i);
      rows.push({ ...rangeRow(`${preset} average power, ${label(i)}`, a.w, tdp, 'W', 0.6 * tdp, tdp, '60-100% of TDP'), clockW: a.clockW, unscaledW: a.unscaledW, techNm: a.techNm });
    });
    const p = tdpParts(preset);
    rows.push({ ...pctRow(`${preset} TDP`, p.tdpW, tdp, 'W', 20), clockW: p.clockW, unscaledW: p.unscaledW, techNm: p.techNm });
  }
  return rows;
}
