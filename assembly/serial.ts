/**
 * Schedule improvement by serial schedule generation (docs/cost-model.md; used by schedule.ts when the host asks for
 * improvement passes). The list scheduler never leaves a core idle while an op of its pool is ready, and an op
 * takes the core count that finishes it first. On backward graphs both hurt: a weight gradient grabs the cores a
 * data gradient needs a moment later, and ops take cores they barely use while the pool is the bottleneck. The
 * optimum (src/schedule/ilp.ts) idles a pool briefly and runs weight gradients late on few cores.
 *
 * A serial pass places the ops one by one in a priority order (each op once its dependencies are placed): at the
 * earliest time its option's cores are free for its whole duration (it may fill a gap left earlier), choosing
 * among the options whose parallel efficiency t(1) / (k · t(k)) is at least `eff` the one that finishes first,
 * a larger k having to beat the best smaller one by more than `margin` of its span from the op's ready time.
 * Serial passes can build schedules a list scheduler cannot (an idle gap before a later op).
 *
 * Passes 0..11 order ops by bottom level (the list scheduler's priority), pass s with margin MARGINS[s mod 3] and
 * efficiency floor EFFS[⌊s/3⌋ mod 4] for every op. Later passes draw, from xorshift32 seeded with SEED at every
 * schedule (so a design's schedule never depends on what ran before), each op's priority bottom level × (1 + u − ½)
 * (ops in index order), then each op's margin MARGINS[⌊3u⌋] and floor EFFS[⌊4u⌋] (ops in index order, margin
 * first): per-op rules let one weight gradient take few cores while the next takes many, which no single rule does.
 * A pass stops as soon as an op finishes at or after the best makespan so far. The best schedule is kept; the
 * caller adopts it when it is strictly shorter than the list schedule.
 *
 * Profile of a pool: breakpoints T[0] = 0 < T[1] < … with F[q] cores free on [T[q], T[q+1]) (the last segment
 * open-ended, all cores free) and O[q], the largest-index op that finishes at T[q] (-1: none), so an op that
 * waited for cores names the op that freed them (the critical path's resource link).
 */
import { heapPop, heapPush } from './heap';
import { allocF64, allocI32, lf, li, sf, si } from './mem';

/** room per slot in the duration table: options 1, 2, 4, …, 2^31 and K (as schedule.ts's NK) */
export const SLOT_OPTIONS: i32 = 34;
const MARGINS: StaticArray<f64> = [0.02, 0.1, 0.3];
const EFFS: StaticArray<f64> = [0, 0.5, 0.7, 0.9];
const SEED: u32 = 2654435761;
/** passes that use the bottom level itself (every margin × efficiency pair once) */
const PLAIN_PASSES: i32 = 12;
const POOL_NONE: i32 = 2;

let cap: i32 = 0;
let prio: usize = 0; // f64 [n]
let left: usize = 0; // i32 [n]
let elig: usize = 0; // i32 [n]: heap of the eligible ops (heap.ts)
let start: usize = 0; // f64 [n]
let fin: usize = 0; // f64 [n]
let opt: usize = 0; // i32 [n]
let rpred: usize = 0; // i32 [n]: op whose finish freed the cores this op waited for, -1 if it did not wait
let ruleM: usize = 0; // i32 [n]: margin index of each op (random passes)
let ruleE: usize = 0; // i32 [n]: efficiency-floor index of each op (random passes)
let bStart: usize = 0;
let bFin: usize = 0;
let bOpt: usize = 0;
let bPred: usize = 0;
let profCap: i32 = 0;
let pT: usize = 0; // f64 [2 × profCap]
let pF: usize = 0; // i32 [2 × profCap]
let pO: usize = 0; // i32 [2 × profCap]
let pLen0: i32 = 0;
let pLen1: i32 = 0;
let rng: u32 = SEED;

// the graph and the design, for the duration of one improve() call
let gN: i32 = 0;
let gOpSlot: usize = 0;
let gSlotPool: usize = 0;
let gSlotDur: usize = 0;
let gKList: usize = 0;
let gNK0: i32 = 0;
let gNK1: i32 = 0;
let gDepOff: usize = 0;
let gDeps: usize = 0;
let gSuccOff: usize = 0;
let gSucc: usize = 0;

function ensure(n: i32): void {
  if (n <= cap) return;
  prio = allocF64(n);
  left = allocI32(n);
  elig = allocI32(n);
  start = allocF64(n);
  fin = allocF64(n);
  opt = allocI32(n);
  rpred = allocI32(n);
  ruleM = allocI32(n);
  ruleE = allocI32(n);
  bStart = allocF64(n);
  bFin = allocF64(n);
  bOpt = allocI32(n);
  bPred = allocI32(n);
  cap = n;
  const pc = 2 * n + 2;
  pT = allocF64(2 * pc);
  pF = allocI32(2 * pc);
  pO = allocI32(2 * pc);
  profCap = pc;
}

// ---------------------------------------------------------------------------------------------
// pool profiles
// ---------------------------------------------------------------------------------------------
// @ts-ignore: decorator
@inline function profLen(p: i32): i32 { return p == 0 ? pLen0 : pLen1; }

/** the segment holding time x: the last q with T[q] ≤ x */
function segAt(p: i32, x: f64): i32 {
  const T = pT + (<usize>(p * profCap) << 3);
  let lo = 0;
  let hi = profLen(p) - 1;
  while (lo < hi) {
    const m = (lo + hi + 1) >> 1;
    if (lf(T, m) <= x) lo = m;
    else hi = m - 1;
  }
  return lo;
}

/** earliest t ≥ est with at least k cores of pool p free on [t, t + d); sets gFitSeg to t's segment */
let gFitSeg: i32 = 0;
function earliestFit(p: i32, est: f64, k: i32, d: f64): f64 {
  const T = pT + (<usize>(p * profCap) << 3);
  const F = pF + (<usize>(p * profCap) << 2);
  const len = profLen(p);
  let q = segAt(p, est);
  let t = est;
  let ok = false;
  while (!ok) {
    const end = t + d;
    let r = q;
    ok = true;
    while (r < len && (r == q || lf(T, r) < end)) {
      if (li(F, r) < k) { ok = false; break; }
      r++;
    }
    if (!ok) {
      q = r + 1; // the last segment has every core free, so a blocking segment is never the last
      t = lf(T, q);
    }
  }
  gFitSeg = q;
  return t;
}

/** the index of breakpoint x in pool p (inserted, with the free count of the segment it splits, if new) */
function split(p: i32, x: f64): i32 {
  const T = pT + (<usize>(p * profCap) << 3);
  const F = pF + (<usize>(p * profCap) << 2);
  const O = pO + (<usize>(p * profCap) << 2);
  const q = segAt(p, x);
  if (lf(T, q) == x) return q;
  const len = profLen(p);
  for (let r = len; r > q + 1; r--) {
    sf(T, r, lf(T, r - 1));
    si(F, r, li(F, r - 1));
    si(O, r, li(O, r - 1));
  }
  sf(T, q + 1, x);
  si(F, q + 1, li(F, q));
  si(O, q + 1, -1);
  if (p == 0) pLen0 = len + 1;
  else pLen1 = len + 1;
  return q + 1;
}

/** op i holds k cores of pool p on [s, f) */
function reserve(p: i32, s: f64, f: f64, k: i32, i: i32): void {
  const F = pF + (<usize>(p * profCap) << 2);
  const O = pO + (<usize>(p * profCap) << 2);
  const a = split(p, s);
  const b = split(p, f);
  for (let q = a; q < b; q++) si(F, q, li(F, q) - k);
  if (li(O, b) < i) si(O, b, i);
}

// ---------------------------------------------------------------------------------------------
// one pass
// ---------------------------------------------------------------------------------------------
/**
 * one serial pass in the order of `prio`, with margin and floor `margin`, `eff` for every op, or (perOp) each op's
 * from ruleM / ruleE; returns its makespan, or +∞ once an op finishes at or after `bound`
 */
function pass(perOp: bool, passMargin: f64, passEff: f64, K0: i32, K1: i32, bound: f64): f64 {
  const n = gN;
  sf(pT, 0, 0);
  si(pF, 0, K0);
  si(pO, 0, -1);
  sf(pT, profCap, 0);
  si(pF, profCap, K1);
  si(pO, profCap, -1);
  pLen0 = 1;
  pLen1 = 1;
  let nh = 0;
  for (let i = 0; i < n; i++) {
    const c = li(gDepOff, i + 1) - li(gDepOff, i);
    si(left, i, c);
    if (c == 0) heapPush(elig, nh++, i, prio);
  }
  let mk: f64 = 0;
  while (nh > 0) {
    const i = heapPop(elig, nh--, prio);
    let est: f64 = 0;
    const e1 = li(gDepOff, i + 1);
    for (let e = li(gDepOff, i); e < e1; e++) {
      const f = lf(fin, li(gDeps, e));
      if (f > est) est = f;
    }
    const s = li(gOpSlot, i);
    const p = li(gSlotPool, s);
    const db = gSlotDur + (<usize>(s * SLOT_OPTIONS) << 3);
    let bs = est;
    let bf: f64 = est;
    let bo = -1;
    let bp = -1;
    if (p == POOL_NONE) {
      bf = est + lf(db, 0);
    } else {
      const nk = p == 0 ? gNK0 : gNK1;
      const kl = gKList + (<usize>(p * SLOT_OPTIONS) << 2);
      const d1 = lf(db, 0);
      const margin = perOp ? MARGINS[li(ruleM, i)] : passMargin;
      const eff = perOp ? EFFS[li(ruleE, i)] : passEff;
      bf = Infinity;
      for (let o = 0; o < nk; o++) {
        const k = li(kl, o);
        const d = lf(db, o);
        if (o > 0 && eff > 0 && d1 < eff * <f64>k * d) continue;
        const t = earliestFit(p, est, k, d);
        const f = t + d;
        if (bf == Infinity || f < bf - margin * (bf - est)) {
          bf = f; bs = t; bo = o;
          bp = t > est ? li(pO + (<usize>(p * profCap) << 2), gFitSeg) : -1;
        }
      }
      reserve(p, bs, bf, li(kl, bo), i);
    }
    sf(start, i, bs);
    sf(fin, i, bf);
    si(opt, i, bo);
    si(rpred, i, bp);
    if (bf >= bound) return Infinity;
    if (bf > mk) mk = bf;
    const s1 = li(gSuccOff, i + 1);
    for (let e = li(gSuccOff, i); e < s1; e++) {
      const x = li(gSucc, e);
      const c = li(left, x) - 1;
      si(left, x, c);
      if (c == 0) heapPush(elig, nh++, x, prio);
    }
  }
  return mk;
}

/** the next xorshift32 draw, uniform in [0, 1) */
function uniform(): f64 {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return <f64>rng / 4294967296.0;
}

/**
 * Runs `passes` serial passes on the graph (CSR dependencies and successors, op → slot, slot → pool 0/1/2) and the
 * design's pools (options at kList, NK-strided per pool; durations per slot and option at slotDur, NK-strided,
 * a pool-less slot's time at option 0), ordered from the bottom levels `bl`. Returns the best makespan found
 * (+∞ if none is below `bound`, the list schedule's makespan); its schedule is then read with bestStart/…
 */
export function improve(
  n: i32, opSlot: usize, slotPool: usize, slotDur: usize, kList: usize, nk0: i32, nk1: i32, K0: i32, K1: i32,
  depOff: usize, deps: usize, succOff: usize, succ: usize, bl: usize, passes: i32, bound: f64,
): f64 {
  ensure(n);
  gN = n; gOpSlot = opSlot; gSlotPool = slotPool; gSlotDur = slotDur; gKList = kList; gNK0 = nk0; gNK1 = nk1;
  gDepOff = depOff; gDeps = deps; gSuccOff = succOff; gSucc = succ;
  rng = SEED;
  let best = bound;
  let found: f64 = Infinity;
  for (let s = 0; s < passes; s++) {
    const plain = s < PLAIN_PASSES;
    if (plain) {
      for (let i = 0; i < n; i++) sf(prio, i, lf(bl, i));
    } else {
      for (let i = 0; i < n; i++) sf(prio, i, lf(bl, i) * (1 + (uniform() - 0.5)));
      for (let i = 0; i < n; i++) {
        si(ruleM, i, <i32>Math.floor(uniform() * 3));
        si(ruleE, i, <i32>Math.floor(uniform() * 4));
      }
    }
    const mk = pass(!plain, MARGINS[s % 3], EFFS[(s / 3) % 4], K0, K1, best);
    if (mk < best) {
      best = mk;
      found = mk;
      memory.copy(bStart, start, <usize>n << 3);
      memory.copy(bFin, fin, <usize>n << 3);
      memory.copy(bOpt, opt, <usize>n << 2);
      memory.copy(bPred, rpred, <usize>n << 2);
    }
  }
  return found;
}

/** the best schedule of the last improve() call that found one: start, finish, option (-1: no core), resource link */
export function bestStart(i: i32): f64 { return lf(bStart, i); }
export function bestFinish(i: i32): f64 { return lf(bFin, i); }
export function bestOption(i: i32): i32 { return li(bOpt, i); }
export function bestResourcePred(i: i32): i32 { return li(bPred, i); }
