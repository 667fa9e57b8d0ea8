/**
 * Layer profiles: per layer of a model (in order), its forward and backward time per micro-batch on one device
 * of a design, its optimizer time, parameter bytes and stashed activations — the inputs of the pipeline model —
 * and the share of each in the two regions the layout's trade-offs act on (regions.ts): the sequence-parallel
 * region and the unfused attention core.
 *
 * Transformers are profiled from a one-block build of the tensor-parallel shard (every block is identical), so
 * a 96-layer GPT-3 costs one small graph; other models are profiled whole. Times are the kernel's per-op
 * cycles on all cores of their pool, summed per layer and phase (serial within a layer: conservative), plus the
 * framework's launch gap before every op with work (`launchOverheadS`: a GPU runs one kernel after another on one
 * stream; the GPU presets' 4 µs, as the single-stream evaluation uses), the op times divided by `computeEfficiency`
 * when a run gives one (the share of the kernel's rate a framework's step achieves; run.ts).
 *
 * Full recomputation of a transformer checkpoints its blocks only (Megatron-LM's --activations-checkpoint-method /
 * --recompute-granularity full, Hugging Face's gradient checkpointing): the embedding, the final norm, the LM head
 * and the loss keep their activations and are not run twice. Models without blocks recompute every layer.
 */
import { unitEnergies } from '../arch/cost.js';
import type { Design } from '../arch/design.js';
import { flattenOps } from '../engine/flatten.js';
import type { Kernel } from '../engine/kernel.js';
import { designRecord, R_CYCLES, RESULT_STRIDE } from '../engine/layout.js';
import { InputError } from '../errors.js';
import { numel, tensorBytes, type TrainingGraph } from '../workload/ir.js';
import { OPTIMIZER_STATE_BYTES_PER_PARAM } from '../workload/op-metrics.js';
import { buildTrainingStep } from '../workload/training.js';
import { findModel, type AttentionImpl } from '../workload/zoo/index.js';
import type { OptimizerKind } from '../workload/ir.js';
import { inAttentionCore, inSequenceParallelRegion, residualStreamTensors, stashedInSequenceParallelRegion } from './regions.js';

export interface LayerProfile {
  name: string;
  /** transformer block (gets tensor-parallel all-reduces) */
  block: boolean;
  fwdS: number;
  /** data + weight gradients (+ recomputed forward) */
  bwdS: number;
  optimizerS: number;
  params: number;
  /** per device shard: the compute copy of the weights (bf16, or fp32 with fp32 precision) */
  weightBytes: number;
  /** the fp32 master copy of bf16 weights (sharded with the optimizer state by ZeRO); absent or 0 with fp32 precision */
  masterBytes?: number;
  /** fp32 gradients */
  gradBytes: number;
  optimizerBytes: number;
  /** activations stashed per micro-batch (with full recompute: the layer's input only) */
  activationBytes: number;
  /** the layer's output per micro-batch (pipeline send/recv and tensor-parallel all-reduce size) */
  boundaryBytes: number;
  /** training FLOPs of the layer per micro-batch on this shard */
  flops: number;
  /** the part of the above in the sequence-parallel region (transformer blocks; absent: none) */
  seqParallel?: RegionShare;
  /** the unfused attention core (absent or zero with fused attention or full recompute) */
  attentionCore?: RegionShare;
  /** a mixture-of-experts layer: its experts' share of the state above, and the tokens its dispatch moves */
  experts?: ExpertShare;
}

/** The experts of a mixture-of-experts layer (already inside the layer's totals). */
export interface ExpertShare {
  count: number;
  params: number;
  weightBytes: number;
  masterBytes: number;
  gradBytes: number;
  optimizerBytes: number;
  /** bytes the dispatch gathers per micro-batch (tokens × top-k × d): one all-to-all's payload */
  dispatchBytes: number;
}

/** Times, stashed bytes and FLOPs of one region of a layer, per micro-batch (already inside the layer's totals). */
export interface RegionShare {
  fwdS: number;
  bwdS: number;
  activationBytes: number;
  flops: number;
}

export interface ProfileOptions {
  model: string;
  microbatch: number;
  seq?: number;
  /** attention of transformer models: fused (default) or unfused */
  attention?: AttentionImpl;
  /** mixture-of-experts capacity factor (default 1) */
  capacityFactor?: number;
  tensorParallel: number;
  /** full recomputation (every layer's forward again before its backward); selective is derived from the plain profile */
  recompute: boolean;
  optimizer: OptimizerKind;
  precision: 'bf16' | 'fp32';
  /** seconds before every op with work (one kernel after another on one stream); default 0 */
  launchOverheadS?: number;
  /** the share of the kernel's op rate the framework achieves on the device: op times ÷ this (default 1; see run.ts) */
  computeEfficiency?: number;
  /** the most of each array's peak MAC rate an op sustains (Kernel.setArrayRate; default 1) */
  arrayRateFraction?: number;
}

/** The training graph the profile is taken from (one block for transformers). */
export function profileGraph(o: ProfileOptions): { graph: TrainingGraph; blocks: number } {
  const entry = findModel(o.model);
  const seq = o.seq ?? entry.defaultSeq ?? 1;
  const transformer = entry.family === 'transformer';
  if (!transformer && o.tensorParallel > 1) throw new InputError(`--tp: tensor parallelism is modelled for transformers only; ${entry.name} is a ${entry.family}`);
  if (!transformer && o.capacityFactor !== undefined) throw new InputError(`--capacity-factor applies to mixture-of-experts models; ${entry.name} has none`);
  const dtype = o.precision === 'fp32' ? 'fp32' : 'bf16';
  const full = entry.build({ batch: o.microbatch, seq, dtype, tensorParallel: o.tensorParallel, layers: transformer ? 1 : undefined, attention: o.attention, capacityFactor: o.capacityFactor });
  const blocks = transformer ? countBlocks(entry.build({ batch: 1, seq: Math.min(seq, 8), dtype, attention: o.attention, capacityFactor: o.capacityFactor })) : 0;
  return { graph: buildTrainingStep(full, { optimizer: o.optimizer, precision: o.precision, recompute: o.recompute }), blocks };
}

/** Transformer blocks of a zoo model (0 for other families): what interleaving splits into chunks. */
export function modelBlocks(model: string): number {
  const entry = findModel(model);
  if (entry.family !== 'transformer') return 0;
  return countBlocks(entry.build({ batch: 1, seq: Math.min(entry.defaultSeq ?? 1, 8), dtype: 'bf16' }));
}

/** Experts per mixture-of-experts layer of a zoo model (0 when it has none): what expert parallelism shards. */
export function modelExperts(model: string): number {
  const entry = findModel(model);
  if (entry.family !== 'transformer') return 0;
  const fg = entry.build({ batch: 1, seq: Math.min(entry.defaultSeq ?? 1, 8), dtype: 'bf16', layers: 1 });
  return new Set(fg.params.map((p) => /\.moe\.experts\.(\d+)\./.exec(p.name)?.[1]).filter((x) => x !== undefined)).size;
}

function countBlocks(fg: { params: { layer: string }[] }): number {
  const s = new Set(fg.params.map((p) => p.layer).filter((l) => /^layers\.\d+$/.test(l)));
  return s.size;
}

/** Profiles every layer of the model on `design` (kernel given so callers reuse one instance). */
export function profileLayers(o: ProfileOptions, design: Design, kernel: Kernel): LayerProfile[] {
  const { graph, blocks } = profileGraph(o);
  const flat = flattenOps(graph.ops);
  kernel.loadGraph(flat);
  kernel.setExecution('concurrent');
  kernel.setSchedulePasses(0);
  kernel.setArrayRate(o.arrayRateFraction ?? 1);
  try {
    kernel.evaluateStep(designRecord(design, unitEnergies(design)));
  } finally {
    kernel.setArrayRate(1);
  }
  const slots = kernel.slotResults();
  const cycleS = 1 / (design.clockGHz * 1e9);
  const order: string[] = [];
  const by = new Map<string, LayerProfile>();
  const layerOf = (name: string) => {
    let p = by.get(name);
    if (!p) {
      const block = /^layers\.\d+$/.test(name);
      p = {
        name, block, fwdS: 0, bwdS: 0, optimizerS: 0, params: 0, weightBytes: 0, masterBytes: 0, gradBytes: 0, optimizerBytes: 0, activationBytes: 0, boundaryBytes: 0, flops: 0,
        ...(block ? { seqParallel: emptyShare(), attentionCore: emptyShare() } : {}),
      };
      by.set(name, p);
      order.push(name);
    }
    return p;
  };
  const expertsOf = (p: LayerProfile): ExpertShare =>
    (p.experts ??= { count: 0, params: 0, weightBytes: 0, masterBytes: 0, gradBytes: 0, optimizerBytes: 0, dispatchBytes: 0 });
  const expertIds = new Map<string, Set<string>>();
  const streams = new Map<string, Set<string>>();
  const streamOf = (layer: string) => {
    let s = streams.get(layer);
    if (!s) streams.set(layer, (s = residualStreamTensors(graph.ops, layer)));
    return s;
  };
  const gapS = o.launchOverheadS ?? 0;
  const efficiency = o.computeEfficiency ?? 1;
  // transformers recompute their blocks only (see the header)
  const skipRecompute = (layer: string) => o.recompute && blocks > 0 && !/^layers\.\d+$/.test(layer);
  graph.ops.forEach((op, i) => {
    if (op.phase === 'recompute' && skipRecompute(op.layer)) return;
    const p = layerOf(op.layer);
    const cycles = slots[flat.opSlot[i] * RESULT_STRIDE + R_CYCLES];
    const t = (cycles * cycleS) / efficiency + (cycles > 0 ? gapS : 0);
    const out = op.phase === 'fwd' ? op.outputs.reduce((s, x) => s + tensorBytes(x), 0) : 0;
    p.flops += op.flops;
    if (op.phase === 'fwd') {
      p.fwdS += t;
      p.activationBytes += out;
      if (out > 0) p.boundaryBytes = out;
    } else if (op.phase === 'optimizer') p.optimizerS += t;
    else p.bwdS += t;
    if (p.seqParallel && inSequenceParallelRegion(op, streamOf(op.layer))) {
      p.seqParallel.flops += op.flops;
      if (op.phase === 'fwd') p.seqParallel.fwdS += t;
      else p.seqParallel.bwdS += t;
    }
    if (p.seqParallel && stashedInSequenceParallelRegion(op)) p.seqParallel.activationBytes += out;
    if (op.phase === 'fwd' && /\.moe\.experts\.\d+\.dispatch$/.test(op.name)) expertsOf(p).dispatchBytes += out;
    if (p.attentionCore && !o.recompute && inAttentionCore(op)) {
      p.attentionCore.fwdS += t;
      p.attentionCore.activationBytes += out;
      p.attentionCore.flops += op.flops;
    }
  });
  const wBytes = o.precision === 'fp32' ? 4 : 2; // the compute copy; bf16 also keeps an fp32 master copy
  const masterBytes = o.precision === 'fp32' ? 0 : 4;
  for (const prm of graph.params) {
    const p = layerOf(prm.layer);
    const n = numel(prm.shape);
    p.params += n;
    p.weightBytes += n * wBytes;
    p.masterBytes = (p.masterBytes ?? 0) + n * masterBytes;
    p.gradBytes += n * 4;
    p.optimizerBytes += n * OPTIMIZER_STATE_BYTES_PER_PARAM[o.optimizer];
    const expert = /\.moe\.experts\.(\d+)\./.exec(prm.name);
    if (expert) {
      const e = expertsOf(p);
      e.params += n;
      e.weightBytes += n * wBytes;
      e.masterBytes += n * masterBytes;
      e.gradBytes += n * 4;
      e.optimizerBytes += n * OPTIMIZER_STATE_BYTES_PER_PARAM[o.optimizer];
      const ids = expertIds.get(prm.layer) ?? new Set<string>();
      ids.add(expert[1]);
      expertIds.set(prm.layer, ids);
      e.count = ids.size;
    }
  }
  // with full recompute a recomputed layer keeps only its input (the previous layer's output); a block's input is on
  // the residual stream, which sequence parallelism shards
  if (o.recompute) {
    order.forEach((name, i) => {
      const p = by.get(name)!;
      if (skipRecompute(name)) return;
      p.activationBytes = i > 0 ? by.get(order[i - 1])!.boundaryBytes : p.boundaryBytes;
      if (p.seqParallel) p.seqParallel.activationBytes = p.activationBytes;
    });
  }
  const layers = order.map((n) => by.get(n)!).filter((p) => p.fwdS + p.bwdS + p.optimizerS > 0 || p.params > 0);
  if (blocks === 0) return layers;
  // expand the one profiled block into the model's blocks
  const out: LayerProfile[] = [];
  for (const p of layers) {
    if (p.name === 'layers.0') for (let b = 0; b < blocks; b++) out.push({ ...p, name: `layers.${b}` }); // shares its region records
    else out.push(p);
  }
  return out;
}

function emptyShare(): RegionShare {
  return { fwdS: 0, bwdS: 0, activationBytes: 0, flops: 0 };
}
