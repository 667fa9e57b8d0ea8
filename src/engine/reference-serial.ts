/**
 * The serial improvement passes in plain TypeScript: the reference of assembly/serial.ts, decision for decision
 * (the differential test in test/schedule.test.ts wants identical schedules). The rules are stated there; in short:
 * pass s places the ops one by one in priority order at the earliest time their option's cores are free for the
 * whole duration, among the options of parallel efficiency ≥ a floor the earliest finish with a margin. Passes
 * s < 12: bottom-level order, floor EFFS[⌊s/3⌋ mod 4] and margin MARGINS[s mod 3] for every op; later passes draw
 * from xorshift32 (reseeded at every schedule) each op's priority bottom level × (1 + u − ½), then each op's margin
 * MARGINS[⌊3u⌋] and floor EFFS[⌊4u⌋]. A pass stops once an op finishes at or after the best makespan so far.
 */
import { OpHeap } from './op-heap.js';

const MARGINS = [0.02, 0.1, 0.3];
const EFFS = [0, 0.5, 0.7, 0.9];
const SEED = 2654435761;
const PLAIN_PASSES = 12;

export interface SerialInput {
  nOps: number;
  depOffsets: Int32Array;
  depIndex: Int32Array;
  succOff: Int32Array;
  succ: Int32Array;
  /** pool of each op: 0 tensor, 1 vector, 2 no core */
  pool: ArrayLike<number>;
  cores: readonly [number, number];
  /** core-count options of each pool */
  options: readonly [readonly number[], readonly number[]];
  /** cycles of op i on option ki of its pool (ops on no core: ki = 0 gives their time) */
  latency(i: number, ki: number): number;
  /** bottom levels (the list scheduler's priorities) */
  bl: Float64Array;
}

export interface SerialSchedule {
  makespan: number;
  start: Float64Array;
  finish: Float64Array;
  /** option index (-1: no core) */
  ki: Int32Array;
  /** the op whose finish freed the cores an op waited for (-1: it did not wait) */
  resourcePred: Int32Array;
}

/** One pool's free cores over time: breakpoints T, free counts F on [T[q], T[q+1]), op finishing at T[q] (or -1). */
class Profile {
  T: number[];
  F: number[];
  O: number[];
  constructor(K: number) {
    this.T = [0];
    this.F = [K];
    this.O = [-1];
  }
  segAt(x: number): number {
    let lo = 0, hi = this.T.length - 1;
    while (lo < hi) {
      const m = (lo + hi + 1) >> 1;
      if (this.T[m] <= x) lo = m;
      else hi = m - 1;
    }
    return lo;
  }
  /** earliest t ≥ est with k cores free on [t, t + d), and the segment t starts */
  earliestFit(est: number, k: number, d: number): { t: number; q: number } {
    const { T, F } = this;
    let q = this.segAt(est);
    let t = est;
    for (;;) {
      const end = t + d;
      let r = q;
      let ok = true;
      while (r < T.length && (r === q || T[r] < end)) {
        if (F[r] < k) { ok = false; break; }
        r++;
      }
      if (ok) return { t, q };
      q = r + 1;
      t = T[q];
    }
  }
  split(x: number): number {
    const q = this.segAt(x);
    if (this.T[q] === x) return q;
    this.T.splice(q + 1, 0, x);
    this.F.splice(q + 1, 0, this.F[q]);
    this.O.splice(q + 1, 0, -1);
    return q + 1;
  }
  reserve(s: number, f: number, k: number, i: number): void {
    const a = this.split(s);
    const b = this.split(f);
    for (let q = a; q < b; q++) this.F[q] -= k;
    if (this.O[b] < i) this.O[b] = i;
  }
}

/** one pass; `rules` (margin, floor index per op) for the random passes, else `margin` and `eff` for every op */
function pass(inp: SerialInput, prio: Float64Array, rules: Int32Array | null, passMargin: number, passEff: number, bound: number, out: SerialSchedule): number {
  const n = inp.nOps;
  const prof = [new Profile(inp.cores[0]), new Profile(inp.cores[1])];
  const left = new Int32Array(n);
  const heap = new OpHeap((x, y) => prio[x] > prio[y] || (prio[x] === prio[y] && x < y));
  for (let i = 0; i < n; i++) {
    left[i] = inp.depOffsets[i + 1] - inp.depOffsets[i];
    if (left[i] === 0) heap.push(i);
  }
  const { start, finish, ki, resourcePred } = out;
  let mk = 0;
  while (heap.size > 0) {
    const i = heap.pop();
    let est = 0;
    for (let e = inp.depOffsets[i]; e < inp.depOffsets[i + 1]; e++) if (finish[inp.depIndex[e]] > est) est = finish[inp.depIndex[e]];
    const p = inp.pool[i];
    let bs = est, bf = est, bo = -1, bp = -1;
    if (p === 2) bf = est + inp.latency(i, 0);
    else {
      const kl = inp.options[p];
      const d1 = inp.latency(i, 0);
      const margin = rules ? MARGINS[rules[2 * i]] : passMargin;
      const eff = rules ? EFFS[rules[2 * i + 1]] : passEff;
      bf = Infinity;
      for (let o = 0; o < kl.length; o++) {
        const k = kl[o];
        const d = inp.latency(i, o);
        if (o > 0 && eff > 0 && d1 < eff * k * d) continue;
        const fit = prof[p].earliestFit(est, k, d);
        const f = fit.t + d;
        if (bf === Infinity || f < bf - margin * (bf - est)) {
          bf = f; bs = fit.t; bo = o;
          bp = fit.t > est ? prof[p].O[fit.q] : -1;
        }
      }
      prof[p].reserve(bs, bf, kl[bo], i);
    }
    start[i] = bs;
    finish[i] = bf;
    ki[i] = bo;
    resourcePred[i] = bp;
    if (bf >= bound) return Infinity;
    if (bf > mk) mk = bf;
    for (let e = inp.succOff[i]; e < inp.succOff[i + 1]; e++) if (--left[inp.succ[e]] === 0) heap.push(inp.succ[e]);
  }
  return mk;
}

/** `passes` serial passes; the best schedule shorter than `bound` (the list schedule's makespan), or null. */
export function refSerialImprove(inp: SerialInput, bound: number, passes: number): SerialSchedule | null {
  const n = inp.nOps;
  const cur: SerialSchedule = { makespan: 0, start: new Float64Array(n), finish: new Float64Array(n), ki: new Int32Array(n), resourcePred: new Int32Array(n) };
  let best: SerialSchedule | null = null;
  let bestMk = bound;
  const prio = new Float64Array(n);
  const rules = new Int32Array(2 * n);
  let rng = SEED;
  const uniform = (): number => {
    rng ^= rng << 13; rng >>>= 0;
    rng ^= rng >>> 17;
    rng ^= rng << 5; rng >>>= 0;
    return rng / 4294967296;
  };
  for (let s = 0; s < passes; s++) {
    const plain = s < PLAIN_PASSES;
    if (plain) prio.set(inp.bl);
    else {
      for (let i = 0; i < n; i++) prio[i] = inp.bl[i] * (1 + (uniform() - 0.5));
      for (let i = 0; i < n; i++) {
        rules[2 * i] = Math.floor(uniform() * 3);
        rules[2 * i + 1] = Math.floor(uniform() * 4);
      }
    }
    const mk = pass(inp, prio, plain ? null : rules, MARGINS[s % 3], EFFS[Math.floor(s / 3) % 4], bestMk, cur);
    if (mk < bestMk) {
      bestMk = mk;
      best = { makespan: mk, start: cur.start.slice(), finish: cur.finish.slice(), ki: cur.ki.slice(), resourcePred: cur.resourcePred.slice() };
    }
  }
  return best;
}
