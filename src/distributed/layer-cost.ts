/**
 * One layer under one layout, per micro-batch on one device (docs/distributed.md): compute time after sequence
 * parallelism and selective recomputation, its tensor-parallel collectives, its ZeRO-2/3 data-parallel traffic,
 * and the activations it stashes.
 *
 *   forward compute   fwdS − (1 − 1/t)·SP.fwdS                       (sequence parallel: the SP region runs on S/t tokens)
 *   backward compute  bwdS − (1 − 1/t)·SP.bwdS + [selective] core.fwdS (the attention core computed again)
 *   stashed           full recompute: the layer input (÷ t with SP)
 *                     otherwise: activationBytes − (1 − 1/t)·SP.activationBytes − [selective] core.activationBytes
 *   tensor parallel   blocks: 2 collectives forward, 2 backward, 2 more in full recompute's second forward; each an
 *                     all-reduce of the block output B, or with SP a reduce-scatter + all-gather pair of B (the same
 *                     ring volume 2(t−1)/t·B)
 *   ZeRO-3            all-gather of the layer's weights before its forward and again before its backward,
 *                     reduce-scatter of its gradients after the backward (each 2 bytes per parameter, bf16);  ZeRO-2: that
 *                     reduce-scatter only. Prefetched on the data-parallel link, so a phase takes
 *                     max(compute + tensor parallel, data-parallel traffic).
 *   expert parallel    mixture-of-experts layers with ep > 1: an all-to-all of the dispatched tokens (D bytes, tokens ×
 *                     top-k × d) to the experts' devices and one back (the combine), forward; the same two backward
 *                     (+2 with full recompute); each moves (ep − 1)/ep·D per device, on the critical path like the
 *                     tensor-parallel collectives. Expert compute per device is unchanged (balanced routing).
 */
import { allGatherS, allReduceS, allToAllS, linkFor, reduceScatterS, ringLink, type Network } from './network.js';
import type { Layout } from './layout.js';
import type { LayerProfile } from './profile.js';

export interface LayerCost {
  fwdS: number;
  bwdS: number;
  tpFwdS: number;
  tpBwdS: number;
  /** expert-parallel all-to-alls of the forward and backward phases */
  epFwdS: number;
  epBwdS: number;
  /** ZeRO-2/3 data-parallel traffic of the forward and backward phases (overlapped with them) */
  dpFwdS: number;
  dpBwdS: number;
  /** the layer's time per micro-batch: max(fwd + tp, dp) + max(bwd + tp, dp) */
  timeS: number;
  activationBytes: number;
  flops: number;
  /** bytes this device sends per micro-batch: tensor-parallel and ZeRO-2/3 collectives (ring volumes) */
  tpBytes: number;
  dpBytes: number;
  epBytes: number;
}

/** Tensor-parallel collectives of a block per micro-batch: 2 forward, 2 backward (+2 with full recompute). */
export function tpCollectives(l: LayerProfile, layout: Layout): { fwd: number; bwd: number } {
  if (!l.block || layout.tp <= 1) return { fwd: 0, bwd: 0 };
  return { fwd: 2, bwd: layout.recompute === 'full' ? 4 : 2 };
}

/** One tensor-parallel collective of `bytes` over t devices: all-reduce, or reduce-scatter + all-gather with SP. */
export function tpCollectiveS(bytes: number, layout: Layout, net: Network): number {
  const link = ringLink(net, layout.tp);
  return layout.sequenceParallel ? reduceScatterS(bytes, layout.tp, link) + allGatherS(bytes, layout.tp, link) : allReduceS(net, bytes, layout.tp, link);
}

/** Bytes a device sends in one collective over n devices by the ring algorithms: all-reduce 2(n−1)/n, the others (n−1)/n. */
export function ringBytes(kind: 'all-reduce' | 'all-gather' | 'reduce-scatter', bytes: number, n: number): number {
  if (n <= 1) return 0;
  return ((kind === 'all-reduce' ? 2 : 1) * (n - 1) * bytes) / n;
}

/**
 * What a layer's gradients (or gathered weights) weigh on the data-parallel network: bf16, 2 bytes per parameter;
 * with expert parallelism a device holds 1/ep of the layer's experts (their replicas all-reduce over d/ep devices;
 * costed on the d-device ring, slightly pessimistic).
 */
export function dataParallelBytes(l: LayerProfile, ep = 1): number {
  const experts = l.experts?.params ?? 0;
  return 2 * (l.params - experts + experts / ep);
}

export function layerCost(l: LayerProfile, layout: Layout, net: Network): LayerCost {
  const t = layout.tp;
  const sp = layout.sequenceParallel && t > 1 ? l.seqParallel : undefined;
  const core = layout.recompute === 'selective' ? l.attentionCore : undefined;
  const cut = 1 - 1 / t;
  const fwdS = l.fwdS - (sp ? cut * sp.fwdS : 0);
  const bwdS = l.bwdS - (sp ? cut * sp.bwdS : 0) + (core ? core.fwdS : 0);
  const n = tpCollectives(l, layout);
  const one = n.fwd > 0 ? tpCollectiveS(l.boundaryBytes, layout, net) : 0;
  const tpFwdS = n.fwd * one, tpBwdS = n.bwd * one;
  const d = layout.dp;
  let dpFwdS = 0, dpBwdS = 0, dpBytes = 0;
  if (layout.zero >= 2 && d > 1) {
    const link = ringLink(net, d, t * layout.pp);
    const bytes = dataParallelBytes(l, layout.ep);
    const gather = allGatherS(bytes, d, link), scatter = reduceScatterS(bytes, d, link);
    dpBwdS = scatter;
    dpBytes = ringBytes('reduce-scatter', bytes, d);
    if (layout.zero === 3) {
      dpFwdS = gather;
      dpBwdS += gather;
      dpBytes += 2 * ringBytes('all-gather', bytes, d);
    }
  }
  let epFwdS = 0, epBwdS = 0, epBytes = 0;
  if (l.experts && layout.ep > 1) {
    const one = allToAllS(l.experts.dispatchBytes, layout.ep, linkFor(net, layout.ep, t * layout.pp));
    const bwdCount = layout.recompute === 'full' ? 4 : 2;
    epFwdS = 2 * one;
    epBwdS = bwdCount * one;
    epBytes = (2 + bwdCount) * ringBytes('all-gather', l.experts.dispatchBytes, layout.ep);
  }
  const activationBytes = layout.recompute === 'full'
    ? (sp ? l.activationBytes / t : l.activationBytes)
    : l.activationBytes - (sp ? cut * sp.activationBytes : 0) - (core ? core.activationBytes : 0);
  return {
    fwdS, bwdS, tpFwdS, tpBwdS, epFwdS, epBwdS, dpFwdS, dpBwdS,
    timeS: Math.max(fwdS + tpFwdS + epFwdS, dpFwdS) + Math.max(bwdS + tpBwdS + epBwdS, dpBwdS),
    activationBytes,
    flops: l.flops - (sp ? cut * sp.flops : 0) + (core ? core.flops : 0),
    tpBytes: (n.fwd + n.bwd) * ringBytes('all-reduce', l.boundaryBytes, t),
    dpBytes,
    epBytes,
  };
}
