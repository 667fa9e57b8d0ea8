/**
 * An inference-only search ranks designs by the forward pass; its trace (each improvement of the best, with its
 * design) is scored here on the training step, so that it can be plotted and measured against training optima.
 */
import { defaultKernel } from '../engine/kernel.js';
import { flattenOps } from '../engine/flatten.js';
import { BatchEvaluator } from '../evaluation/evaluator.js';
import type { Constraints, Objective } from '../evaluation/objectives.js';
import type { TrainingGraph } from '../workload/ir.js';
import { memoryFootprint } from '../workload/memory.js';
import type { SearchTracePoint } from './strategy.js';

/**
 * The trace with each point's objective on the training step (list schedule, as searches rank), its time and
 * design kept; points whose design cannot train the workload (its training state does not fit) are dropped.
 * One workload.
 */
export function trainingTrace(trace: readonly SearchTracePoint[], graph: TrainingGraph, objective: Objective, limits: Constraints): SearchTracePoint[] {
  if (trace.length === 0) return [];
  const spec = { name: graph.name, batch: graph.batch, seq: graph.seq, flat: flattenOps(graph.ops), memoryPeakBytes: memoryFootprint(graph).peak };
  const scored = new BatchEvaluator([spec], objective, limits, defaultKernel(), 'concurrent', 0).evaluate(trace.map((t) => t.design));
  return trace.flatMap((t, i) => (scored[i].feasible ? [{ ...t, objective: scored[i].values[0] }] : []));
}
