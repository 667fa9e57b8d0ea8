/**
 * The design space of a kernel climb: parameter values per choice, axes, ties and each resource's parameters
 * (tightenSetSpace), and a choice's design record, costed by design-cost.ts (designOf, tightenCost).
 */
import { D_CLOCK_GHZ, D_DATAFLOW, D_ELEMENT_BYTES, D_GLOBAL_BUFFER_BYTES, D_GLOBAL_BUFFER_GBS, D_LOCAL_BUFFER_BYTES, D_NOC_GBS, D_OFFCHIP_BYTES, D_OFFCHIP_GBS, D_PRECISION, D_TC_COLS, D_TC_ROWS, D_TECH_NM, D_TENSOR_CORES, D_VECTOR_CORES, D_VECTOR_LANES, DESIGN_STRIDE } from './layout';
import {
  CHOICE_PARAMS as NP, CLIMB_RESOURCES as NRES, COST_AREA_MM2, COST_DESIGN, COST_TDP_W, P_CLOCK_GHZ, P_DATAFLOW, P_GLOBAL_BUFFER_BYTES,
  P_GLOBAL_BUFFER_GBS, P_LOCAL_BUFFER_BYTES, P_NOC_GBS, P_OFFCHIP_BYTES, P_OFFCHIP_GBS, P_PRECISION, P_TC_COLS, P_TC_ROWS, P_TECH_NM,
  P_TENSOR_CORES, P_VECTOR_CORES, P_VECTOR_LANES, RES_STRIDE, TIE_FACTOR, TIE_OF, TIE_PARAM, TIE_STRIDE,
} from './climb-layout';
import { allocF64, allocI32, lf, li, sf, si } from './mem';
import { costDesign, costedAreaMm2, costedTdpW, precisionBytes } from './design-cost';

/** how many array shapes the shape moves propose */
export const SHAPE_MOVES: i32 = 2;
// ---------------------------------------------------------------------------------------------
// design space
// ---------------------------------------------------------------------------------------------
export let gCounts: usize = 0; // i32 [NP]
export let gOffsets: usize = 0; // i32 [NP]
export let gValues: usize = 0; // f64 [Σ counts]
export let gAxis: usize = 0; // i32 [NP]
export let gTies: usize = 0; // f64 [nTies × TIE_STRIDE]: param, of, factor
export let gNTies: i32 = 0;
export let gRes: usize = 0; // i32 [NRES × RES_STRIDE]

/**
 * The design space: `counts` (i32 × NP) values per parameter, `values` (f64, concatenated in parameter
 * order), `axes` (i32 × NP: 1 = the climb may move it), `ties` (f64 × TIE_STRIDE per tie: param, of, factor) and
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
  gTies = allocF64(nTies * TIE_STRIDE);
  memory.copy(gTies, ties, <usize>(nTies * TIE_STRIDE) << 3);
  memory.copy(gRes, resParams, <usize>(NRES * RES_STRIDE) << 2);
}

// @ts-ignore: decorator
@inline export function valueOf(p: i32, idx: i32): f64 { return lf(gValues, li(gOffsets, p) + idx); }

/** Writes the design record of a choice (value index per parameter) and costs it (design-cost.ts). */
export function designOf(c: usize, d: usize): void {
  // parameter values by SPACE_PARAMS index, ties applied
  for (let p = 0; p < NP; p++) sf(gPv, p, valueOf(p, li(c, p)));
  for (let t = 0; t < gNTies; t++) {
    const q = gTies + (<usize>(t * TIE_STRIDE) << 3);
    sf(gPv, <i32>lf(q, TIE_PARAM), lf(gPv, <i32>lf(q, TIE_OF)) * lf(q, TIE_FACTOR));
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

export let gPv: usize = 0; // f64 [NP] scratch

export function ensureScratch(): void {
  if (gPv == 0) gPv = allocF64(NP);
}

/** Area (mm²), TDP (W) and the design record of a choice at `out` (climb-layout.ts COST_*). */
export function tightenCost(choice: usize, out: usize): void {
  ensureScratch();
  designOf(choice, out + (<usize>COST_DESIGN << 3));
  sf(out, COST_AREA_MM2, costedAreaMm2());
  sf(out, COST_TDP_W, costedTdpW());
}
