/**
 * Piscina worker: builds one BatchEvaluator from workerData (the WASM module compiled once by the parent, the
 * flat graphs sent once) and evaluates batches of designs.
 */
import { workerData } from 'node:worker_threads';
import type { DesignSpace } from '../arch/space.js';
import type { Execution } from '../engine/layout.js';
import { BatchEvaluator, type PackedResults, type WorkloadSpec } from '../evaluation/evaluator.js';
import { ClimbDriver, type ClimbOutcome, type ClimbTask } from '../evaluation/climb-driver.js';
import { unpackDesigns } from './design-packing.js';
import type { Constraints, Objective } from '../evaluation/objectives.js';

interface Init {
  module: WebAssembly.Module;
  workloads: WorkloadSpec[];
  objective: Objective;
  limits: Constraints;
  /** the design space (climb tasks) */
  space?: DesignSpace;
  execution?: Execution;
}

const init = workerData as Init;
const evaluator = new BatchEvaluator(init.workloads, init.objective, init.limits, init.module, init.execution);

/** The climbing kernel (one instance with every workload's graph), when the pool runs climbs. */
const driver = init.space ? new ClimbDriver({ module: init.module, workloads: init.workloads, objective: init.objective, limits: init.limits, space: init.space, execution: init.execution }) : null;

/**
 * A batch of designs → packed results (one Float64Array: a memcpy to clone, unlike thousands of result
 * objects); a climb task (`kind: 'climb'`) → one WHAM climb run in the kernel.
 */
export default function evaluateBatch(task: { designs: Float64Array } | ClimbTask): PackedResults | ClimbOutcome {
  if ('kind' in task && task.kind === 'climb') {
    if (!driver) throw new Error('climb task: the pool was created without a design space');
    return driver.run(task);
  }
  return evaluator.evaluatePacked(unpackDesigns((task as { designs: Float64Array }).designs));
}
