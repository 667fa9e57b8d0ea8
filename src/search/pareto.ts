/**
 * Pareto fronts of designs: throughput (samples/s, larger is better) against a cost (area mm² or TDP W, smaller
 * is better). Pure functions, used by `compare` (to keep each strategy's front while it runs) and by the report.
 */

/** What a front needs of a point. */
export interface ParetoCandidate {
  areaMm2: number;
  tdpW: number;
  throughput: number;
}

export type CostAxis = 'areaMm2' | 'tdpW';

/**
 * The points no other point dominates (another with cost ≤ and throughput ≥, one of them strictly), sorted by
 * cost; of points equal in both, the first is kept.
 */
export function paretoFront<T extends ParetoCandidate>(points: readonly T[], cost: CostAxis): T[] {
  const sorted = points
    .map((p, i) => ({ p, i }))
    .filter(({ p }) => Number.isFinite(p[cost]) && Number.isFinite(p.throughput))
    .sort((a, b) => a.p[cost] - b.p[cost] || b.p.throughput - a.p.throughput || a.i - b.i);
  const front: T[] = [];
  let best = -Infinity;
  for (const { p } of sorted) {
    if (p.throughput > best) {
      front.push(p);
      best = p.throughput;
    }
  }
  return front;
}

/** True when `a` dominates `b` on the cost axis: no worse in both, better in one. */
export function dominates(a: ParetoCandidate, b: ParetoCandidate, cost: CostAxis): boolean {
  return a[cost] <= b[cost] && a.throughput >= b.throughput && (a[cost] < b[cost] || a.throughput > b.throughput);
}

/**
 * Keeps, of a stream of points, those on the area front or on the TDP front (the union), pruning every
 * `pruneAt` points so that memory stays small while a search streams tens of thousands of designs.
 */
export class ParetoKeeper<T extends ParetoCandidate> {
  private points: T[] = [];

  constructor(private readonly pruneAt = 4096) {}

  add(p: T): void {
    this.points.push(p);
    if (this.points.length >= this.pruneAt) this.prune();
  }

  /** The points on either front. */
  front(): T[] {
    this.prune();
    return [...this.points];
  }

  private prune(): void {
    const keep = new Set<T>([...paretoFront(this.points, 'areaMm2'), ...paretoFront(this.points, 'tdpW')]);
    this.points = this.points.filter((p) => keep.has(p));
  }
}
