/**
 * The one place that loads the WebAssembly kernel and moves graphs and designs across the boundary
 * (docs/architecture.md). Instantiated through src/engine/instantiate.ts (the module exports its memory).
 *
 * Memory: every region is reserved once through the kernel's bump allocator; views are re-created whenever
 * `memory.buffer` changed (a `memory.grow` detaches the old ones), so callers never hold stale views across
 * calls. Inputs are written into views of linear memory (`designSlots()` hands out such a view for
 * zero-copy batch fills); results are read from views.
 */
import { readFileSync } from 'node:fs';
import type { Design } from '../arch/design.js';
import type { Op } from '../workload/ir.js';
import type { FlatGraph } from './flatten.js';
import { InputError } from '../errors.js';
import { instantiateKernel } from './instantiate.js';
import {
  D_TENSOR_CORES, DESIGN_STRIDE, OFFCHIP_SUSTAINED_FRACTION, OP_STRIDE, OPSCHED_STRIDE, RESULT_STRIDE, STEP_STRIDE, decodeOpResult, decodeOpSchedule,
  decodeStepResult, writeDesign, writeOp, type Execution, type OpCost, type OpSchedule, type StepMetrics, type UnitEnergies,
} from './layout.js';

/** Serial improvement passes after the list schedule (assembly/serial.ts): the most a caller may ask for. */
export const MAX_SCHEDULE_PASSES = 100_000;
/**
 * Passes `evaluate`, `exact` and the final ranking of `search` use unless told otherwise: every per-layer graph of
 * bench/ilp-gap.mjs lands within 5% of the ILP optimum, and on the wider set of bench/ilp-gap-layers.mjs fewer
 * graphs miss it than with 100 (README "Exact schedules"); on whole training steps the first 12 (bottom-level
 * order) already give all of the gain.
 */
export const DEFAULT_SCHEDULE_PASSES = 200;

/** One design's schedule on the loaded graph (Kernel.schedule). */
export interface ScheduleDetail {
  step: StepMetrics;
  /** per op (graph order) OPSCHED_STRIDE f64: start, finish, cycles, cores, pool, bound, … (layout.ts X_*) */
  records: Float64Array;
  /** the scheduled critical path as op indices (positions in the graph's op list), in execution order */
  criticalPath: Int32Array;
  /** the same path as op ids (FlatGraph.opIds) */
  criticalPathIds: number[];
  /** readable record of op `i` */
  op(i: number): OpSchedule;
}

interface KernelExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  evaluateOp(design: number, op: number, cores: number, out: number): void;
  evaluateOps(design: number, ops: number, n: number, cores: number, out: number): void;
  evaluateSteps(designs: number, n: number, out: number): void;
  setGraph(ops: number, nOps: number, slotResults: number, opSlot: number, opPhase: number, depOffsets: number, deps: number, nAllOps: number): number;
  scheduleDetail(out: number, cpOut: number): number;
  setExecution(mode: number): void;
  setSchedulePasses(passes: number): void;
  systolicCycles(df: number, R: number, C: number, m: number, n: number, k: number): number;
  isDesignValid(design: number): number;
  layoutDesignStride(): number;
  offChipSustainedFraction(): number;
  layoutOpStride(): number;
  layoutResultStride(): number;
  layoutStepStride(): number;
  layoutOpSchedStride(): number;
}

export type KernelBuild = 'release' | 'debug';

export function kernelWasmUrl(build: KernelBuild = 'release'): URL {
  return new URL(`../../build/${build}.wasm`, import.meta.url);
}

const compiled = new Map<KernelBuild, WebAssembly.Module>();

/** Compiles the kernel module once per process (hand the result to pool workers). */
export function compileKernel(build: KernelBuild = 'release'): WebAssembly.Module {
  let m = compiled.get(build);
  if (!m) {
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(readFileSync(kernelWasmUrl(build)));
    } catch {
      throw new Error(`the WebAssembly kernel ${kernelWasmUrl(build).pathname} is missing: run \`npm run build:wasm\``);
    }
    m = new WebAssembly.Module(bytes);
    compiled.set(build, m);
  }
  return m;
}

export interface KernelOptions {
  /** a precompiled module (e.g. from compileKernel() in the main thread) */
  module?: WebAssembly.Module;
  build?: KernelBuild;
  /** designs per evaluateStep batch reserved up front (more are reserved on demand) */
  designCapacity?: number;
  /** op records per evaluateOps call reserved up front */
  opCapacity?: number;
}

const F64 = 8;

export class Kernel {
  private readonly x: KernelExports;
  private passes = 0;
  private buf: ArrayBuffer | null = null;
  private f64!: Float64Array;
  private i32!: Int32Array;
  // reserved regions (byte addresses)
  private designPtr = 0;
  private designCap = 0;
  private stepPtr = 0;
  private opPtr = 0;
  private opCap = 0;
  private resPtr = 0;
  private oneDesignPtr = 0;
  private graphOps = 0;
  private graphSlotRes = 0;
  private graphCap = 0;
  private graphAllCap = 0;
  private graphOpSlot = 0;
  private graphOpPhase = 0;
  private graphDepOff = 0;
  private graphDeps = 0;
  private graphDepCap = 0;
  private detailPtr = 0;
  private cpPtr = 0;
  private detailCap = 0;
  private nUnique = 0;
  private loaded: FlatGraph | null = null;

  constructor(opts: KernelOptions = {}) {
    const module = opts.module ?? compileKernel(opts.build ?? 'release');
    this.x = instantiateKernel<KernelExports>(module);
    if (
      this.x.layoutDesignStride() !== DESIGN_STRIDE || this.x.layoutOpStride() !== OP_STRIDE ||
      this.x.layoutResultStride() !== RESULT_STRIDE || this.x.layoutStepStride() !== STEP_STRIDE ||
      this.x.layoutOpSchedStride() !== OPSCHED_STRIDE || this.x.offChipSustainedFraction() !== OFFCHIP_SUSTAINED_FRACTION
    ) {
      throw new Error('the WebAssembly kernel was built from another layout: run `npm run build:wasm`');
    }
    this.oneDesignPtr = this.reserve(DESIGN_STRIDE);
    this.reserveDesigns(opts.designCapacity ?? 1024);
    this.reserveOps(opts.opCapacity ?? 256);
  }

  private reserve(f64s: number): number {
    return this.x.alloc(Math.max(1, f64s) * F64);
  }

  private reserveDesigns(n: number): void {
    this.designPtr = this.reserve(n * DESIGN_STRIDE);
    this.stepPtr = this.reserve(n * STEP_STRIDE);
    this.designCap = n;
  }

  private reserveOps(n: number): void {
    this.opPtr = this.reserve(n * OP_STRIDE);
    this.resPtr = this.reserve(n * RESULT_STRIDE);
    this.opCap = n;
  }

  /** The Float64 view of linear memory (re-created after any growth). */
  private mem(): Float64Array {
    const b = this.x.memory.buffer;
    if (b !== this.buf) {
      this.buf = b as ArrayBuffer;
      this.f64 = new Float64Array(b);
      this.i32 = new Int32Array(b);
    }
    return this.f64;
  }

  private memI32(): Int32Array {
    this.mem();
    return this.i32;
  }

  /** SCALE-Sim fold timing of one GEMM on one array (exposed for tests). */
  systolicCycles(dataflowCode: number, rows: number, cols: number, m: number, n: number, k: number): number {
    return this.x.systolicCycles(dataflowCode, rows, cols, m, n, k);
  }

  /** Raw path: one op record on one design record; returns a fresh result record (RESULT_STRIDE f64). */
  evaluateOpRecord(design: Float64Array, op: Float64Array, cores?: number): Float64Array {
    const m = this.mem();
    m.set(design.subarray(0, DESIGN_STRIDE), this.oneDesignPtr / F64);
    m.set(op.subarray(0, OP_STRIDE), this.opPtr / F64);
    this.x.evaluateOp(this.oneDesignPtr, this.opPtr, cores ?? design[D_TENSOR_CORES], this.resPtr);
    const r = this.mem();
    return r.slice(this.resPtr / F64, this.resPtr / F64 + RESULT_STRIDE);
  }

  /**
   * Raw batch path: `n` op records (consecutive in `ops`) on one design record; results consecutive in `out`
   * (n × RESULT_STRIDE). One boundary crossing per call.
   */
  evaluateOpRecords(design: Float64Array, ops: Float64Array, n: number, out: Float64Array, cores?: number): void {
    if (n > this.opCap) this.reserveOps(Math.max(n, this.opCap * 2));
    const m = this.mem();
    m.set(design.subarray(0, DESIGN_STRIDE), this.oneDesignPtr / F64);
    m.set(ops.subarray(0, n * OP_STRIDE), this.opPtr / F64);
    this.x.evaluateOps(this.oneDesignPtr, this.opPtr, n, cores ?? design[D_TENSOR_CORES], this.resPtr);
    const r = this.mem();
    out.set(r.subarray(this.resPtr / F64, this.resPtr / F64 + n * RESULT_STRIDE));
  }

  /** One op (an IR op or an op record) on a design with its unit energies, on `cores` tensor cores (default all). */
  evaluateOp(design: Design | Float64Array, unitEnergies: UnitEnergies | null, op: Op | Float64Array, cores?: number): OpCost {
    let d: Float64Array;
    if (design instanceof Float64Array) d = design;
    else {
      if (!unitEnergies) throw new Error('evaluateOp: a Design needs its UnitEnergies');
      d = new Float64Array(DESIGN_STRIDE);
      writeDesign(d, 0, design, unitEnergies);
    }
    let o: Float64Array;
    if (op instanceof Float64Array) o = op;
    else {
      o = new Float64Array(OP_STRIDE);
      writeOp(o, 0, op);
    }
    return decodeOpResult(this.evaluateOpRecord(d, o, cores));
  }

  /** Copies a flat graph into linear memory (once per graph) and makes it the graph evaluateStep runs on. */
  /** Concurrent (default) or single-stream execution for every design evaluated or scheduled from now on. */
  setExecution(e: Execution): void {
    this.x.setExecution(e === 'single-stream' ? 1 : 0);
  }

  /**
   * Serial improvement passes after each concurrent list schedule (assembly/serial.ts): the shorter schedule is
   * kept. 0 keeps the list schedule alone. Applies to every design evaluated or scheduled from now on.
   */
  setSchedulePasses(passes: number): void {
    if (!Number.isInteger(passes) || passes < 0 || passes > MAX_SCHEDULE_PASSES) {
      throw new InputError(`schedule passes must be an integer from 0 to ${MAX_SCHEDULE_PASSES}, got ${passes}`);
    }
    this.x.setSchedulePasses(passes);
    this.passes = passes;
  }

  /** The serial improvement passes in force (0 on a new kernel: the list schedule alone). */
  get schedulePasses(): number {
    return this.passes;
  }

  loadGraph(g: FlatGraph): void {
    if (g.nUnique > this.graphCap) {
      this.graphOps = this.reserve(g.nUnique * OP_STRIDE);
      this.graphSlotRes = this.reserve(g.nUnique * RESULT_STRIDE);
      this.graphCap = g.nUnique;
    }
    if (g.nOps + 1 > this.graphAllCap) {
      const n = g.nOps + 1;
      this.graphOpSlot = this.reserve(Math.ceil(n / 2));
      this.graphOpPhase = this.reserve(Math.ceil(n / 2));
      this.graphDepOff = this.reserve(Math.ceil(n / 2));
      this.graphAllCap = n;
    }
    if (g.depIndex.length > this.graphDepCap) {
      this.graphDeps = this.reserve(Math.ceil(g.depIndex.length / 2));
      this.graphDepCap = g.depIndex.length;
    }
    const m = this.mem();
    m.set(g.ops.subarray(0, g.nUnique * OP_STRIDE), this.graphOps / F64);
    const i = this.memI32();
    i.set(g.opSlot, this.graphOpSlot / 4);
    i.set(g.opPhase, this.graphOpPhase / 4);
    i.set(g.depOffsets, this.graphDepOff / 4);
    i.set(g.depIndex, this.graphDeps / 4);
    const ordered = this.x.setGraph(this.graphOps, g.nUnique, this.graphSlotRes, this.graphOpSlot, this.graphOpPhase, this.graphDepOff, this.graphDeps, g.nOps);
    if (ordered !== g.nOps) {
      this.loaded = null;
      throw new InputError(`the graph has a dependency cycle (${g.nOps - ordered} of ${g.nOps} ops are on or behind it)`);
    }
    this.nUnique = g.nUnique;
    this.loaded = g;
  }

  get graph(): FlatGraph | null {
    return this.loaded;
  }

  /**
   * A view of linear memory with room for `n` design records (DESIGN_STRIDE each) to fill in place, then call
   * `evaluateLoadedDesigns(n)`. The view is valid until the next kernel call.
   */
  designSlots(n: number): Float64Array {
    if (n > this.designCap) this.reserveDesigns(Math.max(n, this.designCap * 2));
    const m = this.mem();
    return m.subarray(this.designPtr / F64, this.designPtr / F64 + n * DESIGN_STRIDE);
  }

  /** Evaluates the `n` designs written through designSlots(); returns a view of the step records (until the next call). */
  evaluateLoadedDesigns(n: number): Float64Array {
    if (!this.loaded) throw new Error('evaluateStep: no graph loaded (call loadGraph first)');
    if (n > this.designCap) throw new Error(`evaluateLoadedDesigns: ${n} designs but room for ${this.designCap}`);
    this.x.evaluateSteps(this.designPtr, n, this.stepPtr);
    const m = this.mem();
    return m.subarray(this.stepPtr / F64, this.stepPtr / F64 + n * STEP_STRIDE);
  }

  /**
   * Whole-step evaluation of a batch of design records (n × DESIGN_STRIDE f64) on the loaded graph.
   * Returns a fresh Float64Array of n step records (STEP_STRIDE each, layout.ts S_*).
   */
  evaluateStep(designs: Float64Array): Float64Array {
    const n = Math.floor(designs.length / DESIGN_STRIDE);
    this.designSlots(n).set(designs.subarray(0, n * DESIGN_STRIDE));
    return this.evaluateLoadedDesigns(n).slice();
  }

  /** Readable step metrics of each design of a batch. */
  stepMetrics(designs: Float64Array): StepMetrics[] {
    const r = this.evaluateStep(designs);
    const out: StepMetrics[] = [];
    for (let i = 0; i < r.length / STEP_STRIDE; i++) out.push(decodeStepResult(r, i * STEP_STRIDE));
    return out;
  }

  /**
   * Schedules one design record on the loaded graph and returns its step metrics, every op's schedule record
   * and the scheduled critical path (op indices in execution order).
   */
  schedule(design: Float64Array): ScheduleDetail {
    const g = this.loaded;
    if (!g) throw new Error('schedule: no graph loaded (call loadGraph first)');
    if (g.nOps > this.detailCap) {
      this.detailPtr = this.reserve(g.nOps * OPSCHED_STRIDE);
      this.cpPtr = this.reserve(Math.ceil(g.nOps / 2));
      this.detailCap = g.nOps;
    }
    this.designSlots(1).set(design.subarray(0, DESIGN_STRIDE));
    const step = decodeStepResult(this.evaluateLoadedDesigns(1));
    let nCp = 0;
    if (step.valid) nCp = this.x.scheduleDetail(this.detailPtr, this.cpPtr);
    const m = this.mem();
    const records = step.valid ? m.slice(this.detailPtr / F64, this.detailPtr / F64 + g.nOps * OPSCHED_STRIDE) : new Float64Array(0);
    const criticalPath = this.memI32().slice(this.cpPtr / 4, this.cpPtr / 4 + nCp);
    return {
      step,
      records,
      criticalPath,
      criticalPathIds: g.opIds ? Array.from(criticalPath, (i) => g.opIds![i]) : Array.from(criticalPath),
      op: (i: number) => decodeOpSchedule(records, i * OPSCHED_STRIDE),
    };
  }

  /** The scheduled critical path of one design (op indices in execution order). */
  criticalPath(design: Float64Array): Int32Array {
    return this.schedule(design).criticalPath;
  }

  /** Per-slot op results (all cores) of the last design evaluated by evaluateStep (nUnique × RESULT_STRIDE, a copy). */
  slotResults(): Float64Array {
    const m = this.mem();
    return m.slice(this.graphSlotRes / F64, this.graphSlotRes / F64 + this.nUnique * RESULT_STRIDE);
  }
}

let shared: Kernel | null = null;

/** A process-wide kernel instance (the CLI's; pool workers make their own from a shared module). */
export function defaultKernel(): Kernel {
  if (!shared) shared = new Kernel();
  return shared;
}
