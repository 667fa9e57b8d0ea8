/**
 * The fidelity table of `accelmine validate`: the model's predictions against published measurements
 * (data/reference, copies of shared/reference). Stages: Eyeriss AlexNet per-layer processing latency (row-
 * stationary mapping), single-chip training throughput (full cost model + scheduler), preset peak/area/TDP.
 */
import { readFileSync } from 'node:fs';
import { presetDesign, presetInfo, PRESET_NAMES } from '../arch/presets.js';
import { rowStationary } from '../arch/row-stationary.js';
import { evaluateDesign, prepareWorkload } from '../evaluate.js';
import type { Kernel } from '../engine/kernel.js';
import { loadTrainingGraph } from '../workload/load.js';

export interface FidelityRow {
  case: string;
  predicted: number;
  measured: number;
  unit: string;
  /** (predicted − measured) / measured × 100 */
  errorPct: number;
  /** the bound the issue sets for this kind of case, in percent */
  allowedPct: number;
  pass: boolean;
}

const REFERENCE = new URL('../../data/reference/', import.meta.url);

function csv(name: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(new URL(name, REFERENCE), 'utf8').trim().split(/\r?\n/);
  const cols = head.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i], v])));
}

function row(c: string, predicted: number, measured: number, unit: string, allowedPct: number): FidelityRow {
  const errorPct = ((predicted - measured) / measured) * 100;
  return { case: c, predicted, measured, unit, errorPct, allowedPct, pass: Math.abs(errorPct) <= allowedPct + 1e-9 };
}

/** Eyeriss v1, AlexNet CONV1–5 at batch 4: processing latency (ms) per layer, within 15%. */
export function eyerissRows(): FidelityRow[] {
  const d = presetDesign('eyeriss');
  // ifmap scratchpad: 24 B per PE (chips.json perPeSpadBytes.ifmap) = 12 words of 16 bits
  const array = { rows: d.tcRows, cols: d.tcCols, ifmapSpadWords: 12, clockGHz: d.clockGHz };
  return csv('eyeriss-alexnet.csv').map((r) => {
    const m = rowStationary({ R: +r.R, E: +r.E, C: +r.C, M: +r.M, N: +r.batch }, array);
    return row(`eyeriss ${r.layer} processing latency`, m.latencyS * 1e3, +r.processing_latency_ms, 'ms', 15);
  });
}

interface ThroughputCase {
  model: string;
  preset: string;
  batch: number;
  seq?: number;
  csvChip: string;
}

/**
 * Batches: ResNet-50 at the reference's 256 per GPU; BERT-large (the reference gives no batch) at 64 × 128
 * and 8 × 512 tokens per GPU, NVIDIA's pretraining settings for a 32 GB V100 (phase 1 and phase 2).
 */
export const THROUGHPUT_CASES: readonly ThroughputCase[] = [
  { model: 'resnet50', preset: 'v100', batch: 256, csvChip: 'v100-sxm2-16gb' },
  { model: 'resnet50', preset: 'a100', batch: 256, csvChip: 'a100-sxm4-80gb' },
  { model: 'bert-large', preset: 'v100', batch: 64, seq: 128, csvChip: 'v100-sxm2-32gb' },
  { model: 'bert-large', preset: 'v100', batch: 8, seq: 512, csvChip: 'v100-sxm2-32gb' },
];

/**
 * Training throughput (samples/s) on the GPU presets against NVIDIA's measurements, within 30%. The step is
 * run single-stream (src/single-stream.ts): the measured runs launch one kernel at a time on one CUDA stream,
 * so the concurrent schedule of the core pools (several ops side by side) is not what they execute.
 */
export function throughputRows(kernel?: Kernel): FidelityRow[] {
  const measured = csv('training-throughput.csv');
  return THROUGHPUT_CASES.map((c) => {
    const ref = measured.find((r) => r.model === c.model && r.chip === c.csvChip && (c.seq === undefined || +r.seq_len === c.seq));
    if (!ref) throw new Error(`training-throughput.csv has no row for ${c.model} on ${c.csvChip}`);
    const graph = loadTrainingGraph({ model: c.model, batch: c.batch, seq: c.seq, precision: 'bf16' }, { optimizer: c.model === 'resnet50' ? 'momentum' : 'adam' });
    // NVIDIA's runs are PyTorch on one CUDA stream: one kernel at a time, each on the whole GPU
    const ev = evaluateDesign(presetDesign(c.preset), prepareWorkload(graph), kernel, { execution: 'single-stream' });
    const label = `${c.model} on ${c.preset}, batch ${c.batch}${c.seq ? `, seq ${c.seq}` : ''}, single stream`;
    return row(`${label} training throughput`, ev.throughput, +ref.throughput, ref.unit, 30);
  });
}

/** Preset peak FLOP/s (exact), area and TDP (within 25%) where published. */
export function presetRows(): FidelityRow[] {
  const rows: FidelityRow[] = [];
  for (const n of PRESET_NAMES) {
    const p = presetInfo(n);
    if (p.published.peakTflops !== null) rows.push(row(`${n} peak`, p.peakTflops, p.published.peakTflops, 'TFLOP/s', 0));
    if (p.published.areaMm2 !== null) rows.push(row(`${n} area`, p.areaMm2, p.published.areaMm2, 'mm2', 25));
    if (p.published.tdpW !== null) rows.push(row(`${n} TDP`, p.tdpW, p.published.tdpW, 'W', 25));
  }
  return rows;
}

export function fidelityTable(kernel?: Kernel): FidelityRow[] {
  return [...eyerissRows(), ...throughputRows(kernel), ...presetRows()];
}
