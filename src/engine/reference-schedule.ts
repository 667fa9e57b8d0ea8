/**
 * The whole-step scheduler in plain TypeScript: the reference of `assembly/schedule.ts` and `assembly/serial.ts`
 * (the list schedule with malleable core counts, single-stream execution, the serial improvement passes, and
 * the step record), formula for formula and in the same order; differential tests demand agreement. Per-op
 * costs come from reference-op.ts. Used by tests, benchmarks and the exact scheduler's option latencies.
 */
import {
  B_NONE, D_CLOCK_GHZ, D_GLOBAL_BUFFER_GBS, D_LEAKAGE_W, D_NOC_GBS, D_OFFCHIP_GBS, D_TENSOR_CORES, D_VECTOR_CORES,
  DESIGN_STRIDE, O_COUNT, O_UNIT, OP_STRIDE, R_COMPUTE_CYCLES, R_CYCLES, R_ENERGY_J, R_GLOBAL_BYTES, R_LIVE_MACS,
  R_LOCAL_BYTES, R_MACS, R_NOC_BYTES, R_NONOVERLAP_CYCLES, R_OFFCHIP_BYTES, R_BOUND, R_VECTOR_FLOPS, RESULT_STRIDE,
  S_BOUND_CYCLES, S_CYCLES, S_DYNAMIC_J, S_ENERGY_J, S_GLOBAL_BYTES, S_LEAKAGE_J, S_LIVE_MACS, S_LOCAL_BYTES, S_MACS,
  S_NOC_BYTES, S_NONOVERLAP_CYCLES, S_OFFCHIP_BYTES, S_TENSOR_BUSY, S_TIME_S, S_VALID, S_VECTOR_BUSY, STEP_STRIDE,
  U_TENSOR, U_VECTOR, P_NONE, P_TENSOR, P_VECTOR, S_CP_BOUND_CYCLES, S_CP_OPS, S_CRITICAL_PATH_CYCLES,
  S_SERIAL_CYCLES, S_TENSOR_CORE_CYCLES, S_TENSOR_UTILIZATION, S_VECTOR_CORE_CYCLES, S_VECTOR_UTILIZATION, S_CLOCK_J,
  S_VECTOR_FLOPS, D_CLOCK_W,
} from './layout.js';
import type { FlatGraph } from './flatten.js';
import { OpHeap } from './op-heap.js';
import { refSerialImprove } from './reference-serial.js';
import { refEvalOp, refDesignValid, setRefArrayRate } from './reference-op.js';

// =============================================================================================
// Scheduler (reference of assembly/schedule.ts; the rules are stated there and in layout.ts)
// =============================================================================================

/**
 * A larger core count must shorten an op's finish by more than this fraction of the best smaller option's
 * duration (options are scanned by ascending k), so an op that barely speeds up on more cores leaves them to
 * the ops beside it. Mirrors CORE_MARGIN in assembly/schedule.ts.
 */
export const CORE_MARGIN = 0.02;

/** Core-count options of a pool of K cores: 1, 2, 4, …, < K, then K. */
export function coreOptions(K: number): number[] {
  const out: number[] = [];
  for (let k = 1; k < K; k *= 2) out.push(k);
  out.push(K);
  return out;
}

/** Cores of a pool from a design field (whole cores, at least 1). */
export function poolCores(v: number): number {
  const k = Math.floor(v);
  return k < 1 ? 1 : k > 1073741824 ? 1073741824 : k;
}

export interface ListScheduleInput {
  nOps: number;
  /** CSR of dependencies (op indices) */
  depOffsets: Int32Array;
  depIndex: Int32Array;
  /** pool of each op: P_TENSOR, P_VECTOR or P_NONE (no core) */
  pool: ArrayLike<number>;
  /** cores of the tensor and the vector pool */
  cores: readonly [number, number];
  /** latency of each op on all cores of its pool (for P_NONE ops: its time) */
  latFull: ArrayLike<number>;
  /** latency of op `i` with option `ki` of coreOptions(cores[pool]) (the last option must give latFull[i]) */
  latency(i: number, ki: number): number;
  /** single stream: one op at a time on all cores, in the topological order (assembly/schedule.ts setExecution) */
  singleStream?: boolean;
  /** single stream: cycles each op with work waits before it starts (the kernel launch gap; default 0) */
  launchCycles?: number;
  /** serial improvement passes after the concurrent list schedule (assembly/serial.ts; default 0) */
  schedulePasses?: number;
}

export interface ListSchedule {
  /** false when the dependencies have a cycle (nothing else is filled) */
  ok: boolean;
  start: Float64Array;
  finish: Float64Array;
  ready: Float64Array;
  /** option index chosen (-1: no core) */
  ki: Int32Array;
  /** cores held */
  held: Int32Array;
  /** op that decided the start on the critical-path walk (-1: none) */
  pred: Int32Array;
  /** bottom level (priority) */
  bl: Float64Array;
  /** ASAP start (all-cores latencies, unlimited cores) */
  asap: Float64Array;
  makespan: number;
  /** ASAP critical-path length */
  criticalPathCycles: number;
  /** single stream: the launch gaps in the makespan */
  launchCycles: number;
  /** scheduled critical path, op indices in execution order */
  criticalPath: Int32Array;
  topo: Int32Array;
}

/** Successors in CSR (in op order) and a Kahn topological order (FIFO from the sources in op order). */
export function successorsAndTopo(nOps: number, depOffsets: Int32Array, depIndex: Int32Array) {
  const succOff = new Int32Array(nOps + 1);
  for (let e = 0; e < depOffsets[nOps]; e++) succOff[depIndex[e] + 1]++;
  for (let i = 0; i < nOps; i++) succOff[i + 1] += succOff[i];
  const succ = new Int32Array(depOffsets[nOps]);
  const cur = succOff.slice(0, nOps);
  for (let i = 0; i < nOps; i++) for (let e = depOffsets[i]; e < depOffsets[i + 1]; e++) succ[cur[depIndex[e]]++] = i;
  const indeg = new Int32Array(nOps);
  const topo = new Int32Array(nOps);
  let tail = 0;
  for (let i = 0; i < nOps; i++) {
    indeg[i] = depOffsets[i + 1] - depOffsets[i];
    if (indeg[i] === 0) topo[tail++] = i;
  }
  for (let head = 0; head < tail; head++) {
    const j = topo[head];
    for (let e = succOff[j]; e < succOff[j + 1]; e++) if (--indeg[succ[e]] === 0) topo[tail++] = succ[e];
  }
  return { succOff, succ, topo, nTopo: tail };
}

/** List scheduling of malleable ops on a tensor and a vector core pool (the rules of assembly/schedule.ts). */
export function refListSchedule(inp: ListScheduleInput): ListSchedule {
  const n = inp.nOps;
  const { depOffsets, depIndex, pool, latFull } = inp;
  const { succOff, succ, topo, nTopo } = successorsAndTopo(n, depOffsets, depIndex);
  const res: ListSchedule = {
    ok: nTopo === n, start: new Float64Array(n), finish: new Float64Array(n), ready: new Float64Array(n),
    ki: new Int32Array(n), held: new Int32Array(n), pred: new Int32Array(n).fill(-1), bl: new Float64Array(n),
    asap: new Float64Array(n), makespan: 0, criticalPathCycles: 0, launchCycles: 0, criticalPath: new Int32Array(0), topo,
  };
  if (!res.ok) return res;
  const { start, finish, ready, ki: kiOf, held, pred, bl, asap } = res;
  // bottom levels, ASAP critical path, ASAP starts
  let cpLen = 0;
  for (let j = n - 1; j >= 0; j--) {
    const i = topo[j];
    let m = 0;
    for (let e = succOff[i]; e < succOff[i + 1]; e++) if (bl[succ[e]] > m) m = bl[succ[e]];
    bl[i] = latFull[i] + m;
    if (bl[i] > cpLen) cpLen = bl[i];
  }
  res.criticalPathCycles = cpLen;
  for (let j = 0; j < n; j++) {
    const i = topo[j];
    let a = 0;
    for (let e = depOffsets[i]; e < depOffsets[i + 1]; e++) {
      const f = asap[depIndex[e]] + latFull[depIndex[e]];
      if (f > a) a = f;
    }
    asap[i] = a;
  }
  // pools: option lists and core groups (free time, count, op that frees them), sorted by time
  const opts = [coreOptions(inp.cores[0]), coreOptions(inp.cores[1])];
  const groups = [
    { t: [0], c: [inp.cores[0]], o: [-1] },
    { t: [0], c: [inp.cores[1]], o: [-1] },
  ];
  const readyHeaps = [0, 1].map(() => new OpHeap((x, y) => bl[x] > bl[y] || (bl[x] === bl[y] && x < y)));
  const events = new OpHeap((x, y) => finish[x] < finish[y] || (finish[x] === finish[y] && x < y));
  const indeg = new Int32Array(n);
  for (let i = 0; i < n; i++) indeg[i] = depOffsets[i + 1] - depOffsets[i];

  const makeReady = (i: number, t: number): void => {
    ready[i] = t;
    const p = pool[i];
    if (p === P_NONE) {
      start[i] = t;
      finish[i] = t + latFull[i];
      kiOf[i] = -1;
      held[i] = 0;
      events.push(i);
    } else readyHeaps[p].push(i);
  };

  const dispatch = (p: number, t: number): void => {
    const h = readyHeaps[p];
    const g = groups[p];
    const kl = opts[p];
    while (h.size > 0 && g.t[0] <= t) {
      const i = h.pop();
      let bestF = Infinity, bestKi = 0, bestA = 0, bestO = -1;
      let gi = 0;
      let cum = g.c[0];
      for (let ki = 0; ki < kl.length; ki++) {
        const k = kl[ki];
        while (cum < k) cum += g.c[++gi];
        const a = g.t[gi];
        const st = a > t ? a : t;
        if (st >= bestF) break;
        const f = st + inp.latency(i, ki);
        if (bestF === Infinity || f < bestF - CORE_MARGIN * (bestF - t)) { bestF = f; bestKi = ki; bestA = a; bestO = g.o[gi]; }
      }
      const k = kl[bestKi];
      let rem = k;
      let idx = 0;
      while (rem > 0) {
        if (g.c[idx] <= rem) { rem -= g.c[idx]; idx++; }
        else { g.c[idx] -= rem; rem = 0; }
      }
      g.t.splice(0, idx);
      g.c.splice(0, idx);
      g.o.splice(0, idx);
      let pos = g.t.length;
      while (pos > 0 && g.t[pos - 1] > bestF) pos--;
      g.t.splice(pos, 0, bestF);
      g.c.splice(pos, 0, k);
      g.o.splice(pos, 0, i);
      start[i] = bestA > t ? bestA : t;
      finish[i] = bestF;
      kiOf[i] = bestKi;
      held[i] = k;
      if (bestA > ready[i]) pred[i] = bestO;
      events.push(i);
    }
  };

  if (inp.singleStream) {
    let t = 0;
    let last = -1;
    const launch = inp.launchCycles ?? 0;
    for (let j = 0; j < nTopo; j++) {
      const i = topo[j];
      let r = 0; // when its dependencies finished
      for (let e = depOffsets[i]; e < depOffsets[i + 1]; e++) if (finish[depIndex[e]] > r) r = finish[depIndex[e]];
      ready[i] = r;
      if (latFull[i] > 0 && launch > 0) {
        t += launch;
        res.launchCycles += launch;
      }
      start[i] = t;
      t += latFull[i];
      finish[i] = t;
      kiOf[i] = pool[i] === P_NONE ? -1 : opts[pool[i]].length - 1;
      held[i] = pool[i] === P_NONE ? 0 : inp.cores[pool[i]];
      pred[i] = last;
      last = i;
    }
    res.makespan = t;
    const path: number[] = [];
    for (let i = last; i >= 0; i = pred[i]) path.push(i);
    res.criticalPath = Int32Array.from(path.reverse());
    return res;
  }
  for (let i = 0; i < n; i++) if (indeg[i] === 0) makeReady(i, 0);
  let t = 0;
  let last = -1;
  for (;;) {
    if (readyHeaps[0].size > 0) dispatch(P_TENSOR, t);
    if (readyHeaps[1].size > 0) dispatch(P_VECTOR, t);
    if (events.size === 0) break;
    t = finish[events.top()];
    do {
      const j = events.pop();
      last = j;
      for (let e = succOff[j]; e < succOff[j + 1]; e++) {
        const s = succ[e];
        if (--indeg[s] === 0) {
          pred[s] = j;
          makeReady(s, t);
        }
      }
    } while (events.size > 0 && finish[events.top()] === t);
  }
  if ((inp.schedulePasses ?? 0) > 0 && last >= 0) last = adoptSerial(inp, res, succOff, succ, opts, last);
  // the last op to finish: the last event (the largest index on ties)
  res.makespan = last >= 0 ? finish[last] : 0;
  const path: number[] = [];
  for (let i = last; i >= 0; i = pred[i]) path.push(i);
  res.criticalPath = Int32Array.from(path.reverse());
  return res;
}

/**
 * The serial improvement passes on a list schedule (assembly/schedule.ts improveSchedule): when they find a
 * shorter schedule it replaces the list's, with ready times, critical-path links (the op that freed the cores, else
 * the last-finishing dependency, larger index on ties) rederived. Returns the last op to finish.
 */
function adoptSerial(inp: ListScheduleInput, res: ListSchedule, succOff: Int32Array, succ: Int32Array, opts: number[][], last: number): number {
  const n = inp.nOps;
  const { depOffsets, depIndex, pool, latFull } = inp;
  const best = refSerialImprove({
    nOps: n, depOffsets, depIndex, succOff, succ, pool, cores: inp.cores, options: [opts[0], opts[1]], bl: res.bl,
    latency: (i, ki) => (pool[i] === P_NONE ? latFull[i] : inp.latency(i, ki)),
  }, res.finish[last], inp.schedulePasses!);
  if (!best) return last;
  let lastOp = -1;
  for (let i = 0; i < n; i++) {
    const o = pool[i] === P_NONE ? -1 : best.ki[i];
    res.start[i] = best.start[i];
    res.finish[i] = best.finish[i];
    res.ki[i] = o;
    res.held[i] = o < 0 ? 0 : opts[pool[i]][o];
    if (lastOp < 0 || res.finish[i] >= res.finish[lastOp]) lastOp = i;
  }
  for (let i = 0; i < n; i++) {
    let r = 0;
    let dep = -1;
    for (let e = depOffsets[i]; e < depOffsets[i + 1]; e++) {
      const d = depIndex[e];
      const f = res.finish[d];
      if (dep < 0 || f > r || (f === r && d > dep)) { r = f; dep = d; }
    }
    res.ready[i] = r;
    const rp = pool[i] === P_NONE ? -1 : best.resourcePred[i];
    res.pred[i] = rp >= 0 ? rp : dep;
  }
  return lastOp;
}

/** The design an op holding k of the K cores of pool p sees: k cores and k/K of each shared bandwidth. */
function coreShareDesign(d: Float64Array, p: number, k: number, K: number): Float64Array {
  const s = d.slice();
  const share = k / K;
  s[p === P_TENSOR ? D_TENSOR_CORES : D_VECTOR_CORES] = k;
  s[D_GLOBAL_BUFFER_GBS] = d[D_GLOBAL_BUFFER_GBS] * share;
  s[D_NOC_GBS] = d[D_NOC_GBS] * share;
  s[D_OFFCHIP_GBS] = d[D_OFFCHIP_GBS] * share;
  return s;
}

export interface RefScheduledDesign {
  /** the step record (STEP_STRIDE f64) */
  step: Float64Array;
  schedule: ListSchedule | null;
  /** result record of each op at its chosen core count (nOps × RESULT_STRIDE) */
  opResults: Float64Array;
}

/**
 * One design (record at `di` of `designs`) on a flat graph: costs per slot and core-count option, the list
 * schedule, and the step record, as assembly/schedule.ts scheduleStep computes them.
 * `slotResults` (nUnique × RESULT_STRIDE) receives the all-cores slot results.
 */
export function refScheduleDesign(
  designs: Float64Array, di: number, g: FlatGraph, slotResults: Float64Array = new Float64Array(g.nUnique * RESULT_STRIDE),
  opts: RefScheduleOptions = {},
): RefScheduledDesign {
  setRefArrayRate(opts.arrayRate ?? 1);
  try {
    return scheduleOneDesign(designs, di, g, slotResults, opts);
  } finally {
    setRefArrayRate(1);
  }
}

/** Settings of refScheduleDesign: the kernel's setExecution, setSchedulePasses, setLaunchOverhead, setArrayRate. */
export interface RefScheduleOptions {
  singleStream?: boolean;
  schedulePasses?: number;
  launchS?: number;
  /** the share of the arrays' peak MAC rate array ops sustain at most (default 1) */
  arrayRate?: number;
}

function scheduleOneDesign(
  designs: Float64Array, di: number, g: FlatGraph, slotResults: Float64Array, opts: RefScheduleOptions,
): RefScheduledDesign {
  const so = new Float64Array(STEP_STRIDE);
  const n = g.nOps;
  const opResults = new Float64Array(n * RESULT_STRIDE);
  if (!refDesignValid(designs, di)) return { step: so, schedule: null, opResults };
  const d = designs.subarray(di, di + DESIGN_STRIDE);
  const K = [poolCores(d[D_TENSOR_CORES]), poolCores(d[D_VECTOR_CORES])] as const;
  // scratch designs: k cores and k/K of each bandwidth (the last option is the design itself)
  const scratch = [0, 1].map((p) =>
    coreOptions(K[p]).map((k, ki, all) => (ki === all.length - 1 ? d : coreShareDesign(d, p, k, K[p]))),
  );
  const options = [coreOptions(K[0]), coreOptions(K[1])];
  const cores = d[D_TENSOR_CORES];
  let serial = 0;
  const slotPool = new Int32Array(g.nUnique);
  for (let u = 0; u < g.nUnique; u++) {
    const oi = u * OP_STRIDE;
    const ri = u * RESULT_STRIDE;
    refEvalOp(d, 0, g.ops, oi, cores, slotResults, ri);
    const lat = slotResults[ri + R_CYCLES];
    serial += g.ops[oi + O_COUNT] * lat;
    const unit = g.ops[oi + O_UNIT];
    slotPool[u] = lat > 0 && unit === U_TENSOR ? P_TENSOR : lat > 0 && unit === U_VECTOR ? P_VECTOR : P_NONE;
  }
  const memo = new Map<number, Float64Array>();
  const rec = (s: number, ki: number): Float64Array => {
    const p = slotPool[s];
    if (ki < 0 || ki === options[p].length - 1) return slotResults.subarray(s * RESULT_STRIDE, (s + 1) * RESULT_STRIDE);
    const key = s * 64 + ki;
    let r = memo.get(key);
    if (!r) {
      r = new Float64Array(RESULT_STRIDE);
      refEvalOp(scratch[p][ki], 0, g.ops, s * OP_STRIDE, options[p][ki], r, 0);
      memo.set(key, r);
    }
    return r;
  };
  const pool = Int32Array.from(g.opSlot, (s) => slotPool[s]);
  const latFull = Float64Array.from(g.opSlot, (s) => slotResults[s * RESULT_STRIDE + R_CYCLES]);
  const sch = refListSchedule({
    nOps: n, depOffsets: g.depOffsets, depIndex: g.depIndex, pool, cores: K, latFull,
    latency: (i, ki) => rec(g.opSlot[i], ki)[R_CYCLES], singleStream: opts.singleStream, schedulePasses: opts.schedulePasses,
    launchCycles: (opts.launchS ?? 0) * d[D_CLOCK_GHZ] * 1e9,
  });
  if (!sch.ok) return { step: so, schedule: sch, opResults };
  // sums per slot and option (index ki + 1; 0 = no core): count × the option's record, in slot order
  const NE = 64;
  const cnt = new Int32Array(g.nUnique * NE);
  for (let i = 0; i < n; i++) {
    cnt[g.opSlot[i] * NE + sch.ki[i] + 1]++;
    opResults.set(rec(g.opSlot[i], sch.ki[i]), i * RESULT_STRIDE);
  }
  let dyn = 0, tBusy = 0, vBusy = 0, macs = 0, live = 0, local = 0, noc = 0, gb = 0, off = 0, non = 0, tCore = 0, vCore = 0, vFlops = 0;
  for (let u = 0; u < g.nUnique; u++) {
    const p = slotPool[u];
    const ne = p === P_NONE ? 1 : options[p].length + 1;
    const unit = g.ops[u * OP_STRIDE + O_UNIT];
    for (let e = 0; e < ne; e++) {
      const c = cnt[u * NE + e];
      if (c === 0) continue;
      const r = rec(u, e - 1);
      const cyc = r[R_CYCLES];
      dyn += c * r[R_ENERGY_J];
      if (unit === U_TENSOR) tBusy += c * r[R_COMPUTE_CYCLES];
      else if (unit === U_VECTOR) vBusy += c * r[R_COMPUTE_CYCLES];
      macs += c * r[R_MACS];
      live += c * r[R_LIVE_MACS];
      vFlops += c * r[R_VECTOR_FLOPS];
      local += c * r[R_LOCAL_BYTES];
      noc += c * r[R_NOC_BYTES];
      gb += c * r[R_GLOBAL_BYTES];
      off += c * r[R_OFFCHIP_BYTES];
      non += c * r[R_NONOVERLAP_CYCLES];
      so[S_BOUND_CYCLES + r[R_BOUND]] += c * cyc;
      if (e > 0) {
        const h = c * options[p][e - 1] * cyc;
        if (p === P_TENSOR) tCore += h;
        else vCore += h;
      }
    }
  }
  for (let j = sch.criticalPath.length - 1; j >= 0; j--) {
    const r = rec(g.opSlot[sch.criticalPath[j]], sch.ki[sch.criticalPath[j]]);
    so[S_CP_BOUND_CYCLES + r[R_BOUND]] += r[R_CYCLES];
  }
  // single stream: the launch gaps lie on the critical path, with no unit busy
  so[S_CP_BOUND_CYCLES + B_NONE] += sch.launchCycles;
  const makespan = sch.makespan;
  const timeS = makespan / (d[D_CLOCK_GHZ] * 1e9);
  const leak = d[D_LEAKAGE_W] * timeS;
  const clock = d[D_CLOCK_W] * timeS;
  so[S_CYCLES] = makespan;
  so[S_TIME_S] = timeS;
  so[S_ENERGY_J] = dyn + clock + leak;
  so[S_DYNAMIC_J] = dyn;
  so[S_LEAKAGE_J] = leak;
  so[S_CLOCK_J] = clock;
  so[S_VECTOR_FLOPS] = vFlops;
  so[S_TENSOR_BUSY] = tBusy;
  so[S_VECTOR_BUSY] = vBusy;
  so[S_MACS] = macs;
  so[S_LIVE_MACS] = live;
  so[S_LOCAL_BYTES] = local;
  so[S_NOC_BYTES] = noc;
  so[S_GLOBAL_BYTES] = gb;
  so[S_OFFCHIP_BYTES] = off;
  so[S_NONOVERLAP_CYCLES] = non;
  so[S_SERIAL_CYCLES] = serial;
  so[S_CRITICAL_PATH_CYCLES] = sch.criticalPathCycles;
  so[S_TENSOR_CORE_CYCLES] = tCore;
  so[S_VECTOR_CORE_CYCLES] = vCore;
  so[S_TENSOR_UTILIZATION] = makespan > 0 ? tCore / (K[0] * makespan) : 0;
  so[S_VECTOR_UTILIZATION] = makespan > 0 ? vCore / (K[1] * makespan) : 0;
  so[S_CP_OPS] = sch.criticalPath.length;
  so[S_VALID] = 1;
  return { step: so, schedule: sch, opResults };
}

/**
 * Whole-step evaluation of `nDesigns` design records on a flat graph (the reference of evaluateSteps):
 * step records to `out` (nDesigns × STEP_STRIDE); `slotResults` receives the last design's all-cores slot results.
 */
export function refEvaluateStep(
  designs: Float64Array, nDesigns: number, g: FlatGraph, out: Float64Array,
  slotResults: Float64Array = new Float64Array(g.nUnique * RESULT_STRIDE), opts: RefScheduleOptions = {},
): void {
  for (let i = 0; i < nDesigns; i++) {
    out.set(refScheduleDesign(designs, i * DESIGN_STRIDE, g, slotResults, opts).step, i * STEP_STRIDE);
  }
}

/**
 * The scheduler's per-op latency for every core option, as refScheduleDesign computes it (k cores and k/K of
 * each bandwidth): for exact schedulers (src/schedule/ilp.ts) that must use the same durations as the list scheduler.
 */
export function refOptionLatencies(designs: Float64Array, di: number, g: FlatGraph): {
  pool: Int32Array; cores: [number, number]; options: number[][]; latFull: Float64Array; latency: (i: number, ki: number) => number;
} {
  const d = designs.subarray(di, di + DESIGN_STRIDE);
  const K: [number, number] = [poolCores(d[D_TENSOR_CORES]), poolCores(d[D_VECTOR_CORES])];
  const options = [coreOptions(K[0]), coreOptions(K[1])];
  const slotResults = new Float64Array(g.nUnique * RESULT_STRIDE);
  const slotPool = new Int32Array(g.nUnique);
  for (let u = 0; u < g.nUnique; u++) {
    refEvalOp(d, 0, g.ops, u * OP_STRIDE, d[D_TENSOR_CORES], slotResults, u * RESULT_STRIDE);
    const lat = slotResults[u * RESULT_STRIDE + R_CYCLES];
    const unit = g.ops[u * OP_STRIDE + O_UNIT];
    slotPool[u] = lat > 0 && unit === U_TENSOR ? P_TENSOR : lat > 0 && unit === U_VECTOR ? P_VECTOR : P_NONE;
  }
  const r = new Float64Array(RESULT_STRIDE);
  const latency = (i: number, ki: number): number => {
    const s = g.opSlot[i];
    const p = slotPool[s];
    if (p === P_NONE || ki === options[p].length - 1) return slotResults[s * RESULT_STRIDE + R_CYCLES];
    const k = options[p][ki];
    refEvalOp(coreShareDesign(d, p, k, K[p]), 0, g.ops, s * OP_STRIDE, k, r, 0);
    return r[R_CYCLES];
  };
  return {
    pool: Int32Array.from(g.opSlot, (s) => slotPool[s]), cores: K, options,
    latFull: Float64Array.from(g.opSlot, (s) => slotResults[s * RESULT_STRIDE + R_CYCLES]), latency,
  };
}
