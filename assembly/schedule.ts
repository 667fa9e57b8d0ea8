/**
 * Scheduler of one training step on one design (docs/cost-model.md, "Whole step"): per-op latencies for the core counts an op
 * may take (memoised per unique shape × core count), ASAP/ALAP and the critical path, and a list schedule
 * of malleable ops on the tensor-core and vector-core pools. Mirrors refListSchedule / refEvaluateStep in
 * src/engine/reference-schedule.ts decision for decision (the differential test wants identical makespans and paths).
 * Over 600 lines on purpose: one concern (the list schedule and its step record), mirrored line for line by the
 * TypeScript reference; the serial improvement passes live in serial.ts.
 *
 * Rules (also in src/engine/layout.ts):
 *  - Pools: the design's tensor cores (K_t) and vector cores (K_v). An op of a pool may take
 *    k ∈ {1, 2, 4, …, < K} ∪ {K} of its K cores. An op whose all-cores latency is zero (a view without a copy)
 *    and collectives / 'none' ops take their (currently zero) time on no core.
 *  - Bandwidth sharing: an op holding k of the K cores of its pool is costed with k cores on a design whose
 *    global-buffer, NoC and off-chip bandwidths are scaled by k/K (its proportional share). The tensor pool
 *    and the vector pool may each use the full bandwidth at once (optimistic overlap). Buffer capacities are
 *    not divided. With k = K the op is costed exactly as the serial model costs it; by the cost model's
 *    monotonicity (more cores / more bandwidth never slower) latency(k) ≥ latency(K).
 *    A tensor op whose split dimension keeps only p < k cores busy still holds all k (shares stay ≤ 1).
 *  - Priority: bottom level (longest path from the op to a sink with all-cores latencies), ties → lower index.
 *  - Events are op finishes. At each event time, after all finishes at that time, for each pool and while a
 *    core is free, the highest-priority ready op takes the k with the earliest finish (a larger k must beat the
 *    best smaller one by more than CORE_MARGIN = 2% of its duration), where option k starts
 *    when its k earliest-free cores are all free (it may reserve cores that free later); ties → fewer cores.
 *    Taking option K never ends later than (latest finish so far) + latency(K), so makespan ≤ serial sum.
 *  - Single stream (setExecution(1)): no list schedule; the ops run one at a time in the topological order,
 *    each on all cores of its pool (how a framework launching one kernel after another on one stream runs).
 *  - Critical path: from the last op to finish (largest index on ties) back through the op that decided each
 *    start: the holder of the cores it waited for when those freed after it was ready, else the dependency
 *    whose completion made it ready (the last to finish; larger index on ties). The chain is gapless.
 */
import {
  B_NONE, D_CLOCK_GHZ, D_CLOCK_W, D_GLOBAL_BUFFER_GBS, D_LEAKAGE_W, D_NOC_GBS, D_OFFCHIP_GBS, D_TENSOR_CORES,
  D_VECTOR_CORES, DESIGN_STRIDE, O_B, O_COUNT, O_K, O_M, O_N, O_UNIT, OP_STRIDE, OPSCHED_STRIDE, P_NONE, P_TENSOR, P_VECTOR,
  R_BOUND, R_COMPUTE_CYCLES, R_CYCLES, R_ENERGY_J, R_GLOBAL_BYTES, R_LIVE_MACS, R_LOCAL_BYTES, R_MACS, R_NOC_BYTES,
  R_NONOVERLAP_CYCLES, R_OFFCHIP_BYTES, RESULT_STRIDE, S_BOUND_CYCLES, S_CP_BOUND_CYCLES, S_CP_OPS, S_CRITICAL_PATH_CYCLES,
  S_CLOCK_J, S_VECTOR_FLOPS, R_VECTOR_FLOPS, S_CYCLES, S_DYNAMIC_J, S_ENERGY_J, S_GLOBAL_BYTES, S_LEAKAGE_J, S_LIVE_MACS, S_LOCAL_BYTES, S_MACS, S_NOC_BYTES,
  S_NONOVERLAP_CYCLES, S_OFFCHIP_BYTES, S_SERIAL_CYCLES, S_TENSOR_BUSY, S_TENSOR_CORE_CYCLES, S_TENSOR_UTILIZATION,
  S_TIME_S, S_VALID, S_VECTOR_BUSY, S_VECTOR_CORE_CYCLES, S_VECTOR_UTILIZATION, U_TENSOR, U_VECTOR, X_ALAP, X_ASAP,
  X_BOUND, X_CORES, X_CYCLES, X_ENERGY_J, X_FINISH, X_MOBILITY, X_POOL, X_PRED, X_READY, X_START,
} from './layout';
import { SH_B, SH_K, SH_M, SH_N, SH_STRIDE, SH_WEIGHT } from './climb-layout';
import { heapBefore, heapPop, heapPush } from './heap';
import { allocF64, allocI32, lf, li, sf, si } from './mem';
import { evalOp, rd, wr } from './model';
import { bestFinish, bestOption, bestResourcePred, bestStart, improve, SLOT_OPTIONS } from './serial';

/** room for the core-count options of a pool: 1, 2, 4, …, 2^31 and K */
const NK: i32 = 34;


// ---------------------------------------------------------------------------------------------
// the loaded graph (pointers into host-reserved memory) and what is derived from it once per graph
// ---------------------------------------------------------------------------------------------
let gN: i32 = 0;
let gNSlots: i32 = 0;
let gSlotOps: usize = 0;
let gSlotRes: usize = 0;
let gOpSlot: usize = 0;
let gDepOff: usize = 0;
let gDeps: usize = 0;
let gOpCap: i32 = 0;
let gSuccOff: usize = 0;
let gSucc: usize = 0;
let gSuccCap: i32 = 0;
let gTopo: usize = 0;
let gNTopo: i32 = 0;
// per-op scratch (grow-only)
let gIndeg: usize = 0;
let gBl: usize = 0;
let gReady: usize = 0;
let gStart: usize = 0;
let gFin: usize = 0;
let gKi: usize = 0;
let gHeld: usize = 0;
let gPred: usize = 0;
let gCp: usize = 0;
let gNCp: i32 = 0;
let gHeapT: usize = 0;
let gHeapV: usize = 0;
let gHeapE: usize = 0;
let gNegFin: usize = 0; // f64 [n]: −finish of each op pushed as an event (the event heap's key)
let gNT: i32 = 0;
let gNV: i32 = 0;
// per pool, the most urgent ready op when it is kept out of the heap (-1: none; it comes before every op in the
// heap): an op that becomes ready as its pool's most urgent is usually dispatched at once, and then pays no
// push and no pop (with fused attention dozens of weight-gradient GEMMs wait in the tensor pool's heap)
let gPendT: i32 = -1;
let gPendV: i32 = -1;
let gNE: i32 = 0;
// per-slot scratch
let gSlotCap: i32 = 0;
let gSlotPool: usize = 0;
let gMemo: usize = 0;
let gMemoGen: usize = 0;
let gMemoLat: usize = 0; // f64 [nSlots × NK]: R_CYCLES of the memo records, for the hot loop
let gPmKi: usize = 0; // i32 [nSlots × NK]: first option of least latency among options 0..j
let gPmLat: usize = 0; // f64 [nSlots × NK]: its latency
let gPmGen: usize = 0; // i32 [nSlots]: generation the prefix minima belong to
let gCnt: usize = 0; // i32 [nSlots × (NK + 1)]: ops of each slot that took option ki (index ki + 1; 0 = no core)
let gGen: i32 = 0;
// per-design pools: core-count options and the scratch designs they are costed on
let gKList: usize = 0; // i32 [2 × NK]
let gNK0: i32 = 0;
let gNK1: i32 = 0;
let gK0: i32 = 0;
let gK1: i32 = 0;
let gScratch: usize = 0; // f64 [2 × NK × DESIGN_STRIDE]
// per-pool groups of cores by the time they free: (time, count, op that frees them); sorted by time,
// equal times in insertion order
let gGrpCap: i32 = 0;
let gGrpT: usize = 0;
let gGrpC: usize = 0;
let gGrpO: usize = 0;
let gGL0: i32 = 0;
let gGL1: i32 = 0;
// execution: false = concurrent list schedule, true = single stream (one op at a time on all cores)
let gSingleStream: bool = false;
// serial improvement passes after the list schedule (serial.ts; 0: the list schedule alone)
let gPasses: i32 = 0;
let gSlotDur: usize = 0; // f64 [nSlots × NK]: every option's cycles per slot, for the serial passes

/** 0: concurrent (the list schedule); 1: single stream. Applies to every design scheduled after the call. */
export function setExecution(mode: i32): void {
  gSingleStream = mode == 1;
}

// single stream: seconds the device waits between one kernel and the next (launch); ops without cycles launch nothing
let gLaunchS: f64 = 0;

/** The per-kernel launch gap of single-stream execution, in seconds (0: none). */
export function setLaunchOverhead(seconds: f64): void {
  gLaunchS = seconds > 0 ? seconds : 0;
}

/**
 * Serial improvement passes (serial.ts) run after each concurrent list schedule; the shorter schedule is kept.
 * 0 (the default) keeps the list schedule. Applies to every design scheduled after the call.
 */
export function setSchedulePasses(passes: i32): void {
  gPasses = passes < 0 ? 0 : passes;
}

/**
 * Takes the graph's arrays and derives successors (CSR, in op order) and a topological order.
 * Returns the number of ops in the topological order (< nOps: the graph has a cycle).
 */
export function schedSetGraph(slotOps: usize, nSlots: i32, slotRes: usize, opSlot: usize, depOff: usize, deps: usize, nOps: i32): i32 {
  gSlotOps = slotOps;
  gNSlots = nSlots;
  gSlotRes = slotRes;
  gOpSlot = opSlot;
  gDepOff = depOff;
  gDeps = deps;
  gN = nOps;
  if (nOps + 1 > gOpCap) {
    const c = nOps + 1;
    gSuccOff = allocI32(c + 1);
    gTopo = allocI32(c);
    gIndeg = allocI32(c);
    gBl = allocF64(c);
    gReady = allocF64(c);
    gStart = allocF64(c);
    gFin = allocF64(c);
    gKi = allocI32(c);
    gHeld = allocI32(c);
    gPred = allocI32(c);
    gCp = allocI32(c);
    gHeapT = allocI32(c);
    gHeapV = allocI32(c);
    gHeapE = allocI32(c);
    gNegFin = allocF64(c);
    gOpCap = c;
  }
  const nDeps = nOps > 0 ? li(depOff, nOps) : 0;
  if (nDeps > gSuccCap) {
    gSucc = allocI32(nDeps);
    gSuccCap = nDeps;
  }
  if (nSlots > gSlotCap) {
    gSlotPool = allocI32(nSlots);
    gMemo = allocF64(nSlots * NK * RESULT_STRIDE);
    gMemoGen = allocI32(nSlots * NK);
    gMemoLat = allocF64(nSlots * NK);
    gCnt = allocI32(nSlots * (NK + 1));
    gPmKi = allocI32(nSlots * NK);
    gPmLat = allocF64(nSlots * NK);
    gPmGen = allocI32(nSlots);
    gSlotDur = allocF64(nSlots * NK);
    gSlotCap = nSlots;
  }
  memory.fill(gMemoGen, 0, <usize>nSlots * NK * 4);
  memory.fill(gPmGen, 0, <usize>nSlots * 4);
  gGen = 0;
  if (gKList == 0) {
    gKList = allocI32(2 * NK);
    gScratch = allocF64(2 * NK * DESIGN_STRIDE);
  }
  // successors: count, prefix, fill in op order
  for (let i = 0; i <= nOps; i++) si(gSuccOff, i, 0);
  for (let e = 0; e < nDeps; e++) {
    const d = li(deps, e);
    si(gSuccOff, d + 1, li(gSuccOff, d + 1) + 1);
  }
  for (let i = 0; i < nOps; i++) si(gSuccOff, i + 1, li(gSuccOff, i + 1) + li(gSuccOff, i));
  for (let i = 0; i < nOps; i++) si(gIndeg, i, li(gSuccOff, i)); // fill cursor
  for (let i = 0; i < nOps; i++) {
    const e1 = li(depOff, i + 1);
    for (let e = li(depOff, i); e < e1; e++) {
      const d = li(deps, e);
      const c = li(gIndeg, d);
      si(gSucc, c, i);
      si(gIndeg, d, c + 1);
    }
  }
  // topological order (Kahn, FIFO from the sources in op order)
  let tail = 0;
  for (let i = 0; i < nOps; i++) {
    const n = li(depOff, i + 1) - li(depOff, i);
    si(gIndeg, i, n);
    if (n == 0) si(gTopo, tail++, i);
  }
  let head = 0;
  while (head < tail) {
    const j = li(gTopo, head++);
    const s1 = li(gSuccOff, j + 1);
    for (let e = li(gSuccOff, j); e < s1; e++) {
      const s = li(gSucc, e);
      const c = li(gIndeg, s) - 1;
      si(gIndeg, s, c);
      if (c == 0) si(gTopo, tail++, s);
    }
  }
  gNTopo = tail;
  gNCp = 0;
  return tail;
}

// ---------------------------------------------------------------------------------------------
// heaps (heap.ts): ready ops by bottom level, events by finish time
// ---------------------------------------------------------------------------------------------
/** an op's finish becomes an event: the event heap (heap.ts) pops the largest −finish, i.e. the earliest finish,
 * the smaller index first on equal times */
// @ts-ignore: decorator
@inline function eventPush(x: i32): void {
  sf(gNegFin, x, -lf(gFin, x));
  heapPush(gHeapE, gNE++, x, gNegFin);
}

// ---------------------------------------------------------------------------------------------
// per-design setup: core-count options, scratch designs, memo
// ---------------------------------------------------------------------------------------------
function poolCores(v: f64): i32 {
  const k = Math.floor(v);
  return k < 1 ? 1 : k > 1073741824 ? 1073741824 : <i32>k;
}

/** options 1, 2, 4, …, < K, K of pool p and their scratch designs (bandwidths × k/K; k = K is the design) */
function setupPool(d: usize, p: i32, K: i32): i32 {
  const kl = gKList + (<usize>(p * NK) << 2);
  let n = 0;
  let k = 1;
  while (k < K) {
    si(kl, n++, k);
    k <<= 1;
  }
  si(kl, n++, K);
  for (let ki = 0; ki < n - 1; ki++) {
    const kk = li(kl, ki);
    const sd = gScratch + (<usize>((p * NK + ki) * DESIGN_STRIDE) << 3);
    memory.copy(sd, d, <usize>DESIGN_STRIDE << 3);
    const share = <f64>kk / <f64>K;
    wr(sd, p == P_TENSOR ? D_TENSOR_CORES : D_VECTOR_CORES, <f64>kk);
    wr(sd, D_GLOBAL_BUFFER_GBS, rd(d, D_GLOBAL_BUFFER_GBS) * share);
    wr(sd, D_NOC_GBS, rd(d, D_NOC_GBS) * share);
    wr(sd, D_OFFCHIP_GBS, rd(d, D_OFFCHIP_GBS) * share);
  }
  return n;
}

/** costs slot `s` with option `ki` (< last) of pool `p` into its memo record; returns its cycles */
function memoFill(s: i32, ki: i32, p: i32): f64 {
  const idx = s * NK + ki;
  const r = gMemo + (<usize>(idx * RESULT_STRIDE) << 3);
  const sd = gScratch + (<usize>((p * NK + ki) * DESIGN_STRIDE) << 3);
  evalOp(sd, gSlotOps + (<usize>(s * OP_STRIDE) << 3), <f64>li(gKList + (<usize>(p * NK) << 2), ki), r);
  si(gMemoGen, idx, gGen);
  const c = rd(r, R_CYCLES);
  sf(gMemoLat, idx, c);
  return c;
}

/** all options of slot `s` (pool `p`) costed, and the prefix minima of their latencies (first minimum) */
/**
 * More cores must shorten an op's finish by more than this fraction of the current best option's duration
 * (options are scanned by ascending core count): an op that barely speeds up on more cores (a weight gradient
 * with a small output) leaves them to the ops beside it. Mirrors CORE_MARGIN in src/engine/reference-schedule.ts.
 */
const CORE_MARGIN: f64 = 0.02;

function prefixMinima(s: i32, p: i32, full: f64): void {
  const nk = p == P_TENSOR ? gNK0 : gNK1;
  const mb = s * NK;
  let bk = 0;
  let bl: f64 = Infinity;
  for (let ki = 0; ki < nk; ki++) {
    let lat = full;
    if (ki < nk - 1) lat = li(gMemoGen, mb + ki) == gGen ? lf(gMemoLat, mb + ki) : memoFill(s, ki, p);
    if (bl == Infinity || lat < bl - CORE_MARGIN * bl) { bl = lat; bk = ki; }
    si(gPmKi, mb + ki, bk);
    sf(gPmLat, mb + ki, bl);
  }
  si(gPmGen, s, gGen);
}

/**
 * Result record of slot `s` with option `ki` (-1 or the last option: the all-cores slot result), for options
 * the schedule chose (always costed: dispatch costs every option of a slot it places).
 */
// @ts-ignore: decorator
@inline function memoRec(s: i32, ki: i32): usize {
  const p = li(gSlotPool, s);
  const nk = p == P_TENSOR ? gNK0 : gNK1;
  if (ki < 0 || ki == nk - 1) return gSlotRes + (<usize>(s * RESULT_STRIDE) << 3);
  return gMemo + (<usize>((s * NK + ki) * RESULT_STRIDE) << 3);
}

// @ts-ignore: decorator
@inline function opRec(i: i32): usize {
  return memoRec(li(gOpSlot, i), li(gKi, i));
}

// ---------------------------------------------------------------------------------------------
// list scheduling
// ---------------------------------------------------------------------------------------------
// @ts-ignore: decorator
@inline function makeReady(i: i32, t: f64): void {
  sf(gReady, i, t);
  const s = li(gOpSlot, i);
  const p = li(gSlotPool, s);
  if (p == P_NONE) {
    sf(gStart, i, t);
    sf(gFin, i, t + rd(gSlotRes + (<usize>(s * RESULT_STRIDE) << 3), R_CYCLES));
    si(gKi, i, -1);
    si(gHeld, i, 0);
    const ci = s * (NK + 1);
    si(gCnt, ci, li(gCnt, ci) + 1);
    eventPush(i);
  } else if (p == P_TENSOR) {
    if (gPendT >= 0 ? heapBefore(gBl, i, gPendT) : gNT == 0 || heapBefore(gBl, i, li(gHeapT, 0))) {
      if (gPendT >= 0) heapPush(gHeapT, gNT++, gPendT, gBl);
      gPendT = i;
    } else heapPush(gHeapT, gNT++, i, gBl);
  } else {
    if (gPendV >= 0 ? heapBefore(gBl, i, gPendV) : gNV == 0 || heapBefore(gBl, i, li(gHeapV, 0))) {
      if (gPendV >= 0) heapPush(gHeapV, gNV++, gPendV, gBl);
      gPendV = i;
    } else heapPush(gHeapV, gNV++, i, gBl);
  }
}


function dispatch(p: i32, t: f64): void {
  const h = p == P_TENSOR ? gHeapT : gHeapV;
  let n = p == P_TENSOR ? gNT : gNV;
  let pend = p == P_TENSOR ? gPendT : gPendV;
  const base = <usize>(p * gGrpCap);
  const gt = gGrpT + (base << 3);
  const gc = gGrpC + (base << 2);
  const go = gGrpO + (base << 2);
  let len = p == P_TENSOR ? gGL0 : gGL1;
  const kl = gKList + (<usize>(p * NK) << 2);
  const nk = p == P_TENSOR ? gNK0 : gNK1;
  while ((n > 0 || pend >= 0) && lf(gt, 0) <= t) {
    let i = pend;
    if (i >= 0) pend = -1;
    else {
      i = heapPop(h, n, gBl);
      n--;
    }
    const s = li(gOpSlot, i);
    const mb = s * NK;
    const full = rd(gSlotRes + (<usize>(s * RESULT_STRIDE) << 3), R_CYCLES);
    // the option that finishes first (ascending k, strict improvement). Options whose cores are all free now
    // start now: the first of them with the least latency is precomputed per slot (prefix minima), so only
    // options waiting for cores are scanned here; same choice as scanning them all.
    if (li(gPmGen, s) != gGen) prefixMinima(s, p, full);
    let free = 0;
    let g = 0;
    while (g < len && lf(gt, g) <= t) free += li(gc, g++);
    let jf = 0;
    while (jf + 1 < nk && li(kl, jf + 1) <= free) jf++;
    let bestKi = li(gPmKi, mb + jf);
    let bestF: f64 = t + lf(gPmLat, mb + jf);
    // the group holding the bestKi-th option's last core (free now: its time ≤ t)
    const kb = li(kl, bestKi);
    g = 0;
    let cum = li(gc, 0);
    while (cum < kb) cum += li(gc, ++g);
    let bestA: f64 = lf(gt, g);
    let bestO = li(go, g);
    for (let ki = jf + 1; ki < nk; ki++) {
      const k = li(kl, ki);
      while (cum < k) cum += li(gc, ++g);
      const a = lf(gt, g);
      const st = a > t ? a : t;
      if (st >= bestF) break;
      const f = st + (ki < nk - 1 ? lf(gMemoLat, mb + ki) : full);
      if (f < bestF - CORE_MARGIN * (bestF - t)) {
        bestF = f; bestKi = ki; bestA = a; bestO = li(go, g);
      }
    }
    const k = li(kl, bestKi);
    // take the k earliest-free cores
    let rem = k;
    let idx = 0;
    while (rem > 0) {
      const c = li(gc, idx);
      if (c <= rem) {
        rem -= c;
        idx++;
      } else {
        si(gc, idx, c - rem);
        rem = 0;
      }
    }
    // (plain loops: the lists are short and memory.copy is a runtime call in V8)
    if (idx > 0) {
      len -= idx;
      for (let q = 0; q < len; q++) {
        sf(gt, q, lf(gt, q + idx));
        si(gc, q, li(gc, q + idx));
        si(go, q, li(go, q + idx));
      }
    }
    // they free at bestF (after groups freeing at the same time)
    let pos = len;
    while (pos > 0 && lf(gt, pos - 1) > bestF) {
      sf(gt, pos, lf(gt, pos - 1));
      si(gc, pos, li(gc, pos - 1));
      si(go, pos, li(go, pos - 1));
      pos--;
    }
    sf(gt, pos, bestF);
    si(gc, pos, k);
    si(go, pos, i);
    len++;
    sf(gStart, i, bestA > t ? bestA : t);
    sf(gFin, i, bestF);
    si(gKi, i, bestKi);
    si(gHeld, i, k);
    const ci = s * (NK + 1) + bestKi + 1;
    si(gCnt, ci, li(gCnt, ci) + 1);
    if (bestA > lf(gReady, i)) si(gPred, i, bestO);
    eventPush(i);
  }
  if (p == P_TENSOR) {
    gNT = n;
    gPendT = pend;
    gGL0 = len;
  } else {
    gNV = n;
    gPendV = pend;
    gGL1 = len;
  }
}

/**
 * Schedules the loaded graph on design `d` and writes the step record at `so` (zeroed and valid-checked by
 * the caller). Leaves per-op start/finish/option/pred and the critical path in scratch for scheduleDetail.
 */
export function scheduleStep(d: usize, so: usize): void {
  const n = gN;
  const nSlots = gNSlots;
  gNCp = 0;
  if (gNTopo != n) return; // a cycle: no schedule (S_VALID stays 0; the host refuses such graphs)
  if (++gGen == 0x7fffffff) {
    memory.fill(gMemoGen, 0, <usize>nSlots * NK * 4);
    memory.fill(gPmGen, 0, <usize>nSlots * 4);
    gGen = 1;
  }
  // pools and their options
  gK0 = poolCores(rd(d, D_TENSOR_CORES));
  gK1 = poolCores(rd(d, D_VECTOR_CORES));
  gNK0 = setupPool(d, P_TENSOR, gK0);
  gNK1 = setupPool(d, P_VECTOR, gK1);
  const kmax = gK0 > gK1 ? gK0 : gK1;
  if (kmax + 1 > gGrpCap) {
    const c = kmax + 1;
    gGrpT = allocF64(2 * c);
    gGrpC = allocI32(2 * c);
    gGrpO = allocI32(2 * c);
    gGrpCap = c;
  }
  sf(gGrpT, 0, 0);
  si(gGrpC, 0, gK0);
  si(gGrpO, 0, -1);
  sf(gGrpT, gGrpCap, 0);
  si(gGrpC, gGrpCap, gK1);
  si(gGrpO, gGrpCap, -1);
  gGL0 = 1;
  gGL1 = 1;

  // all-cores cost of every unique shape (the serial model), the serial sum, the pool of each shape
  const cores = rd(d, D_TENSOR_CORES);
  let serial: f64 = 0;
  for (let u = 0; u < nSlots; u++) {
    const o = gSlotOps + (<usize>(u * OP_STRIDE) << 3);
    const r = gSlotRes + (<usize>(u * RESULT_STRIDE) << 3);
    evalOp(d, o, cores, r);
    const lat = rd(r, R_CYCLES);
    serial += rd(o, O_COUNT) * lat;
    const unit = rd(o, O_UNIT);
    let p = P_NONE;
    if (lat > 0) {
      if (unit == <f64>U_TENSOR) p = P_TENSOR;
      else if (unit == <f64>U_VECTOR) p = P_VECTOR;
    }
    si(gSlotPool, u, p);
  }

  // bottom levels (all-cores latencies) and the ASAP critical path
  let cpLen: f64 = 0;
  for (let j = gNTopo - 1; j >= 0; j--) {
    const i = li(gTopo, j);
    let m: f64 = 0;
    const s1 = li(gSuccOff, i + 1);
    for (let e = li(gSuccOff, i); e < s1; e++) {
      const b = lf(gBl, li(gSucc, e));
      if (b > m) m = b;
    }
    const b = rd(gSlotRes + (<usize>(li(gOpSlot, i) * RESULT_STRIDE) << 3), R_CYCLES) + m;
    sf(gBl, i, b);
    if (b > cpLen) cpLen = b;
  }

  // list schedule
  gNT = 0;
  gNV = 0;
  gPendT = -1;
  gPendV = -1;
  gNE = 0;
  memory.fill(gCnt, 0, <usize>(nSlots * (NK + 1)) << 2);
  let t: f64 = 0;
  let last = -1;
  let launched: f64 = 0;
  if (gSingleStream) {
    // single stream: one op at a time on all cores of its pool, in the topological order; each op's
    // predecessor on the (whole-step) critical path is the op before it; each op with work waits the launch gap
    const launch = gLaunchS * rd(d, D_CLOCK_GHZ) * 1e9;
    for (let j = 0; j < gNTopo; j++) {
      const i = li(gTopo, j);
      const s = li(gOpSlot, i);
      const p = li(gSlotPool, s);
      let r: f64 = 0; // when its dependencies finished
      const e1 = li(gDepOff, i + 1);
      for (let e = li(gDepOff, i); e < e1; e++) {
        const f = lf(gFin, li(gDeps, e));
        if (f > r) r = f;
      }
      sf(gReady, i, r);
      const cyc = rd(gSlotRes + (<usize>(s * RESULT_STRIDE) << 3), R_CYCLES);
      if (cyc > 0 && launch > 0) {
        t += launch;
        launched += launch;
      }
      sf(gStart, i, t);
      t += cyc;
      sf(gFin, i, t);
      const ki = p == P_NONE ? -1 : (p == P_TENSOR ? gNK0 : gNK1) - 1;
      si(gKi, i, ki);
      si(gHeld, i, p == P_NONE ? 0 : p == P_TENSOR ? gK0 : gK1);
      si(gPred, i, last);
      const ci = s * (NK + 1) + ki + 1;
      si(gCnt, ci, li(gCnt, ci) + 1);
      last = i;
    }
  } else {
  for (let i = 0; i < n; i++) {
    const c = li(gDepOff, i + 1) - li(gDepOff, i);
    si(gIndeg, i, c);
    si(gPred, i, -1);
    if (c == 0) makeReady(i, 0);
  }
  while (true) {
    if (gNT > 0 || gPendT >= 0) dispatch(P_TENSOR, t);
    if (gNV > 0 || gPendV >= 0) dispatch(P_VECTOR, t);
    if (gNE == 0) break;
    t = lf(gFin, li(gHeapE, 0));
    do {
      const j = heapPop(gHeapE, gNE--, gNegFin);
      last = j;
      const s1 = li(gSuccOff, j + 1);
      for (let e = li(gSuccOff, j); e < s1; e++) {
        const s = li(gSucc, e);
        const c = li(gIndeg, s) - 1;
        si(gIndeg, s, c);
        if (c == 0) {
          si(gPred, s, j);
          makeReady(s, t);
        }
      }
    } while (gNE > 0 && lf(gFin, li(gHeapE, 0)) == t);
  }
  }

  if (!gSingleStream && gPasses > 0 && last >= 0) last = improveSchedule(lf(gFin, last), last);

  // the makespan: the last op to finish (the last event; the largest index on ties)
  const makespan: f64 = last >= 0 ? lf(gFin, last) : 0;

  // sums over ops at their chosen core counts: per slot and option, count × the option's record
  let dyn: f64 = 0, tBusy: f64 = 0, vBusy: f64 = 0, macs: f64 = 0, live: f64 = 0, local: f64 = 0, noc: f64 = 0;
  let gb: f64 = 0, off: f64 = 0, non: f64 = 0, tCore: f64 = 0, vCore: f64 = 0, vFlops: f64 = 0;
  for (let u = 0; u < nSlots; u++) {
    const p = li(gSlotPool, u);
    const ne = p == P_NONE ? 1 : (p == P_TENSOR ? gNK0 : gNK1) + 1;
    const unit = rd(gSlotOps + (<usize>(u * OP_STRIDE) << 3), O_UNIT);
    for (let e = 0; e < ne; e++) {
      const cnt = li(gCnt, u * (NK + 1) + e);
      if (cnt == 0) continue;
      const c = <f64>cnt;
      const r = memoRec(u, e - 1);
      const cyc = rd(r, R_CYCLES);
      dyn += c * rd(r, R_ENERGY_J);
      if (unit == <f64>U_TENSOR) tBusy += c * rd(r, R_COMPUTE_CYCLES);
      else if (unit == <f64>U_VECTOR) vBusy += c * rd(r, R_COMPUTE_CYCLES);
      macs += c * rd(r, R_MACS);
      live += c * rd(r, R_LIVE_MACS);
      vFlops += c * rd(r, R_VECTOR_FLOPS);
      local += c * rd(r, R_LOCAL_BYTES);
      noc += c * rd(r, R_NOC_BYTES);
      gb += c * rd(r, R_GLOBAL_BYTES);
      off += c * rd(r, R_OFFCHIP_BYTES);
      non += c * rd(r, R_NONOVERLAP_CYCLES);
      const bi = S_BOUND_CYCLES + <i32>rd(r, R_BOUND);
      wr(so, bi, rd(so, bi) + c * cyc);
      if (e > 0) {
        const held = c * <f64>li(gKList + (<usize>(p * NK) << 2), e - 1) * cyc;
        if (p == P_TENSOR) tCore += held;
        else vCore += held;
      }
    }
  }

  // the scheduled critical path, walked back from the last-finishing op
  let nc = 0;
  let i = last;
  while (i >= 0) {
    si(gCp, nc++, i);
    const r = opRec(i);
    const bi = S_CP_BOUND_CYCLES + <i32>rd(r, R_BOUND);
    wr(so, bi, rd(so, bi) + rd(r, R_CYCLES));
    i = li(gPred, i);
  }
  // single stream: the launch gaps lie on the critical path, with no unit busy
  wr(so, S_CP_BOUND_CYCLES + B_NONE, rd(so, S_CP_BOUND_CYCLES + B_NONE) + launched);
  for (let a = 0, b = nc - 1; a < b; a++, b--) {
    const x = li(gCp, a);
    si(gCp, a, li(gCp, b));
    si(gCp, b, x);
  }
  gNCp = nc;

  const timeS = makespan / (rd(d, D_CLOCK_GHZ) * 1e9);
  const leak = rd(d, D_LEAKAGE_W) * timeS;
  const clock = rd(d, D_CLOCK_W) * timeS;
  wr(so, S_CYCLES, makespan);
  wr(so, S_TIME_S, timeS);
  wr(so, S_ENERGY_J, dyn + clock + leak);
  wr(so, S_DYNAMIC_J, dyn);
  wr(so, S_LEAKAGE_J, leak);
  wr(so, S_CLOCK_J, clock);
  wr(so, S_VECTOR_FLOPS, vFlops);
  wr(so, S_TENSOR_BUSY, tBusy);
  wr(so, S_VECTOR_BUSY, vBusy);
  wr(so, S_MACS, macs);
  wr(so, S_LIVE_MACS, live);
  wr(so, S_LOCAL_BYTES, local);
  wr(so, S_NOC_BYTES, noc);
  wr(so, S_GLOBAL_BYTES, gb);
  wr(so, S_OFFCHIP_BYTES, off);
  wr(so, S_NONOVERLAP_CYCLES, non);
  wr(so, S_SERIAL_CYCLES, serial);
  wr(so, S_CRITICAL_PATH_CYCLES, cpLen);
  wr(so, S_TENSOR_CORE_CYCLES, tCore);
  wr(so, S_VECTOR_CORE_CYCLES, vCore);
  wr(so, S_TENSOR_UTILIZATION, makespan > 0 ? tCore / (<f64>gK0 * makespan) : 0);
  wr(so, S_VECTOR_UTILIZATION, makespan > 0 ? vCore / (<f64>gK1 * makespan) : 0);
  wr(so, S_CP_OPS, <f64>nc);
  wr(so, S_VALID, 1);
}

/**
 * Runs the serial improvement passes on the list schedule of makespan `listMakespan` (last op `last`); when one
 * is shorter, its starts, finishes and core counts replace the list's, with ready times, critical-path links
 * (the op whose finish freed the cores an op waited for, else its last-finishing dependency, larger index on
 * ties) and the per-option counts rederived. Returns the last op to finish (largest index on ties).
 */
function improveSchedule(listMakespan: f64, last: i32): i32 {
  const n = gN;
  const nSlots = gNSlots;
  if (SLOT_OPTIONS != NK) unreachable();
  // every option of every slot costed, into the duration table
  for (let s = 0; s < nSlots; s++) {
    const p = li(gSlotPool, s);
    const full = rd(gSlotRes + (<usize>(s * RESULT_STRIDE) << 3), R_CYCLES);
    const db = s * NK;
    if (p == P_NONE) {
      sf(gSlotDur, db, full);
      continue;
    }
    if (li(gPmGen, s) != gGen) prefixMinima(s, p, full);
    const nk = p == P_TENSOR ? gNK0 : gNK1;
    for (let ki = 0; ki < nk - 1; ki++) sf(gSlotDur, db + ki, lf(gMemoLat, db + ki));
    sf(gSlotDur, db + nk - 1, full);
  }
  const best = improve(n, gOpSlot, gSlotPool, gSlotDur, gKList, gNK0, gNK1, gK0, gK1, gDepOff, gDeps, gSuccOff, gSucc,
    gBl, gPasses, listMakespan);
  if (!(best < listMakespan)) return last;
  memory.fill(gCnt, 0, <usize>(nSlots * (NK + 1)) << 2);
  let lastOp = -1;
  for (let i = 0; i < n; i++) {
    const s = li(gOpSlot, i);
    const p = li(gSlotPool, s);
    const o = p == P_NONE ? -1 : bestOption(i);
    const st = bestStart(i);
    const f = bestFinish(i);
    sf(gStart, i, st);
    sf(gFin, i, f);
    si(gKi, i, o);
    si(gHeld, i, o < 0 ? 0 : li(gKList + (<usize>(p * NK) << 2), o));
    const ci = s * (NK + 1) + o + 1;
    si(gCnt, ci, li(gCnt, ci) + 1);
    if (lastOp < 0 || f >= lf(gFin, lastOp)) lastOp = i;
  }
  for (let i = 0; i < n; i++) {
    let r: f64 = 0;
    let dep = -1;
    const e1 = li(gDepOff, i + 1);
    for (let e = li(gDepOff, i); e < e1; e++) {
      const d = li(gDeps, e);
      const f = lf(gFin, d);
      if (dep < 0 || f > r || (f == r && d > dep)) { r = f; dep = d; }
    }
    sf(gReady, i, r);
    const rp = li(gSlotPool, li(gOpSlot, i)) == P_NONE ? -1 : bestResourcePred(i);
    si(gPred, i, rp >= 0 ? rp : dep);
  }
  return lastOp;
}

/**
 * Per-op schedule records of the design last scheduled (OPSCHED_STRIDE f64 per op, at `out`) and its
 * critical path's op indices in execution order (i32 at `cpOut`); returns the path's length.
 */
export function scheduleDetail(out: usize, cpOut: usize): i32 {
  const n = gN;
  // ASAP starts with all-cores latencies (topological order); ALAP = critical path − bottom level
  let cpLen: f64 = 0;
  for (let i = 0; i < n; i++) {
    const b = lf(gBl, i);
    if (b > cpLen) cpLen = b;
  }
  for (let j = 0; j < gNTopo; j++) {
    const i = li(gTopo, j);
    let a: f64 = 0;
    const e1 = li(gDepOff, i + 1);
    for (let e = li(gDepOff, i); e < e1; e++) {
      const dd = li(gDeps, e);
      const f = rd(out + (<usize>(dd * OPSCHED_STRIDE) << 3), X_ASAP) +
        rd(gSlotRes + (<usize>(li(gOpSlot, dd) * RESULT_STRIDE) << 3), R_CYCLES);
      if (f > a) a = f;
    }
    wr(out + (<usize>(i * OPSCHED_STRIDE) << 3), X_ASAP, a);
  }
  for (let i = 0; i < n; i++) {
    const x = out + (<usize>(i * OPSCHED_STRIDE) << 3);
    const r = opRec(i);
    const p = li(gSlotPool, li(gOpSlot, i));
    const full = rd(gSlotRes + (<usize>(li(gOpSlot, i) * RESULT_STRIDE) << 3), R_CYCLES);
    wr(x, X_START, lf(gStart, i));
    wr(x, X_FINISH, lf(gFin, i));
    wr(x, X_CYCLES, rd(r, R_CYCLES));
    wr(x, X_CORES, <f64>li(gHeld, i));
    wr(x, X_POOL, <f64>p);
    wr(x, X_BOUND, rd(r, R_BOUND));
    wr(x, X_ENERGY_J, rd(r, R_ENERGY_J));
    wr(x, X_READY, lf(gReady, i));
    const alap = cpLen - lf(gBl, i);
    wr(x, X_ALAP, alap);
    wr(x, X_MOBILITY, alap - rd(x, X_ASAP));
    wr(x, X_PRED, <f64>li(gPred, i));
  }
  memory.copy(cpOut, gCp, <usize>gNCp << 2);
  return gNCp;
}

/**
 * The tensor-op shapes that weigh most on the critical path of the design last scheduled: critical time per
 * unique shape (slot), the `cap` largest written at `out` as shape records (climb-layout.ts SH_*: b, m, n, k,
 * critical cycles), largest first; returns how many. The tightening loop (tighten.ts) picks array shapes from them. `scratch` holds
 * nSlots f64 (the caller's).
 */
export function criticalTensorShapes(out: usize, cap: i32, scratch: usize): i32 {
  const nSlots = gNSlots;
  for (let s = 0; s < nSlots; s++) sf(scratch, s, 0);
  for (let j = 0; j < gNCp; j++) {
    const i = li(gCp, j);
    const s = li(gOpSlot, i);
    if (li(gSlotPool, s) != P_TENSOR) continue;
    sf(scratch, s, lf(scratch, s) + lf(gFin, i) - lf(gStart, i));
  }
  let n = 0;
  for (let s = 0; s < nSlots; s++) {
    const t = lf(scratch, s);
    if (!(t > 0)) continue;
    // insertion into the top-`cap` list (time descending, slot ascending on ties)
    let pos = n < cap ? n : cap;
    while (pos > 0 && lf(out + (<usize>((pos - 1) * SH_STRIDE) << 3), SH_WEIGHT) < t) pos--;
    if (pos >= cap) continue;
    const last = n < cap ? n : cap - 1;
    for (let q = last; q > pos; q--) memory.copy(out + (<usize>(q * SH_STRIDE) << 3), out + (<usize>((q - 1) * SH_STRIDE) << 3), <usize>SH_STRIDE << 3);
    const w = out + (<usize>(pos * SH_STRIDE) << 3);
    const o = gSlotOps + (<usize>(s * OP_STRIDE) << 3);
    wr(w, SH_B, rd(o, O_B));
    wr(w, SH_M, rd(o, O_M));
    wr(w, SH_N, rd(o, O_N));
    wr(w, SH_K, rd(o, O_K));
    wr(w, SH_WEIGHT, t);
    if (n < cap) n++;
  }
  return n;
}

/** Unique op shapes of the loaded graph (for sizing criticalTensorShapes' scratch). */
export function loadedSlotCount(): i32 {
  return gNSlots;
}
