/**
 * The kernel's critical-path tightening loop (assembly/tighten.ts) from the host side: one WebAssembly
 * instance holding the technology constants, the design space (as numbers), the objective and limits, and
 * every workload's graph; `climb()` runs one climb inside the kernel and copies its results out.
 * Numbers only: what the numbers mean for a search lives in src/search/wham-kernel.ts.
 */
import type { TechTables } from '../arch/tech.js';
import { PRECISIONS, TECH_NODES } from '../arch/design.js';
import type { FlatGraph } from './flatten.js';
import { compileKernel } from './kernel.js';
import { InputError } from '../errors.js';
import { DESIGN_STRIDE, OP_STRIDE, RESULT_STRIDE } from './layout.js';
import { instantiateKernel } from './instantiate.js';

/** Parameters of a choice (SPACE_PARAMS order), as assembly/tighten.ts NP. */
export const CHOICE_PARAMS = 15;
/** Resources the climb attributes the critical path to (bound codes tensor … off-chip). */
export const CLIMB_RESOURCES = 6;
const RES_MAX = 4;

/** Header of a climb's results (f64 offsets; mirror of assembly/tighten.ts H_*). */
export const H_EVALUATIONS = 0;
export const H_CONSIDERED = 1;
export const H_INFEASIBLE = 2;
export const H_LOCAL_OPTIMUM = 3;
export const H_NTOP = 4;
export const H_NTRACE = 5;
export const H_NLOG = 6;
export const H_RECORD_STRIDE = 7;
export const H_FINAL_SCORE = 8;
export const H_FINAL_CHOICE = 9;
export const H_BEST_GOODNESS = H_FINAL_CHOICE + CHOICE_PARAMS;

/** Design record (mirror of REC_*): then per workload RW_STRIDE f64 (step time s, step energy J, valid, fits). */
export const REC_EVAL = 0;
export const REC_EVALUATED = 1;
export const REC_FEASIBLE = 2;
export const REC_AREA_MM2 = 3;
export const REC_TDP_W = 4;
export const REC_SCORE = 5;
export const REC_CHOICE = 6;
export const REC_HEAD = 6;
export const RW_TIME_S = 0;
export const RW_ENERGY_J = 1;
export const RW_VALID = 2;
export const RW_FITS = 3;
export const RW_STRIDE = 4;

export function climbRecordStride(workloads: number): number {
  return REC_HEAD + CHOICE_PARAMS + RW_STRIDE * workloads;
}

/** Area/TDP constants per mm² of NoC at 45 nm (src/arch/cost.ts NOC_MM2_PER_GBS_45NM). */
export interface ClimbTech {
  tables: TechTables;
  nocMm2PerGBs45nm: number;
}

/** The technology record the kernel reads (assembly/tighten.ts T_*). */
export function techRecord(t: ClimbTech): Float64Array {
  const tt = t.tables;
  const head = [
    ...PRECISIONS.map((p) => tt.macPJ[p]),
    ...PRECISIONS.map((p) => tt.macAreaUm2[p]),
    tt.vectorLanePJ, tt.vectorLaneAreaUm2,
    tt.sram.refKiB, tt.sram.refPJPerByte, tt.sram.exponent, tt.sram.bankKiB, tt.sram.wirePJPerBytePerSqrtMiB,
    tt.nocPJPerByte, tt.peOverheadFraction, tt.arrayPortOverheadUm2At45nm, tt.laneOverheadUm2At45nm,
    tt.registerFileBytesPerPE, tt.registerFileAreaFactor, tt.clockControlPJPerCycleMm2, t.nocMm2PerGBs45nm,
    tt.offChipSustainedFraction, tt.nodes[45].sramMm2PerMiB, TECH_NODES.length,
  ];
  const nodes = TECH_NODES.flatMap((nm) => {
    const n = tt.nodes[nm];
    return [nm, n.logicAreaScale, n.energyScale, n.sramMm2PerMiB, n.offChipPJPerBit, n.phyMm2PerGBs, n.leakageWPerMm2];
  });
  return Float64Array.from([...head, ...nodes]);
}

/** A design space as numbers: per parameter its values (codes for precision and dataflow, nm for technology). */
export interface NumericSpace {
  /** CHOICE_PARAMS lists of values */
  values: number[][];
  /** CHOICE_PARAMS flags: 1 = an axis the climb may move */
  axes: number[];
  ties: { param: number; of: number; factor: number }[];
  /** CLIMB_RESOURCES lists of parameter indices (at most 4 each) */
  resourceParams: number[][];
}

export interface ClimbWorkload {
  flat: FlatGraph;
  batch: number;
  memoryPeakBytes: number;
}

export interface ClimberSetup {
  tech: ClimbTech;
  space: NumericSpace;
  /** index in OBJECTIVES */
  objectiveId: number;
  areaLimitMm2: number;
  tdpLimitW: number;
  workloads: ClimbWorkload[];
  module?: WebAssembly.Module;
  /** concurrent (default) or single-stream step schedules */
  singleStream?: boolean;
}

/** One climb's results, copied out of linear memory. */
export interface ClimbRaw {
  header: Float64Array;
  recordStride: number;
  /** top-k records, best first */
  top: Float64Array;
  /** records of the designs that raised the climb's best score, in evaluation order */
  trace: Float64Array;
  /** every design considered, in evaluation order (empty unless asked) */
  log: Float64Array;
}

interface ClimbExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  tightenSetTech(ptr: number, n: number): number;
  tightenSetSpace(counts: number, values: number, axes: number, ties: number, nTies: number, resParams: number): void;
  tightenSetObjective(objective: number, areaLimitMm2: number, tdpLimitW: number): void;
  setExecution(mode: number): void;
  tightenClearGraphs(): void;
  tightenAddGraph(ops: number, nOps: number, slotRes: number, opSlot: number, opPhase: number, depOff: number, deps: number, nAllOps: number, batch: number, memoryPeakBytes: number): number;
  tightenCost(choice: number, out: number): void;
  climb(start: number, maxEvals: number, topK: number, log: number): number;
  climbHeader(): number;
  climbTop(): number;
  climbTrace(): number;
  climbLog(): number;
  climbHeaderSize(): number;
  climbRecordHead(): number;
}

const F64 = 8;
/** the kernel's climbs count evaluations in i32 */
export const MAX_CLIMB_EVALS = 2 ** 31 - 1;

export class Climber {
  private readonly x: ClimbExports;
  private readonly nWorkloads: number;
  private readonly choicePtr: number;
  private readonly costPtr: number;

  constructor(s: ClimberSetup) {
    const module = s.module ?? compileKernel('release');
    this.x = instantiateKernel<ClimbExports>(module);
    if (this.x.climbHeaderSize() !== H_BEST_GOODNESS || this.x.climbRecordHead() !== REC_HEAD) {
      throw new Error('the WebAssembly kernel was built from another climb layout: run `npm run build:wasm`');
    }
    this.nWorkloads = s.workloads.length;
    // technology
    const tech = techRecord(s.tech);
    const tp = this.put(tech);
    this.x.tightenSetTech(tp, tech.length);
    // space
    if (s.space.values.length !== CHOICE_PARAMS) throw new Error(`a numeric space needs ${CHOICE_PARAMS} parameters`);
    const counts = Int32Array.from(s.space.values, (v) => v.length);
    const values = Float64Array.from(s.space.values.flat());
    const axes = Int32Array.from(s.space.axes);
    const ties = Float64Array.from(s.space.ties.flatMap((t) => [t.param, t.of, t.factor]));
    const res = new Int32Array(CLIMB_RESOURCES * (RES_MAX + 1));
    s.space.resourceParams.forEach((ps, r) => {
      if (ps.length > RES_MAX) throw new Error(`resource ${r}: at most ${RES_MAX} parameters`);
      res[r * (RES_MAX + 1)] = ps.length;
      ps.forEach((p, j) => (res[r * (RES_MAX + 1) + 1 + j] = p));
    });
    this.x.tightenSetSpace(this.putI32(counts), this.put(values), this.putI32(axes), this.put(ties), s.space.ties.length, this.putI32(res));
    this.x.tightenSetObjective(s.objectiveId, s.areaLimitMm2, s.tdpLimitW);
    this.x.setExecution(s.singleStream ? 1 : 0);
    // graphs (kept in this instance's memory for the search)
    this.x.tightenClearGraphs();
    for (const w of s.workloads) {
      const g = w.flat;
      const ops = this.put(g.ops.subarray(0, g.nUnique * OP_STRIDE));
      const slotRes = this.x.alloc(Math.max(1, g.nUnique * RESULT_STRIDE) * F64);
      const ordered = this.x.tightenAddGraph(ops, g.nUnique, slotRes, this.putI32(g.opSlot), this.putI32(g.opPhase), this.putI32(g.depOffsets), this.putI32(g.depIndex), g.nOps, w.batch, w.memoryPeakBytes);
      if (ordered < 0) throw new InputError('too many workloads for one search (at most 256)');
      if (ordered !== g.nOps) throw new InputError(`the graph has a dependency cycle (${g.nOps - ordered} of ${g.nOps} ops are on or behind it)`);
    }
    this.choicePtr = this.x.alloc(CHOICE_PARAMS * 4);
    this.costPtr = this.x.alloc((2 + DESIGN_STRIDE) * F64);
  }

  private put(a: Float64Array): number {
    const p = this.x.alloc(Math.max(1, a.length) * F64);
    new Float64Array(this.x.memory.buffer, p, a.length).set(a);
    return p;
  }

  private putI32(a: Int32Array): number {
    const p = this.x.alloc(Math.max(1, a.length) * 4 + 4);
    new Int32Array(this.x.memory.buffer, p, a.length).set(a);
    return p;
  }

  private setChoice(choice: Int32Array): void {
    new Int32Array(this.x.memory.buffer, this.choicePtr, CHOICE_PARAMS).set(choice.subarray(0, CHOICE_PARAMS));
  }

  /** The kernel's area (mm²), TDP (W) and design record (with unit energies) of a choice. */
  cost(choice: Int32Array): { areaMm2: number; tdpW: number; record: Float64Array } {
    this.setChoice(choice);
    this.x.tightenCost(this.choicePtr, this.costPtr);
    const m = new Float64Array(this.x.memory.buffer, this.costPtr, 2 + DESIGN_STRIDE);
    return { areaMm2: m[0], tdpW: m[1], record: m.slice(2) };
  }

  /** One climb from `start` (value indices) with at most `maxEvals` evaluations, keeping the `topK` best. */
  climb(start: Int32Array, maxEvals: number, topK: number, log = false): ClimbRaw {
    this.setChoice(start);
    const cap = Math.max(0, Math.min(MAX_CLIMB_EVALS, Math.floor(maxEvals)));
    const used = this.x.climb(this.choicePtr, cap, Math.max(1, topK), log ? 1 : 0);
    if (used < 0) throw new Error('the climber is not set up');
    const buf = this.x.memory.buffer; // after the call: memory may have grown
    const header = new Float64Array(buf, this.x.climbHeader(), H_BEST_GOODNESS + this.nWorkloads).slice();
    const stride = header[H_RECORD_STRIDE];
    const copy = (ptr: number, n: number) => (n > 0 ? new Float64Array(buf, ptr, n * stride).slice() : new Float64Array(0));
    return {
      header,
      recordStride: stride,
      top: copy(this.x.climbTop(), header[H_NTOP]),
      trace: copy(this.x.climbTrace(), header[H_NTRACE]),
      log: copy(this.x.climbLog(), header[H_NLOG]),
    };
  }
}
