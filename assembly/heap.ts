/**
 * Binary heaps of op indices in linear memory, ordered by a per-op f64 key, largest first, smaller index first on
 * equal keys: the ready ops of the list scheduler (schedule.ts, key = bottom level) and the eligible ops of the
 * serial passes (serial.ts, key = the pass's priority). Inlined at each use.
 */
import { lf, li, si } from './mem';

// @ts-ignore: decorator
@inline function before(key: usize, a: i32, b: i32): bool {
  const x = lf(key, a);
  const y = lf(key, b);
  return x > y || (x == y && a < b);
}

/** pushes op x onto heap h of n elements */
// @ts-ignore: decorator
@inline export function heapPush(h: usize, n: i32, x: i32, key: usize): void {
  let i = n;
  while (i > 0) {
    const p = (i - 1) >> 1;
    const y = li(h, p);
    if (!before(key, x, y)) break;
    si(h, i, y);
    i = p;
  }
  si(h, i, x);
}

/** pops the top of heap h of n ≥ 1 elements */
// @ts-ignore: decorator
@inline export function heapPop(h: usize, n: i32, key: usize): i32 {
  const top = li(h, 0);
  const m = n - 1;
  if (m > 0) {
    const x = li(h, m);
    let i = 0;
    while (true) {
      let c = 2 * i + 1;
      if (c >= m) break;
      let y = li(h, c);
      if (c + 1 < m) {
        const z = li(h, c + 1);
        if (before(key, z, y)) { c++; y = z; }
      }
      if (!before(key, y, x)) break;
      si(h, i, y);
      i = c;
    }
    si(h, i, x);
  }
  return top;
}
