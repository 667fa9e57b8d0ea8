/**
 * Objectives and constraints of a search. Every objective has a natural value (what users read: samples/s,
 * samples/s/W, J/sample, …) and a goodness g > 0 that searches maximise (the value, or its inverse for
 * energy and EDP). Several workloads: the geometric mean of each workload's goodness; normalising each by
 * its own best divides the mean by a constant, so ranking by it is ranking by the normalised mean.
 */
import { areaMm2, tdpW } from '../arch/cost.js';
import type { Design } from '../arch/design.js';
import type { Bound } from '../engine/layout.js';

export const OBJECTIVES = ['throughput', 'perf-per-tdp', 'perf-per-area', 'energy', 'edp'] as const;
export type Objective = (typeof OBJECTIVES)[number];

export const OBJECTIVE_UNITS: Record<Objective, string> = {
  throughput: 'samples/s',
  'perf-per-tdp': 'samples/s/W',
  'perf-per-area': 'samples/s/mm2',
  energy: 'J/sample',
  edp: 'J*s/sample^2',
};

export const MINIMISED: ReadonlySet<Objective> = new Set(['energy', 'edp']);

export interface ModelMetrics {
  model: string;
  stepTimeS: number;
  /** samples per second */
  throughput: number;
  energyPerSampleJ: number;
  /** training state fits off-chip memory */
  fits: boolean;
  /** share of this workload's scheduled critical path by bound (sums to 1), when the evaluator reports it */
  criticalShare?: Record<Bound, number>;
}

/** The objective's natural value for one workload on a design of the given area and TDP. */
export function objectiveValue(o: Objective, m: ModelMetrics, areaMm2: number, tdpW: number): number {
  switch (o) {
    case 'throughput':
      return m.throughput;
    case 'perf-per-tdp':
      return m.throughput / tdpW;
    case 'perf-per-area':
      return m.throughput / areaMm2;
    case 'energy':
      return m.energyPerSampleJ;
    case 'edp':
      return m.energyPerSampleJ / m.throughput;
  }
}

/** Goodness (> 0, larger is better) of a natural value. */
export function goodness(o: Objective, value: number): number {
  return MINIMISED.has(o) ? 1 / value : value;
}

export function geomean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += Math.log(x);
  return Math.exp(s / xs.length);
}

/** The design keeps within the area and TDP budget. */
export function withinBudget(d: Design, limits: Constraints): boolean {
  return areaMm2(d) <= limits.areaMm2 && tdpW(d) <= limits.tdpW;
}

export interface Constraints {
  /** mm², Infinity when unconstrained */
  areaMm2: number;
  /** W, Infinity when unconstrained */
  tdpW: number;
}
