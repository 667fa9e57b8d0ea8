/**
 * Critical-path tightening inside the kernel (docs/search.md): one WHAM climb from a start design, with the
 * moves of src/search/wham.ts, evaluating every design with the same code path as `evaluateSteps`.
 *
 * Set once per search (the host writes typed arrays into linear memory, these functions copy or keep them):
 *  - tightenSetTech: the technology constants (climb-layout.ts T_*; src/engine/climb-layout.ts techRecord
 *    builds them from src/arch/tech.ts) for area, TDP and unit energies (port of src/arch/cost.ts, formula for formula);
 *  - tightenSetSpace: per parameter (SPACE_PARAMS order) its values (precision, dataflow as codes, technology
 *    in nm), which parameters are axes, the ties, and the parameters of each resource (RESOURCE_PARAMS);
 *  - tightenSetObjective: objective id (OBJECTIVES order) and the area / TDP limits;
 *  - tightenAddGraph: one workload's graph (kept in host memory), batch and training-state bytes.
 * Then `climb(start, maxEvals, topK, log)` runs one climb:
 *  1. evaluate the start; infeasible → done;
 *  2. critical-path proposals from the current design's scheduled critical path split by bound: grow every
 *     parameter of the two dominant resources one step; a grow over the area/TDP budget is paired with a
 *     one-step shrink of each parameter of the two least critical resources; shrink those alone; the other
 *     dataflows and precisions;
 *  3. keep proposals not seen in this climb and inside the budget; evaluate them in order; accept the best
 *     if it improves the score, back to 2;
 *  4. when none improves, the full one-step neighbourhood (every axis ±1) and the two array shapes that best
 *     fit the critical GEMMs (shapeProposals: rows × cols with the processing elements kept); improving → 2,
 *     else a local optimum: done. Also done after `maxEvals` evaluations (a prefix of the uncapped climb).
 * Results (read by the host after the call): a header, the top-k distinct designs by score, the trace of
 * designs that raised the climb's best score, and (if asked) a log of every evaluated design. Layouts: H_*,
 * REC_*, RW_* of climb-layout.ts (the second layout pair, mirror of src/engine/climb-layout.ts).
 *
 * One ranking: each climb keeps its k best records (offerTop) by the host's rank (TopK in src/search/strategy.ts:
 * score, then smaller area, TDP and off-chip capacity; full ties keep the earlier evaluation), and the host's
 * TopK merges the climbs. The climb's cut is a filter that can only drop what TopK would drop too, so the merged
 * top-k is TopK over every evaluated design (tested in test/tighten.test.ts). Shipping every evaluated design to
 * the host instead costs nothing with a score pre-filter (resnet18, large, 4,000 evaluations, one thread: 0.313 s
 * against 0.312 s) but moves records for nothing. Until this version the cut ranked by score alone (ties: the
 * earlier evaluation), so a design that tied on score but cost more area could hold a slot TopK would give to the
 * cheaper one (resnet18, large, seed 2: 4 of 5 top-k designs differed).
 *
 * The climb's concerns live in their own modules: climb-space.ts (the space, a choice's design record),
 * climb-workloads.ts (objective, limits, graphs), climb-state.ts (the climb's buffers and results),
 * climb-proposals.ts (the moves); this file runs the climb and keeps its records.
 */
import { D_OFFCHIP_BYTES, DESIGN_STRIDE, S_CP_BOUND_CYCLES, S_CYCLES, S_ENERGY_J, S_TIME_S, S_VALID, STEP_STRIDE } from './layout';
import { allocF64, allocI32, lf, li, sf, si } from './mem';
import { evaluateSteps } from './step';
import { criticalTensorShapes } from './schedule';
import { costedAreaMm2, costedTdpW, techLoaded } from './design-cost';
import { MAXP, gBatchBest, gBestGoodness, gBestNShapes, gBestScore, gBestShapes, gBestShare, gCur, gCurNShapes, gCurRec, gCurScore, gCurShapes, gCurShare, gDesign, gEvals, gGoodCap, gHead, gInfeasible, gKept, gLog, gLogCap, gMaxSlots, gNLog, gNProp, gNShapes, gNTop, gNTrace, gProp, gRanked, gRankedShare, gRec, gRecStride, gShapes, gShapesCap, gShare, gSlotScratch, gSlotScratchCap, gStep, gTmp, gTop, gTopCap, gTrace, gTraceCap } from './climb-state';
import {
  CHOICE_PARAMS as NP, CLIMB_RESOURCES as NRES, H_BEST_GOODNESS, H_CONSIDERED, H_EVALUATIONS, H_FINAL_CHOICE, H_FINAL_SCORE, H_INFEASIBLE,
  H_LOCAL_OPTIMUM, H_NLOG, H_NTOP, H_NTRACE, H_RECORD_STRIDE, REC_AREA_MM2, REC_CHOICE, REC_EVAL, REC_EVALUATED, REC_FEASIBLE, REC_HEAD,
  REC_OFFCHIP_BYTES, REC_SCORE, REC_TDP_W, RW_ENERGY_J, RW_FITS, RW_STRIDE, RW_TIME_S, RW_VALID, SH_STRIDE, SH_WEIGHT, SHAPES_PER_WL,
} from './climb-layout';
import { designOf, ensureScratch, gCounts } from './climb-space';
import { G_STRIDE, gAreaLimit, gGraphs, gNGraphs, gTdpLimit, goodnessOf, tightenAddGraph, tightenSetObjective, useGraph } from './climb-workloads';
import { copyShapes, cpProposals, fullProposals, shapeProposals } from './climb-proposals';



// seen set: open addressing over choices, entries stamped with the climb's generation
let gSeen: usize = 0; // i32 [cap × (NP + 1)]
let gSeenCap: i32 = 0;
let gSeenN: i32 = 0;
let gSeenGen: i32 = 0;

function hashChoice(c: usize): u32 {
  let h: u32 = 2166136261;
  for (let p = 0; p < NP; p++) {
    h ^= <u32>li(c, p);
    h *= 16777619;
  }
  h ^= h >> 15;
  h *= 0x2c1b3c6d;
  h ^= h >> 12;
  return h;
}

function seenSlot(table: usize, cap: i32, c: usize): i32 {
  let i = <i32>(hashChoice(c) & <u32>(cap - 1));
  while (true) {
    const e = table + (<usize>(i * (NP + 1)) << 2);
    if (li(e, NP) != gSeenGen) return i;
    let same = true;
    for (let p = 0; p < NP; p++) if (li(e, p) != li(c, p)) { same = false; break; }
    if (same) return i;
    i = (i + 1) & (cap - 1);
  }
  return -1;
}

/** Adds a choice to this climb's seen set; false when it was there already. */
function seenAdd(c: usize): bool {
  if ((gSeenN + 1) * 2 > gSeenCap) {
    const oldCap = gSeenCap;
    const old = gSeen;
    const cap = oldCap == 0 ? 1024 : oldCap * 2;
    gSeen = allocI32(cap * (NP + 1));
    memory.fill(gSeen, 0, <usize>(cap * (NP + 1)) << 2);
    gSeenCap = cap;
    for (let i = 0; i < oldCap; i++) {
      const e = old + (<usize>(i * (NP + 1)) << 2);
      if (li(e, NP) != gSeenGen) continue;
      const j = seenSlot(gSeen, cap, e);
      memory.copy(gSeen + (<usize>(j * (NP + 1)) << 2), e, <usize>(NP + 1) << 2);
    }
  }
  const i = seenSlot(gSeen, gSeenCap, c);
  const e = gSeen + (<usize>(i * (NP + 1)) << 2);
  if (li(e, NP) == gSeenGen) return false;
  memory.copy(e, c, <usize>NP << 2);
  si(e, NP, gSeenGen);
  gSeenN++;
  return true;
}

function ensureClimbBuffers(nm: i32, topK: i32): void {
  ensureScratch();
  if (gStep == 0) {
    gStep = allocF64(STEP_STRIDE);
    gCur = allocI32(NP);
    gTmp = allocI32(NP);
    gCurShare = allocF64(NRES);
    gBestShare = allocF64(NRES);
    gShare = allocF64(NRES);
    gRanked = allocI32(NRES);
    gRankedShare = allocF64(NRES);
    gDesign = allocF64(DESIGN_STRIDE);
    gProp = allocI32(MAXP * NP);
    gKept = allocI32(MAXP * NP);
  }
  const stride = REC_HEAD + NP + RW_STRIDE * nm;
  if (stride != gRecStride || gRec == 0) {
    gRecStride = stride;
    gRec = allocF64(stride);
    gCurRec = allocF64(stride);
    gBatchBest = allocF64(stride);
    gTopCap = 0;
    gTraceCap = 0;
    gLogCap = 0;
  }
  if (nm > gGoodCap) {
    gBestGoodness = allocF64(nm);
    gHead = allocF64(H_BEST_GOODNESS + nm);
    gGoodCap = nm;
  }
  if (gHead == 0) gHead = allocF64(H_BEST_GOODNESS + max(nm, 1));
  if (topK > gTopCap) {
    gTop = allocF64((topK + 1) * gRecStride);
    gTopCap = topK;
  }
  if (nm > gShapesCap) {
    const sz = nm * SHAPES_PER_WL * SH_STRIDE;
    gShapes = allocF64(sz);
    gBestShapes = allocF64(sz);
    gCurShapes = allocF64(sz);
    gNShapes = allocI32(nm);
    gBestNShapes = allocI32(nm);
    gCurNShapes = allocI32(nm);
    gShapesCap = nm;
  }
  if (gMaxSlots > gSlotScratchCap) {
    gSlotScratch = allocF64(gMaxSlots);
    gSlotScratchCap = gMaxSlots;
  }
  if (gTraceCap == 0) {
    gTraceCap = 64;
    gTrace = allocF64(gTraceCap * gRecStride);
  }
}

/** Appends the record at gRec to a growable list; returns the (possibly moved) list. */
function appendRecord(list: usize, n: i32, cap: i32, isLog: bool): usize {
  let l = list;
  if (n >= cap) {
    const c = max(cap * 2, 64);
    l = allocF64(c * gRecStride);
    if (n > 0) memory.copy(l, list, <usize>(n * gRecStride) << 3);
    if (isLog) gLogCap = c;
    else gTraceCap = c;
  }
  memory.copy(l + (<usize>(n * gRecStride) << 3), gRec, <usize>gRecStride << 3);
  return l;
}

/**
 * Whether record `a` ranks before record `b`: higher score, then smaller area, TDP and off-chip capacity, the
 * ranking of the host's TopK (src/search/strategy.ts ranksBefore), so a climb keeps the k designs TopK would.
 */
function ranksBefore(a: usize, b: usize): bool {
  const sa = lf(a, REC_SCORE), sb = lf(b, REC_SCORE);
  if (sa != sb) return sa > sb;
  const aa = lf(a, REC_AREA_MM2), ab = lf(b, REC_AREA_MM2);
  if (aa != ab) return aa < ab;
  const ta = lf(a, REC_TDP_W), tb = lf(b, REC_TDP_W);
  if (ta != tb) return ta < tb;
  return lf(a, REC_OFFCHIP_BYTES) < lf(b, REC_OFFCHIP_BYTES);
}

/** Keeps the climb's top-k records by rank (distinct: a climb evaluates a design at most once); full ties keep the earlier. */
function offerTop(topK: i32): void {
  if (gNTop >= topK && !ranksBefore(gRec, gTop + (<usize>((gNTop - 1) * gRecStride) << 3))) return;
  let pos = gNTop;
  while (pos > 0 && ranksBefore(gRec, gTop + (<usize>((pos - 1) * gRecStride) << 3))) pos--;
  const bytes = <usize>gRecStride << 3;
  const last = gNTop < topK ? gNTop : topK - 1;
  for (let i = last; i > pos; i--) memory.copy(gTop + <usize>i * bytes, gTop + <usize>(i - 1) * bytes, bytes);
  memory.copy(gTop + <usize>pos * bytes, gRec, bytes);
  if (gNTop < topK) gNTop++;
}

/**
 * Evaluates the design record `d` of choice `c` (area/TDP costed by design-cost.ts, inside the budget) on every workload,
 * as the host's BatchEvaluator does; fills gRec and gShare and updates the climb's books.
 */
function evaluate(c: usize, d: usize, topK: i32, log: bool): f64 {
  const nm = gNGraphs;
  gEvals++;
  const area = costedAreaMm2();
  const tdp = costedTdpW();
  sf(gRec, REC_EVAL, <f64>gEvals);
  sf(gRec, REC_EVALUATED, 1);
  sf(gRec, REC_AREA_MM2, area);
  sf(gRec, REC_TDP_W, tdp);
  sf(gRec, REC_OFFCHIP_BYTES, lf(d, D_OFFCHIP_BYTES));
  for (let p = 0; p < NP; p++) sf(gRec, REC_CHOICE + p, <f64>li(c, p));
  for (let r = 0; r < NRES; r++) sf(gShare, r, 0);
  let feasible = true;
  let logSum: f64 = 0;
  const offChipBytes = lf(d, D_OFFCHIP_BYTES);
  for (let w = 0; w < nm; w++) {
    const g = gGraphs + (<usize>(w * G_STRIDE) << 3);
    const batch = lf(g, 8);
    useGraph(w);
    evaluateSteps(d, 1, gStep);
    const stepTimeS = lf(gStep, S_TIME_S);
    const energyJ = lf(gStep, S_ENERGY_J);
    const valid = lf(gStep, S_VALID) == 1;
    const fits = lf(g, 9) <= offChipBytes;
    const q = gRec + (<usize>(REC_HEAD + NP + w * RW_STRIDE) << 3);
    sf(q, RW_TIME_S, stepTimeS);
    sf(q, RW_ENERGY_J, energyJ);
    sf(q, RW_VALID, valid ? 1 : 0);
    sf(q, RW_FITS, fits ? 1 : 0);
    const cyc = lf(gStep, S_CYCLES);
    const shp = gShapes + (<usize>(w * SHAPES_PER_WL * SH_STRIDE) << 3);
    const ns = valid && cyc > 0 ? criticalTensorShapes(shp, SHAPES_PER_WL, gSlotScratch) : 0;
    for (let q = 0; q < ns; q++) sf(shp, q * SH_STRIDE + SH_WEIGHT, lf(shp, q * SH_STRIDE + SH_WEIGHT) / cyc / <f64>nm);
    si(gNShapes, w, ns);
    for (let r = 0; r < NRES; r++) sf(gShare, r, lf(gShare, r) + (cyc > 0 ? lf(gStep, S_CP_BOUND_CYCLES + r) / cyc / <f64>nm : 0));
    if (!valid || !(stepTimeS > 0) || !isFinite(stepTimeS) || !fits) {
      feasible = false;
      continue;
    }
    logSum += Math.log(goodnessOf(batch, stepTimeS, energyJ, area, tdp));
  }
  const score = feasible ? Math.exp(logSum / <f64>nm) : 0;
  sf(gRec, REC_FEASIBLE, feasible ? 1 : 0);
  sf(gRec, REC_SCORE, score);
  if (feasible) {
    // per-workload best goodness (recomputed from the record: no extra state per workload)
    for (let w = 0; w < nm; w++) {
      const q = gRec + (<usize>(REC_HEAD + NP + w * RW_STRIDE) << 3);
      const g = gGraphs + (<usize>(w * G_STRIDE) << 3);
      const good = goodnessOf(lf(g, 8), lf(q, RW_TIME_S), lf(q, RW_ENERGY_J), area, tdp);
      if (good > lf(gBestGoodness, w)) sf(gBestGoodness, w, good);
    }
    offerTop(topK);
    if (score > gBestScore) {
      gBestScore = score;
      gTrace = appendRecord(gTrace, gNTrace, gTraceCap, false);
      gNTrace++;
    }
  } else gInfeasible++;
  if (log) {
    gLog = appendRecord(gLog, gNLog, gLogCap, true);
    gNLog++;
  }
  return score;
}

/** Keeps the proposals not seen in this climb (marking them seen) and inside the budget; returns how many. */
function fresh(): i32 {
  let k = 0;
  for (let j = 0; j < gNProp; j++) {
    const c = gProp + (<usize>(j * NP) << 2);
    if (!seenAdd(c)) continue;
    designOf(c, gDesign);
    if (costedAreaMm2() > gAreaLimit || costedTdpW() > gTdpLimit) continue;
    memory.copy(gKept + (<usize>(k * NP) << 2), c, <usize>NP << 2);
    k++;
  }
  return k;
}

// ---------------------------------------------------------------------------------------------
// the climb
// ---------------------------------------------------------------------------------------------
/**
 * One climb from `start` (i32 × NP value indices) with at most `maxEvals` evaluations, keeping the `topK`
 * best designs; `log` != 0 records every evaluated design. Returns the evaluations used; the results are
 * at climbHeader(), climbTop(), climbTrace(), climbLog() until the next call.
 */
export function climb(start: usize, maxEvals: i32, topK: i32, log: i32): i32 {
  const nm = gNGraphs;
  if (nm == 0 || !techLoaded() || gCounts == 0) return -1; // not set up
  const k = max(topK, 1);
  ensureClimbBuffers(nm, k);
  const doLog = log != 0;
  gEvals = 0;
  gInfeasible = 0;
  gNTop = 0;
  gNTrace = 0;
  gNLog = 0;
  gBestScore = 0;
  for (let w = 0; w < nm; w++) sf(gBestGoodness, w, 0);
  // a new generation empties the seen set
  gSeenGen++;
  gSeenN = 0;
  seenAdd(start);
  memory.copy(gCur, start, <usize>NP << 2);
  let localOptimum = true;
  const d0 = gDesign;
  designOf(gCur, d0);
  if (costedAreaMm2() > gAreaLimit || costedTdpW() > gTdpLimit || maxEvals < 1) {
    // outside the budget: considered, not evaluated
    sf(gRec, REC_EVAL, 0);
    sf(gRec, REC_EVALUATED, 0);
    sf(gRec, REC_FEASIBLE, 0);
    sf(gRec, REC_AREA_MM2, costedAreaMm2());
    sf(gRec, REC_TDP_W, costedTdpW());
    sf(gRec, REC_SCORE, 0);
    sf(gRec, REC_OFFCHIP_BYTES, lf(d0, D_OFFCHIP_BYTES));
    for (let p = 0; p < NP; p++) sf(gRec, REC_CHOICE + p, <f64>li(gCur, p));
    for (let i = REC_HEAD + NP; i < gRecStride; i++) sf(gRec, i, 0);
    memory.copy(gCurRec, gRec, <usize>gRecStride << 3);
    gInfeasible = 1;
    if (doLog) {
      gLog = appendRecord(gLog, gNLog, gLogCap, true);
      gNLog++;
    }
    gCurScore = 0;
    localOptimum = maxEvals >= 1;
  } else {
    gCurScore = evaluate(gCur, d0, k, doLog);
    memory.copy(gCurRec, gRec, <usize>gRecStride << 3);
    memory.copy(gCurShare, gShare, <usize>NRES << 3);
    copyShapes(gCurShapes, gCurNShapes, gShapes, gNShapes);
    let full = false;
    if (lf(gRec, REC_FEASIBLE) == 1) {
      while (true) {
        if (gEvals >= maxEvals) {
          localOptimum = false;
          break;
        }
        if (full) fullProposals();
        else cpProposals();
        const n = fresh();
        if (n == 0) {
          if (!full) {
            full = true;
            continue;
          }
          break;
        }
        let best = -1;
        let bestScore: f64 = 0;
        let capped = false;
        for (let j = 0; j < n; j++) {
          if (gEvals >= maxEvals) {
            capped = true;
            break;
          }
          const c = gKept + (<usize>(j * NP) << 2);
          const d = gDesign;
          designOf(c, d); // the record, area and TDP of proposal j
          const s = evaluate(c, d, k, doLog);
          if (lf(gRec, REC_FEASIBLE) == 1 && (best < 0 || s > bestScore)) {
            best = j;
            bestScore = s;
            memory.copy(gBatchBest, gRec, <usize>gRecStride << 3);
            memory.copy(gBestShare, gShare, <usize>NRES << 3);
            copyShapes(gBestShapes, gBestNShapes, gShapes, gNShapes);
          }
        }
        if (capped) {
          localOptimum = false;
          break;
        }
        if (best >= 0 && bestScore > gCurScore) {
          memory.copy(gCur, gKept + (<usize>(best * NP) << 2), <usize>NP << 2);
          memory.copy(gCurRec, gBatchBest, <usize>gRecStride << 3);
          memory.copy(gCurShare, gBestShare, <usize>NRES << 3);
          copyShapes(gCurShapes, gCurNShapes, gBestShapes, gBestNShapes);
          gCurScore = bestScore;
          full = false;
        } else if (!full) full = true;
        else break;
      }
    }
  }
  // header
  sf(gHead, H_EVALUATIONS, <f64>gEvals);
  sf(gHead, H_CONSIDERED, <f64>(gEvals > 0 ? gEvals : 1));
  sf(gHead, H_INFEASIBLE, <f64>gInfeasible);
  sf(gHead, H_LOCAL_OPTIMUM, localOptimum ? 1 : 0);
  sf(gHead, H_NTOP, <f64>gNTop);
  sf(gHead, H_NTRACE, <f64>gNTrace);
  sf(gHead, H_NLOG, <f64>gNLog);
  sf(gHead, H_RECORD_STRIDE, <f64>gRecStride);
  sf(gHead, H_FINAL_SCORE, gCurScore);
  for (let p = 0; p < NP; p++) sf(gHead, H_FINAL_CHOICE + p, <f64>li(gCur, p));
  for (let w = 0; w < nm; w++) sf(gHead, H_BEST_GOODNESS + w, lf(gBestGoodness, w));
  return gEvals;
}

export function climbHeader(): usize { return gHead; }
export function climbTop(): usize { return gTop; }
export function climbTrace(): usize { return gTrace; }
export function climbLog(): usize { return gLog; }
export function climbHeaderSize(): i32 { return H_BEST_GOODNESS; }
export function climbRecordHead(): i32 { return REC_HEAD; }

