/**
 * Area (mm²), TDP (W), peak FLOP/s and per-unit energies of a design, from the technology tables.
 *
 *  area  = MAC arrays (MAC area × (1 + PE overhead) + per-edge-port overhead) + vector lanes (FMA + lane overhead)
 *          (all logic × the node's logic-area scale) + SRAM (local buffers of every tensor core + global
 *          buffer, at the node's density) + off-chip PHY (per GB/s) + network (per GB/s)
 *  unit energies = 45 nm energies × the node's energy scale × the dynamic-power factor (clock tree, control);
 *          SRAM energy per byte grows with capacity (sramPJPerByte45)
 *  TDP   = peak dynamic power with every unit busy every cycle + leakage (area × leakage per mm²)
 */
import { PRECISION_BYTES, type Design } from './design.js';
import { loadTechTables, sramPJPerByte45, type TechTables } from './tech.js';
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

/** Per-unit energies the kernel uses (pJ per MAC, per vector FLOP, per byte at each level; leakage W). */
export function unitEnergies(d: Design, t: TechTables = DEFAULT_TECH): UnitEnergies {
  const node = t.nodes[d.techNm];
  const s = node.energyScale * t.dynamicPowerFactor;
  return {
    macPJ: t.macPJ[d.precision] * s,
    // a lane FLOP is half a fused multiply-add
    vectorOpPJ: (t.vectorLanePJ / 2) * s,
    localBufferPJPerByte: sramPJPerByte45(t, d.localBufferBytes) * s,
    globalBufferPJPerByte: sramPJPerByte45(t, d.globalBufferBytes) * s,
    nocPJPerByte: t.nocPJPerByte * s,
    offChipPJPerByte: node.offChipPJPerBit * 8 * t.dynamicPowerFactor,
    leakageW: areaMm2(d, t) * node.leakageWPerMm2,
  };
}

/** Peak dense tensor throughput: 2 FLOPs per MAC per cycle on every PE of every tensor core. */
export function peakTflops(d: Design): number {
  return (2 * d.tensorCores * d.tcRows * d.tcCols * d.clockGHz * 1e9) / 1e12;
}

export interface PowerBreakdown {
  tensorW: number;
  vectorW: number;
  localBufferW: number;
  globalBufferW: number;
  nocW: number;
  offChipW: number;
  leakageW: number;
  tdpW: number;
}

/**
 * TDP: every unit busy every cycle. A systolic array reads R + C operands and writes C results per cycle
 * from its local buffer; the global buffer, network and off-chip links run at their full bandwidth.
 */
export function powerBreakdown(d: Design, t: TechTables = DEFAULT_TECH): PowerBreakdown {
  const e = unitEnergies(d, t);
  const hz = d.clockGHz * 1e9;
  const bytes = PRECISION_BYTES[d.precision];
  const tensorW = d.tensorCores * d.tcRows * d.tcCols * hz * e.macPJ * 1e-12;
  const vectorW = d.vectorCores * d.vectorLanes * hz * e.vectorOpPJ * 1e-12;
  const localBufferW = d.tensorCores * (d.tcRows + 2 * d.tcCols) * bytes * hz * e.localBufferPJPerByte * 1e-12;
  const globalBufferW = d.globalBufferGBs * 1e9 * e.globalBufferPJPerByte * 1e-12;
  const nocW = d.nocGBs * 1e9 * e.nocPJPerByte * 1e-12;
  const offChipW = d.offChipGBs * 1e9 * e.offChipPJPerByte * 1e-12;
  const leakageW = e.leakageW;
  const tdpW = tensorW + vectorW + localBufferW + globalBufferW + nocW + offChipW + leakageW;
  return { tensorW, vectorW, localBufferW, globalBufferW, nocW, offChipW, leakageW, tdpW };
}

export function tdpW(d: Design, t: TechTables = DEFAULT_TECH): number {
  return powerBreakdown(d, t).tdpW;
}
