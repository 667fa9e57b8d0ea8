/**
 * A mixed-integer program assembled column by column and row by row, in the arrays HiGHS takes (CSR rows):
 * sparse linear expressions (Lin) and the builder (MipBuilder) that records each column's bounds, integrality,
 * cost and warm-start value.
 */

/** A sparse linear expression over model columns plus a constant. */
export class Lin {
  t = new Map<number, number>();
  c = 0;
  static of(c = 0): Lin { const l = new Lin(); l.c = c; return l; }
  add(col: number, coef: number): this { if (coef !== 0) this.t.set(col, (this.t.get(col) ?? 0) + coef); return this; }
  addLin(e: Lin, s = 1): this { for (const [k, v] of e.t) this.add(k, s * v); this.c += s * e.c; return this; }
  get isConst(): boolean { return this.t.size === 0; }
}

export class MipBuilder {
  names: string[] = [];
  lb: number[] = [];
  ub: number[] = [];
  integ: number[] = [];
  cost: number[] = [];
  warm: (() => number)[] = [];
  starts: number[] = [0];
  idx: number[] = [];
  val: number[] = [];
  rlo: number[] = [];
  rhi: number[] = [];
  nBin = 0;
  /** a row without variables is violated: no schedule within the bound */
  infeasible = false;
  col(name: string, lb: number, ub: number, integer: boolean, warm: () => number, cost = 0): number {
    this.names.push(name);
    this.lb.push(lb);
    this.ub.push(ub);
    this.integ.push(integer ? 1 : 0);
    this.cost.push(cost);
    this.warm.push(warm);
    if (integer) this.nBin++;
    return this.names.length - 1;
  }
  /** lo ≤ e ≤ hi (the constant of e moves to the bounds) */
  row(e: Lin, lo: number, hi: number): void {
    if (e.isConst) {
      if (e.c < lo - 1e-9 * Math.max(1, Math.abs(lo)) || e.c > hi + 1e-9 * Math.max(1, Math.abs(hi))) this.infeasible = true;
      return;
    }
    for (const [k, v] of [...e.t].sort((a, b) => a[0] - b[0])) {
      if (v === 0) continue;
      this.idx.push(k);
      this.val.push(v);
    }
    this.starts.push(this.idx.length);
    this.rlo.push(lo - e.c);
    this.rhi.push(hi - e.c);
  }
  ge(e: Lin, v: number): void { this.row(e, v, Infinity); }
  le(e: Lin, v: number): void { this.row(e, -Infinity, v); }
  eq(e: Lin, v: number): void { this.row(e, v, v); }
}
