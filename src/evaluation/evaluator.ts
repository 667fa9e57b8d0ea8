/**
 * Evaluates batches of designs on a set of workloads: area and TDP in TypeScript (cheap, and designs over the
 * budget never reach the kernel), then one kernel call per workload for each chunk of designs, on the thread's
 * kernel host (workload w's graph in its graph slot w, copied once). Results are written into one packed Float64Array (`evaluatePacked`: no objects per design,
 * which keeps pool workers free of garbage collection) and turned into DesignResult objects on demand.
 */
import { areaMm2 as areaOf, tdpW as tdpOf, unitEnergies } from '../arch/cost.js';
import type { Design } from '../arch/design.js';
import type { FlatGraph } from '../engine/flatten.js';
import { defaultKernel, type Kernel } from '../engine/kernel.js';
import {
  BOUND_COUNT, BOUND_NAMES, DESIGN_STRIDE, S_CP_BOUND_CYCLES, S_CYCLES, S_ENERGY_J, S_TIME_S, S_VALID, STEP_STRIDE,
  writeDesign, type Bound, type Execution,
} from '../engine/layout.js';
import { goodness, objectiveValue, type Constraints, type ModelMetrics, type Objective } from './objectives.js';

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

// packed record: head, then per workload (stepTimeS, throughput, energyPerSampleJ, fits, value, then that
// workload's critical-path share by bound); the design's share is their mean, summed on unpacking
const P_FEASIBLE = 0, P_AREA = 1, P_TDP = 2, P_SCORE = 3, P_EVALUATED = 4, P_HEAD = 5, P_SHARES = 5, P_PER_MODEL = P_SHARES + BOUND_COUNT;

export function packedStride(models: number): number {
  return P_HEAD + models * P_PER_MODEL;
}

/**
 * Where things are in a packed record (for readers that skip unpackResults, as sweeps do): the head's slots
 * (1 = true), then workload w's block at HEAD + w × PER_MODEL: STEP_TIME_S, THROUGHPUT, ENERGY_PER_SAMPLE_J,
 * FITS, VALUE, then its critical-path shares in BOUND_NAMES order from SHARES.
 */
export const PACKED = Object.freeze({
  FEASIBLE: P_FEASIBLE, AREA: P_AREA, TDP: P_TDP, SCORE: P_SCORE, EVALUATED: P_EVALUATED, HEAD: P_HEAD, PER_MODEL: P_PER_MODEL,
  STEP_TIME_S: 0, THROUGHPUT: 1, ENERGY_PER_SAMPLE_J: 2, FITS: 3, VALUE: 4, SHARES: P_SHARES,
});

/** Packed results of a batch: the numbers, and the reason of each infeasible design by index. */
export interface PackedResults {
  data: Float64Array;
  reasons: Record<number, string>;
  models: string[];
}

export function unpackResults(p: PackedResults, designs: readonly Design[]): DesignResult[] {
  const nm = p.models.length;
  const stride = packedStride(nm);
  const d = p.data;
  return designs.map((design, i) => {
    const o = i * stride;
    const evaluated = d[o + P_EVALUATED] === 1;
    const criticalShare = emptyShare();
    const models = evaluated
      ? p.models.map((model, j): ModelMetrics => {
          const q = o + P_HEAD + j * P_PER_MODEL;
          const share = {} as Record<Bound, number>;
          BOUND_NAMES.forEach((b, k) => {
            share[b] = d[q + P_SHARES + k];
            criticalShare[b] += share[b] / nm;
          });
          return { model, stepTimeS: d[q], throughput: d[q + 1], energyPerSampleJ: d[q + 2], fits: d[q + 3] === 1, criticalShare: share };
        })
      : [];
    const values = evaluated ? p.models.map((_, j) => d[o + P_HEAD + j * P_PER_MODEL + 4]) : [];
    return { design, areaMm2: d[o + P_AREA], tdpW: d[o + P_TDP], feasible: d[o + P_FEASIBLE] === 1, reason: p.reasons[i] ?? '', models, values, score: d[o + P_SCORE], criticalShare };
  });
}

/** Why a design of this area and TDP breaks the budget, or ''. */
export function budgetReason(limits: Constraints, areaMm2: number, tdpW: number): string {
  if (areaMm2 > limits.areaMm2) return `area ${areaMm2.toFixed(1)} mm2 exceeds the ${limits.areaMm2} mm2 budget`;
  if (tdpW > limits.tdpW) return `TDP ${tdpW.toFixed(1)} W exceeds the ${limits.tdpW} W budget`;
  return '';
}

/** Why a design the kernel evaluated is infeasible for one workload (rejected, or the training state does not fit), or ''. */
export function workloadReason(wl: WorkloadSpec, valid: boolean, stepTimeS: number, offChipBytes: number): string {
  if (!valid || !(stepTimeS > 0) || !Number.isFinite(stepTimeS)) return `the kernel rejected the design for ${wl.name}`;
  if (!(wl.memoryPeakBytes <= offChipBytes)) {
    return `the training state of ${wl.name} (${(wl.memoryPeakBytes / 2 ** 30).toFixed(2)} GiB) does not fit ${(offChipBytes / 2 ** 30).toFixed(2)} GiB off-chip`;
  }
  return '';
}

export class BatchEvaluator {
  private records = new Float64Array(0);
  private readonly names: string[];

  constructor(
    readonly workloads: WorkloadSpec[], readonly objective: Objective, readonly limits: Constraints,
    /** the kernel host (the thread's unless told) */
    readonly kernel: Kernel = defaultKernel(),
    readonly execution: Execution = 'concurrent',
    /** serial improvement passes after each list schedule (0: the list schedule alone, as the search's climbs) */
    readonly schedulePasses = 0,
  ) {
    this.names = workloads.map((w) => w.name);
    workloads.forEach((w, slot) => kernel.useGraph(w.flat, slot)); // copied (and checked for cycles) once
  }

  /** Why a design breaks the budget, or ''. */
  budgetReason(areaMm2: number, tdpW: number): string {
    return budgetReason(this.limits, areaMm2, tdpW);
  }

  /** Evaluates designs; those over the area/TDP budget come back infeasible without a kernel call. */
  evaluate(designs: readonly Design[]): DesignResult[] {
    return unpackResults(this.evaluatePacked(designs), designs);
  }

  evaluatePacked(designs: readonly Design[]): PackedResults {
    const nm = this.workloads.length;
    const stride = packedStride(nm);
    const data = new Float64Array(designs.length * stride);
    const reasons: Record<number, string> = {};
    const pending: number[] = [];
    designs.forEach((d, i) => {
      const a = areaOf(d);
      const t = tdpOf(d);
      const o = i * stride;
      data[o + P_AREA] = a;
      data[o + P_TDP] = t;
      const reason = this.budgetReason(a, t);
      if (reason) reasons[i] = reason;
      else pending.push(i);
    });
    for (let start = 0; start < pending.length; start += 256) this.evaluateChunk(designs, pending.slice(start, start + 256), data, reasons);
    return { data, reasons, models: this.names };
  }

  private evaluateChunk(designs: readonly Design[], idx: number[], data: Float64Array, reasons: Record<number, string>): void {
    const n = idx.length;
    const nm = this.workloads.length;
    const stride = packedStride(nm);
    if (this.records.length < n * DESIGN_STRIDE) this.records = new Float64Array(n * DESIGN_STRIDE);
    idx.forEach((i, j) => writeDesign(this.records, j * DESIGN_STRIDE, designs[i], unitEnergies(designs[i])));
    for (const i of idx) {
      data[i * stride + P_EVALUATED] = 1;
      data[i * stride + P_FEASIBLE] = 1;
    }
    const k = this.kernel;
    k.setExecution(this.execution);
    k.setSchedulePasses(this.schedulePasses);
    this.workloads.forEach((wl, w) => {
      k.useGraph(wl.flat, w);
      k.designSlots(n).set(this.records.subarray(0, n * DESIGN_STRIDE));
      const steps = k.evaluateLoadedDesigns(n);
      for (let j = 0; j < n; j++) {
        const i = idx[j];
        const o = i * stride;
        const s = j * STEP_STRIDE;
        const d = designs[i];
        const stepTimeS = steps[s + S_TIME_S];
        const m: ModelMetrics = { model: wl.name, stepTimeS, throughput: wl.batch / stepTimeS, energyPerSampleJ: steps[s + S_ENERGY_J] / wl.batch, fits: wl.memoryPeakBytes <= d.offChipBytes };
        const q = o + P_HEAD + w * P_PER_MODEL;
        data[q] = m.stepTimeS;
        data[q + 1] = m.throughput;
        data[q + 2] = m.energyPerSampleJ;
        data[q + 3] = m.fits ? 1 : 0;
        data[q + 4] = objectiveValue(this.objective, m, data[o + P_AREA], data[o + P_TDP]);
        const cyc = steps[s + S_CYCLES];
        for (let b = 0; b < BOUND_COUNT; b++) data[q + P_SHARES + b] = cyc > 0 ? steps[s + S_CP_BOUND_CYCLES + b] / cyc : 0;
        if (data[o + P_FEASIBLE] !== 1) continue;
        const why = workloadReason(wl, steps[s + S_VALID] === 1, stepTimeS, d.offChipBytes);
        if (why) {
          data[o + P_FEASIBLE] = 0;
          reasons[i] = why;
        }
      }
    });
    for (const i of idx) {
      const o = i * stride;
      if (data[o + P_FEASIBLE] !== 1) continue;
      let logSum = 0;
      for (let w = 0; w < nm; w++) logSum += Math.log(goodness(this.objective, data[o + P_HEAD + w * P_PER_MODEL + 4]));
      data[o + P_SCORE] = Math.exp(logSum / nm);
    }
  }
}

export function emptyShare(): Record<Bound, number> {
  return Object.fromEntries(BOUND_NAMES.map((b) => [b, 0])) as Record<Bound, number>;
}
