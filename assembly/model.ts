/**
 * Per-operator cost model (docs/cost-model.md). Formula for formula the same as src/engine/reference-op.ts, which
 * documents the model; keep both in step (the differential test compares them to 1e-9).
 */
import {
  B_GLOBAL, B_NETWORK, B_NOC, B_NONE, B_OFFCHIP, B_TENSOR, B_VECTOR,
  D_CLOCK_GHZ, D_DATAFLOW, D_ELEMENT_BYTES, D_GLOBAL_BUFFER_BYTES, D_GLOBAL_BUFFER_GBS, D_GLOBAL_PJ_PER_BYTE,
  D_LOCAL_BUFFER_BYTES, D_LOCAL_PJ_PER_BYTE, D_MAC_PJ, D_NOC_GBS, D_NOC_PJ_PER_BYTE, D_OFFCHIP_GBS,
  D_OFFCHIP_PJ_PER_BYTE, D_TC_COLS, D_TC_ROWS, D_TENSOR_CORES, D_VECTOR_CORES, D_VECTOR_LANES, D_VECTOR_OP_PJ,
  DF_OS, DF_RS, DF_WS, K_COLLECTIVE, K_OPTIMIZER, O_B, O_BYTES, O_ELEMENT_BYTES, O_FLOPS, O_K, O_KIND, O_M, O_N, O_UNIT,
  R_BOUND, R_COMPUTE_CYCLES, R_CORES_USED, R_CYCLES, R_ENERGY_J, R_GLOBAL_BYTES, R_LIVE_MACS, R_LOCAL_BYTES, R_MACS,
  R_NOC_BYTES, R_NONOVERLAP_CYCLES, R_OFFCHIP_BYTES, R_SPLIT, R_UTILIZATION, R_VECTOR_FLOPS, RESULT_STRIDE,
  U_TENSOR, U_VECTOR, VEC_CYCLES_PER_FLOP, O_RS_C, O_RS_E, O_RS_I, O_RS_M, O_RS_N, O_RS_O, O_RS_R, O_RS_S, O_RS_W, O_RS_ZEROS,
  RS_SPAD_FILTER_BYTES, RS_SPAD_IFMAP_BYTES, RS_SPAD_PSUM_BYTES, RS_GLB_IFMAP_SHARE, OFFCHIP_SUSTAINED_FRACTION,
  K_ATTENTION, O_ATT_BACKWARD, O_ATT_LIVE, O_ATT_VECTOR_FLOPS, SPLIT_K,
} from './layout';

const PJ: f64 = 1e-12;
/** bytes of one partial sum a split-K reduction moves (fp32 accumulators) */
const PARTIAL_SUM_BYTES: f64 = 4;
/** split-K ways tried: 2, 4, 8, 16 */
const SPLIT_K_WAYS: i32 = 4;
export { OFFCHIP_SUSTAINED_FRACTION };

// @ts-ignore: decorator
@inline export function rd(p: usize, i: i32): f64 {
  return load<f64>(p + (<usize>i << 3));
}

// @ts-ignore: decorator
@inline export function wr(p: usize, i: i32, v: f64): void {
  store<f64>(p + (<usize>i << 3), v);
}

/** SCALE-Sim v2 compute cycles of one GEMM (M×K)·(K×N) on one R×C array. */
export function foldCycles(df: f64, R: f64, C: f64, m: f64, n: f64, k: f64): f64 {
  let sr: f64, sc: f64, perFold: f64;
  if (df == <f64>DF_OS) {
    sr = m; sc = n; perFold = R + C + k - 2;
  } else if (df == <f64>DF_WS) {
    sr = k; sc = n; perFold = 2 * R + C + m - 2;
  } else {
    sr = k; sc = m; perFold = 2 * R + C + n - 2;
  }
  return Math.ceil(sr / R) * Math.ceil(sc / C) * perFold;
}

// re-read factors of A and B chosen by the last tileFactors() call
let gFa: f64 = 1;
let gFb: f64 = 1;

/** Mapping search at one buffer level (see reference-op.ts tileFactors). */
export function tileFactors(m: f64, n: f64, k: f64, S: f64, R: f64, C: f64, wA: f64, wB: f64): void {
  // 1) output tile tm×tn resident, k streamed in chunks of ck
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
  if (ck == k) {
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
export function arrayAccesses(df: f64, R: f64, C: f64, mm: f64, nn: f64, k: f64, aV: f64, bV: f64, cV: f64): f64 {
  if (df == <f64>DF_OS) return aV * Math.ceil(nn / C) + bV * Math.ceil(mm / R) + cV;
  if (df == <f64>DF_WS) return aV * Math.ceil(nn / C) + bV + cV * Math.ceil(k / R);
  return aV + bV * Math.ceil(mm / C) + cV * Math.ceil(k / R);
}

// cycles per byte at each link (clock / bandwidth; off-chip at its sustained share), set by linkCycles()
let gInvNoc: f64 = 0, gInvGb: f64 = 0, gInvOff: f64 = 0, gInvSlow: f64 = 0;

function linkCycles(d: usize): void {
  const clk = rd(d, D_CLOCK_GHZ);
  gInvNoc = clk / rd(d, D_NOC_GBS);
  gInvGb = clk / rd(d, D_GLOBAL_BUFFER_GBS);
  gInvOff = clk / (rd(d, D_OFFCHIP_GBS) * OFFCHIP_SUSTAINED_FRACTION);
  gInvSlow = Math.max(gInvNoc, Math.max(gInvGb, gInvOff));
}

// the share of the array's peak MAC rate an array op may sustain (setArrayRate; 1: the mapping's folds alone)
let gArrayRate: f64 = 1;

/**
 * The share of each array's peak MAC rate that array ops sustain at most, 0 < f ≤ 1 (a vendor GEMM library's
 * measured rate; see reference-op.ts setRefArrayRate). Out of range means 1.
 */
export function setArrayRate(fraction: f64): void {
  gArrayRate = fraction > 0 && fraction < 1 ? fraction : 1;
}

// the split kept so far by keepSplit(): the fastest of an op's splits, the least energy on ties
let gLat: f64 = 0, gE: f64 = 0, gCompute: f64 = 0, gLocal: f64 = 0, gNoc: f64 = 0, gGb: f64 = 0, gNon: f64 = 0, gOff: f64 = 0;
let gP: f64 = 1, gS: f64 = 0, gBound: f64 = <f64>B_TENSOR, gLive: f64 = 0;

/**
 * Costs one split of a tensor op (any dataflow): cycles = max(compute, each level's traffic / bandwidth) +
 * the non-overlapped part, the argmax is the bound, energy = MACs and each level's bytes at its unit energy.
 * Keeps it when it is the first split (s = 0) or beats the one kept.
 */
function keepSplit(
  d: usize, s: i32, p: f64, liveMacs: f64, compute: f64, local: f64, noc: f64, gb: f64, offChip: f64, nonOverlap: f64,
): void {
  const nocCycles = noc * gInvNoc;
  const gbCycles = gb * gInvGb;
  const offCycles = offChip * gInvOff;
  // no faster than the sustained share of the active arrays' peak (setArrayRate)
  const cmp = gArrayRate < 1 ? Math.max(compute, liveMacs / (p * rd(d, D_TC_ROWS) * rd(d, D_TC_COLS) * gArrayRate)) : compute;
  let top = cmp;
  let bound: f64 = <f64>B_TENSOR;
  if (nocCycles > top) { top = nocCycles; bound = <f64>B_NOC; }
  if (gbCycles > top) { top = gbCycles; bound = <f64>B_GLOBAL; }
  if (offCycles > top) { top = offCycles; bound = <f64>B_OFFCHIP; }
  const lat = top + nonOverlap;
  const energy =
    (liveMacs * rd(d, D_MAC_PJ) + local * rd(d, D_LOCAL_PJ_PER_BYTE) + noc * rd(d, D_NOC_PJ_PER_BYTE) +
      gb * rd(d, D_GLOBAL_PJ_PER_BYTE) + offChip * rd(d, D_OFFCHIP_PJ_PER_BYTE)) * PJ;
  if (s == 0 || lat < gLat || (lat == gLat && energy < gE)) {
    gLat = lat; gE = energy; gCompute = cmp; gLocal = local; gNoc = noc; gGb = gb;
    gNon = nonOverlap; gP = p; gS = <f64>s; gBound = bound; gLive = liveMacs; gOff = offChip;
  }
}

/** Writes the kept split of a tensor op to the result record `r`. */
function writeKept(d: usize, r: usize, macs: f64, offChip: f64): void {
  wr(r, R_CYCLES, gLat);
  wr(r, R_COMPUTE_CYCLES, gCompute);
  wr(r, R_ENERGY_J, gE);
  wr(r, R_BOUND, gBound);
  wr(r, R_LOCAL_BYTES, gLocal);
  wr(r, R_NOC_BYTES, gNoc);
  wr(r, R_GLOBAL_BYTES, gGb);
  wr(r, R_OFFCHIP_BYTES, offChip);
  wr(r, R_NONOVERLAP_CYCLES, gNon);
  wr(r, R_MACS, macs);
  wr(r, R_LIVE_MACS, gLive);
  wr(r, R_CORES_USED, gP);
  wr(r, R_SPLIT, gS);
  wr(r, R_VECTOR_FLOPS, 0);
  wr(r, R_UTILIZATION, gLat > 0 ? macs / (gLat * gP * rd(d, D_TC_ROWS) * rd(d, D_TC_COLS)) : 0);
}

function tensorOp(d: usize, o: usize, cores: f64, r: usize): void {
  const R = rd(d, D_TC_ROWS);
  const C = rd(d, D_TC_COLS);
  const df = rd(d, D_DATAFLOW);
  const e = rd(d, D_ELEMENT_BYTES);
  const b = rd(o, O_B);
  const m = rd(o, O_M);
  const n = rd(o, O_N);
  const k = rd(o, O_K);
  const aV = b * m * k;
  const bV = b * k * n;
  const cV = b * m * n;
  const macs = aV * n;
  linkCycles(d);

  tileFactors(m, n, k, rd(d, D_GLOBAL_BUFFER_BYTES) / e, R, C, aV, bV);
  const offChip = rd(o, O_BYTES) * (e / rd(o, O_ELEMENT_BYTES)) * ((aV * gFa + bV * gFb + cV) / (aV + bV + cV));
  const SL = rd(d, D_LOCAL_BUFFER_BYTES) / e;

  // s = 0, 1, 2: split the batch, the rows or the columns; s ≥ 3: split-K for small outputs (see reference-op.ts)
  const outputTiles = b * Math.ceil(m / R) * Math.ceil(n / C);
  for (let s = 0; s < 3 + SPLIT_K_WAYS; s++) {
    const pk: f64 = s < 3 ? 1 : <f64>(1 << (s - 2));
    if (pk > cores || pk > k || (s >= 3 && outputTiles >= cores)) break;
    const dim = s == 0 ? b : s == 2 ? n : m;
    let p = Math.min(Math.floor(cores / pk), dim);
    const share = Math.ceil(dim / p);
    p = Math.ceil(dim / share) * pk;
    const bb = s == 0 ? share : b;
    const mm = s == 0 || s == 2 ? m : share;
    const nn = s == 2 ? share : n;
    const kk = Math.ceil(k / pk);
    const compute = bb * foldCycles(df, R, C, mm, nn, kk);
    tileFactors(mm, nn, kk, SL, R, C, aV, bV);
    const reduce = 2 * (pk - 1) * cV * PARTIAL_SUM_BYTES;
    const noc = (aV * gFa + bV * gFb + cV) * e + reduce;
    const gb = noc + offChip;
    const local = arrayAccesses(df, R, C, mm, nn, kk, aV, bV, cV) * e + noc;
    const nonOverlap =
      e * (Math.min(mm, R) * Math.min(kk, R) + Math.min(kk, R) * Math.min(nn, C) + Math.min(mm, R) * Math.min(nn, C)) * gInvSlow;
    keepSplit(d, s < 3 ? s : SPLIT_K, p, macs, compute, local, noc, gb, offChip, nonOverlap);
  }
  writeKept(d, r, macs, offChip);
}

/**
 * Row-stationary (Eyeriss) mapping of one tensor op, read as a convolution (see reference-op.ts rsOp, which
 * documents the model; the two are formula for formula the same).
 */
function rsOp(d: usize, o: usize, cores: f64, r: usize): void {
  const R = rd(d, D_TC_ROWS);
  const C = rd(d, D_TC_COLS);
  const e = rd(d, D_ELEMENT_BYTES);
  const b = rd(o, O_B);
  const m = rd(o, O_M);
  const n = rd(o, O_N);
  const k = rd(o, O_K);
  const macs = b * m * n * k;
  let fr = rd(o, O_RS_R), fs: f64 = 1, fe = m, fc = k, fm = n, fn: f64 = 1;
  let vI = b * m * k, vW = b * k * n, vO = b * m * n;
  if (fr > 0) {
    fs = rd(o, O_RS_S); fe = rd(o, O_RS_E); fc = rd(o, O_RS_C); fm = rd(o, O_RS_M); fn = rd(o, O_RS_N);
    vI = rd(o, O_RS_I); vW = rd(o, O_RS_W); vO = rd(o, O_RS_O);
  } else {
    fr = 1;
  }
  linkCycles(d);
  const spadWords = rd(d, D_LOCAL_BUFFER_BYTES) / (R * C) / e;
  const spadTotal = <f64>(RS_SPAD_FILTER_BYTES + RS_SPAD_IFMAP_BYTES + RS_SPAD_PSUM_BYTES);
  const filterWords = spadWords * (<f64>RS_SPAD_FILTER_BYTES / spadTotal);
  const ifmapWords = spadWords * (<f64>RS_SPAD_IFMAP_BYTES / spadTotal);
  const psumWords = spadWords * (<f64>RS_SPAD_PSUM_BYTES / spadTotal);
  // off-chip: each ifmap, filter and ofmap element crosses once
  const offChip = rd(o, O_BYTES) * (e / rd(o, O_ELEMENT_BYTES));

  const rp = Math.min(fr, R);
  const rowFolds = Math.ceil(fr / rp);
  const q = Math.max(1, Math.min(fc, Math.floor(ifmapWords / fs)));
  // elements of one channel's ifmap plane and one filter's ofmap plane, per image (g groups)
  const groups = vW / (fc * fr * fs * fm);
  const planeIn = vI / (fn * fc * groups);
  const planeOut = vO / (fn * fm * groups);
  // zero gating: a zero ifmap value skips its MAC and its filter read and psum read/write (the ifmap read that
  // finds the zero stays), so energy counts live MACs and 1 + 3·live scratchpad accesses per MAC
  const live = 1 - rd(o, O_RS_ZEROS);
  const spadPerMac = 1 + 3 * live;
  for (let s = 0; s < 3; s++) {
    const dim = s == 0 ? fn : s == 1 ? fm : fe;
    let p = Math.min(cores, Math.ceil(dim));
    const share = Math.ceil(dim / p);
    p = Math.ceil(dim / share);
    const mf = s == 1 ? share : fm;
    const ee = s == 2 ? share : fe;
    // logical PE sets of rp × ee: strips of at most C columns, stacked in bands of rp rows
    const strips = Math.ceil(ee / C);
    const bands = Math.floor(R / rp);
    let sets: f64 = 1;
    let active: f64;
    if (strips <= bands) {
      sets = Math.floor(bands / strips);
      active = sets * rp * ee;
    } else {
      active = (rp * ee) / Math.ceil(strips / bands);
    }
    // ofmap rows in flight (as a share of the plane) and the global buffer in elements
    const inFlight = (strips <= bands ? ee : Math.min(ee, bands * C)) / fe;
    const gbWords = rd(d, D_GLOBAL_BUFFER_BYTES) / e;
    // one strip's input rows of one channel, and the ifmap share of the global buffer they must fit (q·r of them)
    const stripIn = planeIn * Math.min(1, (Math.min(ee, C) + rp - 1) / (fe + fr - 1));
    const ifmapCap = RS_GLB_IFMAP_SHARE * gbWords;
    // all the sets, and one set alone (smaller tiles, fewer active PEs, fewer inter-PE psum hops): the faster is kept
    let bestCycles: f64 = -1, compute: f64 = 0, arrayIn: f64 = 0, interPe: f64 = 0;
    const alts = sets > 1 ? 2 : 1;
    for (let alt = 0; alt < alts; alt++) {
      const used = alt == 0 ? sets : 1;
      const rr = Math.max(1, Math.floor(Math.sqrt(used)));
      const tt = Math.max(1, Math.floor(used / rr));
      const ifmapTile = inFlight * rr * planeIn;
      const psumTile = inFlight * tt * planeOut;
      let qk: f64 = 1, passesF = Math.ceil(mf / tt), passesC = Math.ceil(fc / rr) * rowFolds, best: f64 = -1;
      for (let qq = q; qq >= 1; qq = qq > 1 ? Math.max(1, Math.floor(qq / 2)) : 0) {
        if (qq > 1 && qq * rr * stripIn > ifmapCap) continue;
        const pMax = Math.max(1, Math.min(mf, Math.min(Math.floor(filterWords / (qq * fs)), Math.floor(psumWords))));
        const pp = Math.min(pMax, Math.floor((gbWords - qq * ifmapTile) / psumTile));
        if (pp < 1) continue;
        const fP = Math.ceil(mf / (pp * tt));
        const cP = Math.ceil(fc / (qq * rr)) * rowFolds;
        const traffic = vI * fP + vO * (2 * cP - 1);
        if (best < 0 || traffic < best) { best = traffic; qk = qq; passesF = fP; passesC = cP; }
      }
      const c = ((macs * (share / dim)) * (1 + 1 / (qk * fs))) / (active * (used / sets));
      const a = vI * passesF + vW * fn + vO * (2 * passesC - 1);
      const h = vO * passesC * (rr * rp - 1);
      const cycles = Math.max(c, Math.max((a + h) * e * gInvNoc, (a * e + offChip) * gInvGb));
      if (bestCycles < 0 || cycles < bestCycles) { bestCycles = cycles; compute = c; arrayIn = a; interPe = h; }
    }
    const noc = (arrayIn + interPe) * e;
    const gb = arrayIn * e + offChip;
    const local = (spadPerMac * macs + arrayIn) * e;
    const nonOverlap = e * 2 * rp * fs * gInvSlow;
    keepSplit(d, s, p, macs * live, compute, local, noc, gb, offChip, nonOverlap);
  }
  writeKept(d, r, macs, offChip);
}

/** Fused attention (FlashAttention-2) of one op record (see reference-op.ts attnOp, which documents the model). */
function attnOp(d: usize, o: usize, cores: f64, r: usize): void {
  const R = rd(d, D_TC_ROWS);
  const C = rd(d, D_TC_COLS);
  const df = rd(d, D_DATAFLOW);
  const e = rd(d, D_ELEMENT_BYTES);
  const inst = rd(o, O_B);
  const rows = rd(o, O_M);
  const dh = rd(o, O_N);
  const keys = rd(o, O_K);
  const bwd = rd(o, O_ATT_BACKWARD) == 1;
  const live = rd(o, O_ATT_LIVE);
  const vflops = rd(o, O_ATT_VECTOR_FLOPS);
  const macs = inst * rows * keys * live * dh * (bwd ? 5 : 2);
  linkCycles(d);
  const L = rd(d, D_LOCAL_BUFFER_BYTES) / e;
  const a2: f64 = bwd ? 2 : 1;
  const b1: f64 = (bwd ? 6 : 4) * dh;
  const tMax = Math.max(1, Math.floor((Math.sqrt(b1 * b1 + 4 * a2 * L) - b1) / (2 * a2)));
  const lanes = rd(d, D_VECTOR_CORES) * rd(d, D_VECTOR_LANES);
  const compulsory = rd(o, O_BYTES) * (e / rd(o, O_ELEMENT_BYTES));
  const stat = 4 / e;
  const streamed = bwd ? rows * (4 * dh + 2 * stat) : 2 * keys * dh;
  const once = bwd ? 4 * keys * dh : rows * (2 * dh + stat);
  const fitsGb = streamed * e <= rd(d, D_GLOBAL_BUFFER_BYTES);
  let s: i32 = 0;
  for (let T: f64 = 1; T <= tMax; T *= 2) {
    const tq = Math.min(T, rows);
    const tk = Math.min(T, keys);
    const qTiles = Math.ceil(rows / tq);
    const kTiles = Math.ceil(keys / tk);
    const pairCycles = bwd
      ? 2 * foldCycles(df, R, C, tq, tk, dh) + 2 * foldCycles(df, R, C, tk, dh, tq) + foldCycles(df, R, C, tq, dh, tk)
      : foldCycles(df, R, C, tq, tk, dh) + foldCycles(df, R, C, tq, dh, tk);
    const units = inst * (bwd ? kTiles : qTiles);
    let p = Math.min(cores, units);
    const share = Math.ceil(units / p);
    p = Math.ceil(units / share);
    const passes = (bwd ? qTiles : kTiles) * live;
    const compute = Math.max(share * passes * pairCycles, vflops / lanes);
    const repeats = (bwd ? kTiles : qTiles) * live;
    const arraySide = inst * (once + streamed * Math.max(1, repeats)) * e;
    const offChip = compulsory + (fitsGb ? 0 : inst * streamed * Math.max(0, repeats - 1) * e);
    const gb = arraySide + offChip;
    const tileOperands = bwd ? 5 * (tq * tk + tq * dh + tk * dh) : 2 * (tq * tk + tq * dh + tk * dh);
    const local = inst * qTiles * kTiles * live * tileOperands * e + arraySide;
    const nonOverlap = e * (tq + 2 * tk) * dh * gInvSlow;
    keepSplit(d, s, p, macs, compute, local, arraySide, gb, offChip, nonOverlap);
    s++;
  }
  gE += vflops * rd(d, D_VECTOR_OP_PJ) * PJ;
  writeKept(d, r, macs, gOff);
  wr(r, R_VECTOR_FLOPS, vflops);
  wr(r, R_SPLIT, -1);
}

function vectorOp(d: usize, o: usize, r: usize): void {
  const kind = rd(o, O_KIND);
  const scale = kind == <f64>K_OPTIMIZER ? 1.0 : rd(d, D_ELEMENT_BYTES) / rd(o, O_ELEMENT_BYTES);
  const bytes = rd(o, O_BYTES) * scale;
  const flops = rd(o, O_FLOPS);
  const lanes = rd(d, D_VECTOR_CORES) * rd(d, D_VECTOR_LANES);
  const compute = Math.ceil((flops * unchecked(VEC_CYCLES_PER_FLOP[<i32>kind])) / lanes);
  const gb = 2 * bytes;
  linkCycles(d);
  const nocCycles = bytes * gInvNoc;
  const gbCycles = gb * gInvGb;
  const offCycles = bytes * gInvOff;
  let top = compute;
  let bound: f64 = <f64>B_VECTOR;
  if (nocCycles > top) { top = nocCycles; bound = <f64>B_NOC; }
  if (gbCycles > top) { top = gbCycles; bound = <f64>B_GLOBAL; }
  if (offCycles > top) { top = offCycles; bound = <f64>B_OFFCHIP; }
  if (top == 0) bound = <f64>B_NONE;
  const energy =
    (flops * rd(d, D_VECTOR_OP_PJ) + bytes * rd(d, D_NOC_PJ_PER_BYTE) + gb * rd(d, D_GLOBAL_PJ_PER_BYTE) +
      bytes * rd(d, D_OFFCHIP_PJ_PER_BYTE)) * PJ;
  wr(r, R_CYCLES, top);
  wr(r, R_COMPUTE_CYCLES, compute);
  wr(r, R_ENERGY_J, energy);
  wr(r, R_BOUND, bound);
  wr(r, R_LOCAL_BYTES, 0);
  wr(r, R_NOC_BYTES, bytes);
  wr(r, R_GLOBAL_BYTES, gb);
  wr(r, R_OFFCHIP_BYTES, bytes);
  wr(r, R_NONOVERLAP_CYCLES, 0);
  wr(r, R_MACS, 0);
  wr(r, R_LIVE_MACS, 0);
  wr(r, R_CORES_USED, rd(d, D_VECTOR_CORES));
  wr(r, R_SPLIT, -1);
  wr(r, R_VECTOR_FLOPS, flops);
  wr(r, R_UTILIZATION, 0);
}

function networkOp(r: usize): void {
  for (let i = 0; i < RESULT_STRIDE; i++) wr(r, i, 0);
  wr(r, R_BOUND, <f64>B_NETWORK);
  wr(r, R_SPLIT, -1);
}

/** One op record at `o` on the design record at `d` with `cores` tensor cores available; result to `r`. */
export function evalOp(d: usize, o: usize, cores: f64, r: usize): void {
  const unit = rd(o, O_UNIT);
  if (unit == <f64>U_TENSOR) {
    if (rd(o, O_KIND) == <f64>K_ATTENTION) attnOp(d, o, cores, r);
    else if (rd(d, D_DATAFLOW) == <f64>DF_RS) rsOp(d, o, cores, r);
    else tensorOp(d, o, cores, r);
  }
  else if (unit == <f64>U_VECTOR) vectorOp(d, o, r);
  else if (rd(o, O_KIND) == <f64>K_COLLECTIVE) networkOp(r);
  else vectorOp(d, o, r);
}

/** The kernel's sanity check of a design record (full validation lives in src/arch). */
export function designValid(d: usize): bool {
  return (
    rd(d, D_TENSOR_CORES) >= 1 && rd(d, D_TC_ROWS) >= 1 && rd(d, D_TC_COLS) >= 1 &&
    rd(d, D_VECTOR_CORES) * rd(d, D_VECTOR_LANES) >= 1 && rd(d, D_CLOCK_GHZ) > 0 &&
    rd(d, D_NOC_GBS) > 0 && rd(d, D_GLOBAL_BUFFER_GBS) > 0 && rd(d, D_OFFCHIP_GBS) > 0 &&
    rd(d, D_ELEMENT_BYTES) > 0 && rd(d, D_LOCAL_BUFFER_BYTES) >= 0 && rd(d, D_GLOBAL_BUFFER_BYTES) >= 0
  );
}
