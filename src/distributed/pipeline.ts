/**
 * The parallel step model (docs/distributed.md) and the stage partition.
 *
 * Devices = d × p × t, tensor-parallel groups innermost (consecutive devices), then pipeline stages, then
 * data-parallel replicas. Per micro-batch, a stage takes Σ over its layers of (forward + backward) plus, for
 * transformer blocks, Megatron's all-reduces of the block output over the t devices: 2 in the forward pass and
 * 2 in the backward (2 more with recomputation). 1F1B with m micro-batches:
 *   pipeline = (m + p − 1) × slowest stage + 2(p − 1) × send/recv of a stage boundary (fill and drain)
 *   step     = pipeline + slowest optimizer update + the data-parallel gradient all-reduce not hidden behind
 *              the last micro-batch's backward pass (ring over d replicas of each stage's gradients, bf16)
 *   bubble   = (p − 1) / (m + p − 1)
 * Memory per device of stage s: weights + gradients + optimizer state (÷ d with ZeRO-1) of its layers, plus
 * activations of min(m, p − s) micro-batches in flight (1F1B), with or without recompute.
 * Stage partition: contiguous layers, minimum slowest stage subject to memory, by dynamic programming.
 */
import type { LayerProfile } from './profile.js';
import { allReduceS, linkFor, sendRecvS, type Network } from './network.js';

export interface Layout {
  dp: number;
  pp: number;
  tp: number;
  microbatch: number;
  recompute: boolean;
  zero1: boolean;
}

export interface StageReport {
  layers: string[];
  firstLayer: number;
  lastLayer: number;
  /** forward + backward + tensor-parallel communication per micro-batch */
  timeS: number;
  computeS: number;
  tpCommS: number;
  optimizerS: number;
  memoryBytes: number;
  activationBytes: number;
}

export interface StepReport {
  feasible: boolean;
  reason: string;
  microbatches: number;
  stages: StageReport[];
  stepTimeS: number;
  pipelineS: number;
  bubbleFraction: number;
  commTimeS: { tensorParallel: number; pipeline: number; dataParallel: number; dataParallelExposed: number };
}

export function tpCommS(l: LayerProfile, layout: Layout, net: Network): number {
  if (!l.block || layout.tp <= 1) return 0;
  const count = layout.recompute ? 6 : 4;
  return count * allReduceS(net, l.boundaryBytes, layout.tp, linkFor(net, layout.tp));
}

function stageMemory(ls: LayerProfile[], s: number, layout: Layout, m: number): { total: number; act: number } {
  let w = 0, act = 0;
  for (const l of ls) {
    w += l.weightBytes + l.gradBytes + l.optimizerBytes / (layout.zero1 ? layout.dp : 1);
    act += l.activationBytes;
  }
  const inflight = Math.min(m, layout.pp - s);
  return { total: w + inflight * act, act: inflight * act };
}

/**
 * Contiguous partition of `layers` into `p` stages minimising the slowest stage, each stage within
 * `capacityBytes`; null when no partition fits. O(p · L²).
 */
export function partitionStages(layers: LayerProfile[], layout: Layout, m: number, net: Network, capacityBytes: number): number[] | null {
  const L = layers.length, p = layout.pp;
  if (p > L) return null;
  const cost = layers.map((l) => l.fwdS + l.bwdS + tpCommS(l, layout, net));
  const prefix = [0];
  for (const c of cost) prefix.push(prefix[prefix.length - 1] + c);
  const fits = (i: number, j: number, s: number) => stageMemory(layers.slice(i, j), s, layout, m).total <= capacityBytes;
  // best[s][j]: slowest stage when layers [0, j) form stages 0..s; cut[s][j]: start of stage s
  const best = Array.from({ length: p }, () => new Float64Array(L + 1).fill(Infinity));
  const cut = Array.from({ length: p }, () => new Int32Array(L + 1).fill(-1));
  for (let j = 1; j <= L; j++) if (fits(0, j, 0)) { best[0][j] = prefix[j]; cut[0][j] = 0; }
  for (let s = 1; s < p; s++) {
    for (let j = s + 1; j <= L; j++) {
      for (let i = s; i < j; i++) {
        if (best[s - 1][i] === Infinity) continue;
        const v = Math.max(best[s - 1][i], prefix[j] - prefix[i]);
        if (v < best[s][j] && fits(i, j, s)) { best[s][j] = v; cut[s][j] = i; }
      }
    }
  }
  if (best[p - 1][L] === Infinity) return null;
  const starts: number[] = [];
  let j = L;
  for (let s = p - 1; s >= 0; s--) { const i = cut[s][j]; starts.unshift(i); j = i; }
  return starts;
}

/** The step of one layout on per-layer profiles (already for this layout's t, micro-batch and recompute). */
export function pipelineStep(layers: LayerProfile[], layout: Layout, globalBatch: number, net: Network, capacityBytes: number, starts?: number[]): StepReport {
  const m = globalBatch / (layout.dp * layout.microbatch);
  const empty = (reason: string): StepReport => ({
    feasible: false, reason, microbatches: m, stages: [], stepTimeS: Infinity, pipelineS: Infinity, bubbleFraction: 0,
    commTimeS: { tensorParallel: 0, pipeline: 0, dataParallel: 0, dataParallelExposed: 0 },
  });
  if (!Number.isInteger(m) || m < 1) return empty(`global batch ${globalBatch} is not a multiple of dp × microbatch = ${layout.dp * layout.microbatch}`);
  const cuts = starts ?? partitionStages(layers, layout, m, net, capacityBytes);
  if (!cuts) {
    if (layout.pp > layers.length) return empty(`${layout.pp} pipeline stages but only ${layers.length} layers`);
    return empty(`no partition into ${layout.pp} stages fits ${(capacityBytes / 2 ** 30).toFixed(1)} GiB per device (weights, gradients, optimizer state and ${Math.min(m, layout.pp)} micro-batches of activations)`);
  }
  const stages: StageReport[] = cuts.map((a, s) => {
    const b = s + 1 < cuts.length ? cuts[s + 1] : layers.length;
    const ls = layers.slice(a, b);
    const computeS = ls.reduce((x, l) => x + l.fwdS + l.bwdS, 0);
    const tp = ls.reduce((x, l) => x + tpCommS(l, layout, net), 0);
    const mem = stageMemory(ls, s, layout, m);
    return {
      layers: ls.map((l) => l.name), firstLayer: a, lastLayer: b - 1, timeS: computeS + tp, computeS, tpCommS: tp,
      optimizerS: ls.reduce((x, l) => x + l.optimizerS, 0) / (layout.zero1 ? layout.dp : 1), memoryBytes: mem.total, activationBytes: mem.act,
    };
  });
  const over = stages.findIndex((s) => s.memoryBytes > capacityBytes);
  const slowest = Math.max(...stages.map((s) => s.timeS));
  const ppLink = linkFor(net, 2, layout.tp);
  const boundary = Math.max(0, ...cuts.slice(1).map((a) => layers[a - 1].boundaryBytes));
  const p2p = layout.pp > 1 ? 2 * (layout.pp - 1) * sendRecvS(boundary, ppLink) : 0;
  const pipelineS = (m + layout.pp - 1) * slowest + p2p;
  const dpLink = linkFor(net, layout.dp, layout.tp * layout.pp);
  let dpS = 0, dpExposed = 0;
  stages.forEach((st, s) => {
    const ls = layers.slice(cuts[s], s + 1 < cuts.length ? cuts[s + 1] : layers.length);
    const gradBytes = ls.reduce((x, l) => x + l.params * 2, 0);
    const ar = allReduceS(net, gradBytes, layout.dp, dpLink);
    const hidden = ls.reduce((x, l) => x + l.bwdS, 0);
    dpS = Math.max(dpS, ar);
    dpExposed = Math.max(dpExposed, Math.max(0, ar - hidden));
  });
  const optimizerS = Math.max(...stages.map((s) => s.optimizerS));
  const stepTimeS = pipelineS + optimizerS + dpExposed;
  const feasible = over < 0;
  return {
    feasible,
    reason: feasible ? '' : `stage ${over} needs ${(stages[over].memoryBytes / 2 ** 30).toFixed(1)} GiB but a device has ${(capacityBytes / 2 ** 30).toFixed(1)} GiB`,
    microbatches: m, stages, stepTimeS, pipelineS, bubbleFraction: (layout.pp - 1) / (m + layout.pp - 1),
    commTimeS: { tensorParallel: m * Math.max(...stages.map((s) => s.tpCommS)), pipeline: p2p, dataParallel: dpS, dataParallelExposed: dpExposed },
  };
}
