/**
 * Critical-path tightening inside the kernel (docs/search.md): one WHAM climb from a start design, with the
 * moves of src/search/wham.ts, evaluating every design with the same code path as `evaluateSteps`.
 *
 * Set once per search (the host writes typed arrays into linear memory, these functions copy or keep them):
 *  - tightenSetTech: the technology constants (TECH_* below; src/engine/climber.ts builds them from
 *    src/arch/tech.ts) for area, TDP and unit energies (port of src/arch/cost.ts, formula for formula);
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
 * designs that raised the climb's best score, and (if asked) a log of every evaluated design. Records:
 * REC_* below, REC_HEAD + NP + 4 × workloads f64 each.
 */
import {
  D_CLOCK_GHZ, D_DATAFLOW, D_ELEMENT_BYTES, D_GLOBAL_BUFFER_BYTES, D_GLOBAL_BUFFER_GBS, D_LOCAL_BUFFER_BYTES,
  D_NOC_GBS, D_OFFCHIP_BYTES, D_OFFCHIP_GBS, D_PRECISION, D_TC_COLS, D_TC_ROWS, D_TECH_NM, D_TENSOR_CORES,
  D_VECTOR_CORES, D_VECTOR_LANES, DESIGN_STRIDE, S_CP_BOUND_CYCLES, S_CYCLES, S_ENERGY_J, S_TIME_S, S_VALID,
  STEP_STRIDE,
} from './layout';
import { allocF64, allocI32, lf, li, sf, si } from './mem';
import { evaluateSteps, setGraph } from './step';
import { criticalTensorShapes } from './schedule';
import { foldCycles } from './model';
import { costDesign, costedAreaMm2, costedTdpW, precisionBytes, techLoaded } from './design-cost';

export { tightenSetTech } from './design-cost';

// ---------------------------------------------------------------------------------------------
// layouts shared with src/engine/climber.ts
// ---------------------------------------------------------------------------------------------
/** parameters of a design space (SPACE_PARAMS order) */
export const NP: i32 = 15;
const P_TENSOR_CORES: i32 = 0;
const P_TC_ROWS: i32 = 1;
const P_TC_COLS: i32 = 2;
const P_VECTOR_CORES: i32 = 3;
const P_VECTOR_LANES: i32 = 4;
const P_LOCAL_BUFFER_BYTES: i32 = 5;
const P_GLOBAL_BUFFER_BYTES: i32 = 6;
const P_GLOBAL_BUFFER_GBS: i32 = 7;
const P_OFFCHIP_BYTES: i32 = 8;
const P_OFFCHIP_GBS: i32 = 9;
const P_NOC_GBS: i32 = 10;
const P_CLOCK_GHZ: i32 = 11;
const P_PRECISION: i32 = 12;
const P_DATAFLOW: i32 = 13;
const P_TECH_NM: i32 = 14;


/** result header (f64) */
const H_EVALUATIONS: i32 = 0;
const H_CONSIDERED: i32 = 1;
const H_INFEASIBLE: i32 = 2;
/** 1: the climb ended at a local optimum (or an infeasible start); 0: it stopped at maxEvals */
const H_LOCAL_OPTIMUM: i32 = 3;
const H_NTOP: i32 = 4;
const H_NTRACE: i32 = 5;
const H_NLOG: i32 = 6;
const H_RECORD_STRIDE: i32 = 7;
const H_FINAL_SCORE: i32 = 8;
const H_FINAL_CHOICE: i32 = 9; // NP
const H_BEST_GOODNESS: i32 = H_FINAL_CHOICE + 15; // per workload: best goodness among feasible designs

/** design record (f64): evaluation count when evaluated (1-based; 0 = not evaluated), flags, cost, score */
const REC_EVAL: i32 = 0;
const REC_EVALUATED: i32 = 1;
const REC_FEASIBLE: i32 = 2;
const REC_AREA_MM2: i32 = 3;
const REC_TDP_W: i32 = 4;
const REC_SCORE: i32 = 5;
const REC_CHOICE: i32 = 6; // NP
const REC_HEAD: i32 = 6;
/** then per workload: step time (s), step energy (J), kernel valid (0/1), training state fits (0/1) */
const RW_TIME_S: i32 = 0;
const RW_ENERGY_J: i32 = 1;
const RW_VALID: i32 = 2;
const RW_FITS: i32 = 3;
const RW_STRIDE: i32 = 4;

const OBJ_THROUGHPUT: i32 = 0;
const OBJ_PERF_PER_TDP: i32 = 1;
const OBJ_PERF_PER_AREA: i32 = 2;
const OBJ_ENERGY: i32 = 3;
const OBJ_EDP: i32 = 4;

/** resources the critical path is attributed to (bound codes B_TENSOR … B_OFFCHIP) */
const NRES: i32 = 6;
/** resource index of the tensor arrays (RESOURCES order in wham.ts: tensor first) */
const RES_TENSOR: i32 = 0;
const SHAPE_MOVES: i32 = 2;
/** per resource: count, then up to RES_MAX parameter indices */
const RES_MAX: i32 = 4;
const RES_STRIDE: i32 = RES_MAX + 1;
/** proposals per step: ≤ 2 grows × 4 params × (1 + 2 × 4 shrinks) + 2 × 4 shrinks + other dataflows/precisions */
const MAXP: i32 = 160;



// ---------------------------------------------------------------------------------------------
// design space
// ---------------------------------------------------------------------------------------------
let gCounts: usize = 0; // i32 [NP]
let gOffsets: usize = 0; // i32 [NP]
let gValues: usize = 0; // f64 [Σ counts]
let gAxis: usize = 0; // i32 [NP]
let gTies: usize = 0; // f64 [nTies × 3]: param, of, factor
let gNTies: i32 = 0;
let gRes: usize = 0; // i32 [NRES × RES_STRIDE]

/**
 * The design space: `counts` (i32 × NP) values per parameter, `values` (f64, concatenated in parameter
 * order), `axes` (i32 × NP: 1 = the climb may move it), `ties` (f64 × 3 per tie: param, of, factor) and
 * `resParams` (i32 × NRES × RES_STRIDE: per resource the number of its parameters, then their indices).
 */
export function tightenSetSpace(counts: usize, values: usize, axes: usize, ties: usize, nTies: i32, resParams: usize): void {
  if (gCounts == 0) {
    gCounts = allocI32(NP);
    gOffsets = allocI32(NP);
    gAxis = allocI32(NP);
    gRes = allocI32(NRES * RES_STRIDE);
  }
  let total = 0;
  for (let p = 0; p < NP; p++) {
    si(gCounts, p, li(counts, p));
    si(gOffsets, p, total);
    si(gAxis, p, li(axes, p));
    total += li(counts, p);
  }
  gValues = allocF64(total);
  memory.copy(gValues, values, <usize>total << 3);
  gNTies = nTies;
  gTies = allocF64(nTies * 3);
  memory.copy(gTies, ties, <usize>(nTies * 3) << 3);
  memory.copy(gRes, resParams, <usize>(NRES * RES_STRIDE) << 2);
}

// @ts-ignore: decorator
@inline function valueOf(p: i32, idx: i32): f64 { return lf(gValues, li(gOffsets, p) + idx); }

/** Writes the design record of a choice (value index per parameter) and costs it (design-cost.ts). */
function designOf(c: usize, d: usize): void {
  // parameter values by SPACE_PARAMS index, ties applied
  for (let p = 0; p < NP; p++) sf(gPv, p, valueOf(p, li(c, p)));
  for (let t = 0; t < gNTies; t++) {
    const q = gTies + (<usize>(t * 3) << 3);
    sf(gPv, <i32>lf(q, 0), lf(gPv, <i32>lf(q, 1)) * lf(q, 2));
  }
  const prec = <i32>lf(gPv, P_PRECISION);
  sf(d, D_TENSOR_CORES, lf(gPv, P_TENSOR_CORES));
  sf(d, D_TC_ROWS, lf(gPv, P_TC_ROWS));
  sf(d, D_TC_COLS, lf(gPv, P_TC_COLS));
  sf(d, D_VECTOR_CORES, lf(gPv, P_VECTOR_CORES));
  sf(d, D_VECTOR_LANES, lf(gPv, P_VECTOR_LANES));
  sf(d, D_LOCAL_BUFFER_BYTES, lf(gPv, P_LOCAL_BUFFER_BYTES));
  sf(d, D_GLOBAL_BUFFER_BYTES, lf(gPv, P_GLOBAL_BUFFER_BYTES));
  sf(d, D_GLOBAL_BUFFER_GBS, lf(gPv, P_GLOBAL_BUFFER_GBS));
  sf(d, D_OFFCHIP_BYTES, lf(gPv, P_OFFCHIP_BYTES));
  sf(d, D_OFFCHIP_GBS, lf(gPv, P_OFFCHIP_GBS));
  sf(d, D_NOC_GBS, lf(gPv, P_NOC_GBS));
  sf(d, D_CLOCK_GHZ, lf(gPv, P_CLOCK_GHZ));
  sf(d, D_PRECISION, <f64>prec);
  sf(d, D_ELEMENT_BYTES, precisionBytes(prec));
  sf(d, D_DATAFLOW, lf(gPv, P_DATAFLOW));
  sf(d, D_TECH_NM, lf(gPv, P_TECH_NM));
  costDesign(d);
}

let gPv: usize = 0; // f64 [NP] scratch

function ensureScratch(): void {
  if (gPv == 0) gPv = allocF64(NP);
}

/** Area (mm²), TDP (W) and the design record of a choice: out = [area, tdp, record (DESIGN_STRIDE)]. */
export function tightenCost(choice: usize, out: usize): void {
  ensureScratch();
  designOf(choice, out + 16);
  sf(out, 0, costedAreaMm2());
  sf(out, 1, costedTdpW());
}

// ---------------------------------------------------------------------------------------------
// objective, limits, workloads
// ---------------------------------------------------------------------------------------------
let gObjective: i32 = 0;
let gAreaLimit: f64 = Infinity;
let gTdpLimit: f64 = Infinity;

export function tightenSetObjective(objective: i32, areaLimitMm2: f64, tdpLimitW: f64): void {
  gObjective = objective;
  gAreaLimit = areaLimitMm2;
  gTdpLimit = tdpLimitW;
}

const MAX_GRAPHS: i32 = 256;
const G_STRIDE: i32 = 10; // ops, nUnique, slotRes, opSlot, opPhase, depOff, deps, nOps, batch, memoryPeakBytes
let gGraphs: usize = 0; // f64 [MAX_GRAPHS × G_STRIDE]
let gNGraphs: i32 = 0;
let gLoaded: i32 = -1;

export function tightenClearGraphs(): void {
  gNGraphs = 0;
  gLoaded = -1;
}

/**
 * Adds a workload: its graph's arrays (as for setGraph; they stay in host-reserved memory), batch size and
 * training-state bytes (off-chip capacity check). Returns the ops in topological order (< nOps: a cycle),
 * or -1 when there is no room for another graph.
 */
export function tightenAddGraph(ops: usize, nOps: i32, slotResults: usize, opSlot: usize, opPhase: usize, depOffsets: usize, deps: usize, nAllOps: i32, batch: f64, memoryPeakBytes: f64): i32 {
  if (gGraphs == 0) gGraphs = allocF64(MAX_GRAPHS * G_STRIDE);
  if (gNGraphs >= MAX_GRAPHS) return -1;
  const g = gGraphs + (<usize>(gNGraphs * G_STRIDE) << 3);
  sf(g, 0, <f64>ops);
  sf(g, 1, <f64>nOps);
  sf(g, 2, <f64>slotResults);
  sf(g, 3, <f64>opSlot);
  sf(g, 4, <f64>opPhase);
  sf(g, 5, <f64>depOffsets);
  sf(g, 6, <f64>deps);
  sf(g, 7, <f64>nAllOps);
  sf(g, 8, batch);
  sf(g, 9, memoryPeakBytes);
  gNGraphs++;
  gLoaded = gNGraphs - 1;
  if (nOps > gMaxSlots) gMaxSlots = nOps;
  return setGraph(ops, nOps, slotResults, opSlot, opPhase, depOffsets, deps, nAllOps);
}

/** Makes graph `w` the one evaluateSteps schedules (re-points the scheduler: successors, order, memo). */
function useGraph(w: i32): void {
  if (gLoaded == w) return;
  const g = gGraphs + (<usize>(w * G_STRIDE) << 3);
  setGraph(<usize>lf(g, 0), <i32>lf(g, 1), <usize>lf(g, 2), <usize>lf(g, 3), <usize>lf(g, 4), <usize>lf(g, 5), <usize>lf(g, 6), <i32>lf(g, 7));
  gLoaded = w;
}

// ---------------------------------------------------------------------------------------------
// per-climb state
// ---------------------------------------------------------------------------------------------
let gRecStride: i32 = 0;
// critical tensor shapes (b, m, n, k, weight) per workload, SHAPES_PER_WL each: of the last evaluated design,
// of the batch's best and of the current design (weights: share of the workload's step / workloads)
const SHAPES_PER_WL: i32 = 8;
const SH_STRIDE: i32 = 5;
let gMaxSlots: i32 = 0;
let gSlotScratch: usize = 0; // f64 [gMaxSlots]
let gSlotScratchCap: i32 = 0;
let gShapes: usize = 0;
let gBestShapes: usize = 0;
let gCurShapes: usize = 0;
let gShapesCap: i32 = 0; // workloads the three buffers have room for
let gNShapes: usize = 0; // i32 [workloads] records per workload, for each of the three
let gBestNShapes: usize = 0;
let gCurNShapes: usize = 0;
let gStep: usize = 0; // f64 [STEP_STRIDE]
let gCur: usize = 0; // i32 [NP]
let gCurRec: usize = 0; // f64 record of the current design
let gCurShare: usize = 0; // f64 [NRES]
let gCurScore: f64 = 0;
let gBestShare: usize = 0; // f64 [NRES] share of the batch's best
let gShare: usize = 0; // f64 [NRES] share of the last evaluated design
let gRec: usize = 0; // f64 record of the last evaluated design
let gBatchBest: usize = 0; // f64 record of the batch's best
let gDesign: usize = 0; // f64 [DESIGN_STRIDE] the design record being costed or evaluated
let gProp: usize = 0; // i32 [MAXP × NP] proposals
let gNProp: i32 = 0;
let gKept: usize = 0; // i32 [MAXP × NP]
let gTmp: usize = 0; // i32 [NP]
let gRanked: usize = 0; // i32 [NRES]
let gRankedShare: usize = 0; // f64 [NRES]
let gHead: usize = 0; // f64 header
let gTop: usize = 0; // f64 [topK × record]
let gNTop: i32 = 0;
let gTopCap: i32 = 0;
let gTrace: usize = 0;
let gNTrace: i32 = 0;
let gTraceCap: i32 = 0;
let gLog: usize = 0;
let gNLog: i32 = 0;
let gLogCap: i32 = 0;
let gBestScore: f64 = 0;
let gEvals: i32 = 0;
let gInfeasible: i32 = 0;
let gBestGoodness: usize = 0; // f64 [workloads]
let gGoodCap: i32 = 0;
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

/** Keeps the top-k records by score (distinct: a climb evaluates a design at most once); ties keep the earlier. */
function offerTop(topK: i32): void {
  const score = lf(gRec, REC_SCORE);
  if (gNTop >= topK && !(score > lf(gTop + (<usize>((gNTop - 1) * gRecStride) << 3), REC_SCORE))) return;
  let pos = gNTop;
  while (pos > 0 && lf(gTop + (<usize>((pos - 1) * gRecStride) << 3), REC_SCORE) < score) pos--;
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
    for (let q = 0; q < ns; q++) sf(shp, q * SH_STRIDE + 4, lf(shp, q * SH_STRIDE + 4) / cyc / <f64>nm);
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

/**
 * The objective of one workload as a goodness (higher is better: energy and EDP inverted), the kernel's one
 * definition of it; src/evaluation/objectives.ts `goodness` is the host's, and test/tighten.test.ts checks the
 * two agree for every objective.
 */
function goodnessOf(batch: f64, stepTimeS: f64, energyJ: f64, area: f64, tdp: f64): f64 {
  const throughput = batch / stepTimeS;
  const energyPerSampleJ = energyJ / batch;
  if (gObjective == OBJ_THROUGHPUT) return throughput;
  if (gObjective == OBJ_PERF_PER_TDP) return throughput / tdp;
  if (gObjective == OBJ_PERF_PER_AREA) return throughput / area;
  if (gObjective == OBJ_ENERGY) return 1 / energyPerSampleJ;
  return 1 / (energyPerSampleJ / throughput);
}

// ---------------------------------------------------------------------------------------------
// proposals
// ---------------------------------------------------------------------------------------------
/** Copies `src` into proposal slot gNProp with parameter p moved by delta; false when p is no axis or at an end. */
function pushMoved(src: usize, p: i32, delta: i32): bool {
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

function resCount(r: i32): i32 { return li(gRes, r * RES_STRIDE); }
function resParam(r: i32, j: i32): i32 { return li(gRes, r * RES_STRIDE + 1 + j); }

function budgetOk(c: usize): bool {
  designOf(c, gDesign);
  return costedAreaMm2() <= gAreaLimit && costedTdpW() <= gTdpLimit;
}

function copyShapes(dst: usize, dstN: usize, src: usize, srcN: usize): void {
  memory.copy(dst, src, <usize>(gNGraphs * SHAPES_PER_WL * SH_STRIDE) << 3);
  memory.copy(dstN, srcN, <usize>gNGraphs << 2);
}

/**
 * Estimated critical tensor time of the current design's critical GEMMs on `cores` arrays of R × C, relative
 * weights as recorded: Σ weight × SCALE-Sim fold cycles of the per-core GEMM (the b·m output rows split over
 * the cores) on R × C, for the design's dataflow.
 */
function shapeTime(cores: f64, R: f64, C: f64, df: f64): f64 {
  let t: f64 = 0;
  for (let w = 0; w < gNGraphs; w++) {
    const base = gCurShapes + (<usize>(w * SHAPES_PER_WL * SH_STRIDE) << 3);
    const ns = li(gCurNShapes, w);
    for (let q = 0; q < ns; q++) {
      const r = base + (<usize>(q * SH_STRIDE) << 3);
      const rows = Math.ceil((lf(r, 0) * lf(r, 1)) / cores);
      t += lf(r, 4) * foldCycles(df, R, C, rows, lf(r, 2), lf(r, 3));
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
function shapeProposals(): void {
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
function cpProposals(): void {
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
function fullProposals(): void {
  gNProp = 0;
  for (let p = 0; p < NP; p++) {
    pushMoved(gCur, p, -1);
    pushMoved(gCur, p, +1);
  }
  shapeProposals();
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
