/**
 * Area (mm²), TDP (W), peak FLOP/s and per-unit energies of a design, from the technology tables.
 *
 *  area  = MAC arrays (MAC area × (1 + PE overhead) + per-edge-port overhead) + vector lanes (FMA + lane overhead)
 *          (all logic × the node's logic-area scale) + SRAM (local buffers of every tensor core + global
 *          buffer, at the node's density) + off-chip PHY (per GB/s) + network (per GB/s)
 *  unit energies = 45 nm energies × the node's energy scale; SRAM energy per byte grows with capacity
 *          (sramPJPerByte45); a row-stationary design's local level is its per-PE scratchpads, priced at the
 *          size of one PE's share
 *  clock  = clock tree and control power while the chip runs: clockControlPJPerCycleMm2 × the design's
 *          45 nm-equivalent area (logic / logicAreaScale + SRAM at 45 nm density) × energy scale × clock
 *  TDP    = leakage + clock + the most power-hungry op class at its sustained rate: tensor (every PE busy,
 *          its operands from the local buffer, global buffer and NoC at full bandwidth, off-chip at its
 *          sustained share) or vector (every lane busy, the same memory levels)
 */
import { PRECISION_BYTES, RS_SCRATCHPAD_BYTES, type Design } from './design.js';
import { loadTechTables, spadPJPerByte45, sramPJPerByte45, type TechTables } from './tech.js';
import type { UnitEnergies } from '../engine/layout.js';

/** The technology tables every cost function uses unless given others (read once, never modified). */
export const DEFAULT_TECH: Readonly<TechTables> = Object.freeze(loadTechTables());

const MIB = 2 ** 20;
/** on-chip network wiring and routers, mm² per GB/s at 45 nm (estimate: ~64 B/cycle links at 1 GHz ≈ 0.6 mm² each) */
export const NOC_MM2_PER_GBS_45NM = 0.01;

export interface AreaBreakdown {
  tensorMm2: number;
  vectorMm2: number;
  /** vector-lane overhead beyond the FMA (register files, issue, load/store) */
  laneOverheadMm2: number;
  sramMm2: number;
  phyMm2: number;
  nocMm2: number;
  totalMm2: number;
}

export function areaBreakdown(d: Design, t: TechTables = DEFAULT_TECH): AreaBreakdown {
  const node = t.nodes[d.techNm];
  const logic = node.logicAreaScale;
  const pe = t.macAreaUm2[d.precision] * (1 + t.peOverheadFraction);
  const ports = d.tcRows + d.tcCols;
  const tensorMm2 = d.tensorCores * (d.tcRows * d.tcCols * pe + ports * t.arrayPortOverheadUm2At45nm) * 1e-6 * logic;
  const vectorMm2 = d.vectorCores * d.vectorLanes * t.vectorLaneAreaUm2 * 1e-6 * logic;
  const laneOverheadMm2 = d.vectorCores * d.vectorLanes * t.laneOverheadUm2At45nm * 1e-6 * logic;
  const sramMm2 =
    ((d.tensorCores * localBufferSramEquivalentBytes(d, t) + d.globalBufferBytes) / MIB) * node.sramMm2PerMiB;
  const phyMm2 = d.offChipGBs * node.phyMm2PerGBs;
  const nocMm2 = d.nocGBs * NOC_MM2_PER_GBS_45NM * logic;
  const totalMm2 = tensorMm2 + vectorMm2 + laneOverheadMm2 + sramMm2 + phyMm2 + nocMm2;
  return { tensorMm2, vectorMm2, laneOverheadMm2, sramMm2, phyMm2, nocMm2, totalMm2 };
}

/**
 * SRAM-equivalent bytes of one tensor core's local buffer: the first registerFileBytesPerPE bytes per PE are built
 * as per-PE register files (Eyeriss's scratchpads, a GPU SM's operand storage), which cost registerFileAreaFactor
 * times the area of 6T SRAM per bit; anything beyond is SRAM. Monotonic in the buffer size.
 */
export function localBufferSramEquivalentBytes(d: Design, t: TechTables = DEFAULT_TECH): number {
  const rf = Math.min(d.localBufferBytes, t.registerFileBytesPerPE * d.tcRows * d.tcCols);
  return rf * t.registerFileAreaFactor + (d.localBufferBytes - rf);
}

export function areaMm2(d: Design, t: TechTables = DEFAULT_TECH): number {
  return areaBreakdown(d, t).totalMm2;
}

/**
 * The design's area at 45 nm density, without the PHY (what the clock tree and control logic span): logic
 * scaled back by the node's logic-area scale, SRAM at the 45 nm density.
 */
export function clockedAreaMm2At45nm(d: Design, t: TechTables = DEFAULT_TECH): number {
  const a = areaBreakdown(d, t);
  const node = t.nodes[d.techNm];
  const logic = (a.tensorMm2 + a.vectorMm2 + a.laneOverheadMm2 + a.nocMm2) / node.logicAreaScale;
  return logic + (a.sramMm2 / node.sramMm2PerMiB) * t.nodes[45].sramMm2PerMiB;
}

/**
 * Energy per byte at the local level, 45 nm: the core's buffer for the systolic dataflows; for rs the average
 * over a MAC's four scratchpad accesses (ifmap read, filter read, psum read and write), each scratchpad
 * priced at its own size (one PE's share of the local buffer split RS_SCRATCHPAD_BYTES), on the SRAM power law
 * extended below 1 KiB (register files).
 */
export function localPJPerByte45(d: Design, t: TechTables = DEFAULT_TECH): number {
  if (d.dataflow !== 'rs') return sramPJPerByte45(t, d.localBufferBytes);
  const perPE = d.localBufferBytes / (d.tcRows * d.tcCols);
  const { filter, ifmap, psum } = RS_SCRATCHPAD_BYTES;
  const at = (share: number) => spadPJPerByte45(t, (perPE * share) / (filter + ifmap + psum));
  return (at(ifmap) + at(filter) + 2 * at(psum)) / 4;
}

/** Per-unit energies the kernel uses (pJ per MAC, per vector FLOP, per byte at each level; leakage W). */
export function unitEnergies(d: Design, t: TechTables = DEFAULT_TECH): UnitEnergies {
  const node = t.nodes[d.techNm];
  const s = node.energyScale;
  return {
    macPJ: t.macPJ[d.precision] * s,
    // a lane FLOP is half a fused multiply-add
    vectorOpPJ: (t.vectorLanePJ / 2) * s,
    localBufferPJPerByte: localPJPerByte45(d, t) * s,
    globalBufferPJPerByte: sramPJPerByte45(t, d.globalBufferBytes) * s,
    nocPJPerByte: t.nocPJPerByte * s,
    offChipPJPerByte: node.offChipPJPerBit * 8,
    leakageW: areaMm2(d, t) * node.leakageWPerMm2,
    clockW: t.clockControlPJPerCycleMm2 * clockedAreaMm2At45nm(d, t) * s * d.clockGHz * 1e-3,
  };
}

/** Peak dense tensor throughput: 2 FLOPs per MAC per cycle on every PE of every tensor core. */
export function peakTflops(d: Design): number {
  return (2 * d.tensorCores * d.tcRows * d.tcCols * d.clockGHz * 1e9) / 1e12;
}

export interface PowerBreakdown {
  /** every PE of every tensor core doing one MAC a cycle */
  tensorW: number;
  /** the PEs' operand reads and result writes at the local level (systolic: R + 2C words a cycle per array; rs: 4 scratchpad accesses per MAC) */
  localBufferW: number;
  /** every vector lane busy */
  vectorW: number;
  globalBufferW: number;
  nocW: number;
  /** off-chip traffic at its sustained share of the peak bandwidth */
  offChipW: number;
  clockW: number;
  leakageW: number;
  /** tensorW + localBufferW (+ memory levels): the tensor class's dynamic power */
  tensorClassW: number;
  vectorClassW: number;
  /** which class sets the TDP */
  tdpClass: 'tensor' | 'vector';
  tdpW: number;
}

/**
 * Power at each unit's sustained rate, and the TDP: leakage + clock/control + the more power-hungry of the
 * tensor class (MACs, their local operand traffic, the memory levels) and the vector class (lanes, the memory
 * levels). The memory levels run at full bandwidth (off-chip at its sustained share) in both classes.
 */
export function powerBreakdown(d: Design, t: TechTables = DEFAULT_TECH): PowerBreakdown {
  const e = unitEnergies(d, t);
  const hz = d.clockGHz * 1e9;
  const bytes = PRECISION_BYTES[d.precision];
  const pes = d.tensorCores * d.tcRows * d.tcCols;
  const tensorW = pes * hz * e.macPJ * 1e-12;
  const localWordsPerCycle = d.dataflow === 'rs' ? 4 * pes : d.tensorCores * (d.tcRows + 2 * d.tcCols);
  const localBufferW = localWordsPerCycle * bytes * hz * e.localBufferPJPerByte * 1e-12;
  const vectorW = d.vectorCores * d.vectorLanes * hz * e.vectorOpPJ * 1e-12;
  const globalBufferW = d.globalBufferGBs * 1e9 * e.globalBufferPJPerByte * 1e-12;
  const nocW = d.nocGBs * 1e9 * e.nocPJPerByte * 1e-12;
  const offChipW = d.offChipGBs * t.offChipSustainedFraction * 1e9 * e.offChipPJPerByte * 1e-12;
  const memoryW = globalBufferW + nocW + offChipW;
  const tensorClassW = tensorW + localBufferW + memoryW;
  const vectorClassW = vectorW + memoryW;
  const tdpClass = tensorClassW >= vectorClassW ? 'tensor' : 'vector';
  const tdpW = e.leakageW + e.clockW + Math.max(tensorClassW, vectorClassW);
  return {
    tensorW, localBufferW, vectorW, globalBufferW, nocW, offChipW, clockW: e.clockW, leakageW: e.leakageW,
    tensorClassW, vectorClassW, tdpClass, tdpW,
  };
}

/** The terms that add up to the TDP: leakage, clock/control, then the units and memory levels of the class that sets it. */
export type TdpTerm = 'leakageW' | 'clockW' | 'tensorW' | 'localBufferW' | 'vectorW' | 'globalBufferW' | 'nocW' | 'offChipW';

export function tdpTerms(p: PowerBreakdown): TdpTerm[] {
  const units: TdpTerm[] = p.tdpClass === 'tensor' ? ['tensorW', 'localBufferW'] : ['vectorW'];
  return ['leakageW', 'clockW', ...units, 'globalBufferW', 'nocW', 'offChipW'];
}

export function tdpW(d: Design, t: TechTables = DEFAULT_TECH): number {
  return powerBreakdown(d, t).tdpW;
}
