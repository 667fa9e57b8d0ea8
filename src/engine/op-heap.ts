/** A binary heap of op indices for the TypeScript references of the schedulers (reference-schedule.ts, reference-serial.ts). */

/** Binary heap of op indices under a strict order `before` (both orders are total: ties break by index). */
export class OpHeap {
  readonly a: number[] = [];
  constructor(private readonly before: (x: number, y: number) => boolean) {}
  get size(): number { return this.a.length; }
  top(): number { return this.a[0]; }
  push(x: number): void {
    const a = this.a;
    let i = a.length;
    a.push(x);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(x, a[p])) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = x;
  }
  pop(): number {
    const a = this.a;
    const top = a[0];
    const x = a.pop()!;
    const m = a.length;
    if (m > 0) {
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= m) break;
        if (c + 1 < m && this.before(a[c + 1], a[c])) c++;
        if (!this.before(a[c], x)) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = x;
    }
    return top;
  }
}
