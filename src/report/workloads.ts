/**
 * The workloads a report rebuilds (to schedule the best design, or to score an inference-only trace on the
 * training step): how each was built, as the search, compare or sweep directory records it, and the training
 * graph, built once per report.
 */
import type { TrainingGraph } from '../workload/ir.js';
import { loadTrainingGraph, type WorkloadSource } from '../workload/load.js';
import type { TrainingOptions } from '../workload/training.js';

/** How to rebuild one workload. */
export interface WorkloadRef {
  /** the name the directory gives it */
  name: string;
  source: WorkloadSource;
  training: TrainingOptions;
}

const graphs = new Map<string, TrainingGraph>();

/** The training graph of a workload (built once per process for equal refs). */
export function workloadGraph(ref: WorkloadRef): TrainingGraph {
  const key = JSON.stringify([ref.source, ref.training]);
  let g = graphs.get(key);
  if (!g) {
    // rebuilt as the run built it: a run of several models gave --seq/--attention to those that take them
    g = loadTrainingGraph({ ...ref.source, listed: true }, ref.training);
    graphs.set(key, g);
  }
  return g;
}

/** A zoo workload by name, batch and sequence length (compare and sweep directories), trained with Adam. */
export function zooWorkload(name: string, batch?: number, seq?: number): WorkloadRef {
  return { name, source: { model: name, ...(batch !== undefined ? { batch } : {}), ...(seq !== undefined ? { seq } : {}) }, training: { optimizer: 'adam' } };
}
