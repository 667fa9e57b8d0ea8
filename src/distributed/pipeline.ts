/**
 * The parallel step model (docs/distributed.md).
 *
 * Devices = d × p × t, tensor-parallel groups innermost (consecutive devices), then pipeline stages, then
 * data-parallel replicas. Each layer costs what layer-cost.ts says for the layout; a device holds chunks of layers
 * (partition.ts: p contiguous stages, or p·V interleaved chunks). With m micro-batches per step, T_s a device's
 * time per micro-batch and t_c a chunk's:
 *   pipeline = m × max T_s + (p − 1) × max t_c + E × c
 *              — (m + p − 1) × slowest stage for 1F1B; the bubble shrinks V-fold with interleaving
 *   c        = one chunk-boundary transfer (p2pTransferS): with t > 1 each of the t devices sends 1/t of the boundary
 *              tensor over its own link and the receivers all-gather it over the tensor-parallel group (Megatron's
 *              scatter/gather, Narayanan et al. §4.1; with sequence parallelism the 1/t shard is the tensor itself)
 *   E        = the transfers on the critical path (asynchronous sends; a receiver waits for its input):
 *              1F1B: 2(p − 1)·(1 + (m − 1)/p) — the fill and the drain, and in the steady state a round trip over the
 *              2(p − 1) hops for every p micro-batches (the p in flight leave no slack);
 *              interleaved: 2(pV − 1) — the first micro-batch's forward through all pV chunks and the last one's
 *              backward; its deeper warm-up hides the steady-state transfers.
 *              Both are within two transfers of an event simulation of Megatron's two schedules
 *              (test/distributed-megatron.test.ts).
 *   step     = pipeline + slowest optimizer update (÷ d with ZeRO ≥ 1) + the data-parallel traffic at the end of the
 *              step that is not hidden (data-parallel.ts)
 *   bubble   = (p − 1)·max t_c / pipeline compute: (p − 1)/(V·m + p − 1) of the pipeline with even chunks;
 *              bubbleOverhead = (p − 1)·max t_c / (m·max T_s) = (p − 1)/(V·m), Narayanan et al.'s bubble fraction
 * Memory per device: stage-memory.ts.
 */
import type { LayerProfile } from './profile.js';
import { allGatherS, ringLink, sendRecvS, type Network } from './network.js';
import { endOfStepTraffic } from './data-parallel.js';
import { layerCost, type LayerCost } from './layer-cost.js';
import { interleaveProblem, sequenceParallelProblem, type Layout } from './layout.js';
import { chunksFromStarts, interleavedChunks, partitionLayers, type Chunk, type PartitionCosts } from './partition.js';
import { gatheredBytes, inflightMicrobatches, stateBytes } from './stage-memory.js';

export type { Layout } from './layout.js';

export interface StageReport {
  layers: string[];
  firstLayer: number;
  lastLayer: number;
  /** with interleaving: the device's chunks, first and last layer index of each */
  chunks?: { firstLayer: number; lastLayer: number }[];
  /** per micro-batch: compute + tensor-parallel communication + exposed ZeRO-2/3 traffic */
  timeS: number;
  computeS: number;
  tpCommS: number;
  /** per micro-batch: expert-parallel all-to-alls */
  epCommS: number;
  /** per micro-batch: ZeRO-2/3 data-parallel traffic not hidden behind the layers' compute */
  dpCommS: number;
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
  /** share of the pipeline's compute time the devices idle in fill and drain */
  bubbleFraction: number;
  /** bubble time over ideal compute time: (p − 1)/(V·m) with even chunks */
  bubbleOverhead: number;
  commTimeS: { tensorParallel: number; expertParallel: number; pipeline: number; dataParallel: number; dataParallelExposed: number };
  /** bytes one device sends per step (the busiest device; ring volumes) */
  commBytes: { tensorParallel: number; expertParallel: number; pipeline: number; dataParallel: number };
}

const inflightOf = (layout: Layout, m: number) => (s: number) => inflightMicrobatches(s, layout, m);

function partitionCosts(layers: readonly LayerProfile[], costs: readonly LayerCost[], layout: Layout): PartitionCosts {
  const L = layers.length;
  const c: PartitionCosts = { timeS: new Float64Array(L), stateBytes: new Float64Array(L), activationBytes: new Float64Array(L), gatheredBytes: new Float64Array(L) };
  layers.forEach((l, i) => {
    c.timeS[i] = costs[i].timeS;
    c.stateBytes[i] = stateBytes(l, layout);
    c.activationBytes[i] = costs[i].activationBytes;
    c.gatheredBytes[i] = layout.zero === 3 ? l.weightBytes : 0;
  });
  return c;
}

/**
 * Contiguous partition of `layers` into `p` stages minimising the slowest stage, each stage within
 * `capacityBytes`; null when no partition fits.
 */
export function partitionStages(layers: LayerProfile[], layout: Layout, m: number, net: Network, capacityBytes: number): number[] | null {
  const costs = layers.map((l) => layerCost(l, layout, net));
  return partitionLayers(partitionCosts(layers, costs, layout), layout.pp, inflightOf(layout, m), capacityBytes);
}

/** Tensor-parallel time of a layer per micro-batch under the layout (0 for non-blocks and t = 1). */
export function tpCommS(l: LayerProfile, layout: Layout, net: Network): number {
  const c = layerCost(l, layout, net);
  return c.tpFwdS + c.tpBwdS;
}

/** The step of one layout on per-layer profiles (for this layout's t, micro-batch and full-or-not recompute). */
export function pipelineStep(layers: LayerProfile[], layout: Layout, globalBatch: number, net: Network, capacityBytes: number, starts?: number[]): StepReport {
  const m = globalBatch / (layout.dp * layout.microbatch);
  const p = layout.pp, V = layout.interleave;
  const empty = (reason: string): StepReport => ({
    feasible: false, reason, microbatches: m, stages: [], stepTimeS: Infinity, pipelineS: Infinity, bubbleFraction: 0, bubbleOverhead: 0,
    commTimeS: { tensorParallel: 0, expertParallel: 0, pipeline: 0, dataParallel: 0, dataParallelExposed: 0 }, commBytes: { tensorParallel: 0, expertParallel: 0, pipeline: 0, dataParallel: 0 },
  });
  if (!Number.isInteger(m) || m < 1) return empty(`global batch ${globalBatch} is not a multiple of dp × microbatch = ${layout.dp * layout.microbatch}`);
  const spProblem = sequenceParallelProblem(layout.sequenceParallel, layout.tp);
  if (spProblem) return empty(spProblem);
  const costs = layers.map((l) => layerCost(l, layout, net));
  let chunks: Chunk[] | null;
  if (V > 1) {
    chunks = interleavedChunks(layers, p, V);
    if (!chunks) return empty(interleaveProblem(V, layers.filter((l) => l.block).length, p, 'the model') ?? `--interleave ${V}: the blocks are not contiguous`);
  } else {
    if (p > layers.length) return empty(`${p} pipeline stages but only ${layers.length} layers`);
    const cuts = starts ?? partitionLayers(partitionCosts(layers, costs, layout), p, inflightOf(layout, m), capacityBytes);
    chunks = cuts ? chunksFromStarts(cuts, layers.length) : null;
  }
  if (!chunks) {
    return empty(`no partition into ${p} stages fits ${(capacityBytes / 2 ** 30).toFixed(1)} GiB per device (weights, gradients, optimizer state and ${Math.min(m, p)} micro-batches of activations)`);
  }
  const sum = (idx: readonly number[], f: (c: LayerCost, l: LayerProfile) => number) => idx.reduce((x, i) => x + f(costs[i], layers[i]), 0);
  const chunkTimeS = chunks.map((c) => sum(range(c), (x) => x.timeS));
  const devices = Array.from({ length: p }, (_, s) => chunks!.filter((_, c) => c % p === s));
  const stages: StageReport[] = devices.map((own, s) => {
    const idx = own.flatMap(range);
    const ls = idx.map((i) => layers[i]);
    const computeS = sum(idx, (c) => c.fwdS + c.bwdS);
    const tp = sum(idx, (c) => c.tpFwdS + c.tpBwdS);
    const ep = sum(idx, (c) => c.epFwdS + c.epBwdS);
    const timeS = sum(idx, (c) => c.timeS);
    const act = sum(idx, (c) => c.activationBytes) * inflightMicrobatches(s, layout, m);
    const state = ls.reduce((x, l) => x + stateBytes(l, layout), 0) + gatheredBytes(ls, layout);
    return {
      layers: ls.map((l) => l.name), firstLayer: own[0].first, lastLayer: own[own.length - 1].end - 1,
      ...(V > 1 ? { chunks: own.map((c) => ({ firstLayer: c.first, lastLayer: c.end - 1 })) } : {}),
      timeS, computeS, tpCommS: tp, epCommS: ep, dpCommS: Math.max(0, timeS - computeS - tp - ep),
      optimizerS: ls.reduce((x, l) => x + l.optimizerS, 0) / (layout.zero >= 1 ? layout.dp : 1), memoryBytes: state + act, activationBytes: act,
    };
  });
  const over = stages.findIndex((s) => s.memoryBytes > capacityBytes);
  const slowest = Math.max(...stages.map((s) => s.timeS));
  const slowestChunk = Math.max(...chunkTimeS);
  // a chunk boundary carries the previous layer's output; each device sends its 1/t of it (scatter/gather, or the SP shard)
  const boundaryFull = Math.max(0, ...chunks.slice(1).map((c) => layers[c.first - 1].boundaryBytes));
  const boundary = boundaryFull / layout.tp;
  const p2p = p > 1 ? criticalTransfers(p, V, m) * p2pTransferS(boundaryFull, layout, net) : 0;
  const bubbleS = (p - 1) * slowestChunk;
  const pipelineS = m * slowest + bubbleS + p2p;
  const dp = devices.map((own, s) => endOfStepTraffic(own.flatMap(range).map((i) => ({ layer: layers[i], cost: costs[i] })), layout, m, stages[s].dpCommS, net));
  const optimizerS = Math.max(...stages.map((s) => s.optimizerS));
  const endExposed = Math.max(...dp.map((x) => x.endExposedS));
  const stepTimeS = pipelineS + optimizerS + endExposed;
  const feasible = over < 0;
  // sends per micro-batch of the busiest device: its chunks' outputs forward (not the model's last) and gradients back (not its first)
  const sends = p > 1 ? Math.max(...devices.map((_, s) => 2 * V - (s === 0 ? 1 : 0) - (s === p - 1 ? 1 : 0))) : 0;
  return {
    feasible,
    reason: feasible ? '' : `stage ${over} needs ${(stages[over].memoryBytes / 2 ** 30).toFixed(1)} GiB but a device has ${(capacityBytes / 2 ** 30).toFixed(1)} GiB`,
    microbatches: m, stages, stepTimeS, pipelineS,
    bubbleFraction: bubbleS / (m * slowest + bubbleS), bubbleOverhead: bubbleS / (m * slowest),
    commTimeS: {
      tensorParallel: m * Math.max(...stages.map((s) => s.tpCommS)), expertParallel: m * Math.max(...stages.map((s) => s.epCommS)), pipeline: p2p,
      dataParallel: Math.max(...dp.map((x) => x.totalS)), dataParallelExposed: Math.max(...dp.map((x) => x.exposedS)),
    },
    commBytes: {
      tensorParallel: m * Math.max(...devices.map((own) => sum(own.flatMap(range), (c) => c.tpBytes))),
      expertParallel: m * Math.max(...devices.map((own) => sum(own.flatMap(range), (c) => c.epBytes))),
      pipeline: m * sends * boundary, dataParallel: Math.max(...dp.map((x) => x.bytes)),
    },
  };
}

/** Chunk-boundary transfers on the pipeline's critical path per step (see the header). */
export function criticalTransfers(p: number, V: number, m: number): number {
  if (p <= 1) return 0;
  return V > 1 ? 2 * (p * V - 1) : 2 * (p - 1) * (1 + (m - 1) / p);
}

/**
 * One chunk-boundary transfer of a `bytes` tensor between adjacent stages: the devices' own links, inter-node when the
 * pipeline spans nodes (t·p > devices per node: some stage boundary crosses one). With t > 1 each device sends 1/t;
 * without sequence parallelism the receivers then all-gather the tensor over the tensor-parallel group.
 */
export function p2pTransferS(bytes: number, layout: Layout, net: Network): number {
  const t = layout.tp;
  const crossing = t * layout.pp > net.devicesPerNode;
  const link = crossing ? { GBs: net.interGBs, latencyS: net.interLatencyS } : { GBs: net.intraGBs, latencyS: net.intraLatencyS };
  const send = sendRecvS(bytes / t, link);
  return t > 1 && !layout.sequenceParallel ? send + allGatherS(bytes, t, ringLink(net, t)) : send;
}

function range(c: Chunk): number[] {
  return Array.from({ length: c.end - c.first }, (_, k) => c.first + k);
}
