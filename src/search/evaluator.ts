/**
 * Evaluates batches of designs on a set of workloads: area and TDP in TypeScript (cheap, and designs over the
 * budget never reach the kernel), then one kernel call per workload for the whole batch (graph loaded once per
 * kernel). Used in-thread and inside pool workers.
 */
import { areaMm2 as areaOf, tdpW as tdpOf, unitEnergies } from '../arch/cost.js';
import type { Design } from '../arch/design.js';
import type { FlatGraph } from '../engine/flatten.js';
import { Kernel } from '../engine/kernel.js';
import {
  BOUND_COUNT, BOUND_NAMES, DESIGN_STRIDE, S_CP_BOUND_CYCLES, S_CYCLES, S_ENERGY_J, S_TIME_S, S_VALID, STEP_STRIDE,
  writeDesign, type Bound,
} from '../engine/layout.js';
import { geomean, goodness, objectiveValue, type Constraints, type ModelMetrics, type Objective } from './objectives.js';

/** What a worker needs to know of one workload (structured-cloneable). */
export interface WorkloadSpec {
  name: string;
  batch: number;
  seq?: number;
  flat: FlatGraph;
  /** peak training-state bytes (weights, gradients, optimizer, activations) */
  memoryPeakBytes: number;
}

export interface DesignResult {
  design: Design;
  areaMm2: number;
  tdpW: number;
  feasible: boolean;
  reason: string;
  /** per workload (empty when the design broke the area/TDP budget and was not evaluated) */
  models: ModelMetrics[];
  /** per workload, the objective's natural value */
  values: number[];
  /** geometric mean of the workloads' goodness (0 when infeasible) */
  score: number;
  /** share of the scheduled critical path by bound, averaged over workloads (sums to 1) */
  criticalShare: Record<Bound, number>;
}

export class BatchEvaluator {
  private readonly kernels: Kernel[];
  private records = new Float64Array(0);

  constructor(readonly workloads: WorkloadSpec[], readonly objective: Objective, readonly limits: Constraints, module?: WebAssembly.Module) {
    this.kernels = workloads.map((w) => {
      const k = new Kernel({ module, designCapacity: 256 });
      k.loadGraph(w.flat);
      return k;
    });
  }

  /** Why a design breaks the budget, or ''. */
  budgetReason(areaMm2: number, tdpW: number): string {
    if (areaMm2 > this.limits.areaMm2) return `area ${areaMm2.toFixed(1)} mm2 exceeds the ${this.limits.areaMm2} mm2 budget`;
    if (tdpW > this.limits.tdpW) return `TDP ${tdpW.toFixed(1)} W exceeds the ${this.limits.tdpW} W budget`;
    return '';
  }

  /** Evaluates designs; those over the area/TDP budget come back infeasible without a kernel call. */
  evaluate(designs: readonly Design[]): DesignResult[] {
    const out: DesignResult[] = [];
    const pending: number[] = [];
    for (const d of designs) {
      const a = areaOf(d);
      const t = tdpOf(d);
      const reason = this.budgetReason(a, t);
      out.push({ design: d, areaMm2: a, tdpW: t, feasible: reason === '', reason, models: [], values: [], score: 0, criticalShare: emptyShare() });
      if (reason === '') pending.push(out.length - 1);
    }
    for (let start = 0; start < pending.length; start += 256) this.evaluateChunk(out, pending.slice(start, start + 256));
    return out;
  }

  /** Number of designs in `designs` that pass the budget (what `evaluate` will send to the kernel). */
  private evaluateChunk(out: DesignResult[], idx: number[]): void {
    const n = idx.length;
    if (this.records.length < n * DESIGN_STRIDE) this.records = new Float64Array(n * DESIGN_STRIDE);
    idx.forEach((i, j) => writeDesign(this.records, j * DESIGN_STRIDE, out[i].design, unitEnergies(out[i].design)));
    this.kernels.forEach((k, w) => {
      const wl = this.workloads[w];
      k.designSlots(n).set(this.records.subarray(0, n * DESIGN_STRIDE));
      const steps = k.evaluateLoadedDesigns(n);
      idx.forEach((i, j) => {
        const r = out[i];
        const o = j * STEP_STRIDE;
        const valid = steps[o + S_VALID] === 1;
        const stepTimeS = steps[o + S_TIME_S];
        const m: ModelMetrics = {
          model: wl.name,
          stepTimeS,
          throughput: wl.batch / stepTimeS,
          energyPerSampleJ: steps[o + S_ENERGY_J] / wl.batch,
          fits: wl.memoryPeakBytes <= r.design.offChipBytes,
        };
        r.models.push(m);
        r.values.push(objectiveValue(this.objective, m, r.areaMm2, r.tdpW));
        const cyc = steps[o + S_CYCLES];
        for (let b = 0; b < BOUND_COUNT; b++) r.criticalShare[BOUND_NAMES[b]] += cyc > 0 ? steps[o + S_CP_BOUND_CYCLES + b] / cyc / this.workloads.length : 0;
        if (!valid || !(stepTimeS > 0) || !Number.isFinite(stepTimeS)) {
          r.feasible = false;
          r.reason ||= `the kernel rejected the design for ${wl.name}`;
        } else if (!m.fits) {
          r.feasible = false;
          r.reason ||= `the training state of ${wl.name} (${(wl.memoryPeakBytes / 2 ** 30).toFixed(2)} GiB) does not fit ${(r.design.offChipBytes / 2 ** 30).toFixed(2)} GiB off-chip`;
        }
      });
    });
    for (const i of idx) {
      const r = out[i];
      r.score = r.feasible ? geomean(r.values.map((v) => goodness(this.objective, v))) : 0;
    }
  }
}

export function emptyShare(): Record<Bound, number> {
  return Object.fromEntries(BOUND_NAMES.map((b) => [b, 0])) as Record<Bound, number>;
}
