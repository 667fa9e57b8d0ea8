/**
 * Piscina worker: makes this thread's one kernel host from workerData (the WASM module compiled once by the
 * parent, the flat graphs sent once) and evaluates batches of designs and runs climbs on it.
 */
import { workerData } from 'node:worker_threads';
import type { DesignSpace } from '../arch/space.js';
import { defaultKernel } from '../engine/kernel.js';
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
/** the thread's one WebAssembly instance: batches and climbs share it (and each workload's graph in it) */
const kernel = defaultKernel(init.module);
const evaluator = new BatchEvaluator(init.workloads, init.objective, init.limits, kernel, init.execution);

/** The climbs' setup (technology, space, objective, the same graphs), when the pool runs climbs. */
const driver = init.space ? new ClimbDriver({ workloads: init.workloads, objective: init.objective, limits: init.limits, space: init.space, execution: init.execution }, kernel) : null;

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
