/**
 * The one interface every search strategy implements (Timeloop-style separation: the strategy proposes, the
 * orchestrator evaluates on the pool, the strategy learns). `ask` returns up to `max` designs to evaluate next
 * (an empty list: the strategy has finished); `tell` gives back their results in the same order.
 */
import type { Design } from '../arch/design.js';
import type { DesignSpace } from '../arch/space.js';
import type { DesignResult } from '../evaluation/evaluator.js';
import type { Constraints } from '../evaluation/objectives.js';

export interface Strategy {
  readonly name: string;
  ask(max: number): Design[];
  tell(results: DesignResult[]): void;
}

export interface StrategyContext {
  space: DesignSpace;
  seed: number;
  limits: Constraints;
  /** area and TDP of a design (cheap, TypeScript) so strategies can keep proposals inside the budget */
  budgetOk(d: Design): boolean;
}

export type StrategyFactory = (ctx: StrategyContext) => Strategy;

/**
 * One improvement of a search's best design: when (kernel evaluations so far, seconds), its objective (one
 * workload: the natural value; several: the score) and the design.
 */
/** One point of a convergence trace of `compare`: a run's best objective after `evaluations` and `seconds`. */
export interface TracePoint {
  strategy: string;
  repeat: number;
  evaluations: number;
  seconds: number;
  objective: number;
}

export interface SearchTracePoint {
  evaluations: number;
  elapsedS: number;
  objective: number;
  design: Design;
}

/** A stable key of a design (for distinct top-k sets and de-duplication). */
export function designKey(d: Design): string {
  return [d.tensorCores, d.tcRows, d.tcCols, d.vectorCores, d.vectorLanes, d.localBufferBytes, d.globalBufferBytes, d.globalBufferGBs,
    d.offChipBytes, d.offChipGBs, d.nocGBs, d.clockGHz, d.precision, d.dataflow, d.techNm].join('|');
}

/**
 * Ranking of the top-k: higher score first; among equal scores the cheaper design (smaller area, then lower
 * TDP, then less off-chip capacity), so `best` is the smallest of the designs that tie.
 */
export function ranksBefore(a: DesignResult, b: DesignResult): boolean {
  if (a.score !== b.score) return a.score > b.score;
  if (a.areaMm2 !== b.areaMm2) return a.areaMm2 < b.areaMm2;
  if (a.tdpW !== b.tdpW) return a.tdpW < b.tdpW;
  return a.design.offChipBytes < b.design.offChipBytes;
}

export const byRank = (a: DesignResult, b: DesignResult): number => (ranksBefore(a, b) ? -1 : ranksBefore(b, a) ? 1 : 0);

/** The k best distinct feasible designs seen, by rank: the one top-k bookkeeping of every search. */
export class TopK {
  /** best first */
  readonly items: DesignResult[] = [];
  private readonly keys = new Set<string>();
  constructor(private readonly k: number) {}

  /** Keeps `r` if it is feasible, not kept already, and ranks among the k best seen. */
  offer(r: DesignResult): void {
    if (!r.feasible) return;
    const key = designKey(r.design);
    if (this.keys.has(key)) return;
    if (!(this.items.length < this.k || ranksBefore(r, this.items[this.items.length - 1]))) return;
    this.items.push(r);
    this.keys.add(key);
    this.items.sort(byRank);
    if (this.items.length > this.k) this.keys.delete(designKey(this.items.pop()!.design));
  }
}
