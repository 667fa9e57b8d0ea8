/**
 * Memory per pipeline device (docs/distributed.md): the training state of its layers as ZeRO shards it over the d
 * data-parallel replicas, plus the activations of the micro-batches it holds in flight.
 *
 *   ZeRO 0   W + M + G + O               W compute-precision weights, M fp32 master weights,
 *   ZeRO 1   W + G + (M + O)/d           G fp32 gradients, O optimizer state
 *   ZeRO 2   W + (G + M + O)/d
 *   ZeRO 3   (W + G + M + O)/d + max over its layers of one layer's W (the gathered layer)
 *
 * In flight, in micro-batches of the whole device's activations (stage s of p, m micro-batches per step):
 *   1F1B (V = 1)        min(m, p − s)
 *   interleaved (V > 1) min(2(p − s − 1) + (V − 1)·p + 1, V·m) / V   (Megatron's warm-up chunks + 1; for s = 0
 *                       that is p·(1 + (p − 1)/(p·V)), Korthikanti et al.'s factor for the first stage)
 */
import type { Layout } from './layout.js';
import type { LayerProfile } from './profile.js';

/**
 * Training-state bytes of one layer on one device under the layout's ZeRO stage (without ZeRO-3's gathered layer).
 * Expert parallelism: a device holds 1/ep of a mixture-of-experts layer's experts, and ZeRO shards those over the
 * d/ep replicas of each expert.
 */
export function stateBytes(l: LayerProfile, layout: Layout): number {
  const e = layout.ep > 1 ? l.experts : undefined;
  if (!e) return zeroBytes(l.weightBytes, l.masterBytes ?? 0, l.gradBytes, l.optimizerBytes, layout.zero, layout.dp);
  const ep = layout.ep;
  const dense = zeroBytes(l.weightBytes - e.weightBytes, (l.masterBytes ?? 0) - e.masterBytes, l.gradBytes - e.gradBytes, l.optimizerBytes - e.optimizerBytes, layout.zero, layout.dp);
  return dense + zeroBytes(e.weightBytes / ep, e.masterBytes / ep, e.gradBytes / ep, e.optimizerBytes / ep, layout.zero, layout.dp / ep);
}

function zeroBytes(W: number, M: number, G: number, O: number, zero: Layout['zero'], d: number): number {
  switch (zero) {
    case 0: return W + M + G + O;
    case 1: return W + G + (M + O) / d;
    case 2: return W + (G + M + O) / d;
    case 3: return (W + G + M + O) / d;
  }
}

/** ZeRO-3's working copy: the largest layer's gathered compute-precision weights (0 for the other stages). */
export function gatheredBytes(layers: readonly LayerProfile[], layout: Layout): number {
  if (layout.zero !== 3) return 0;
  let max = 0;
  for (const l of layers) max = Math.max(max, l.weightBytes - (layout.ep > 1 && l.experts ? l.experts.weightBytes * (1 - 1 / layout.ep) : 0));
  return max;
}

/** Micro-batches of the device's activations held at the peak by stage s (see the header). */
export function inflightMicrobatches(s: number, layout: Layout, m: number): number {
  const p = layout.pp, V = layout.interleave;
  if (V <= 1) return Math.min(m, p - s);
  return Math.min(2 * (p - s - 1) + (V - 1) * p + 1, V * m) / V;
}
