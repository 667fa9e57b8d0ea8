/**
 * The per-operator cost model in plain TypeScript: the reference of `assembly/model.ts` and `assembly/step.ts`,
 * formula for formula and in the same order (differential tests demand agreement to 1e-9 relative).
 * Used only by tests and benchmarks; the search runs the WebAssembly kernel.
 *
 * Model (DESIGN.md §4), per op on a design record `d` and an op record `o` (layout.ts):
 *  tensor ops (GEMM B × (M×K)·(K×N)):
 *   - split over p ≤ cores tensor cores along b, m or n (the one that finishes earliest);
 *   - compute cycles per core = b' × folds × cycles per fold (SCALE-Sim v2 compute modules):
 *       OS: Sr=M, Sc=N, T=K, per fold T + R + C − 2
 *       WS: Sr=K, Sc=N, T=M, per fold 2R + C + T − 2
 *       IS: Sr=K, Sc=M, T=N, per fold 2R + C + T − 2,   folds = ⌈Sr/R⌉·⌈Sc/C⌉;
 *   - mapping: three analytic tile shapes per buffer level (output tile resident with k streamed;
 *     A panel resident; B panel resident); each gives re-read factors (fA, fB) of A and B; the
 *     cheapest is kept. Global buffer tiles the whole op (off-chip traffic); local buffer tiles one
 *     core's share (NoC traffic; shared operands are multicast, so volumes are counted once);
 *   - traffic: off-chip = op bytes (at design precision) × (A·gA + B·gB + C)/(A + B + C);
 *     NoC = (A·fA + B·fB + C)·e; global buffer = NoC + off-chip; local buffer = array-side operand
 *     accesses (SCALE-Sim read/write counts per dataflow) + NoC fills;
 *   - cycles = max(compute, NoC/bw, global/bw, off-chip/bw) + non-overlapped first block in and last
 *     block out (one array-sized block of A, B and C at the slowest link); bound = the argmax.
 *  vector ops: compute = ⌈flops × cycles-per-flop(kind) / (vector cores × lanes)⌉; bytes cross
 *   off-chip, NoC and (twice) the global buffer; cycles = max(compute, traffic/bw).
 *  collectives: 0 cycles on one chip, bound 'network'. Reshape without copy: 0, bound 'none'.
 *  energy = MACs·macPJ + vector flops·vectorOpPJ + Σ level bytes × level pJ/B (leakage per step).
 */
import {
  B_GLOBAL, B_NETWORK, B_NOC, B_NONE, B_OFFCHIP, B_TENSOR, B_VECTOR,
  D_CLOCK_GHZ, D_DATAFLOW, D_ELEMENT_BYTES, D_GLOBAL_BUFFER_BYTES, D_GLOBAL_BUFFER_GBS, D_GLOBAL_PJ_PER_BYTE,
  D_LEAKAGE_W, D_LOCAL_BUFFER_BYTES, D_LOCAL_PJ_PER_BYTE, D_MAC_PJ, D_NOC_GBS, D_NOC_PJ_PER_BYTE, D_OFFCHIP_GBS,
  D_OFFCHIP_PJ_PER_BYTE, D_TC_COLS, D_TC_ROWS, D_TENSOR_CORES, D_VECTOR_CORES, D_VECTOR_LANES, D_VECTOR_OP_PJ,
  DESIGN_STRIDE, DF_OS, DF_WS, K_COLLECTIVE, K_OPTIMIZER, O_B, O_BYTES, O_COUNT, O_ELEMENT_BYTES, O_FLOPS, O_K,
  O_KIND, O_M, O_N, O_UNIT, OP_STRIDE, R_CORES_USED, R_COMPUTE_CYCLES, R_CYCLES, R_ENERGY_J, R_GLOBAL_BYTES,
  R_LOCAL_BYTES, R_MACS, R_NOC_BYTES, R_NONOVERLAP_CYCLES, R_OFFCHIP_BYTES, R_SPLIT, R_UTILIZATION, R_BOUND,
  R_VECTOR_FLOPS, RESULT_STRIDE, S_BOUND_CYCLES, S_CYCLES, S_DYNAMIC_J, S_ENERGY_J, S_GLOBAL_BYTES, S_LEAKAGE_J,
  S_LOCAL_BYTES, S_MACS, S_NOC_BYTES, S_NONOVERLAP_CYCLES, S_OFFCHIP_BYTES, S_TENSOR_BUSY, S_TIME_S, S_VALID,
  S_VECTOR_BUSY, STEP_STRIDE, U_TENSOR, U_VECTOR, VEC_CYCLES_PER_FLOP,
} from './layout.js';

const PJ = 1e-12;

/** SCALE-Sim v2 compute cycles of one GEMM (M×K)·(K×N) on one R×C array. */
export function foldCycles(df: number, R: number, C: number, m: number, n: number, k: number): number {
  let sr: number, sc: number, perFold: number;
  if (df === DF_OS) {
    sr = m; sc = n; perFold = R + C + k - 2;
  } else if (df === DF_WS) {
    sr = k; sc = n; perFold = 2 * R + C + m - 2;
  } else {
    sr = k; sc = m; perFold = 2 * R + C + n - 2;
  }
  return Math.ceil(sr / R) * Math.ceil(sc / C) * perFold;
}

// re-read factors of A and B chosen by the last tileFactors() call
let gFa = 1;
let gFb = 1;

/**
 * Mapping search at one buffer level: capacity S elements, GEMM (m×k)·(k×n) per instance, array R×C.
 * Picks the tile shape minimising wA·fA + wB·fB (wA, wB: total A and B volumes) over three shapes whose
 * tile dims never shrink as S grows or the GEMM shrinks (so more buffer / more cores never cost traffic).
 */
export function tileFactors(m: number, n: number, k: number, S: number, R: number, C: number, wA: number, wB: number): void {
  // 1) output tile tm×tn resident, k streamed in chunks of ck: tm·tn + ck·(tm + tn) ≤ S
  const ck = Math.min(k, R);
  let t = Math.floor(Math.sqrt(ck * ck + S) - ck);
  if (t < 1) t = 1;
  let tm = Math.min(m, t);
  let tn = Math.min(n, t);
  if (t >= m) tn = Math.min(n, Math.max(tn, Math.floor((S - m * ck) / (m + ck))));
  if (t >= n) tm = Math.min(m, Math.max(tm, Math.floor((S - n * ck) / (n + ck))));
  let fa = Math.ceil(n / tn);
  let fb = Math.ceil(m / tm);
  let best = wA * fa + wB * fb;
  if (ck === k) {
    // the whole reduction fits one chunk: the loop order keeps one operand's tile across the other's loop
    const va = wA + wB * fb;
    const vb = wA * fa + wB;
    if (va <= vb) {
      if (va < best) { best = va; fa = 1; }
    } else if (vb < best) {
      best = vb; fb = 1;
    }
  }
  // 2) A panel tm×k resident, B streamed in column chunks of cn
  const cn = Math.min(n, C);
  const tmA = Math.min(m, Math.floor((S - k * cn) / (k + cn)));
  if (tmA >= 1) {
    const f = Math.ceil(m / tmA);
    const v = wA + wB * f;
    if (v < best) { best = v; fa = 1; fb = f; }
  }
  // 3) B panel k×tn resident, A streamed in row chunks of cm
  const cm = Math.min(m, R);
  const tnB = Math.min(n, Math.floor((S - k * cm) / (k + cm)));
  if (tnB >= 1) {
    const f = Math.ceil(n / tnB);
    const v = wA * f + wB;
    if (v < best) { best = v; fa = f; fb = 1; }
  }
  gFa = fa;
  gFb = fb;
}

/** Array-side local-buffer accesses in elements (SCALE-Sim operand reads / output writes), all cores. */
export function arrayAccesses(df: number, R: number, C: number, mm: number, nn: number, k: number, aV: number, bV: number, cV: number): number {
  if (df === DF_OS) return aV * Math.ceil(nn / C) + bV * Math.ceil(mm / R) + cV;
  if (df === DF_WS) return aV * Math.ceil(nn / C) + bV + cV * Math.ceil(k / R);
  return aV + bV * Math.ceil(mm / C) + cV * Math.ceil(k / R);
}

function tensorOp(d: Float64Array, di: number, o: Float64Array, oi: number, cores: number, r: Float64Array, ri: number): void {
  const R = d[di + D_TC_ROWS];
  const C = d[di + D_TC_COLS];
  const df = d[di + D_DATAFLOW];
  const e = d[di + D_ELEMENT_BYTES];
  const clk = d[di + D_CLOCK_GHZ];
  const b = o[oi + O_B];
  const m = o[oi + O_M];
  const n = o[oi + O_N];
  const k = o[oi + O_K];
  const aV = b * m * k;
  const bV = b * k * n;
  const cV = b * m * n;
  const macs = aV * n;
  const invNoc = clk / d[di + D_NOC_GBS];
  const invGb = clk / d[di + D_GLOBAL_BUFFER_GBS];
  const invOff = clk / d[di + D_OFFCHIP_GBS];
  const invSlow = Math.max(invNoc, Math.max(invGb, invOff));
  const macPJ = d[di + D_MAC_PJ];
  const localPJ = d[di + D_LOCAL_PJ_PER_BYTE];
  const nocPJ = d[di + D_NOC_PJ_PER_BYTE];
  const gbPJ = d[di + D_GLOBAL_PJ_PER_BYTE];
  const offPJ = d[di + D_OFFCHIP_PJ_PER_BYTE];

  // global buffer level: the whole op (serial schedule: the op owns the buffer and the off-chip bandwidth)
  tileFactors(m, n, k, d[di + D_GLOBAL_BUFFER_BYTES] / e, R, C, aV, bV);
  const offChip = o[oi + O_BYTES] * (e / o[oi + O_ELEMENT_BYTES]) * ((aV * gFa + bV * gFb + cV) / (aV + bV + cV));
  const offCycles = offChip * invOff;
  const SL = d[di + D_LOCAL_BUFFER_BYTES] / e;

  let bestLat = 0, bestE = 0, bestCompute = 0, bestLocal = 0, bestNoc = 0, bestGb = 0, bestNon = 0;
  let bestP = 1, bestS = 0, bestBound = B_TENSOR;
  for (let s = 0; s < 3; s++) {
    const dim = s === 0 ? b : s === 1 ? m : n;
    let p = Math.min(cores, dim);
    const share = Math.ceil(dim / p);
    p = Math.ceil(dim / share);
    const bb = s === 0 ? share : b;
    const mm = s === 1 ? share : m;
    const nn = s === 2 ? share : n;
    const compute = bb * foldCycles(df, R, C, mm, nn, k);
    tileFactors(mm, nn, k, SL, R, C, aV, bV);
    const noc = (aV * gFa + bV * gFb + cV) * e;
    const gb = noc + offChip;
    const local = arrayAccesses(df, R, C, mm, nn, k, aV, bV, cV) * e + noc;
    const nonOverlap =
      e * (Math.min(mm, R) * Math.min(k, R) + Math.min(k, R) * Math.min(nn, C) + Math.min(mm, R) * Math.min(nn, C)) * invSlow;
    const nocCycles = noc * invNoc;
    const gbCycles = gb * invGb;
    let top = compute;
    let bound = B_TENSOR;
    if (nocCycles > top) { top = nocCycles; bound = B_NOC; }
    if (gbCycles > top) { top = gbCycles; bound = B_GLOBAL; }
    if (offCycles > top) { top = offCycles; bound = B_OFFCHIP; }
    const lat = top + nonOverlap;
    const energy = (macs * macPJ + local * localPJ + noc * nocPJ + gb * gbPJ + offChip * offPJ) * PJ;
    if (s === 0 || lat < bestLat || (lat === bestLat && energy < bestE)) {
      bestLat = lat; bestE = energy; bestCompute = compute; bestLocal = local; bestNoc = noc; bestGb = gb;
      bestNon = nonOverlap; bestP = p; bestS = s; bestBound = bound;
    }
  }
  r[ri + R_CYCLES] = bestLat;
  r[ri + R_COMPUTE_CYCLES] = bestCompute;
  r[ri + R_ENERGY_J] = bestE;
  r[ri + R_BOUND] = bestBound;
  r[ri + R_LOCAL_BYTES] = bestLocal;
  r[ri + R_NOC_BYTES] = bestNoc;
  r[ri + R_GLOBAL_BYTES] = bestGb;
  r[ri + R_OFFCHIP_BYTES] = offChip;
  r[ri + R_NONOVERLAP_CYCLES] = bestNon;
  r[ri + R_MACS] = macs;
  r[ri + R_CORES_USED] = bestP;
  r[ri + R_SPLIT] = bestS;
  r[ri + R_VECTOR_FLOPS] = 0;
  r[ri + R_UTILIZATION] = bestLat > 0 ? macs / (bestLat * bestP * R * C) : 0;
}

function vectorOp(d: Float64Array, di: number, o: Float64Array, oi: number, r: Float64Array, ri: number): void {
  const kind = o[oi + O_KIND];
  const clk = d[di + D_CLOCK_GHZ];
  const scale = kind === K_OPTIMIZER ? 1 : d[di + D_ELEMENT_BYTES] / o[oi + O_ELEMENT_BYTES];
  const bytes = o[oi + O_BYTES] * scale;
  const flops = o[oi + O_FLOPS];
  const lanes = d[di + D_VECTOR_CORES] * d[di + D_VECTOR_LANES];
  const compute = Math.ceil((flops * VEC_CYCLES_PER_FLOP[kind]) / lanes);
  const gb = 2 * bytes;
  const nocCycles = bytes * (clk / d[di + D_NOC_GBS]);
  const gbCycles = gb * (clk / d[di + D_GLOBAL_BUFFER_GBS]);
  const offCycles = bytes * (clk / d[di + D_OFFCHIP_GBS]);
  let top = compute;
  let bound = B_VECTOR;
  if (nocCycles > top) { top = nocCycles; bound = B_NOC; }
  if (gbCycles > top) { top = gbCycles; bound = B_GLOBAL; }
  if (offCycles > top) { top = offCycles; bound = B_OFFCHIP; }
  if (top === 0) bound = B_NONE;
  const energy =
    (flops * d[di + D_VECTOR_OP_PJ] + bytes * d[di + D_NOC_PJ_PER_BYTE] + gb * d[di + D_GLOBAL_PJ_PER_BYTE] +
      bytes * d[di + D_OFFCHIP_PJ_PER_BYTE]) * PJ;
  r[ri + R_CYCLES] = top;
  r[ri + R_COMPUTE_CYCLES] = compute;
  r[ri + R_ENERGY_J] = energy;
  r[ri + R_BOUND] = bound;
  r[ri + R_LOCAL_BYTES] = 0;
  r[ri + R_NOC_BYTES] = bytes;
  r[ri + R_GLOBAL_BYTES] = gb;
  r[ri + R_OFFCHIP_BYTES] = bytes;
  r[ri + R_NONOVERLAP_CYCLES] = 0;
  r[ri + R_MACS] = 0;
  r[ri + R_CORES_USED] = d[di + D_VECTOR_CORES];
  r[ri + R_SPLIT] = -1;
  r[ri + R_VECTOR_FLOPS] = flops;
  r[ri + R_UTILIZATION] = 0;
}

function networkOp(r: Float64Array, ri: number): void {
  for (let i = 0; i < RESULT_STRIDE; i++) r[ri + i] = 0;
  r[ri + R_BOUND] = B_NETWORK;
  r[ri + R_SPLIT] = -1;
}

/** One op record (at `oi`) on one design record (at `di`) with `cores` tensor cores available. */
export function refEvalOp(d: Float64Array, di: number, o: Float64Array, oi: number, cores: number, r: Float64Array, ri: number): void {
  const unit = o[oi + O_UNIT];
  if (unit === U_TENSOR) tensorOp(d, di, o, oi, cores, r, ri);
  else if (unit === U_VECTOR) vectorOp(d, di, o, oi, r, ri);
  else if (o[oi + O_KIND] === K_COLLECTIVE) networkOp(r, ri);
  else vectorOp(d, di, o, oi, r, ri);
}

/** Basic sanity of a design record: the kernel's only check (full validation lives in src/arch). */
export function refDesignValid(d: Float64Array, di: number): boolean {
  return (
    d[di + D_TENSOR_CORES] >= 1 && d[di + D_TC_ROWS] >= 1 && d[di + D_TC_COLS] >= 1 &&
    d[di + D_VECTOR_CORES] * d[di + D_VECTOR_LANES] >= 1 && d[di + D_CLOCK_GHZ] > 0 &&
    d[di + D_NOC_GBS] > 0 && d[di + D_GLOBAL_BUFFER_GBS] > 0 && d[di + D_OFFCHIP_GBS] > 0 &&
    d[di + D_ELEMENT_BYTES] > 0 && d[di + D_LOCAL_BUFFER_BYTES] >= 0 && d[di + D_GLOBAL_BUFFER_BYTES] >= 0
  );
}

/**
 * Whole-step evaluation of `nDesigns` design records over `nOps` unique op records (each with its O_COUNT).
 * Serial schedule: step cycles = Σ count × op cycles. `slotResults` (nOps × RESULT_STRIDE) receives the
 * last design's per-op results.
 */
export function refEvaluateStep(
  designs: Float64Array, nDesigns: number, ops: Float64Array, nOps: number, out: Float64Array,
  slotResults: Float64Array = new Float64Array(nOps * RESULT_STRIDE),
): void {
  for (let i = 0; i < nDesigns; i++) {
    const di = i * DESIGN_STRIDE;
    const si = i * STEP_STRIDE;
    for (let j = 0; j < STEP_STRIDE; j++) out[si + j] = 0;
    if (!refDesignValid(designs, di)) continue;
    const cores = designs[di + D_TENSOR_CORES];
    let cycles = 0, dyn = 0, tBusy = 0, vBusy = 0, macs = 0, local = 0, noc = 0, gb = 0, off = 0, non = 0;
    for (let u = 0; u < nOps; u++) {
      const oi = u * OP_STRIDE;
      const ri = u * RESULT_STRIDE;
      refEvalOp(designs, di, ops, oi, cores, slotResults, ri);
      const c = ops[oi + O_COUNT];
      const cyc = c * slotResults[ri + R_CYCLES];
      cycles += cyc;
      dyn += c * slotResults[ri + R_ENERGY_J];
      const unit = ops[oi + O_UNIT];
      if (unit === U_TENSOR) tBusy += c * slotResults[ri + R_COMPUTE_CYCLES];
      else if (unit === U_VECTOR) vBusy += c * slotResults[ri + R_COMPUTE_CYCLES];
      macs += c * slotResults[ri + R_MACS];
      local += c * slotResults[ri + R_LOCAL_BYTES];
      noc += c * slotResults[ri + R_NOC_BYTES];
      gb += c * slotResults[ri + R_GLOBAL_BYTES];
      off += c * slotResults[ri + R_OFFCHIP_BYTES];
      non += c * slotResults[ri + R_NONOVERLAP_CYCLES];
      out[si + S_BOUND_CYCLES + slotResults[ri + R_BOUND]] += cyc;
    }
    const timeS = cycles / (designs[di + D_CLOCK_GHZ] * 1e9);
    const leak = designs[di + D_LEAKAGE_W] * timeS;
    out[si + S_CYCLES] = cycles;
    out[si + S_TIME_S] = timeS;
    out[si + S_ENERGY_J] = dyn + leak;
    out[si + S_DYNAMIC_J] = dyn;
    out[si + S_LEAKAGE_J] = leak;
    out[si + S_TENSOR_BUSY] = tBusy;
    out[si + S_VECTOR_BUSY] = vBusy;
    out[si + S_MACS] = macs;
    out[si + S_LOCAL_BYTES] = local;
    out[si + S_NOC_BYTES] = noc;
    out[si + S_GLOBAL_BYTES] = gb;
    out[si + S_OFFCHIP_BYTES] = off;
    out[si + S_NONOVERLAP_CYCLES] = non;
    out[si + S_VALID] = 1;
  }
}
