/**
 * The worker side of a WHAM climb in the kernel: a Climber (src/engine/climber.ts) on the thread's kernel host,
 * set up once with the technology, the design space as numbers, the objective, the limits and every workload's
 * graph; it runs climbs handed to it (by the pool, or by the search on one thread).
 */
import { DEFAULT_TECH, NOC_MM2_PER_GBS_45NM } from '../arch/cost.js';
import { DATAFLOWS, PRECISIONS } from '../arch/design.js';
import { RESOURCE_PARAMS } from '../arch/resources.js';
import { SPACE_PARAMS, spaceAxes, type DesignSpace } from '../arch/space.js';
import { Climber, type ClimbRaw, type NumericSpace } from '../engine/climber.js';
import { defaultKernel, type Kernel } from '../engine/kernel.js';
import { BOUND_NAMES, type Execution } from '../engine/layout.js';
import type { WorkloadSpec } from './evaluator.js';
import { OBJECTIVES, type Constraints, type Objective } from './objectives.js';

/** The resources a climb grows and shrinks, in bound-code order (tensor … off-chip). */
const CLIMB_BOUNDS = BOUND_NAMES.slice(0, 6);

/** A design space as the kernel reads it. */
export function numericSpace(space: DesignSpace): NumericSpace {
  const axes = new Set(spaceAxes(space));
  return {
    values: SPACE_PARAMS.map((p) =>
      space.values[p].map((v) =>
        p === 'precision' ? PRECISIONS.indexOf(v as never) : p === 'dataflow' ? DATAFLOWS.indexOf(v as never) : (v as number),
      ),
    ),
    axes: SPACE_PARAMS.map((p) => (axes.has(p) ? 1 : 0)),
    ties: space.ties.map((t) => ({ param: SPACE_PARAMS.indexOf(t.param), of: SPACE_PARAMS.indexOf(t.of), factor: t.factor })),
    resourceParams: CLIMB_BOUNDS.map((b) => RESOURCE_PARAMS[b].map((p) => SPACE_PARAMS.indexOf(p))),
  };
}

/** What a worker needs to run climbs (structured-cloneable, sent once). */
export interface ClimbInit {
  workloads: WorkloadSpec[];
  objective: Objective;
  limits: Constraints;
  space: DesignSpace;
  execution?: Execution;
}

/** One climb for a worker. */
export interface ClimbTask {
  kind: 'climb';
  /** value index per parameter */
  start: Int32Array;
  maxEvals: number;
  topK: number;
  /** return every evaluated design (for --out) */
  log: boolean;
}

export interface ClimbOutcome extends ClimbRaw {
  /** wall time of the climb in the worker */
  durationS: number;
}

/** Worker side: the thread's kernel set up for the search's climbs; runs them. */
export class ClimbDriver {
  private readonly climber: Climber;

  constructor(init: ClimbInit, kernel: Kernel = defaultKernel()) {
    this.climber = new Climber(kernel, {
      tech: { tables: DEFAULT_TECH, nocMm2PerGBs45nm: NOC_MM2_PER_GBS_45NM },
      space: numericSpace(init.space),
      objectiveId: OBJECTIVES.indexOf(init.objective),
      areaLimitMm2: init.limits.areaMm2,
      tdpLimitW: init.limits.tdpW,
      workloads: init.workloads.map((w) => ({ flat: w.flat, batch: w.batch, memoryPeakBytes: w.memoryPeakBytes })),
      singleStream: init.execution === 'single-stream',
    });
  }

  run(t: ClimbTask): ClimbOutcome {
    const t0 = performance.now();
    const raw = this.climber.climb(t.start, t.maxEvals, t.topK, t.log);
    return { ...raw, durationS: (performance.now() - t0) / 1000 };
  }

  /** The kernel's area, TDP and design record of a choice (for tests). */
  cost(choice: Int32Array) {
    return this.climber.cost(choice);
  }
}

