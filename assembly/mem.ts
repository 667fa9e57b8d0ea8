/**
 * Linear-memory helpers shared by the scheduler and the tightening loop: element loads and stores by index
 * (i32 and f64 arrays at a byte address) and grow-only allocations of at least one element.
 */
// @ts-ignore: decorator
@inline export function li(p: usize, i: i32): i32 { return load<i32>(p + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline export function si(p: usize, i: i32, v: i32): void { store<i32>(p + (<usize>i << 2), v); }
// @ts-ignore: decorator
@inline export function lf(p: usize, i: i32): f64 { return load<f64>(p + (<usize>i << 3)); }
// @ts-ignore: decorator
@inline export function sf(p: usize, i: i32, v: f64): void { store<f64>(p + (<usize>i << 3), v); }

export function allocI32(n: i32): usize { return heap.alloc(<usize>max(n, 1) << 2); }
export function allocF64(n: i32): usize { return heap.alloc(<usize>max(n, 1) << 3); }
