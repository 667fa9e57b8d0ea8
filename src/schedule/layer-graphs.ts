/**
 * Per-layer subgraphs of a training step, for the exact scheduler (ilp.ts): one layer's forward ops, or its
 * backward ops (data and weight gradients, phases 'dgrad' + 'wgrad'), keeping only the dependencies inside the
 * subgraph (an op whose producer lies outside the layer is ready at time 0). Optimizer, recompute and
 * collective ops are left out: they are not part of a layer's forward or backward graph.
 */
import { flattenOps, type FlatGraph } from '../engine/flatten.js';
import { InputError } from '../errors.js';
import type { Op, TrainingGraph } from '../workload/ir.js';
import { loadTrainingGraph, type WorkloadSource } from '../workload/load.js';

export type LayerPart = 'fwd' | 'bwd';
export const LAYER_PARTS: readonly LayerPart[] = ['fwd', 'bwd'];

export interface LayerSubgraph {
  /** label of the workload (zoo model name, or what the caller passed) */
  model: string;
  layer: string;
  part: LayerPart;
  /** the subgraph's ops in graph order, with `deps` cut to the subgraph (copies; the training graph is untouched) */
  ops: Op[];
  /** the same ops flattened for the kernel (op index i = ops[i]) */
  graph: FlatGraph;
}

function inPart(op: Op, part: LayerPart): boolean {
  return part === 'fwd' ? op.phase === 'fwd' : op.phase === 'dgrad' || op.phase === 'wgrad';
}

/** One layer's forward or backward ops with dependencies restricted to the subgraph. */
export function layerOps(g: Pick<TrainingGraph, 'ops'>, layer: string, part: LayerPart): Op[] {
  const ops = g.ops.filter((op) => op.layer === layer && inPart(op, part));
  if (ops.length === 0) {
    const layers = [...new Set(g.ops.map((op) => op.layer))];
    throw new InputError(`layer '${layer}' has no ${part} ops (layers: ${layers.slice(0, 8).join(', ')}${layers.length > 8 ? ', …' : ''})`);
  }
  const ids = new Set(ops.map((op) => op.id));
  return ops.map((op) => ({ ...op, deps: op.deps.filter((d) => ids.has(d)) }) as Op);
}

export function layerSubgraph(g: Pick<TrainingGraph, 'ops'>, layer: string, part: LayerPart, model = ''): LayerSubgraph {
  const ops = layerOps(g, layer, part);
  return { model, layer, part, ops, graph: flattenOps(ops) };
}

/** Layers of a training graph in first-appearance order, with their forward and backward op counts. */
export function layerSizes(g: Pick<TrainingGraph, 'ops'>): { layer: string; fwd: number; bwd: number }[] {
  const m = new Map<string, { layer: string; fwd: number; bwd: number }>();
  for (const op of g.ops) {
    let e = m.get(op.layer);
    if (!e) m.set(op.layer, (e = { layer: op.layer, fwd: 0, bwd: 0 }));
    if (inPart(op, 'fwd')) e.fwd++;
    else if (inPart(op, 'bwd')) e.bwd++;
  }
  return [...m.values()];
}

export interface LayerCase {
  model: string;
  source: WorkloadSource;
  /** layers of that model to take (each gives a forward and a backward subgraph) */
  layers: string[];
  note: string;
}

/**
 * The representative layers of the gap study (zoo default batch and sequence length):
 *  - ResNet-50: a bottleneck block with its projection shortcut (layer1.0: 12 forward / 14 backward ops) and an
 *    identity bottleneck block deeper in the network (layer3.1: 10 / 11 ops);
 *  - BERT-large: one encoder layer, attention and MLP (layers.0: 23 / 37 ops);
 *  - GPT-2: one decoder block (layers.0: 23 / 37 ops).
 * The transformer layers are built with unfused attention (separate score, softmax and context ops), the graphs
 * the saved best-known schedules of bench/ilp-gap-results.json were solved on; it is also the harder
 * scheduling problem (more ops side by side).
 */
export const REPRESENTATIVE_LAYERS: readonly LayerCase[] = [
  { model: 'resnet50', source: { model: 'resnet50' }, layers: ['layer1.0', 'layer3.1'], note: 'bottleneck blocks (with and without projection shortcut)' },
  { model: 'bert-large', source: { model: 'bert-large', attention: 'unfused' }, layers: ['layers.0'], note: 'one encoder layer: attention + MLP' },
  { model: 'gpt2', source: { model: 'gpt2', attention: 'unfused' }, layers: ['layers.0'], note: 'one decoder block' },
];

/**
 * The per-layer subgraphs of the given cases (default: REPRESENTATIVE_LAYERS), forward then backward per layer.
 * `override` replaces fields of every case's workload source (e.g. a smaller batch).
 */
export function representativeLayerGraphs(
  cases: readonly LayerCase[] = REPRESENTATIVE_LAYERS, override: Partial<WorkloadSource> = {}, parts: readonly LayerPart[] = LAYER_PARTS,
): LayerSubgraph[] {
  const out: LayerSubgraph[] = [];
  for (const c of cases) {
    const g = loadTrainingGraph({ ...c.source, ...override }, { optimizer: 'adam' });
    for (const layer of c.layers) for (const part of parts) out.push(layerSubgraph(g, layer, part, c.model));
  }
  return out;
}
