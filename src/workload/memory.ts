/**
 * Memory footprint of one training step on one device.
 *
 *  weights     = params × compute-dtype bytes
 *  gradients   = updated elements × compute-dtype bytes (fp32 when gradients accumulate over
 *                micro-batches); an embedding table read only by gathers has a sparse gradient (its
 *                looked-up rows), every other parameter a dense one
 *  optimizer   = params × (fp32 master copy when computing in bf16 + optimizer state: momentum 4 B, Adam 8 B)
 *  activations = every tensor produced in the forward pass (or a graph input) that a backward,
 *                recompute or optimizer op reads, counted once; with recomputation, plus the largest
 *                layer's recomputed tensors (one layer is rebuilt at a time)
 *  peak        = weights + gradients + optimizer + activations + the largest single op's outputs
 *                (the transient being written while everything above is resident)
 */
import { numel, paramCount, tensorBytes, type TrainingGraph } from './ir.js';
import { OPTIMIZER_STATE_BYTES_PER_PARAM } from './op-metrics.js';

export interface MemoryFootprint {
  weights: number;
  gradients: number;
  optimizer: number;
  activations: number;
  peak: number;
}

export function memoryFootprint(g: TrainingGraph): MemoryFootprint {
  const params = paramCount(g.params);
  const e = g.options.precision === 'bf16' ? 2 : 4;
  const weights = params * e;
  // one gradient per element the optimizer updates (embedding tables updated sparsely: touched rows only)
  let updated = 0;
  for (const op of g.ops) if (op.kind === 'optimizer') updated += op.attrs.params;
  const gradients = updated * (g.options.gradAccumulationSteps > 1 ? 4 : e);
  const optimizer = params * ((g.options.precision === 'bf16' ? 4 : 0) + OPTIMIZER_STATE_BYTES_PER_PARAM[g.options.optimizer]);

  const fwdLayerOf = new Map<string, string>();
  const recomputed = new Set<string>();
  for (const op of g.ops) {
    for (const t of op.outputs) {
      if (op.phase === 'fwd') fwdLayerOf.set(t.name, op.layer);
      else if (op.phase === 'recompute') recomputed.add(t.name);
    }
  }
  const inputNames = new Set(g.inputs.map((t) => t.name));
  const paramNames = new Set(g.params.map((p) => p.name));

  const stashed = new Map<string, number>();
  const recomputeByLayer = new Map<string, Map<string, number>>();
  const workingSet = (layer: string, name: string, bytes: number): void => {
    const m = recomputeByLayer.get(layer) ?? new Map<string, number>();
    m.set(name, bytes);
    recomputeByLayer.set(layer, m);
  };
  for (const op of g.ops) {
    if (op.phase === 'fwd') continue;
    for (const t of op.inputs) {
      if (paramNames.has(t.name)) continue;
      const fwdLayer = fwdLayerOf.get(t.name);
      if (op.phase === 'recompute') {
        // a recomputed layer starts from its checkpointed inputs
        if (inputNames.has(t.name) || (fwdLayer !== undefined && fwdLayer !== op.layer)) stashed.set(t.name, tensorBytes(t));
        else workingSet(op.layer, t.name, tensorBytes(t));
      } else if (recomputed.has(t.name)) {
        workingSet(op.layer, t.name, tensorBytes(t));
      } else if (fwdLayer !== undefined || inputNames.has(t.name) || (t.dtype === 'bool' && !g.options.recompute)) {
        // forward outputs, graph inputs and dropout masks (bool) live until their backward op
        stashed.set(t.name, tensorBytes(t));
      }
    }
  }
  let activations = 0;
  for (const b of stashed.values()) activations += b;
  let recomputeWorkingSet = 0;
  for (const m of recomputeByLayer.values()) {
    let s = 0;
    for (const b of m.values()) s += b;
    recomputeWorkingSet = Math.max(recomputeWorkingSet, s);
  }
  activations += recomputeWorkingSet;

  let transient = 0;
  for (const op of g.ops) {
    let s = 0;
    for (const t of op.outputs) s += numel(t.shape) * (t.dtype === 'bool' ? 1 : e);
    transient = Math.max(transient, s);
  }
  return { weights, gradients, optimizer, activations, peak: weights + gradients + optimizer + activations + transient };
}
