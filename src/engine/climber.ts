/**
 * The climb API of a thread's kernel host: WHAM's critical-path tightening loop (assembly/tighten.ts) run on
 * the `Kernel`'s own instance (no instance here). A Climber installs the technology constants, the design space
 * (as numbers), the objective and limits in the module, and registers its workloads' graphs, which live in the
 * kernel's graph slots (slot w = workload w, shared with batch evaluation on the same thread); `climb()` runs one
 * climb inside the kernel and copies its results out. The records it writes and reads are those of
 * ./climb-layout.ts (the second layout pair). Numbers only: what the numbers mean for a search lives in
 * src/search/wham-kernel.ts.
 */
import type { FlatGraph } from './flatten.js';
import type { Kernel } from './kernel.js';
import { InputError } from '../errors.js';
import { DESIGN_STRIDE } from './layout.js';
import {
  CHOICE_PARAMS, CLIMB_RESOURCES, COST_AREA_MM2, COST_DESIGN, COST_TDP_W, H_BEST_GOODNESS, H_NLOG, H_NTOP, H_NTRACE, H_RECORD_STRIDE, REC_HEAD,
  RES_MAX, RES_STRIDE, TIE_FACTOR, TIE_OF, TIE_PARAM, TIE_STRIDE, techRecord, type ClimbTech,
} from './climb-layout.js';

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

/** the kernel's climbs count evaluations in i32 */
export const MAX_CLIMB_EVALS = 2 ** 31 - 1;

const F64 = 8;
/** byte offset of the cost output after the choice in the staging area (CHOICE_PARAMS i32, 8-aligned) */
const COST_OUT = 8 * Math.ceil((CHOICE_PARAMS * 4) / 8);

/** Inputs laid out one after another, 8-byte aligned, in the kernel's staging area. */
function stageAll(k: Kernel, arrays: (Float64Array | Int32Array)[]): number[] {
  const offsets: number[] = [];
  let bytes = 0;
  for (const a of arrays) {
    offsets.push(bytes);
    bytes += 8 * Math.ceil((Math.max(1, a.length) * a.BYTES_PER_ELEMENT) / 8);
  }
  const base = k.staging(bytes);
  const { f64, i32 } = k.views();
  return arrays.map((a, j) => {
    const p = base + offsets[j];
    if (a instanceof Float64Array) f64.set(a, p / F64);
    else i32.set(a, p / 4);
    return p;
  });
}

export class Climber {
  private readonly tech: Float64Array;
  private readonly space: [Int32Array, Float64Array, Int32Array, Float64Array, Int32Array];
  private readonly nTies: number;

  /** Sets a search's climbs up on `kernel` (the thread's: src/engine/kernel.ts defaultKernel). */
  constructor(readonly kernel: Kernel, private readonly s: ClimberSetup) {
    const x = kernel.exports;
    if (x.climbHeaderSize() !== H_BEST_GOODNESS || x.climbRecordHead() !== REC_HEAD) {
      throw new Error('the WebAssembly kernel was built from another climb layout: run `npm run build:wasm`');
    }
    if (s.space.values.length !== CHOICE_PARAMS) throw new Error(`a numeric space needs ${CHOICE_PARAMS} parameters`);
    this.tech = techRecord(s.tech);
    const res = new Int32Array(CLIMB_RESOURCES * RES_STRIDE);
    s.space.resourceParams.forEach((ps, r) => {
      if (ps.length > RES_MAX) throw new Error(`resource ${r}: at most ${RES_MAX} parameters`);
      res[r * RES_STRIDE] = ps.length;
      ps.forEach((p, j) => (res[r * RES_STRIDE + 1 + j] = p));
    });
    const ties = new Float64Array(s.space.ties.length * TIE_STRIDE);
    s.space.ties.forEach((t, i) => {
      ties[i * TIE_STRIDE + TIE_PARAM] = t.param;
      ties[i * TIE_STRIDE + TIE_OF] = t.of;
      ties[i * TIE_STRIDE + TIE_FACTOR] = t.factor;
    });
    this.space = [
      Int32Array.from(s.space.values, (v) => v.length),
      Float64Array.from(s.space.values.flat()),
      Int32Array.from(s.space.axes),
      ties,
      res,
    ];
    this.nTies = s.space.ties.length;
    this.install();
  }

  /** Writes the technology, the space, the objective and limits (the module copies them), then the graphs. */
  private install(): void {
    const x = this.kernel.exports;
    this.kernel.climbInstalling();
    const [tp] = stageAll(this.kernel, [this.tech]);
    x.tightenSetTech(tp, this.tech.length);
    const [counts, values, axes, ties, res] = stageAll(this.kernel, this.space);
    x.tightenSetSpace(counts, values, axes, ties, this.nTies, res);
    x.tightenSetObjective(this.s.objectiveId, this.s.areaLimitMm2, this.s.tdpLimitW);
    this.addGraphs();
  }

  /** Registers every workload's graph (kernel graph slot w for workload w, copied there if it holds another). */
  private addGraphs(): void {
    const k = this.kernel;
    const x = k.exports;
    k.climbInstalling();
    x.tightenClearGraphs();
    this.s.workloads.forEach((w, slot) => {
      const g = w.flat;
      const r = k.graphRegion(g, slot);
      const ordered = x.tightenAddGraph(r.ops, g.nUnique, r.slotResults, r.opSlot, r.opPhase, r.depOffsets, r.deps, g.nOps, w.batch, w.memoryPeakBytes);
      if (ordered < 0) throw new InputError('too many workloads for one search (at most 256)');
      if (ordered !== g.nOps) throw new InputError(`the graph has a dependency cycle (${g.nOps - ordered} of ${g.nOps} ops are on or behind it)`);
    });
    k.climbInstalled(this, this.s.workloads.length - 1);
  }

  /**
   * Makes the module's climb state this climber's again when the thread's kernel did something else since
   * (another climber's setup, or batch evaluation re-pointing the scheduler or overwriting a graph slot), and
   * sets the schedules the climbs rank by: the list schedule alone, concurrent or single stream.
   */
  private prepare(): void {
    const k = this.kernel;
    const state = k.climbReadiness(this);
    if (state === 'setup') this.install();
    else if (state === 'graphs') this.addGraphs();
    k.setExecution(this.s.singleStream ? 'single-stream' : 'concurrent');
    k.setSchedulePasses(0);
  }

  private setChoice(choice: Int32Array): number {
    const p = this.kernel.staging(COST_OUT + (COST_DESIGN + DESIGN_STRIDE) * F64);
    this.kernel.views().i32.set(choice.subarray(0, CHOICE_PARAMS), p / 4);
    return p;
  }

  /** The kernel's area (mm²), TDP (W) and design record (with unit energies) of a choice. */
  cost(choice: Int32Array): { areaMm2: number; tdpW: number; record: Float64Array } {
    this.prepare();
    const p = this.setChoice(choice);
    this.kernel.exports.tightenCost(p, p + COST_OUT);
    const o = (p + COST_OUT) / F64;
    const m = this.kernel.views().f64;
    return { areaMm2: m[o + COST_AREA_MM2], tdpW: m[o + COST_TDP_W], record: m.slice(o + COST_DESIGN, o + COST_DESIGN + DESIGN_STRIDE) };
  }

  /** One climb from `start` (value indices) with at most `maxEvals` evaluations, keeping the `topK` best. */
  climb(start: Int32Array, maxEvals: number, topK: number, log = false): ClimbRaw {
    this.prepare();
    const x = this.kernel.exports;
    const p = this.setChoice(start);
    const cap = Math.max(0, Math.min(MAX_CLIMB_EVALS, Math.floor(maxEvals)));
    const used = x.climb(p, cap, Math.max(1, topK), log ? 1 : 0);
    this.kernel.climbRan();
    if (used < 0) throw new Error('the climber is not set up');
    const m = this.kernel.views().f64; // after the call: memory may have grown
    const h = x.climbHeader() / F64;
    const header = m.slice(h, h + H_BEST_GOODNESS + this.s.workloads.length);
    const stride = header[H_RECORD_STRIDE];
    const copy = (ptr: number, n: number) => (n > 0 ? m.slice(ptr / F64, ptr / F64 + n * stride) : new Float64Array(0));
    return {
      header,
      recordStride: stride,
      top: copy(x.climbTop(), header[H_NTOP]),
      trace: copy(x.climbTrace(), header[H_NTRACE]),
      log: copy(x.climbLog(), header[H_NLOG]),
    };
  }
}
