/**
 * The kernel host: the one place that instantiates the WebAssembly kernel (instantiateKernel below)
 * and moves graphs and designs across the boundary (docs/architecture.md). A thread holds one (`defaultKernel`);
 * op costing, step evaluation, detailed schedules and the WHAM climbs (src/engine/climber.ts, which drives this
 * host's instance) all run on it.
 *
 * Memory: the kernel's bump allocator never frees. Every region the host uses is reserved here once and reused
 * while large enough: a design batch, an op batch, a staging area for the climb's inputs, and one set of regions
 * per graph slot. The module's own state (scheduler scratch, the climb's tables and results) is allocated by
 * the module, grow-only, and never handed to the host to write. Views are re-created whenever `memory.buffer`
 * changed (a `memory.grow` detaches the old ones), so callers never hold stale views across calls.
 *
 * Graphs: the scheduler works on one graph at a time (the current slot). Slot `w` holds the graph of workload
 * `w` of whatever batch evaluation or climb runs on this thread; `useGraph` copies a graph into its slot only
 * when the slot holds another one, and re-points the scheduler when another slot is current. The climb
 * registers the same slots with assembly/tighten.ts, so evaluation and climbs share one copy of each graph;
 * `graphEpoch` changes whenever the host re-points or overwrites a slot, which tells the climb to register
 * its graphs again before it runs (see Climber.prepare).
 */
import { readFileSync } from 'node:fs';
import type { Design } from '../arch/design.js';
import type { Op } from '../workload/ir.js';
import type { FlatGraph } from './flatten.js';
import { InputError } from '../errors.js';
import { instantiateSync } from '@assemblyscript/loader';
import {
  D_TENSOR_CORES, DESIGN_STRIDE, OFFCHIP_SUSTAINED_FRACTION, OP_STRIDE, OPSCHED_STRIDE, RESULT_STRIDE, STEP_STRIDE, decodeOpResult, decodeOpSchedule,
  decodeStepResult, writeDesign, writeOp, type Execution, type OpCost, type OpSchedule, type StepMetrics, type UnitEnergies,
} from './layout.js';

let made = 0;

/**
 * The one way a host instantiates the kernel module: @assemblyscript/loader's instantiateSync, whose `abort`
 * import decodes the kernel's message and file strings from its memory (an `unreachable` or a failed
 * assertion in assembly/ reports where and why). The host then reads and writes the kernel's linear memory
 * through Float64Array / Int32Array views of records it reserved with the kernel's own bump allocator: the
 * loader's array helpers serve garbage-collected AssemblyScript arrays, which the kernel does not use. (Here
 * rather than in a module of its own: one module less on the way to the loader is ~1.7 ms of `accelmine op`.)
 */
function instantiateKernel<T>(module: WebAssembly.Module): T {
  made++;
  return instantiateSync(module, {}).exports as unknown as T;
}

/** Instances made on this thread so far (one kernel host per thread: test/search.test.ts holds the search to it). */
export function kernelInstances(): number {
  return made;
}

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

/** The module's exports (assembly/index.ts); the climb's (tighten*, climb*) are driven by src/engine/climber.ts. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  evaluateOp(design: number, op: number, cores: number, out: number): void;
  evaluateOps(design: number, ops: number, n: number, cores: number, out: number): void;
  evaluateSteps(designs: number, n: number, out: number): void;
  setGraph(ops: number, nOps: number, slotResults: number, opSlot: number, opPhase: number, depOffsets: number, deps: number, nAllOps: number): number;
  scheduleDetail(out: number, cpOut: number): number;
  setExecution(mode: number): void;
  setSchedulePasses(passes: number): void;
  setLaunchOverhead(seconds: number): void;
  setArrayRate(fraction: number): void;
  systolicCycles(df: number, R: number, C: number, m: number, n: number, k: number): number;
  isDesignValid(design: number): number;
  layoutDesignStride(): number;
  offChipSustainedFraction(): number;
  layoutOpStride(): number;
  layoutResultStride(): number;
  layoutStepStride(): number;
  layoutOpSchedStride(): number;
  tightenSetTech(ptr: number, n: number): number;
  tightenSetSpace(counts: number, values: number, axes: number, ties: number, nTies: number, resParams: number): void;
  tightenSetObjective(objective: number, areaLimitMm2: number, tdpLimitW: number): void;
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

/** Where one graph slot's arrays live in linear memory (byte addresses; see loadGraph). */
export interface GraphRegion {
  ops: number;
  slotResults: number;
  opSlot: number;
  opPhase: number;
  depOffsets: number;
  deps: number;
}

interface GraphSlot extends GraphRegion {
  graph: FlatGraph | null;
  uniqueCap: number;
  allCap: number;
  depCap: number;
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
  private exec: Execution = 'concurrent';
  private launchS = 0;
  private arrayRate = 1;
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
  private detailPtr = 0;
  private cpPtr = 0;
  private detailCap = 0;
  private stagePtr = 0;
  private stageCap = 0;
  // graphs: one slot per workload index; `current` is the slot the scheduler points at (-1: none or unknown)
  private readonly slots: GraphSlot[] = [];
  private current = -1;
  private graphEpoch = 0;
  // the climb's state in the module (technology, space, objective, registered graphs) belongs to one owner
  private climbOwner: object | null = null;
  private climbEpoch = -1;

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

  /** Concurrent (default) or single-stream execution for every design evaluated or scheduled from now on. */
  setExecution(e: Execution): void {
    if (e === this.exec) return;
    this.x.setExecution(e === 'single-stream' ? 1 : 0);
    this.exec = e;
  }

  /**
   * Single-stream execution: seconds between one kernel and the next (a framework's launch gap), added before
   * every op with work; 0 (a new kernel) adds nothing. Concurrent schedules ignore it.
   */
  setLaunchOverhead(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0 || seconds > 1) {
      throw new InputError(`launch overhead must be from 0 to 1 s, got ${seconds}`);
    }
    if (seconds === this.launchS) return;
    this.x.setLaunchOverhead(seconds);
    this.launchS = seconds;
  }

  /** The launch gap in force, s. */
  get launchOverheadS(): number {
    return this.launchS;
  }

  /**
   * The share of each array's peak MAC rate that array ops sustain at most, 0 < f ≤ 1 (1, a new kernel's: the
   * mapping's folds alone). Below 1 every split of an array op takes at least its MACs / (cores × R × C × f)
   * compute cycles: a vendor GEMM library that sustains less than the folds allow. Applies to every op and step
   * evaluated from now on.
   */
  setArrayRate(fraction: number): void {
    if (!Number.isFinite(fraction) || fraction <= 0 || fraction > 1) {
      throw new InputError(`array rate must be a fraction above 0 and at most 1, got ${fraction}`);
    }
    if (fraction === this.arrayRate) return;
    this.x.setArrayRate(fraction);
    this.arrayRate = fraction;
  }

  /** The array rate in force (setArrayRate). */
  get arrayRateFraction(): number {
    return this.arrayRate;
  }

  /** The execution in force ('concurrent' on a new kernel). */
  get execution(): Execution {
    return this.exec;
  }

  /**
   * Serial improvement passes after each concurrent list schedule (assembly/serial.ts): the shorter schedule is
   * kept. 0 keeps the list schedule alone. Applies to every design evaluated or scheduled from now on.
   */
  setSchedulePasses(passes: number): void {
    if (!Number.isInteger(passes) || passes < 0 || passes > MAX_SCHEDULE_PASSES) {
      throw new InputError(`schedule passes must be an integer from 0 to ${MAX_SCHEDULE_PASSES}, got ${passes}`);
    }
    if (passes === this.passes) return;
    this.x.setSchedulePasses(passes);
    this.passes = passes;
  }

  /** The serial improvement passes in force (0 on a new kernel: the list schedule alone). */
  get schedulePasses(): number {
    return this.passes;
  }

  /**
   * Copies a flat graph into graph slot `slot` (regions reserved once per slot, reused while large enough) and
   * makes it the graph evaluateStep and schedule run on. Throws on a dependency cycle.
   */
  loadGraph(g: FlatGraph, slot = 0): void {
    this.copyGraph(g, slot);
    this.point(slot);
  }

  /** Makes `g` the graph evaluateStep runs on, copying it into `slot` only when the slot holds another graph. */
  useGraph(g: FlatGraph, slot = 0): void {
    if (this.slots[slot]?.graph !== g) this.loadGraph(g, slot);
    else if (this.current !== slot) this.point(slot);
  }

  /** The graph evaluateStep runs on (null before any loadGraph, after a cycle, and after a climb). */
  get graph(): FlatGraph | null {
    return this.current >= 0 ? this.slots[this.current].graph : null;
  }

  private copyGraph(g: FlatGraph, slot: number): GraphSlot {
    if (!Number.isInteger(slot) || slot < 0 || slot > this.slots.length) throw new Error(`graph slot ${slot}: the next free slot is ${this.slots.length}`);
    const s = (this.slots[slot] ??= { graph: null, ops: 0, slotResults: 0, opSlot: 0, opPhase: 0, depOffsets: 0, deps: 0, uniqueCap: 0, allCap: 0, depCap: 0 });
    if (g.nUnique > s.uniqueCap) {
      s.ops = this.reserve(g.nUnique * OP_STRIDE);
      s.slotResults = this.reserve(g.nUnique * RESULT_STRIDE);
      s.uniqueCap = g.nUnique;
    }
    if (g.nOps + 1 > s.allCap) {
      const n = g.nOps + 1;
      s.opSlot = this.reserve(Math.ceil(n / 2));
      s.opPhase = this.reserve(Math.ceil(n / 2));
      s.depOffsets = this.reserve(Math.ceil(n / 2));
      s.allCap = n;
    }
    if (g.depIndex.length > s.depCap) {
      s.deps = this.reserve(Math.ceil(g.depIndex.length / 2));
      s.depCap = g.depIndex.length;
    }
    const m = this.mem();
    m.set(g.ops.subarray(0, g.nUnique * OP_STRIDE), s.ops / F64);
    const i = this.memI32();
    i.set(g.opSlot, s.opSlot / 4);
    i.set(g.opPhase, s.opPhase / 4);
    i.set(g.depOffsets, s.depOffsets / 4);
    i.set(g.depIndex, s.deps / 4);
    s.graph = g;
    this.graphEpoch++;
    if (this.current === slot) this.current = -1; // the scheduler's successors and order are of the old contents
    return s;
  }

  /** Points the scheduler at slot `slot` (successors and a topological order, assembly/schedule.ts). */
  private point(slot: number): void {
    const s = this.slots[slot];
    const g = s.graph!;
    this.graphEpoch++;
    const ordered = this.x.setGraph(s.ops, g.nUnique, s.slotResults, s.opSlot, s.opPhase, s.depOffsets, s.deps, g.nOps);
    if (ordered !== g.nOps) {
      s.graph = null;
      this.current = -1;
      throw new InputError(`the graph has a dependency cycle (${g.nOps - ordered} of ${g.nOps} ops are on or behind it)`);
    }
    this.current = slot;
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
    if (this.current < 0) throw new Error('evaluateStep: no graph loaded (call loadGraph or useGraph first)');
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
    const g = this.graph;
    if (!g) throw new Error('schedule: no graph loaded (call loadGraph or useGraph first)');
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
    const g = this.graph;
    if (!g) return new Float64Array(0);
    const p = this.slots[this.current].slotResults / F64;
    return this.mem().slice(p, p + g.nUnique * RESULT_STRIDE);
  }

  // -------------------------------------------------------------------------------------------------------------
  // the climb's port (src/engine/climber.ts): the raw exports, memory views, staging, graph slots and ownership
  // -------------------------------------------------------------------------------------------------------------

  /** @internal The module's exports (for src/engine/climber.ts). */
  get exports(): KernelExports {
    return this.x;
  }

  /** @internal Views of linear memory as they are now (take them again after any kernel call). */
  views(): { f64: Float64Array; i32: Int32Array } {
    return { f64: this.mem(), i32: this.memI32() };
  }

  /**
   * @internal A reusable region of at least `bytes` (8-byte aligned) for inputs the module copies or reads
   * during one call; its contents are the caller's until the next call to staging().
   */
  staging(bytes: number): number {
    if (bytes > this.stageCap) {
      this.stageCap = Math.max(bytes, 2 * this.stageCap, 1024);
      this.stagePtr = this.x.alloc(this.stageCap);
    }
    return this.stagePtr;
  }

  /** @internal Copies `g` into `slot` unless it holds it already (the scheduler is not re-pointed); its regions. */
  graphRegion(g: FlatGraph, slot: number): GraphRegion {
    const s = this.slots[slot];
    return s?.graph === g ? s : this.copyGraph(g, slot);
  }

  /**
   * @internal What `owner` must do before its next climb: nothing ('ready'), register its graphs again
   * ('graphs': the host re-pointed the scheduler or overwrote a slot since) or install everything ('setup':
   * another owner's technology, space and objective are in the module).
   */
  climbReadiness(owner: object): 'ready' | 'graphs' | 'setup' {
    if (this.climbOwner !== owner) return 'setup';
    return this.climbEpoch === this.graphEpoch ? 'ready' : 'graphs';
  }

  /** @internal `owner` is about to write the module's climb state (until climbInstalled, nobody owns it). */
  climbInstalling(): void {
    this.climbOwner = null;
    this.current = -1;
  }

  /** @internal `owner` registered its graphs (tightenAddGraph left the scheduler on slot `lastSlot`, or -1). */
  climbInstalled(owner: object, lastSlot: number): void {
    this.climbOwner = owner;
    this.climbEpoch = this.graphEpoch;
    this.current = lastSlot;
  }

  /** @internal A climb ran: it left the scheduler on one of its graphs. */
  climbRan(): void {
    this.current = -1;
  }
}

let shared: Kernel | null = null;

/**
 * This thread's kernel host, made on first use: from `module` when given (a pool worker's, compiled once by the
 * main thread), else compiled here. The CLI, the search's own thread and every pool worker evaluate, schedule
 * and climb on it.
 */
export function defaultKernel(module?: WebAssembly.Module): Kernel {
  if (!shared) shared = new Kernel({ module });
  return shared;
}
