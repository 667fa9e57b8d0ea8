/**
 * Piscina worker: builds one BatchEvaluator from workerData (the WASM module compiled once by the parent, the
 * flat graphs sent once) and evaluates batches of designs.
 */
import { workerData } from 'node:worker_threads';
import { BatchEvaluator, type PackedResults, type WorkloadSpec } from '../search/evaluator.js';
import { unpackDesigns } from './design-packing.js';
import type { Constraints, Objective } from '../search/objectives.js';

interface Init {
  module: WebAssembly.Module;
  workloads: WorkloadSpec[];
  objective: Objective;
  limits: Constraints;
}

const init = workerData as Init;
const evaluator = new BatchEvaluator(init.workloads, init.objective, init.limits, init.module);

/** Returns packed results (one Float64Array: a memcpy to clone, unlike thousands of result objects). */
export default function evaluateBatch(task: { designs: Float64Array }): PackedResults {
  return evaluator.evaluatePacked(unpackDesigns(task.designs));
}
