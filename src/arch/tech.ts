/**
 * Technology tables (data/tech/technology.json): per-precision MAC energy and area at 45 nm, SRAM energy as a
 * function of capacity, and per-node scaling. Every constant in the file carries its `source`; this module only
 * reads them, checks they are finite and positive, and answers lookups.
 */
import { readFileSync } from 'node:fs';
import { TECH_NODES, type Precision, type TechNode } from './design.js';

interface Sourced {
  value: number;
  source: string;
  note?: string;
}

export interface NodeTable {
  logicAreaScale: number;
  energyScale: number;
  sramMm2PerMiB: number;
  offChipPJPerBit: number;
  phyMm2PerGBs: number;
  leakageWPerMm2: number;
}

export interface TechTables {
  macPJ: Record<Precision, number>;
  macAreaUm2: Record<Precision, number>;
  vectorLanePJ: number;
  vectorLaneAreaUm2: number;
  sram: { refKiB: number; refPJPerByte: number; exponent: number; bankKiB: number; wirePJPerBytePerSqrtMiB: number };
  nocPJPerByte: number;
  peOverheadFraction: number;
  nodes: Record<TechNode, NodeTable>;
  arrayPortOverheadUm2At45nm: number;
  laneOverheadUm2At45nm: number;
  registerFileBytesPerPE: number;
  registerFileAreaFactor: number;
  /** clock tree + control energy per cycle per mm² of 45 nm-equivalent area, at 45 nm (pJ) */
  clockControlPJPerCycleMm2: number;
  /** share of a ReLU output that is zero (calibrated; the kernel gets it through op records, O_RS_ZEROS) */
  reluZeroFraction: number;
  /** share of peak off-chip bandwidth that streaming kernels sustain */
  offChipSustainedFraction: number;
}

export const TECH_FILE = new URL('../../data/tech/technology.json', import.meta.url);

function num(x: unknown, where: string): number {
  const v = (x as Sourced | undefined)?.value;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`${TECH_FILE.pathname}: ${where} must be a finite number >= 0`);
  if (typeof (x as Sourced).source !== 'string') throw new Error(`${TECH_FILE.pathname}: ${where} has no source`);
  return v;
}

function perPrecision(x: Record<string, unknown>, where: string): Record<Precision, number> {
  const out = {} as Record<Precision, number>;
  for (const p of ['fp32', 'bf16', 'fp16', 'fp8', 'int8'] as Precision[]) out[p] = num(x[p], `${where}.${p}`);
  return out;
}

/** Parses the technology file (exported for tests that check every constant has a source). */
export function parseTechTables(raw: any): TechTables {
  const b = raw.base45nm;
  const s = b.sramPJPerByte;
  const nodes = {} as Record<TechNode, NodeTable>;
  for (const n of TECH_NODES) {
    const t = raw.nodes[String(n)];
    const w = `nodes.${n}`;
    nodes[n] = {
      logicAreaScale: num(t.logicAreaScale, `${w}.logicAreaScale`),
      energyScale: num(t.energyScale, `${w}.energyScale`),
      sramMm2PerMiB: num(t.sramMm2PerMiB, `${w}.sramMm2PerMiB`),
      offChipPJPerBit: num(t.offChipPJPerBit, `${w}.offChipPJPerBit`),
      phyMm2PerGBs: num(t.phyMm2PerGBs, `${w}.phyMm2PerGBs`),
      leakageWPerMm2: num(t.leakageWPerMm2, `${w}.leakageWPerMm2`),
    };
  }
  if (typeof s.source !== 'string') throw new Error(`${TECH_FILE.pathname}: base45nm.sramPJPerByte has no source`);
  return {
    macPJ: perPrecision(b.macPJ, 'base45nm.macPJ'),
    macAreaUm2: perPrecision(b.macAreaUm2, 'base45nm.macAreaUm2'),
    vectorLanePJ: num(b.vectorLanePJ, 'base45nm.vectorLanePJ'),
    vectorLaneAreaUm2: num(b.vectorLaneAreaUm2, 'base45nm.vectorLaneAreaUm2'),
    sram: {
      refKiB: s.refKiB,
      refPJPerByte: s.refPJPerByte,
      exponent: s.exponent,
      bankKiB: s.bankKiB,
      wirePJPerBytePerSqrtMiB: s.wirePJPerBytePerSqrtMiB,
    },
    nocPJPerByte: num(b.nocPJPerByte, 'base45nm.nocPJPerByte'),
    peOverheadFraction: num(b.peOverheadFraction, 'base45nm.peOverheadFraction'),
    nodes,
    arrayPortOverheadUm2At45nm: num(raw.calibration.arrayPortOverheadUm2At45nm, 'calibration.arrayPortOverheadUm2At45nm'),
    laneOverheadUm2At45nm: num(raw.calibration.laneOverheadUm2At45nm, 'calibration.laneOverheadUm2At45nm'),
    registerFileBytesPerPE: num(b.registerFileBytesPerPE, 'base45nm.registerFileBytesPerPE'),
    registerFileAreaFactor: num(b.registerFileAreaFactor, 'base45nm.registerFileAreaFactor'),
    clockControlPJPerCycleMm2: num(raw.calibration.clockControlPJPerCycleMm2, 'calibration.clockControlPJPerCycleMm2'),
    reluZeroFraction: num(raw.calibration.reluZeroFraction, 'calibration.reluZeroFraction'),
    offChipSustainedFraction: num(raw.memory?.offChipSustainedFraction, 'memory.offChipSustainedFraction'),
  };
}

/** The raw technology file as JSON (for listing sources). */
export function readTechFile(): any {
  return JSON.parse(readFileSync(TECH_FILE, 'utf8'));
}

/** The technology tables (read from the data file). Callers that evaluate many designs pass this around. */
export function loadTechTables(): TechTables {
  return parseTechTables(readTechFile());
}


/** Scratchpad / register-file / SRAM-bank energy per byte at 45 nm: the power law in capacity (no floor). */
export function spadPJPerByte45(t: TechTables, bytes: number): number {
  return t.sram.refPJPerByte * Math.pow(Math.max(bytes, 1) / 1024 / t.sram.refKiB, t.sram.exponent);
}

/**
 * SRAM read/write energy per byte at 45 nm for a buffer of `bytes`: the power law between 1 KiB and one bank
 * (bankKiB), plus an H-tree wire term for buffers beyond one bank.
 */
export function sramPJPerByte45(t: TechTables, bytes: number): number {
  const kib = Math.max(bytes / 1024, 1);
  const wire = t.sram.wirePJPerBytePerSqrtMiB * Math.sqrt(Math.max(0, kib / 1024 - 1));
  return spadPJPerByte45(t, Math.min(kib, t.sram.bankKiB) * 1024) + wire;
}
