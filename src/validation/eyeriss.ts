/**
 * Eyeriss v1 running AlexNet CONV1–5 at batch 4 (JSSC 2017, data/reference/eyeriss-alexnet.csv), through the
 * same kernel path as every other op: the `eyeriss` preset (row-stationary), each layer's forward convolution
 * as an op record, on its one core. Four rows a layer: processing latency (the op's cycles), chip power,
 * global-buffer accesses and DRAM accesses.
 *
 * Chip power is the chip's own: the op's energy without the off-chip DRAM energy (the paper measures the
 * chip, not its DRAM), over the op's time, plus clock/control and leakage power. CONV2–5 stream ReLU outputs,
 * so the row-stationary PEs gate on their zeros (RELU_ZERO_FRACTION, src/workload/relu-zeros.ts).
 */
import { presetDesign } from '../arch/presets.js';
import { unitEnergies } from '../arch/cost.js';
import { defaultKernel, type Kernel } from '../engine/kernel.js';
import { convRecord, decodeOpResult, designRecord, O_RS_ZEROS, RELU_ZERO_FRACTION, type OpCost } from '../engine/layout.js';
import type { Conv2dAttrs } from '../workload/ir.js';
import { pctRow, readReferenceCsv, type FidelityRow } from './rows.js';

export interface EyerissLayer {
  layer: string;
  attrs: Conv2dAttrs;
  measured: { powerMw: number; processingLatencyMs: number; glbMB: number; dramMB: number };
}

/**
 * The CSV's layers as convolutions. Its C is per group; the groups follow from the previous layer's filters
 * (CONV2, 4 and 5 run two groups on the chip). H already includes the padding.
 */
export function eyerissLayers(): EyerissLayer[] {
  let prevFilters = 3;
  return readReferenceCsv('eyeriss-alexnet.csv').map((r, i) => {
    const C = +r.C;
    const groups = prevFilters / C;
    prevFilters = +r.M;
    const attrs: Conv2dAttrs = {
      batch: +r.batch, inC: C * groups, inH: +r.H, inW: +r.H, outC: +r.M, outH: +r.E, outW: +r.E, kH: +r.R, kW: +r.R,
      strideH: +r.U, strideW: +r.U, padH: 0, padW: 0, dilationH: 1, dilationW: 1, groups, pass: 'fwd',
      // CONV1 reads the image; CONV2–5 read ReLU outputs (through max pooling and normalisation in AlexNet)
      ...(i > 0 ? { inputZeros: true } : {}),
    } as Conv2dAttrs;
    return {
      layer: r.layer,
      attrs,
      measured: { powerMw: +r.power_mw, processingLatencyMs: +r.processing_latency_ms, glbMB: +r.glb_accesses_mb, dramMB: +r.dram_accesses_mb },
    };
  });
}

export interface EyerissPrediction {
  layer: string;
  cost: OpCost;
  processingLatencyMs: number;
  chipPowerMw: number;
  /** clock/control power included in chipPowerMw (for fitting the clock constant) */
  clockMw: number;
  glbMB: number;
  dramMB: number;
}

/** `reluZeroFraction` other than the calibrated constant is for fitting it (scripts/fit-power.mjs). */
export function eyerissPredictions(kernel: Kernel = defaultKernel(), reluZeroFraction = RELU_ZERO_FRACTION): EyerissPrediction[] {
  const d = presetDesign('eyeriss');
  const e = unitEnergies(d);
  const rec = designRecord(d, e);
  return eyerissLayers().map((l) => {
    const op = convRecord(l.attrs, 2);
    if (op[O_RS_ZEROS] > 0) op[O_RS_ZEROS] = reluZeroFraction;
    const cost = decodeOpResult(kernel.evaluateOpRecord(rec, op, d.tensorCores));
    const timeS = cost.cycles / (d.clockGHz * 1e9);
    const onChipJ = cost.energyJ - cost.traffic.offChipBytes * e.offChipPJPerByte * 1e-12;
    return {
      layer: l.layer,
      cost,
      processingLatencyMs: timeS * 1e3,
      chipPowerMw: (onChipJ / timeS + e.clockW + e.leakageW) * 1e3,
      clockMw: e.clockW * 1e3,
      glbMB: cost.traffic.globalBytes / 1e6,
      dramMB: cost.traffic.offChipBytes / 1e6,
    };
  });
}

/** Per layer: processing latency ±15%, chip power ±20%, global-buffer and DRAM accesses ±25%. */
export function eyerissRows(kernel?: Kernel): FidelityRow[] {
  const layers = eyerissLayers();
  return eyerissPredictions(kernel).flatMap((p, i) => {
    const m = layers[i].measured;
    const c = `eyeriss ${p.layer}`;
    return [
      pctRow(`${c} processing latency`, p.processingLatencyMs, m.processingLatencyMs, 'ms', 15),
      pctRow(`${c} chip power`, p.chipPowerMw, m.powerMw, 'mW', 20),
      pctRow(`${c} global-buffer accesses`, p.glbMB, m.glbMB, 'MB', 25),
      pctRow(`${c} DRAM accesses`, p.dramMB, m.dramMB, 'MB', 25),
    ];
  });
}
