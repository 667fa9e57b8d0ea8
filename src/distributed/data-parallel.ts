/**
 * Data-parallel traffic of one pipeline device per step (docs/distributed.md), on the link of its d replicas.
 * G = 2 bytes per parameter of its layers (gradients and updated weights move as bf16);
 * hidden = its backward compute for one micro-batch (the last micro-batch's backward overlaps the collective, bucket by
 * bucket); 0 when the layout does not overlap the gradient reduction (`overlapGradReduce` false: it starts after the
 * backward, as Megatron-LM's own DDP does).
 *
 *   ZeRO 0   all-reduce of G during/after the last backward         exposed: max(0, AR − hidden)
 *   ZeRO 1   reduce-scatter of G during/after the last backward,    exposed: max(0, RS − hidden) + AG
 *            then all-gather of the updated weights after the optimizer
 *   ZeRO 2   reduce-scatter of every micro-batch's gradients during  exposed: the layers' excess (layer-cost.ts) + AG
 *            its backward, all-gather after the optimizer
 *   ZeRO 3   per micro-batch and layer: all-gather before forward    exposed: the layers' excess
 *            and backward, reduce-scatter after backward
 * Ring volumes: the ZeRO-1 pair moves what the all-reduce does; ZeRO-3 1.5 × that with one micro-batch.
 */
import { allGatherS, allReduceS, reduceScatterS, ringLink, type Network } from './network.js';
import { dataParallelBytes, ringBytes, type LayerCost } from './layer-cost.js';
import type { Layout } from './layout.js';
import type { LayerProfile } from './profile.js';

export interface DataParallelTraffic {
  /** all data-parallel collective time of the step */
  totalS: number;
  /** the part after the pipeline drains (added to the step) */
  endExposedS: number;
  /** endExposedS + m × the per-micro-batch excess inside the pipeline */
  exposedS: number;
  /** bytes the device sends per step */
  bytes: number;
}

export function endOfStepTraffic(own: readonly { layer: LayerProfile; cost: LayerCost }[], layout: Layout, m: number, perMicrobatchExposedS: number, net: Network): DataParallelTraffic {
  const d = layout.dp;
  const link = ringLink(net, d, layout.tp * layout.pp);
  const G = own.reduce((x, o) => x + dataParallelBytes(o.layer, layout.ep), 0);
  const hidden = layout.overlapGradReduce ? own.reduce((x, o) => x + o.cost.bwdS, 0) : 0;
  const inPipeline = own.reduce((x, o) => x + o.cost.dpFwdS + o.cost.dpBwdS, 0) * m;
  const inPipelineBytes = own.reduce((x, o) => x + o.cost.dpBytes, 0) * m;
  let totalS: number, endExposedS: number, bytes: number;
  switch (layout.zero) {
    case 0: {
      const ar = allReduceS(net, G, d, link);
      totalS = ar;
      endExposedS = Math.max(0, ar - hidden);
      bytes = ringBytes('all-reduce', G, d);
      break;
    }
    case 1: {
      const rs = reduceScatterS(G, d, link), ag = allGatherS(G, d, link);
      totalS = rs + ag;
      endExposedS = Math.max(0, rs - hidden) + ag;
      bytes = ringBytes('reduce-scatter', G, d) + ringBytes('all-gather', G, d);
      break;
    }
    case 2: {
      const ag = allGatherS(G, d, link);
      totalS = inPipeline + ag;
      endExposedS = ag;
      bytes = inPipelineBytes + ringBytes('all-gather', G, d);
      break;
    }
    case 3:
      totalS = inPipeline;
      endExposedS = 0;
      bytes = inPipelineBytes;
      break;
  }
  return { totalS, endExposedS, exposedS: endExposedS + m * perMicrobatchExposedS, bytes };
}
