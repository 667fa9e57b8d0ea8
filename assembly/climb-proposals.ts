/**
 * The moves of a kernel climb: critical-path proposals (grow the dominant resources, pay with the least
 * critical), the full one-step neighbourhood, and the array shapes that fit the critical GEMMs.
 */
import { lf, li, sf, si } from './mem';
import { foldCycles } from './model';
import { costedAreaMm2, costedTdpW } from './design-cost';
import { MAXP, gCur, gCurNShapes, gCurShapes, gCurShare, gDesign, gNProp, gProp, gRanked, gRankedShare, gTmp } from './climb-state';
import {
  CHOICE_PARAMS as NP, CLIMB_RESOURCES as NRES, P_DATAFLOW, P_PRECISION, P_TC_COLS, P_TC_ROWS, P_TENSOR_CORES, RES_STRIDE, SH_B, SH_K, SH_M, SH_N,
  SH_STRIDE, SH_WEIGHT, SHAPES_PER_WL,
} from './climb-layout';
import { SHAPE_MOVES, designOf, gAxis, gCounts, gRes, valueOf } from './climb-space';
import { gAreaLimit, gNGraphs, gTdpLimit } from './climb-workloads';

// ---------------------------------------------------------------------------------------------
// proposals
// ---------------------------------------------------------------------------------------------
/** Copies `src` into proposal slot gNProp with parameter p moved by delta; false when p is no axis or at an end. */
export function pushMoved(src: usize, p: i32, delta: i32): bool {
  if (li(gAxis, p) == 0) return false;
  const v = li(src, p) + delta;
  if (v < 0 || v >= li(gCounts, p)) return false;
  if (gNProp >= MAXP) return false;
  const dst = gProp + (<usize>(gNProp * NP) << 2);
  memory.copy(dst, src, <usize>NP << 2);
  si(dst, p, v);
  gNProp++;
  return true;
}

export function resCount(r: i32): i32 { return li(gRes, r * RES_STRIDE); }
export function resParam(r: i32, j: i32): i32 { return li(gRes, r * RES_STRIDE + 1 + j); }

export function budgetOk(c: usize): bool {
  designOf(c, gDesign);
  return costedAreaMm2() <= gAreaLimit && costedTdpW() <= gTdpLimit;
}

export function copyShapes(dst: usize, dstN: usize, src: usize, srcN: usize): void {
  memory.copy(dst, src, <usize>(gNGraphs * SHAPES_PER_WL * SH_STRIDE) << 3);
  memory.copy(dstN, srcN, <usize>gNGraphs << 2);
}

/**
 * Estimated critical tensor time of the current design's critical GEMMs on `cores` arrays of R × C, relative
 * weights as recorded: Σ weight × SCALE-Sim fold cycles of the per-core GEMM (the b·m output rows split over
 * the cores) on R × C, for the design's dataflow.
 */
export function shapeTime(cores: f64, R: f64, C: f64, df: f64): f64 {
  let t: f64 = 0;
  for (let w = 0; w < gNGraphs; w++) {
    const base = gCurShapes + (<usize>(w * SHAPES_PER_WL * SH_STRIDE) << 3);
    const ns = li(gCurNShapes, w);
    for (let q = 0; q < ns; q++) {
      const r = base + (<usize>(q * SH_STRIDE) << 3);
      const rows = Math.ceil((lf(r, SH_B) * lf(r, SH_M)) / cores);
      t += lf(r, SH_WEIGHT) * foldCycles(df, R, C, rows, lf(r, SH_N), lf(r, SH_K));
    }
  }
  return t;
}

/**
 * Array shapes chosen from the critical GEMMs' dimensions: every rows × cols pair of the space, with the core
 * count that keeps the design's processing elements (the nearest value of the space; the same count when
 * tensorCores is no axis), ranked by shapeTime against the current shape; the two best that shorten it by
 * more than 2% are proposed (in that order). Part of the full neighbourhood: as a critical-path move it pulled
 * climbs into worse optima on the `small` space (bench/quality.mjs), as an escape it lifts BERT-base from 99.8%
 * to 100%.
 */
export function shapeProposals(): void {
  const rAxis = li(gAxis, P_TC_ROWS) != 0, cAxis = li(gAxis, P_TC_COLS) != 0;
  if (!rAxis && !cAxis) return;
  if (li(gCounts, P_TC_ROWS) > 63 || li(gCounts, P_TC_COLS) > 63 || li(gCounts, P_TENSOR_CORES) > 63) return; // the encoding below
  const K = valueOf(P_TENSOR_CORES, li(gCur, P_TENSOR_CORES));
  const R = valueOf(P_TC_ROWS, li(gCur, P_TC_ROWS));
  const C = valueOf(P_TC_COLS, li(gCur, P_TC_COLS));
  const df = valueOf(P_DATAFLOW, li(gCur, P_DATAFLOW));
  const now = shapeTime(K, R, C, df);
  if (!(now > 0)) return;
  let b1 = -1, b2 = -1; // encoded (ri × 64 + ci) × 64 + ki
  let t1: f64 = Infinity, t2: f64 = Infinity;
  const nr = rAxis ? li(gCounts, P_TC_ROWS) : 1;
  const nc = cAxis ? li(gCounts, P_TC_COLS) : 1;
  for (let ri = 0; ri < nr; ri++) {
    const r = rAxis ? ri : li(gCur, P_TC_ROWS);
    const Rv = valueOf(P_TC_ROWS, r);
    for (let ci = 0; ci < nc; ci++) {
      const c = cAxis ? ci : li(gCur, P_TC_COLS);
      const Cv = valueOf(P_TC_COLS, c);
      if (Rv == R && Cv == C) continue;
      // the core count of the space nearest (in log) to the same number of processing elements
      let k = li(gCur, P_TENSOR_CORES);
      if (li(gAxis, P_TENSOR_CORES) != 0) {
        const target = Math.log((K * R * C) / (Rv * Cv));
        let bestD: f64 = Infinity;
        for (let ki = 0; ki < li(gCounts, P_TENSOR_CORES); ki++) {
          const dd = Math.abs(Math.log(valueOf(P_TENSOR_CORES, ki)) - target);
          if (dd < bestD - 1e-12) { bestD = dd; k = ki; }
        }
      }
      const t = shapeTime(valueOf(P_TENSOR_CORES, k), Rv, Cv, df);
      if (!(t < now * 0.98)) continue;
      const code = (r * 64 + c) * 64 + k;
      if (t < t1) { t2 = t1; b2 = b1; t1 = t; b1 = code; }
      else if (t < t2) { t2 = t; b2 = code; }
    }
  }
  for (let j = 0; j < SHAPE_MOVES; j++) {
    const code = j == 0 ? b1 : b2;
    if (code < 0 || gNProp >= MAXP) continue;
    const dst = gProp + (<usize>(gNProp * NP) << 2);
    memory.copy(dst, gCur, <usize>NP << 2);
    si(dst, P_TENSOR_CORES, code & 63);
    si(dst, P_TC_COLS, (code >> 6) & 63);
    si(dst, P_TC_ROWS, code >> 12);
    gNProp++;
  }
}

/** Critical-path proposals from the current design (same order as wham.ts cpProposals). */
export function cpProposals(): void {
  gNProp = 0;
  // resources with an axis among their parameters, by critical-path share (descending, stable)
  let nr = 0;
  for (let r = 0; r < NRES; r++) {
    let any = false;
    for (let j = 0; j < resCount(r); j++) if (li(gAxis, resParam(r, j)) != 0) any = true;
    if (!any) continue;
    const s = lf(gCurShare, r);
    let pos = nr;
    while (pos > 0 && lf(gRankedShare, pos - 1) < s) {
      si(gRanked, pos, li(gRanked, pos - 1));
      sf(gRankedShare, pos, lf(gRankedShare, pos - 1));
      pos--;
    }
    si(gRanked, pos, r);
    sf(gRankedShare, pos, s);
    nr++;
  }
  if (nr == 0) return;
  const nGrow = min(2, nr);
  const nLeast = min(2, nr);
  for (let gi = 0; gi < nGrow; gi++) {
    const r = li(gRanked, gi);
    for (let j = 0; j < resCount(r); j++) {
      const p = resParam(r, j);
      // the grown design, built in gTmp
      if (li(gAxis, p) == 0) continue;
      const v = li(gCur, p) + 1;
      if (v >= li(gCounts, p)) continue;
      memory.copy(gTmp, gCur, <usize>NP << 2);
      si(gTmp, p, v);
      if (budgetOk(gTmp)) {
        pushMoved(gTmp, p, 0);
        continue;
      }
      for (let l = 0; l < nLeast; l++) {
        const lr = li(gRanked, nr - 1 - l);
        for (let k = 0; k < resCount(lr); k++) {
          const q = resParam(lr, k);
          if (q == p) continue;
          pushMoved(gTmp, q, -1);
        }
      }
    }
  }
  for (let l = 0; l < nLeast; l++) {
    const lr = li(gRanked, nr - 1 - l);
    for (let k = 0; k < resCount(lr); k++) pushMoved(gCur, resParam(lr, k), -1);
  }
  for (let o = 0; o < 2; o++) {
    const p = o == 0 ? P_DATAFLOW : P_PRECISION;
    if (li(gAxis, p) == 0) continue;
    for (let v = 0; v < li(gCounts, p); v++) {
      if (v == li(gCur, p) || gNProp >= MAXP) continue;
      const dst = gProp + (<usize>(gNProp * NP) << 2);
      memory.copy(dst, gCur, <usize>NP << 2);
      si(dst, p, v);
      gNProp++;
    }
  }
}

/** Every axis one step down and up (wham.ts fullProposals). */
export function fullProposals(): void {
  gNProp = 0;
  for (let p = 0; p < NP; p++) {
    pushMoved(gCur, p, -1);
    pushMoved(gCur, p, +1);
  }
  shapeProposals();
}

