/**
 * Area, TDP and unit energies of a design record inside the kernel: a port of src/arch/cost.ts, formula for
 * formula (test/tighten.test.ts checks it against the TypeScript to 1e-9 for every precision, dataflow and
 * node). The host hands the technology tables over once (tightenSetTech, the record of src/engine/climb-layout.ts
 * techRecord); costDesign fills a design record's unit energies and leaves its area and TDP for
 * costedAreaMm2() / costedTdpW().
 */
import {
  D_CLOCK_GHZ, D_CLOCK_W, D_DATAFLOW, D_GLOBAL_BUFFER_BYTES, D_GLOBAL_BUFFER_GBS, D_GLOBAL_PJ_PER_BYTE, D_LEAKAGE_W,
  D_LOCAL_BUFFER_BYTES, D_LOCAL_PJ_PER_BYTE, D_MAC_PJ, D_NOC_GBS, D_NOC_PJ_PER_BYTE, D_OFFCHIP_GBS, D_OFFCHIP_PJ_PER_BYTE,
  D_PRECISION, D_TC_COLS, D_TC_ROWS, D_TECH_NM, D_TENSOR_CORES, D_VECTOR_CORES, D_VECTOR_LANES, D_VECTOR_OP_PJ,
  DESIGN_STRIDE, DF_RS, RS_SPAD_FILTER_BYTES, RS_SPAD_IFMAP_BYTES, RS_SPAD_PSUM_BYTES,
} from './layout';
import {
  T_CLOCK_PJ_PER_CYCLE_MM2, T_LANE_OVERHEAD_UM2, T_MAC_AREA_UM2, T_MAC_PJ, T_NOC_MM2_PER_GBS, T_NOC_PJ_PER_BYTE, T_NODE_COUNT, T_NODES,
  T_OFFCHIP_SUSTAINED, T_PE_OVERHEAD, T_PORT_OVERHEAD_UM2, T_RF_AREA_FACTOR, T_RF_BYTES_PER_PE, T_SRAM_BANK_KIB, T_SRAM_EXPONENT,
  T_SRAM_MM2_PER_MIB_45NM, T_SRAM_REF_KIB, T_SRAM_REF_PJ_PER_BYTE, T_SRAM_WIRE_PJ, T_VECTOR_LANE_AREA_UM2, T_VECTOR_LANE_PJ, TECH_MAX,
  TN_ENERGY, TN_LEAKAGE_W_PER_MM2, TN_LOGIC, TN_NM, TN_OFFCHIP_PJ_PER_BIT, TN_PHY_MM2_PER_GBS, TN_SRAM_MM2_PER_MIB, TN_STRIDE,
} from './climb-layout';
import { allocF64, lf, sf } from './mem';

const MIB: f64 = 1048576;


let gTech: usize = 0;
let gArea: f64 = 0;
let gTdp: f64 = 0;

/** Copies `n` technology constants (climb-layout.ts T_*, TN_*). Returns the length the kernel expects up to the nodes. */
export function tightenSetTech(ptr: usize, n: i32): i32 {
  if (gTech == 0) gTech = allocF64(TECH_MAX);
  memory.copy(gTech, ptr, <usize>min(n, TECH_MAX) << 3);
  return T_NODES;
}

function nodeOf(nm: f64): usize {
  const nn = <i32>lf(gTech, T_NODE_COUNT);
  for (let i = 0; i < nn; i++) {
    const p = gTech + (<usize>(T_NODES + i * TN_STRIDE) << 3);
    if (lf(p, TN_NM) == nm) return p;
  }
  return gTech + (<usize>T_NODES << 3);
}

function sramPJPerByte45(bytes: f64): f64 {
  const kib = Math.max(bytes / 1024, 1);
  const wire = lf(gTech, T_SRAM_WIRE_PJ) * Math.sqrt(Math.max(0, kib / 1024 - 1));
  return spadPJPerByte45(Math.min(kib, lf(gTech, T_SRAM_BANK_KIB)) * 1024) + wire;
}

function spadPJPerByte45(bytes: f64): f64 {
  return lf(gTech, T_SRAM_REF_PJ_PER_BYTE) * Math.pow(Math.max(bytes, 1) / 1024 / lf(gTech, T_SRAM_REF_KIB), lf(gTech, T_SRAM_EXPONENT));
}

/** rs local level: the mean over a MAC's ifmap, filter and two psum accesses, each scratchpad at its size */
function rsSpadPJPerByte45(perPE: f64): f64 {
  const total = <f64>(RS_SPAD_FILTER_BYTES + RS_SPAD_IFMAP_BYTES + RS_SPAD_PSUM_BYTES);
  return (
    spadPJPerByte45((perPE * <f64>RS_SPAD_IFMAP_BYTES) / total) + spadPJPerByte45((perPE * <f64>RS_SPAD_FILTER_BYTES) / total) +
    2 * spadPJPerByte45((perPE * <f64>RS_SPAD_PSUM_BYTES) / total)
  ) / 4;
}

/** element bytes by precision code (fp32, bf16, fp16, fp8, int8) */
export function precisionBytes(p: i32): f64 {
  return p == 0 ? 4 : p <= 2 ? 2 : 1;
}

/**
 * Fills a design record (layout D_*) from the fields already written at D_TENSOR_CORES … D_TECH_NM: unit
 * energies, and gArea (mm²) / gTdp (W), as src/arch/cost.ts computes them.
 */
export function costDesign(d: usize): void {
  const tc = lf(d, D_TENSOR_CORES);
  const rows = lf(d, D_TC_ROWS);
  const cols = lf(d, D_TC_COLS);
  const vc = lf(d, D_VECTOR_CORES);
  const lanes = lf(d, D_VECTOR_LANES);
  const local = lf(d, D_LOCAL_BUFFER_BYTES);
  const global = lf(d, D_GLOBAL_BUFFER_BYTES);
  const prec = <i32>lf(d, D_PRECISION);
  const node = nodeOf(lf(d, D_TECH_NM));
  const t = gTech;
  // area (areaBreakdown)
  const logic = lf(node, TN_LOGIC);
  const pe = lf(t, T_MAC_AREA_UM2 + prec) * (1 + lf(t, T_PE_OVERHEAD));
  const ports = rows + cols;
  const tensorMm2 = tc * (rows * cols * pe + ports * lf(t, T_PORT_OVERHEAD_UM2)) * 1e-6 * logic;
  const vectorMm2 = vc * lanes * lf(t, T_VECTOR_LANE_AREA_UM2) * 1e-6 * logic;
  const laneOverheadMm2 = vc * lanes * lf(t, T_LANE_OVERHEAD_UM2) * 1e-6 * logic;
  const rf = Math.min(local, lf(t, T_RF_BYTES_PER_PE) * rows * cols);
  const localEq = rf * lf(t, T_RF_AREA_FACTOR) + (local - rf);
  const sramMm2 = ((tc * localEq + global) / MIB) * lf(node, TN_SRAM_MM2_PER_MIB);
  const phyMm2 = lf(d, D_OFFCHIP_GBS) * lf(node, TN_PHY_MM2_PER_GBS);
  const nocMm2 = lf(d, D_NOC_GBS) * lf(t, T_NOC_MM2_PER_GBS) * logic;
  const area = tensorMm2 + vectorMm2 + laneOverheadMm2 + sramMm2 + phyMm2 + nocMm2;
  // unit energies (unitEnergies)
  const s = lf(node, TN_ENERGY);
  const rsFlow = lf(d, D_DATAFLOW) == <f64>DF_RS;
  const macPJ = lf(t, T_MAC_PJ + prec) * s;
  const vectorOpPJ = (lf(t, T_VECTOR_LANE_PJ) / 2) * s;
  const localPJ = (rsFlow ? rsSpadPJPerByte45(local / (rows * cols)) : sramPJPerByte45(local)) * s;
  const globalPJ = sramPJPerByte45(global) * s;
  const nocPJ = lf(t, T_NOC_PJ_PER_BYTE) * s;
  const offChipPJ = lf(node, TN_OFFCHIP_PJ_PER_BIT) * 8;
  const leakageW = area * lf(node, TN_LEAKAGE_W_PER_MM2);
  const clockedMm2 =
    (tensorMm2 + vectorMm2 + laneOverheadMm2 + nocMm2) / logic +
    (sramMm2 / lf(node, TN_SRAM_MM2_PER_MIB)) * lf(t, T_SRAM_MM2_PER_MIB_45NM);
  const clockW = lf(t, T_CLOCK_PJ_PER_CYCLE_MM2) * clockedMm2 * s * lf(d, D_CLOCK_GHZ) * 1e-3;
  sf(d, D_MAC_PJ, macPJ);
  sf(d, D_VECTOR_OP_PJ, vectorOpPJ);
  sf(d, D_LOCAL_PJ_PER_BYTE, localPJ);
  sf(d, D_GLOBAL_PJ_PER_BYTE, globalPJ);
  sf(d, D_NOC_PJ_PER_BYTE, nocPJ);
  sf(d, D_OFFCHIP_PJ_PER_BYTE, offChipPJ);
  sf(d, D_LEAKAGE_W, leakageW);
  sf(d, D_CLOCK_W, clockW);
  for (let i = D_CLOCK_W + 1; i < DESIGN_STRIDE; i++) sf(d, i, 0);
  // TDP (powerBreakdown)
  const hz = lf(d, D_CLOCK_GHZ) * 1e9;
  const bytes = precisionBytes(prec);
  const pes = tc * rows * cols;
  const tensorW = pes * hz * macPJ * 1e-12;
  const localWords = rsFlow ? 4 * pes : tc * (rows + 2 * cols);
  const localBufferW = localWords * bytes * hz * localPJ * 1e-12;
  const vectorW = vc * lanes * hz * vectorOpPJ * 1e-12;
  const globalBufferW = lf(d, D_GLOBAL_BUFFER_GBS) * 1e9 * globalPJ * 1e-12;
  const nocW = lf(d, D_NOC_GBS) * 1e9 * nocPJ * 1e-12;
  const offChipW = lf(d, D_OFFCHIP_GBS) * lf(t, T_OFFCHIP_SUSTAINED) * 1e9 * offChipPJ * 1e-12;
  const memoryW = globalBufferW + nocW + offChipW;
  gArea = area;
  gTdp = leakageW + clockW + Math.max(tensorW + localBufferW + memoryW, vectorW + memoryW);
}

/** the technology tables have been handed over */
export function techLoaded(): bool {
  return gTech != 0;
}

/** area (mm²) of the design last costed */
// @ts-ignore: decorator
@inline export function costedAreaMm2(): f64 {
  return gArea;
}

/** TDP (W) of the design last costed */
// @ts-ignore: decorator
@inline export function costedTdpW(): f64 {
  return gTdp;
}
