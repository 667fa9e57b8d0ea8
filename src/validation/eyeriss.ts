/**
 * Eyeriss v1 running AlexNet CONV1–5 at batch 4 and VGG-16 CONV1-1…CONV5-3 at batch 3 (JSSC 2017,
 * data/reference/eyeriss-alexnet.csv and eyeriss-vgg16.csv), through the same kernel path as every other op:
 * the `eyeriss` preset (row-stationary), each layer's forward convolution as an op record, on its one core.
 * Four rows a layer: processing latency (the op's cycles), chip power, global-buffer accesses and DRAM
 * accesses; VGG-16 also its whole processing latency and average chip power over the 13 layers.
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

/** The networks the paper measured layer by layer, and their reference files. */
export const EYERISS_NETWORKS = { alexnet: 'eyeriss-alexnet.csv', vgg16: 'eyeriss-vgg16.csv' } as const;
export type EyerissNetwork = keyof typeof EYERISS_NETWORKS;

export interface EyerissLayer {
  layer: string;
  attrs: Conv2dAttrs;
  measured: { powerMw: number; processingLatencyMs: number; glbMB: number; dramMB: number };
}

/**
 * The CSV's layers as convolutions. Its C is per group; the groups follow from the previous layer's filters
 * (CONV2, 4 and 5 run two groups on the chip). H already includes the padding.
 */
export function eyerissLayers(network: EyerissNetwork = 'alexnet'): EyerissLayer[] {
  let prevFilters = 3;
  return readReferenceCsv(EYERISS_NETWORKS[network]).map((r, i) => {
    const C = +r.C;
    const groups = prevFilters / C;
    prevFilters = +r.M;
    const attrs: Conv2dAttrs = {
      batch: +r.batch, inC: C * groups, inH: +r.H, inW: +r.H, outC: +r.M, outH: +r.E, outW: +r.E, kH: +r.R, kW: +r.R,
      strideH: +r.U, strideW: +r.U, padH: 0, padW: 0, dilationH: 1, dilationW: 1, groups, pass: 'fwd',
      // the first layer reads the image; the others read ReLU outputs (through max pooling and, in AlexNet,
      // normalisation)
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
export function eyerissPredictions(
  kernel: Kernel = defaultKernel(), reluZeroFraction = RELU_ZERO_FRACTION, network: EyerissNetwork = 'alexnet',
): EyerissPrediction[] {
  const d = presetDesign('eyeriss');
  const e = unitEnergies(d);
  const rec = designRecord(d, e);
  return eyerissLayers(network).map((l) => {
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

/**
 * Per layer: processing latency ±15%, chip power ±20%, global-buffer and DRAM accesses ±25%. AlexNet's rows are
 * named `eyeriss CONV1 …` (as the issue names them), VGG-16's `eyeriss VGG-16 CONV1-1 …`; VGG-16 adds its
 * processing latency summed over the layers (±15%) and its average chip power, energy over that time (±20%).
 */
export function eyerissRows(kernel?: Kernel): FidelityRow[] {
  return [...networkRows(kernel, 'alexnet', 'eyeriss'), ...networkRows(kernel, 'vgg16', 'eyeriss VGG-16')];
}

function networkRows(kernel: Kernel | undefined, network: EyerissNetwork, prefix: string): FidelityRow[] {
  const layers = eyerissLayers(network);
  const predictions = eyerissPredictions(kernel, RELU_ZERO_FRACTION, network);
  const rows = predictions.flatMap((p, i) => {
    const m = layers[i].measured;
    const c = `${prefix} ${p.layer}`;
    return [
      pctRow(`${c} processing latency`, p.processingLatencyMs, m.processingLatencyMs, 'ms', 15),
      pctRow(`${c} chip power`, p.chipPowerMw, m.powerMw, 'mW', 20),
      pctRow(`${c} global-buffer accesses`, p.glbMB, m.glbMB, 'MB', 25),
      pctRow(`${c} DRAM accesses`, p.dramMB, m.dramMB, 'MB', 25),
    ];
  });
  if (network === 'alexnet') return rows;
  const sum = (xs: number[]) => xs.reduce((a, x) => a + x, 0);
  const measured = layers.map((l) => l.measured);
  const predictedMs = sum(predictions.map((p) => p.processingLatencyMs));
  const measuredMs = sum(measured.map((m) => m.processingLatencyMs));
  // average chip power = energy over time: each layer's power weighted by its latency
  const predictedMw = sum(predictions.map((p) => p.chipPowerMw * p.processingLatencyMs)) / predictedMs;
  const measuredMw = sum(measured.map((m) => m.powerMw * m.processingLatencyMs)) / measuredMs;
  return [
    ...rows,
    pctRow(`${prefix} all layers processing latency`, predictedMs, measuredMs, 'ms', 15),
    pctRow(`${prefix} all layers average chip power`, predictedMw, measuredMw, 'mW', 20),
  ];
}
