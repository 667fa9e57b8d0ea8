/**
 * Where batches of designs are evaluated: in this thread (threads = 1, on this thread's kernel host) or on a
 * Piscina pool. The WASM module is compiled once here and handed to every worker with the flat graphs
 * (workerData), so each worker instantiates it once (its one kernel host, for batches and climbs) and copies
 * each graph into it once. A batch is split into one task per thread.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { Design } from '../arch/design.js';
import type { Execution } from '../engine/layout.js';
import type { DesignSpace } from '../arch/space.js';
import { compileKernel, defaultKernel } from '../engine/kernel.js';
import { BatchEvaluator, unpackResults, type DesignResult, type PackedResults, type WorkloadSpec } from '../evaluation/evaluator.js';
import type { Constraints, Objective } from '../evaluation/objectives.js';
import { ClimbDriver, type ClimbOutcome, type ClimbTask } from '../evaluation/climb-driver.js';
import { packDesigns } from './design-packing.js';
import { InputError, MAX_THREADS } from '../errors.js';

export { MAX_THREADS };

export interface Evaluator {
  readonly threads: number;
  evaluate(designs: Design[]): Promise<DesignResult[]>;
  /** the same evaluation, as one packed record per design (no result objects: sweeps read the numbers) */
  evaluatePacked(designs: Design[]): Promise<PackedResults>;
  /** one WHAM climb in the kernel (needs `space`; src/search/wham-kernel.ts) */
  climb(task: ClimbTask): Promise<ClimbOutcome>;
  close(): Promise<void>;
}

export interface EvaluatorOptions {
  workloads: WorkloadSpec[];
  objective: Objective;
  limits: Constraints;
  threads?: number;
  /** the design space, for climbs */
  space?: DesignSpace;
  /** step schedules: concurrent (default) or single-stream */
  execution?: Execution;
}

/**
 * The built worker entry (vitest runs src/*.ts, but workers must be built JavaScript): a CommonJS file that
 * imports the ES worker, so that Piscina never require()s an ES module (see worker-entry.cts).
 */
function workerUrl(): string {
  const here = import.meta.url;
  return here.endsWith('.ts') ? new URL('../../dist/pool/worker-entry.cjs', here).href : new URL('./worker-entry.cjs', here).href;
}


export function defaultThreads(): number {
  return Math.min(MAX_THREADS, Math.max(1, availableParallelism()));
}

export function createEvaluator(o: EvaluatorOptions): Evaluator {
  const threads = o.threads ?? defaultThreads();
  if (!Number.isSafeInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new InputError(`threads must be an integer from 1 to ${MAX_THREADS}, got ${threads}`);
  }
  const module = compileKernel('release');
  if (threads <= 1) {
    const kernel = defaultKernel(module);
    const ev = new BatchEvaluator(o.workloads, o.objective, o.limits, kernel, o.execution);
    const driver = o.space ? new ClimbDriver({ workloads: o.workloads, objective: o.objective, limits: o.limits, space: o.space, execution: o.execution }, kernel) : null;
    const climb = async (t: ClimbTask) => {
      if (!driver) throw new Error('climb: the evaluator was created without a design space');
      return driver.run(t);
    };
    return { threads: 1, evaluate: async (d) => ev.evaluate(d), evaluatePacked: async (d) => ev.evaluatePacked(d), climb, close: async () => {} };
  }
  const pool = new Piscina({
    filename: workerUrl(),
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 60_000,
    workerData: { module, workloads: o.workloads, objective: o.objective, limits: o.limits, space: o.space, execution: o.execution },
  });
  return {
    threads,
    async evaluate(designs: Design[]): Promise<DesignResult[]> {
      if (designs.length === 0) return [];
      // two tasks per thread, so one task's transfer overlaps another's evaluation
      const per = Math.max(1, Math.ceil(designs.length / (2 * threads)));
      const parts: Promise<DesignResult[]>[] = [];
      for (let i = 0; i < designs.length; i += per) {
        const chunk = designs.slice(i, i + per);
        parts.push(pool.run({ designs: packDesigns(chunk) }).then((p: PackedResults) => unpackResults(p, chunk)));
      }
      return (await Promise.all(parts)).flat();
    },
    async evaluatePacked(designs: Design[]): Promise<PackedResults> {
      const models = o.workloads.map((w) => w.name);
      if (designs.length === 0) return { data: new Float64Array(0), reasons: {}, models };
      const per = Math.max(1, Math.ceil(designs.length / (2 * threads)));
      const parts: Promise<PackedResults>[] = [];
      for (let i = 0; i < designs.length; i += per) parts.push(pool.run({ designs: packDesigns(designs.slice(i, i + per)) }));
      // the tasks' records, end to end, and their reasons renumbered
      const done = await Promise.all(parts);
      const data = new Float64Array(done.reduce((n, p) => n + p.data.length, 0));
      const reasons: Record<number, string> = {};
      let at = 0;
      done.forEach((p, k) => {
        data.set(p.data, at);
        at += p.data.length;
        for (const [i, why] of Object.entries(p.reasons)) reasons[k * per + Number(i)] = why;
      });
      return { data, reasons, models };
    },
    climb(task: ClimbTask): Promise<ClimbOutcome> {
      if (!o.space) return Promise.reject(new Error('climb: the evaluator was created without a design space'));
      return pool.run(task);
    },
    close: () => pool.destroy(),
  };
}
