/**
 * The ONE TypeScript definition of the records of the kernel's WHAM climb (assembly/tighten.ts and its
 * climb-*.ts modules): what src/engine/climber.ts writes into the module and reads back. The second layout pair
 * beside ./layout.ts (the evaluation records): `assembly/climb-layout.ts` mirrors every constant here and
 * `test/kernel.test.ts` parses it and checks both agree, as it does for the first pair. Offsets are in slots of
 * the record's element type (i32 for a choice and the resource table, f64 for the rest), not bytes.
 */
import type { TechTables } from '../arch/tech.js';
import { PRECISIONS, TECH_NODES } from '../arch/design.js';

// ---------------------------------------------------------------------------------------------
// Choice: one design of a space as a value index per parameter, i32 × CHOICE_PARAMS, in SPACE_PARAMS order
// (src/arch/space.ts; a test checks the two orders agree).
// ---------------------------------------------------------------------------------------------
export const CHOICE_PARAMS = 15;
export const P_TENSOR_CORES = 0;
export const P_TC_ROWS = 1;
export const P_TC_COLS = 2;
export const P_VECTOR_CORES = 3;
export const P_VECTOR_LANES = 4;
export const P_LOCAL_BUFFER_BYTES = 5;
export const P_GLOBAL_BUFFER_BYTES = 6;
export const P_GLOBAL_BUFFER_GBS = 7;
export const P_OFFCHIP_BYTES = 8;
export const P_OFFCHIP_GBS = 9;
export const P_NOC_GBS = 10;
export const P_CLOCK_GHZ = 11;
export const P_PRECISION = 12;
export const P_DATAFLOW = 13;
export const P_TECH_NM = 14;

// ---------------------------------------------------------------------------------------------
// The space (tightenSetSpace): per parameter its values (f64: precision and dataflow as codes, technology in
// nm), axis flags (i32), ties (f64 × TIE_STRIDE each: `param` = `factor` × `of`) and the resource table (i32 ×
// RES_STRIDE per resource: how many parameters, then up to RES_MAX parameter indices).
// ---------------------------------------------------------------------------------------------
export const TIE_PARAM = 0;
export const TIE_OF = 1;
export const TIE_FACTOR = 2;
export const TIE_STRIDE = 3;
/** resources the climb attributes the critical path to: bound codes B_TENSOR … B_OFFCHIP (./layout.ts) */
export const CLIMB_RESOURCES = 6;
export const RES_MAX = 4;
export const RES_STRIDE = 5;

/** objective ids (tightenSetObjective): OBJECTIVES order of src/evaluation/objectives.ts (a test checks) */
export const OBJ_THROUGHPUT = 0;
export const OBJ_PERF_PER_TDP = 1;
export const OBJ_PERF_PER_AREA = 2;
export const OBJ_ENERGY = 3;
export const OBJ_EDP = 4;

// ---------------------------------------------------------------------------------------------
// Technology record (tightenSetTech, f64): the tables of src/arch/tech.ts the kernel's cost port
// (assembly/design-cost.ts) reads; written by techRecord below. Per precision code 5 MAC energies, then 5 MAC
// areas; then constants; then T_NODE_COUNT nodes of TN_STRIDE from T_NODES (room for TECH_MAX_NODES).
// ---------------------------------------------------------------------------------------------
export const T_MAC_PJ = 0;
export const T_MAC_AREA_UM2 = 5;
export const T_VECTOR_LANE_PJ = 10;
export const T_VECTOR_LANE_AREA_UM2 = 11;
export const T_SRAM_REF_KIB = 12;
export const T_SRAM_REF_PJ_PER_BYTE = 13;
export const T_SRAM_EXPONENT = 14;
export const T_SRAM_BANK_KIB = 15;
export const T_SRAM_WIRE_PJ = 16;
export const T_NOC_PJ_PER_BYTE = 17;
export const T_PE_OVERHEAD = 18;
export const T_PORT_OVERHEAD_UM2 = 19;
export const T_LANE_OVERHEAD_UM2 = 20;
export const T_RF_BYTES_PER_PE = 21;
export const T_RF_AREA_FACTOR = 22;
export const T_CLOCK_PJ_PER_CYCLE_MM2 = 23;
export const T_NOC_MM2_PER_GBS = 24;
export const T_OFFCHIP_SUSTAINED = 25;
export const T_SRAM_MM2_PER_MIB_45NM = 26;
export const T_NODE_COUNT = 27;
export const T_NODES = 28;
/** per node: nm, logicAreaScale, energyScale, sramMm2PerMiB, offChipPJPerBit, phyMm2PerGBs, leakageWPerMm2 */
export const TN_NM = 0;
export const TN_LOGIC = 1;
export const TN_ENERGY = 2;
export const TN_SRAM_MM2_PER_MIB = 3;
export const TN_OFFCHIP_PJ_PER_BIT = 4;
export const TN_PHY_MM2_PER_GBS = 5;
export const TN_LEAKAGE_W_PER_MM2 = 6;
export const TN_STRIDE = 7;
export const TECH_MAX_NODES = 16;
/** T_NODES + TECH_MAX_NODES × TN_STRIDE: the most the kernel copies */
export const TECH_MAX = 140;

/** tightenCost's output (f64): area (mm²), TDP (W), then the choice's design record (DESIGN_STRIDE, ./layout.ts) */
export const COST_AREA_MM2 = 0;
export const COST_TDP_W = 1;
export const COST_DESIGN = 2;

// ---------------------------------------------------------------------------------------------
// Results of one climb (f64): a header, then records (top-k, trace, log) of H_RECORD_STRIDE each.
// ---------------------------------------------------------------------------------------------
export const H_EVALUATIONS = 0;
export const H_CONSIDERED = 1;
export const H_INFEASIBLE = 2;
/** 1: the climb ended at a local optimum (or an infeasible start); 0: it stopped at maxEvals */
export const H_LOCAL_OPTIMUM = 3;
export const H_NTOP = 4;
export const H_NTRACE = 5;
export const H_NLOG = 6;
export const H_RECORD_STRIDE = 7;
export const H_FINAL_SCORE = 8;
/** the climb's last current design, CHOICE_PARAMS slots */
export const H_FINAL_CHOICE = 9;
/** H_FINAL_CHOICE + CHOICE_PARAMS: per workload the best goodness among feasible designs */
export const H_BEST_GOODNESS = 24;

/**
 * Design record: evaluation count when evaluated (1-based; 0 = not evaluated), flags, cost, score, the choice
 * (CHOICE_PARAMS slots from REC_CHOICE); from REC_HEAD + CHOICE_PARAMS per workload RW_STRIDE slots.
 */
export const REC_EVAL = 0;
export const REC_EVALUATED = 1;
export const REC_FEASIBLE = 2;
export const REC_AREA_MM2 = 3;
export const REC_TDP_W = 4;
export const REC_SCORE = 5;
/** the design's off-chip capacity (bytes): the last key of the ranking (src/search/strategy.ts ranksBefore) */
export const REC_OFFCHIP_BYTES = 6;
export const REC_CHOICE = 7;
export const REC_HEAD = 7;
/** per workload: step time (s), step energy (J), kernel valid (0/1), training state fits (0/1) */
export const RW_TIME_S = 0;
export const RW_ENERGY_J = 1;
export const RW_VALID = 2;
export const RW_FITS = 3;
export const RW_STRIDE = 4;

/**
 * Critical tensor shapes (kernel-internal, never read by the host): assembly/schedule.ts criticalTensorShapes
 * writes up to SHAPES_PER_WL per workload, SH_STRIDE f64 each, for the climb's shape moves. Here so that every
 * record the kernel's modules hand each other has one definition.
 */
export const SH_B = 0;
export const SH_M = 1;
export const SH_N = 2;
export const SH_K = 3;
/** critical cycles of the shape (the climb rescales it to a share of the step over the workloads) */
export const SH_WEIGHT = 4;
export const SH_STRIDE = 5;
export const SHAPES_PER_WL = 8;

/** f64 slots of one climb design record with `workloads` workloads. */
export function climbRecordStride(workloads: number): number {
  return REC_HEAD + CHOICE_PARAMS + RW_STRIDE * workloads;
}

/** The technology a climb costs designs with: the tables and src/arch/cost.ts NOC_MM2_PER_GBS_45NM. */
export interface ClimbTech {
  tables: TechTables;
  nocMm2PerGBs45nm: number;
}

/** The technology record (T_*, TN_*) of `t`. */
export function techRecord(t: ClimbTech): Float64Array {
  const tt = t.tables;
  const r = new Float64Array(T_NODES + TECH_NODES.length * TN_STRIDE);
  PRECISIONS.forEach((p, i) => {
    r[T_MAC_PJ + i] = tt.macPJ[p];
    r[T_MAC_AREA_UM2 + i] = tt.macAreaUm2[p];
  });
  r[T_VECTOR_LANE_PJ] = tt.vectorLanePJ;
  r[T_VECTOR_LANE_AREA_UM2] = tt.vectorLaneAreaUm2;
  r[T_SRAM_REF_KIB] = tt.sram.refKiB;
  r[T_SRAM_REF_PJ_PER_BYTE] = tt.sram.refPJPerByte;
  r[T_SRAM_EXPONENT] = tt.sram.exponent;
  r[T_SRAM_BANK_KIB] = tt.sram.bankKiB;
  r[T_SRAM_WIRE_PJ] = tt.sram.wirePJPerBytePerSqrtMiB;
  r[T_NOC_PJ_PER_BYTE] = tt.nocPJPerByte;
  r[T_PE_OVERHEAD] = tt.peOverheadFraction;
  r[T_PORT_OVERHEAD_UM2] = tt.arrayPortOverheadUm2At45nm;
  r[T_LANE_OVERHEAD_UM2] = tt.laneOverheadUm2At45nm;
  r[T_RF_BYTES_PER_PE] = tt.registerFileBytesPerPE;
  r[T_RF_AREA_FACTOR] = tt.registerFileAreaFactor;
  r[T_CLOCK_PJ_PER_CYCLE_MM2] = tt.clockControlPJPerCycleMm2;
  r[T_NOC_MM2_PER_GBS] = t.nocMm2PerGBs45nm;
  r[T_OFFCHIP_SUSTAINED] = tt.offChipSustainedFraction;
  r[T_SRAM_MM2_PER_MIB_45NM] = tt.nodes[45].sramMm2PerMiB;
  r[T_NODE_COUNT] = TECH_NODES.length;
  TECH_NODES.forEach((nm, i) => {
    const n = tt.nodes[nm];
    const o = T_NODES + i * TN_STRIDE;
    r[o + TN_NM] = nm;
    r[o + TN_LOGIC] = n.logicAreaScale;
    r[o + TN_ENERGY] = n.energyScale;
    r[o + TN_SRAM_MM2_PER_MIB] = n.sramMm2PerMiB;
    r[o + TN_OFFCHIP_PJ_PER_BIT] = n.offChipPJPerBit;
    r[o + TN_PHY_MM2_PER_GBS] = n.phyMm2PerGBs;
    r[o + TN_LEAKAGE_W_PER_MM2] = n.leakageWPerMm2;
  });
  return r;
}
