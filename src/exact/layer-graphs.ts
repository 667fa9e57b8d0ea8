/** Per-layer subgraphs of a training step (one layer's forward, or its backward: data + weight gradients). */
import { flattenOps, type FlatGraph } from '../engine/flatten.js';
import type { TrainingGraph } from '../workload/ir.js';

export function layerGraph(g: TrainingGraph, layer: string, part: 'fwd' | 'bwd'): FlatGraph {
  const ops = g.ops.filter((op) => op.layer === layer && (part === 'fwd' ? op.phase === 'fwd' : op.phase === 'dgrad' || op.phase === 'wgrad'));
  const ids = new Set(ops.map((op) => op.id));
  return flattenOps(ops.map((op) => ({ ...op, deps: op.deps.filter((d) => ids.has(d)) })));
}
