/**
 * The per-operator cost model in plain TypeScript: the reference of `assembly/model.ts` and `assembly/step.ts`,
 * formula for formula and in the same order (differential tests demand agreement to 1e-9 relative).
 * Used only by tests and benchmarks; the search runs the WebAssembly kernel.
 *
 * Model (docs/cost-model.md), per op on a design record `d` and an op record `o` (layout.ts):
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
 *  energy = MACs·macPJ + vector flops·vectorOpPJ + Σ level bytes × level pJ/B (clock/control and leakage
 *  power × step time are added per step).
 */
import {
  B_GLOBAL, B_NETWORK, B_NOC, B_NONE, B_OFFCHIP, B_TENSOR, B_VECTOR, D_CLOCK_GHZ, D_DATAFLOW, D_ELEMENT_BYTES,
  D_GLOBAL_BUFFER_BYTES, D_GLOBAL_BUFFER_GBS, D_GLOBAL_PJ_PER_BYTE, D_LOCAL_BUFFER_BYTES, D_LOCAL_PJ_PER_BYTE,
  D_MAC_PJ, D_NOC_GBS, D_NOC_PJ_PER_BYTE, D_OFFCHIP_GBS, D_OFFCHIP_PJ_PER_BYTE, D_TC_COLS, D_TC_ROWS, D_TENSOR_CORES,
  D_VECTOR_CORES, D_VECTOR_LANES, D_VECTOR_OP_PJ, DF_OS, DF_RS, DF_WS, K_COLLECTIVE, K_OPTIMIZER, O_B, O_BYTES,
  O_ELEMENT_BYTES, O_FLOPS, O_K, O_KIND, O_M, O_N, O_UNIT, R_CORES_USED, R_COMPUTE_CYCLES, R_CYCLES, R_ENERGY_J,
  R_GLOBAL_BYTES, R_LIVE_MACS, R_LOCAL_BYTES, R_MACS, R_NOC_BYTES, R_NONOVERLAP_CYCLES, R_OFFCHIP_BYTES, R_SPLIT,
  R_UTILIZATION, R_BOUND, R_VECTOR_FLOPS, RESULT_STRIDE, U_TENSOR, U_VECTOR, VEC_CYCLES_PER_FLOP, O_RS_C, O_RS_E,
  O_RS_I, O_RS_M, O_RS_N, O_RS_O, O_RS_R, O_RS_S, O_RS_W, O_RS_ZEROS, O_ATT_BACKWARD, O_ATT_LIVE, O_ATT_VECTOR_FLOPS,
  K_ATTENTION, SPLIT_K, OFFCHIP_SUSTAINED_FRACTION, RS_SPAD_FILTER_BYTES, RS_SPAD_IFMAP_BYTES, RS_SPAD_PSUM_BYTES, RS_GLB_IFMAP_SHARE,
} from './layout.js';

const PJ = 1e-12;
export { OFFCHIP_SUSTAINED_FRACTION };

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

// cycles per byte at each link (clock / bandwidth; off-chip at its sustained share), set by linkCycles()
let gInvNoc = 0, gInvGb = 0, gInvOff = 0, gInvSlow = 0;

function linkCycles(d: Float64Array, di: number): void {
  const clk = d[di + D_CLOCK_GHZ];
  gInvNoc = clk / d[di + D_NOC_GBS];
  gInvGb = clk / d[di + D_GLOBAL_BUFFER_GBS];
  gInvOff = clk / (d[di + D_OFFCHIP_GBS] * OFFCHIP_SUSTAINED_FRACTION);
  gInvSlow = Math.max(gInvNoc, Math.max(gInvGb, gInvOff));
}

// the share of the array's peak MAC rate an array op may sustain (setRefArrayRate; 1: the mapping's folds alone)
let gArrayRate = 1;

/**
 * The share of each array's peak MAC rate that array ops sustain at most, 0 < f ≤ 1 (1: the folds of the
 * mapping alone). A chip's vendor GEMM library may sustain less than the folds allow (register and shared-memory
 * bandwidth, instruction issue): each split's compute is then at least its live MACs / (cores × R × C × f).
 * Out of range means 1. assembly/model.ts setArrayRate is the kernel's.
 */
export function setRefArrayRate(fraction: number): void {
  gArrayRate = fraction > 0 && fraction < 1 ? fraction : 1;
}

// the split kept so far by keepSplit(): the fastest of an op's splits, the least energy on ties
let gLat = 0, gE = 0, gCompute = 0, gLocal = 0, gNoc = 0, gGb = 0, gNon = 0, gOff = 0;
let gP = 1, gS = 0, gBound = B_TENSOR, gLive = 0;

/**
 * Costs one split of a tensor op (any dataflow): cycles = max(compute, each level's traffic / bandwidth) +
 * the non-overlapped part, the argmax is the bound, energy = MACs and each level's bytes at its unit energy.
 * Keeps it when it is the first split (s = 0) or beats the one kept.
 */
function keepSplit(
  d: Float64Array, di: number, s: number, p: number, liveMacs: number, compute: number, local: number, noc: number, gb: number,
  offChip: number, nonOverlap: number,
): void {
  const nocCycles = noc * gInvNoc;
  const gbCycles = gb * gInvGb;
  const offCycles = offChip * gInvOff;
  // no faster than the sustained share of the active arrays' peak (setRefArrayRate)
  const cmp = gArrayRate < 1 ? Math.max(compute, liveMacs / (p * d[di + D_TC_ROWS] * d[di + D_TC_COLS] * gArrayRate)) : compute;
  let top = cmp;
  let bound = B_TENSOR;
  if (nocCycles > top) { top = nocCycles; bound = B_NOC; }
  if (gbCycles > top) { top = gbCycles; bound = B_GLOBAL; }
  if (offCycles > top) { top = offCycles; bound = B_OFFCHIP; }
  const lat = top + nonOverlap;
  const energy =
    (liveMacs * d[di + D_MAC_PJ] + local * d[di + D_LOCAL_PJ_PER_BYTE] + noc * d[di + D_NOC_PJ_PER_BYTE] +
      gb * d[di + D_GLOBAL_PJ_PER_BYTE] + offChip * d[di + D_OFFCHIP_PJ_PER_BYTE]) * PJ;
  if (s === 0 || lat < gLat || (lat === gLat && energy < gE)) {
    gLat = lat; gE = energy; gCompute = cmp; gLocal = local; gNoc = noc; gGb = gb;
    gNon = nonOverlap; gP = p; gS = s; gBound = bound; gLive = liveMacs; gOff = offChip;
  }
}

/** Writes the kept split of a tensor op to the result record `r`. */
function writeKept(d: Float64Array, di: number, r: Float64Array, ri: number, macs: number, offChip: number): void {
  r[ri + R_CYCLES] = gLat;
  r[ri + R_COMPUTE_CYCLES] = gCompute;
  r[ri + R_ENERGY_J] = gE;
  r[ri + R_BOUND] = gBound;
  r[ri + R_LOCAL_BYTES] = gLocal;
  r[ri + R_NOC_BYTES] = gNoc;
  r[ri + R_GLOBAL_BYTES] = gGb;
  r[ri + R_OFFCHIP_BYTES] = offChip;
  r[ri + R_NONOVERLAP_CYCLES] = gNon;
  r[ri + R_MACS] = macs;
  r[ri + R_LIVE_MACS] = gLive;
  r[ri + R_CORES_USED] = gP;
  r[ri + R_SPLIT] = gS;
  r[ri + R_VECTOR_FLOPS] = 0;
  r[ri + R_UTILIZATION] = gLat > 0 ? macs / (gLat * gP * d[di + D_TC_ROWS] * d[di + D_TC_COLS]) : 0;
}

/** bytes of one partial sum a split-K reduction moves (fp32 accumulators) */
const PARTIAL_SUM_BYTES = 4;
/** split-K ways tried: 2, 4, 8, 16 */
const SPLIT_K_WAYS = 4;

function tensorOp(d: Float64Array, di: number, o: Float64Array, oi: number, cores: number, r: Float64Array, ri: number): void {
  const R = d[di + D_TC_ROWS];
  const C = d[di + D_TC_COLS];
  const df = d[di + D_DATAFLOW];
  const e = d[di + D_ELEMENT_BYTES];
  const b = o[oi + O_B];
  const m = o[oi + O_M];
  const n = o[oi + O_N];
  const k = o[oi + O_K];
  const aV = b * m * k;
  const bV = b * k * n;
  const cV = b * m * n;
  const macs = aV * n;
  linkCycles(d, di);

  tileFactors(m, n, k, d[di + D_GLOBAL_BUFFER_BYTES] / e, R, C, aV, bV);
  const offChip = o[oi + O_BYTES] * (e / o[oi + O_ELEMENT_BYTES]) * ((aV * gFa + bV * gFb + cV) / (aV + bV + cV));
  const SL = d[di + D_LOCAL_BUFFER_BYTES] / e;

  // s = 0, 1, 2: split the batch, the rows or the columns over the cores; s ≥ 3: split-K, the reduction split
  // pk = 2, 4, 8, 16 ways (≤ cores, ≤ k) with the cores left over splitting the rows, tried only when the
  // output has fewer array-sized tiles than there are cores (as cuBLAS picks split-K for small outputs)
  const outputTiles = b * Math.ceil(m / R) * Math.ceil(n / C);
  for (let s = 0; s < 3 + SPLIT_K_WAYS; s++) {
    const pk = s < 3 ? 1 : 2 ** (s - 2);
    if (pk > cores || pk > k || (s >= 3 && outputTiles >= cores)) break;
    const dim = s === 0 ? b : s === 2 ? n : m;
    let p = Math.min(Math.floor(cores / pk), dim);
    const share = Math.ceil(dim / p);
    p = Math.ceil(dim / share) * pk;
    const bb = s === 0 ? share : b;
    const mm = s === 0 || s === 2 ? m : share;
    const nn = s === 2 ? share : n;
    const kk = Math.ceil(k / pk);
    const compute = bb * foldCycles(df, R, C, mm, nn, kk);
    tileFactors(mm, nn, kk, SL, R, C, aV, bV);
    // split-K: pk − 1 of each pk cores sharing an output tile write their fp32 partial sums; one reads and adds them
    const reduce = 2 * (pk - 1) * cV * PARTIAL_SUM_BYTES;
    const noc = (aV * gFa + bV * gFb + cV) * e + reduce;
    const gb = noc + offChip;
    const local = arrayAccesses(df, R, C, mm, nn, kk, aV, bV, cV) * e + noc;
    const nonOverlap =
      e * (Math.min(mm, R) * Math.min(kk, R) + Math.min(kk, R) * Math.min(nn, C) + Math.min(mm, R) * Math.min(nn, C)) * gInvSlow;
    keepSplit(d, di, s < 3 ? s : SPLIT_K, p, macs, compute, local, noc, gb, offChip, nonOverlap);
  }
  writeKept(d, di, r, ri, macs, offChip);
}

/**
 * Row-stationary (Eyeriss, Chen et al., JSSC 2017 §IV) mapping of one tensor op, read as a convolution
 * (layout.ts O_RS_*: filter rows R, row length S, ofmap rows E, channels Cc, filters M, images N; ifmap, filter
 * and ofmap volumes I, W, O). Array rows × cols, each PE's share of the local buffer split into filter, ifmap
 * and psum scratchpads (RS_SPAD_*), e bytes per element.
 *  - split over p ≤ cores tensor cores along images, filters or ofmap rows (the one that finishes earliest);
 *  - a logical PE set is r' × E' PEs (r' = min(R, rows); filters taller than the array fold their rows,
 *    rowFolds = ⌈R / rows⌉); sets wider than the array are cut into strips of ≤ cols columns stacked in
 *    bands of r' rows; sets = ⌊bands / strips⌋ when a set fits (active PEs = sets·r'·E'), else one set runs
 *    in ⌈strips / bands⌉ passes (active PEs = r'·E' / passes);
 *  - per PE pass: at most q = ⌊ifmap spad / S⌋ channels (≥ 1, ≤ Cc) and p = ⌊filter spad / (q·S)⌋ filters
 *    (≥ 1, ≤ psum spad, ≤ M); the sets split into rr = ⌊√sets⌋ on different channels and tt = ⌊sets / rr⌋ on
 *    different filters; filter passes ⌈M'/(p·tt)⌉, channel passes ⌈Cc/(q·rr)⌉·rowFolds;
 *  - global-buffer capacity: a pass holds its ifmap tile (rr·q channels) and its psum tile (tt·p filters) for
 *    the ofmap rows in flight (all E' rows when the sets fit, else bands·cols of them) in the global buffer;
 *    each core's pass is bounded by the whole buffer (dividing it among the cores made one more core slow a
 *    layer down by up to 2.1×, where a mapper would use fewer cores). Per channel and image the tile is
 *    (rows in flight / E) of the ifmap plane I / (N·Cc·g), per filter and image of the ofmap plane
 *    O / (N·M·g), g = W / (Cc·R·S·M) groups. For q from its spad bound, halving down to 1, p is the largest
 *    that fits; the (q, p) with the least array traffic is kept (q = p = 1 when nothing fits). Large feature
 *    maps thus run fewer channels and filters per pass and send their psums through the global buffer more
 *    often. When several sets share the array, the same is done for one set alone (smaller tiles, 1/sets of
 *    the active PEs, fewer inter-PE psum hops) and the one with fewer cycles (compute, NoC, global buffer) is
 *    kept;
 *  - compute cycles = MACs' × (1 + 1/(q·S)) / active PEs (one psum accumulation cycle per q·S MACs);
 *  - traffic (elements): array ↔ global buffer = I·filter passes (ifmaps multicast to the sets) + W·N
 *    (filters re-delivered for each image) + O·(2·channel passes − 1) (psums in and out between passes);
 *    inter-PE psum hops O·channel passes·(rr·r' − 1); NoC = both; global buffer = array side + off-chip
 *    fills; scratchpads = 4 accesses per MAC (ifmap, filter, psum read and write) + the fills, of which a
 *    zero ifmap value (share O_RS_ZEROS) keeps only the ifmap read and skips its MAC (zero gating); off-chip =
 *    the op's bytes at the design's precision (I + W + O: each element crosses once, with no capacity term);
 *  - cycles = max(compute, NoC/bw, global/bw, off-chip/bw) + the first ifmap and filter rows of a set
 *    (2·r'·S elements) at the slowest link; energy as for the systolic dataflows (keepSplit; the local
 *    level is priced per scratchpad size).
 */
function rsOp(d: Float64Array, di: number, o: Float64Array, oi: number, cores: number, r: Float64Array, ri: number): void {
  const R = d[di + D_TC_ROWS];
  const C = d[di + D_TC_COLS];
  const e = d[di + D_ELEMENT_BYTES];
  const b = o[oi + O_B];
  const m = o[oi + O_M];
  const n = o[oi + O_N];
  const k = o[oi + O_K];
  const macs = b * m * n * k;
  let fr = o[oi + O_RS_R], fs = 1, fe = m, fc = k, fm = n, fn = 1;
  let vI = b * m * k, vW = b * k * n, vO = b * m * n;
  if (fr > 0) {
    fs = o[oi + O_RS_S]; fe = o[oi + O_RS_E]; fc = o[oi + O_RS_C]; fm = o[oi + O_RS_M]; fn = o[oi + O_RS_N];
    vI = o[oi + O_RS_I]; vW = o[oi + O_RS_W]; vO = o[oi + O_RS_O];
  } else {
    fr = 1;
  }
  linkCycles(d, di);
  const spadWords = d[di + D_LOCAL_BUFFER_BYTES] / (R * C) / e;
  const spadTotal = (RS_SPAD_FILTER_BYTES + RS_SPAD_IFMAP_BYTES + RS_SPAD_PSUM_BYTES);
  const filterWords = spadWords * (RS_SPAD_FILTER_BYTES / spadTotal);
  const ifmapWords = spadWords * (RS_SPAD_IFMAP_BYTES / spadTotal);
  const psumWords = spadWords * (RS_SPAD_PSUM_BYTES / spadTotal);
  // off-chip: each ifmap, filter and ofmap element crosses once
  const offChip = o[oi + O_BYTES] * (e / o[oi + O_ELEMENT_BYTES]);

  const rp = Math.min(fr, R);
  const rowFolds = Math.ceil(fr / rp);
  const q = Math.max(1, Math.min(fc, Math.floor(ifmapWords / fs)));
  // elements of one channel's ifmap plane and one filter's ofmap plane, per image (g groups)
  const groups = vW / (fc * fr * fs * fm);
  const planeIn = vI / (fn * fc * groups);
  const planeOut = vO / (fn * fm * groups);
  // zero gating: a zero ifmap value skips its MAC and its filter read and psum read/write (the ifmap read that
  // finds the zero stays), so energy counts live MACs and 1 + 3·live scratchpad accesses per MAC
  const live = 1 - o[oi + O_RS_ZEROS];
  const spadPerMac = 1 + 3 * live;
  for (let s = 0; s < 3; s++) {
    const dim = s === 0 ? fn : s === 1 ? fm : fe;
    let p = Math.min(cores, Math.ceil(dim));
    const share = Math.ceil(dim / p);
    p = Math.ceil(dim / share);
    const mf = s === 1 ? share : fm;
    const ee = s === 2 ? share : fe;
    // logical PE sets of rp × ee: strips of at most C columns, stacked in bands of rp rows
    const strips = Math.ceil(ee / C);
    const bands = Math.floor(R / rp);
    let sets = 1;
    let active;
    if (strips <= bands) {
      sets = Math.floor(bands / strips);
      active = sets * rp * ee;
    } else {
      active = (rp * ee) / Math.ceil(strips / bands);
    }
    // ofmap rows in flight (as a share of the plane) and the global buffer in elements
    const inFlight = (strips <= bands ? ee : Math.min(ee, bands * C)) / fe;
    const gbWords = d[di + D_GLOBAL_BUFFER_BYTES] / e;
    // one strip's input rows (at most C ofmap rows plus the R − 1 halo) of one channel; the q·r channels of a pass
    // must fit the ifmap share of the global buffer (RS_GLB_IFMAP_SHARE; q = 1 always runs)
    const stripIn = planeIn * Math.min(1, (Math.min(ee, C) + rp - 1) / (fe + fr - 1));
    const ifmapCap = RS_GLB_IFMAP_SHARE * gbWords;
    // all the sets, and one set alone (smaller tiles, fewer active PEs, fewer inter-PE psum hops): the faster is kept
    let bestCycles = -1, compute = 0, arrayIn = 0, interPe = 0;
    for (let alt = 0; alt < (sets > 1 ? 2 : 1); alt++) {
      const used = alt === 0 ? sets : 1;
      const rr = Math.max(1, Math.floor(Math.sqrt(used)));
      const tt = Math.max(1, Math.floor(used / rr));
      const ifmapTile = inFlight * rr * planeIn;
      const psumTile = inFlight * tt * planeOut;
      let qk = 1, passesF = Math.ceil(mf / tt), passesC = Math.ceil(fc / rr) * rowFolds, best = -1;
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
      const cycles = Math.max(c, (a + h) * e * gInvNoc, (a * e + offChip) * gInvGb);
      if (bestCycles < 0 || cycles < bestCycles) { bestCycles = cycles; compute = c; arrayIn = a; interPe = h; }
    }
    const noc = (arrayIn + interPe) * e;
    const gb = arrayIn * e + offChip;
    const local = (spadPerMac * macs + arrayIn) * e;
    const nonOverlap = e * 2 * rp * fs * gInvSlow;
    keepSplit(d, di, s, p, macs * live, compute, local, noc, gb, offChip, nonOverlap);
  }
  writeKept(d, di, r, ri, macs, offChip);
}

/**
 * Fused attention (FlashAttention-2) of one op record (layout.ts O_ATT_*): O_B instances (batch × key/value
 * heads), each O_M query rows (query heads of the group × query length) over O_K keys of head dim O_N.
 *  - tiles: square T × T score tiles whose working set fits one core's local buffer (L elements): forward
 *    T² + 4·T·d (score tile; q, k, v and output tiles), backward 2·T² + 6·T·d (scores and their gradient; q,
 *    dO, k, v, dk, dv tiles); T runs over 1, 2, 4, … up to that limit and the fastest is kept (big tiles
 *    stream less, small ones give more cores work), so a design with too little buffer pays in traffic;
 *  - forward: each query tile streams every key/value tile (FlashAttention-2's outer loop over query tiles);
 *    backward: each key/value tile streams every query tile, accumulating dk and dv on chip and dq in the
 *    global buffer (read and written per pass); a causal mask skips the masked tiles (share O_ATT_LIVE);
 *  - compute = the tile GEMMs on the array (forward Q·Kᵀ and P·V; backward Q·Kᵀ, dO·Vᵀ, Pᵀ·dO, dSᵀ·Q, dS·K),
 *    split over the cores by independent tiles (query tiles forward, key tiles backward), or the softmax's
 *    vector FLOPs on all vector lanes if that takes longer;
 *  - traffic: the array side moves the non-streamed operands once and the streamed ones once per pass, plus
 *    the row statistics (fp32); off-chip moves the op's bytes once, and the re-streaming too when one
 *    instance's streamed operands do not fit the global buffer;
 *  - energy as keepSplit, plus the vector FLOPs at the vector-lane energy.
 */
function attnOp(d: Float64Array, di: number, o: Float64Array, oi: number, cores: number, r: Float64Array, ri: number): void {
  const R = d[di + D_TC_ROWS];
  const C = d[di + D_TC_COLS];
  const df = d[di + D_DATAFLOW];
  const e = d[di + D_ELEMENT_BYTES];
  const inst = o[oi + O_B];
  const rows = o[oi + O_M];
  const dh = o[oi + O_N];
  const keys = o[oi + O_K];
  const bwd = o[oi + O_ATT_BACKWARD] === 1;
  const live = o[oi + O_ATT_LIVE];
  const vflops = o[oi + O_ATT_VECTOR_FLOPS];
  const macs = inst * rows * keys * live * dh * (bwd ? 5 : 2);
  linkCycles(d, di);
  // the largest square tile whose working set fits one core's local buffer
  const L = d[di + D_LOCAL_BUFFER_BYTES] / e;
  const a2 = bwd ? 2 : 1;
  const b1 = (bwd ? 6 : 4) * dh;
  const tMax = Math.max(1, Math.floor((Math.sqrt(b1 * b1 + 4 * a2 * L) - b1) / (2 * a2)));
  const lanes = d[di + D_VECTOR_CORES] * d[di + D_VECTOR_LANES];
  const compulsory = o[oi + O_BYTES] * (e / o[oi + O_ELEMENT_BYTES]);
  const stat = 4 / e;
  const streamed = bwd ? rows * (4 * dh + 2 * stat) : 2 * keys * dh;
  const once = bwd ? 4 * keys * dh : rows * (2 * dh + stat);
  const fitsGb = streamed * e <= d[di + D_GLOBAL_BUFFER_BYTES];
  // tile sides 1, 2, 4, … up to the buffer's limit (a power-of-two ladder, so more buffer only adds choices)
  for (let T = 1, s = 0; T <= tMax; T *= 2, s++) {
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
    keepSplit(d, di, s, p, macs, compute, local, arraySide, gb, offChip, nonOverlap);
  }
  gE += vflops * d[di + D_VECTOR_OP_PJ] * PJ;
  writeKept(d, di, r, ri, macs, gOff);
  r[ri + R_VECTOR_FLOPS] = vflops;
  r[ri + R_SPLIT] = -1;
}

function vectorOp(d: Float64Array, di: number, o: Float64Array, oi: number, r: Float64Array, ri: number): void {
  const kind = o[oi + O_KIND];
  const scale = kind === K_OPTIMIZER ? 1 : d[di + D_ELEMENT_BYTES] / o[oi + O_ELEMENT_BYTES];
  const bytes = o[oi + O_BYTES] * scale;
  const flops = o[oi + O_FLOPS];
  const lanes = d[di + D_VECTOR_CORES] * d[di + D_VECTOR_LANES];
  const compute = Math.ceil((flops * VEC_CYCLES_PER_FLOP[kind]) / lanes);
  const gb = 2 * bytes;
  linkCycles(d, di);
  const nocCycles = bytes * gInvNoc;
  const gbCycles = gb * gInvGb;
  const offCycles = bytes * gInvOff;
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
  r[ri + R_LIVE_MACS] = 0;
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
  if (unit === U_TENSOR) {
    if (o[oi + O_KIND] === K_ATTENTION) attnOp(d, di, o, oi, cores, r, ri);
    else if (d[di + D_DATAFLOW] === DF_RS) rsOp(d, di, o, oi, cores, r, ri);
    else tensorOp(d, di, o, oi, cores, r, ri);
  }
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
