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
  // branch-free (the ready heaps' comparisons are data-dependent: a branch mispredicts about half the time)
  return (x > y) | ((x == y) & (a < b));
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

/**
 * pops the top of heap h of n ≥ 1 elements. Floyd's bottom-up pop: the hole left at the root walks down to a
 * leaf along the children that come first (one branch-free comparison a level), then the last element climbs
 * from there (usually a step or two: it came from the bottom). The order is strict (key, then index), so every
 * pop returns the same op as the textbook sift-down would.
 */
// @ts-ignore: decorator
@inline export function heapPop(h: usize, n: i32, key: usize): i32 {
  const top = li(h, 0);
  const m = n - 1;
  if (m > 0) {
    const x = li(h, m);
    let i = 0;
    let c = 1;
    while (c + 1 < m) {
      const y = li(h, c);
      const z = li(h, c + 1);
      const right = before(key, z, y);
      si(h, i, select<i32>(z, y, right));
      i = c + <i32>right;
      c = 2 * i + 1;
    }
    if (c < m) {
      si(h, i, li(h, c));
      i = c;
    }
    while (i > 0) {
      const p = (i - 1) >> 1;
      const y = li(h, p);
      if (!before(key, x, y)) break;
      si(h, i, y);
      i = p;
    }
    si(h, i, x);
  }
  return top;
}
