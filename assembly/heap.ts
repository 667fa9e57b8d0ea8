/**
 * Binary heaps of op indices in linear memory, ordered by a per-op f64 key, largest first, smaller index first on
 * equal keys: the ready ops of the list scheduler (schedule.ts, key = bottom level) and the eligible ops of the
 * serial passes (serial.ts, key = the pass's priority). Inlined at each use.
 */
import { lf, li, si } from './mem';

/** op a comes before op b: a larger key, or the same key and a smaller index (the heaps' strict order) */
// @ts-ignore: decorator
@inline export function heapBefore(key: usize, a: i32, b: i32): bool {
  const x = lf(key, a);
  const y = lf(key, b);
  // branch-free (the ready heaps' comparisons are data-dependent: a branch mispredicts about half the time)
  return (x > y) | ((x == y) & (a < b));
}

/** puts op x into the free slot i of heap h, moving it up past the ancestors it comes before */
// @ts-ignore: decorator
@inline function siftUp(h: usize, i: i32, x: i32, key: usize): void {
  while (i > 0) {
    const p = (i - 1) >> 1;
    const y = li(h, p);
    if (!heapBefore(key, x, y)) break;
    si(h, i, y);
    i = p;
  }
  si(h, i, x);
}

/** pushes op x onto heap h of n elements */
// @ts-ignore: decorator
@inline export function heapPush(h: usize, n: i32, x: i32, key: usize): void {
  siftUp(h, n, x, key);
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
      const right = heapBefore(key, z, y);
      si(h, i, select<i32>(z, y, right));
      i = c + <i32>right;
      c = 2 * i + 1;
    }
    if (c < m) {
      si(h, i, li(h, c));
      i = c;
    }
    siftUp(h, i, x, key);
  }
  return top;
}
