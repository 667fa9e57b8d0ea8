/**
 * Evaluate one design on one training step, as a list of stages:
 * workload → training graph → flat graph → kernel (graph loaded once) → step metrics → per-op costs →
 * memory feasibility → result. Every number here comes from the kernel or from src/arch formulas.
 */
import { areaBreakdown, peakTflops, powerBreakdown, unitEnergies, type AreaBreakdown, type PowerBreakdown } from './arch/cost.js';
import type { Design } from './arch/design.js';
import { flattenOps, type FlatGraph } from './engine/flatten.js';
import { DEFAULT_SCHEDULE_PASSES, defaultKernel, MAX_SCHEDULE_PASSES, type Kernel } from './engine/kernel.js';
import { designRecord, type Bound } from './engine/layout.js';
import type { TrainingGraph } from './workload/ir.js';
import { memoryFootprint, type MemoryFootprint } from './workload/memory.js';
import { describe, InputError, MIN_INPUT_RATE, requireFraction } from './errors.js';
import { EXECUTIONS, type Execution } from './engine/layout.js';

export { DEFAULT_SCHEDULE_PASSES, EXECUTIONS, MAX_SCHEDULE_PASSES, type Execution };

export interface OpReport {
  name: string;
  kind: string;
  phase: string;
  layer: string;
  /** cycles at the core count the scheduler gave the op */
  cycles: number;
  timeS: number;
  startS: number;
  cores: number;
  /** the core pool it ran on: tensor or vector cores (none: an op with no work on either, e.g. a collective) */
  pool: 'tensor' | 'vector' | 'none';
  energyJ: number;
  bound: Bound;
  /** on the scheduled critical path */
  critical: boolean;
}

export interface Evaluation {
  model: string;
  batch: number;
  seq?: number;
  /** time of one training step (forward, backward, optimizer) */
  stepTimeS: number;
  /** samples per second */
  throughput: number;
  /** tokens per second, for sequence models */
  tokensPerS?: number;
  /** energy of one step (dynamic + clock/control + leakage) */
  energyJ: number;
  /** where the step's energy goes (sums to energyJ) */
  energy: EnergyBreakdown;
  /** where the area goes (sums to areaMm2) */
  area: AreaBreakdown;
  /** which op class sets the modelled TDP (see src/arch/cost.ts powerBreakdown) */
  tdpClass: 'tensor' | 'vector';
  /** what the modelled TDP is made of (W): leakage + clock/control + the class that sets it (src/arch/cost.ts powerBreakdown) */
  tdp: PowerBreakdown;
  energyPerSampleJ: number;
  avgPowerW: number;
  tdpW: number;
  areaMm2: number;
  peakTflops: number;
  /** model FLOPs of the step / step time */
  achievedTflops: number;
  utilization: { tensor: number; vector: number };
  /** step time attributed to what bounds each op */
  boundTimeS: Record<Bound, number>;
  /** the scheduled critical path: its length in ops and its time split by what bounds each of its ops */
  criticalPath: { ops: number; timeSByBound: Record<Bound, number> };
  /** Σ op times run one after another (what the step would take with no overlap) */
  serialTimeS: number;
  execution: Execution;
  /** the launch gap each op with work waited (single-stream), s */
  launchOverheadS: number;
  /** the share of the arrays' peak MAC rate array ops sustained at most (single-stream; 1: the mapping alone) */
  arrayRateFraction: number;
  /** serial improvement passes run after the list schedule (0: the list schedule alone) */
  schedulePasses: number;
  /** samples per second the host's input pipeline delivers (EvaluateOptions.inputSamplesPerS); absent: no limit */
  inputSamplesPerS?: number;
  /**
   * what the chip waits each step for that pipeline, s (0 when it keeps up): part of stepTimeS, idle (clock-gated,
   * leaking); boundTimeS and the critical path cover the chip's own stepTimeS − inputWaitS
   */
  inputWaitS: number;
  feasible: boolean;
  reason: string;
  memoryBytes: MemoryFootprint;
  ops: OpReport[];
}

/** Energy of one step by component, J. */
export interface EnergyBreakdown {
  macJ: number;
  vectorJ: number;
  /** local buffers / register files (rs: the PE scratchpads) */
  localBufferJ: number;
  nocJ: number;
  globalBufferJ: number;
  offChipJ: number;
  /** clock tree and control while the step runs */
  clockJ: number;
  leakageJ: number;
}

/** A training graph prepared for repeated evaluation (flattened once). */
export interface PreparedWorkload {
  graph: TrainingGraph;
  flat: FlatGraph;
  memory: MemoryFootprint;
  flops: number;
}

export function prepareWorkload(graph: TrainingGraph): PreparedWorkload {
  let flops = 0;
  for (const op of graph.ops) flops += op.flops;
  return { graph, flat: flattenOps(graph.ops), memory: memoryFootprint(graph), flops };
}

/** Why a design cannot train this workload, or '' when it can. */
export function infeasibility(design: Design, memory: MemoryFootprint): string {
  if (memory.peak > design.offChipBytes) {
    const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
    return (
      `training state does not fit off-chip memory: needs ${gib(memory.peak)} at peak ` +
      `(weights ${gib(memory.weights)}, gradients ${gib(memory.gradients)}, optimizer ${gib(memory.optimizer)}, ` +
      `activations ${gib(memory.activations)}) but the design has ${gib(design.offChipBytes)}`
    );
  }
  return '';
}

export interface EvaluateOptions {
  /** concurrent (default): the list schedule on the core pools; single-stream: one op at a time on all cores */
  execution?: Execution;
  /**
   * serial improvement passes after the list schedule (default DEFAULT_SCHEDULE_PASSES; 0: the list schedule
   * alone, as the search's climbs use; no effect on single-stream)
   */
  schedulePasses?: number;
  /**
   * single-stream only: the framework's gap between one kernel and the next, s (default 0; the GPU presets
   * document theirs, presetInfo(name).launchOverheadS)
   */
  launchOverheadS?: number;
  /**
   * single-stream only: the share of each array's peak MAC rate that the chip's vendor GEMM library sustains,
   * 0 < f ≤ 1 (default 1: the mapping's folds alone; presetInfo(name).arrayRateFraction documents the presets')
   */
  arrayRateFraction?: number;
  /**
   * samples per second the host's input pipeline delivers (data loading, decoding, augmentation); a step then
   * takes at least batch / rate, the chip idling for the rest (default: no limit)
   */
  inputSamplesPerS?: number;
}

export function evaluateDesign(
  design: Design, w: PreparedWorkload, kernel: Kernel = defaultKernel(), opts: EvaluateOptions = {},
): Evaluation {
  if (opts.execution !== undefined && !EXECUTIONS.includes(opts.execution)) {
    throw new InputError(`execution must be one of ${EXECUTIONS.join(', ')}, got ${describe(opts.execution)}`);
  }
  if (opts.arrayRateFraction !== undefined) requireFraction('arrayRateFraction', opts.arrayRateFraction);
  const inputSamplesPerS = opts.inputSamplesPerS ?? null;
  if (inputSamplesPerS !== null && !(Number.isFinite(inputSamplesPerS) && inputSamplesPerS >= MIN_INPUT_RATE)) {
    throw new InputError(`inputSamplesPerS must be a number of samples per second of at least ${MIN_INPUT_RATE}, got ${describe(inputSamplesPerS)}`);
  }
  kernel.useGraph(w.flat);
  const execution = opts.execution ?? 'concurrent';
  const schedulePasses = opts.schedulePasses ?? DEFAULT_SCHEDULE_PASSES;
  kernel.setExecution(execution);
  kernel.setSchedulePasses(schedulePasses);
  const units = unitEnergies(design);
  const launchOverheadS = execution === 'single-stream' ? opts.launchOverheadS ?? 0 : 0;
  const arrayRateFraction = execution === 'single-stream' ? opts.arrayRateFraction ?? 1 : 1;
  kernel.setLaunchOverhead(launchOverheadS);
  kernel.setArrayRate(arrayRateFraction);
  let detail: ReturnType<Kernel['schedule']>;
  try {
    detail = kernel.schedule(designRecord(design, units));
  } finally {
    kernel.setLaunchOverhead(0);
    kernel.setArrayRate(1);
  }
  const step = detail.step;
  const g = w.graph;
  // the host's input pipeline: the chip waits for the rest of batch / rate, leaking
  const inputWaitS = inputSamplesPerS === null ? 0 : Math.max(0, g.batch / inputSamplesPerS - step.stepTimeS);
  const stepTimeS = step.stepTimeS + inputWaitS;
  const waitLeakageJ = (step.leakageEnergyJ / step.stepTimeS) * inputWaitS;
  const energyJ = step.energyJ + waitLeakageJ;
  const busy = step.stepTimeS / stepTimeS;
  const pj = 1e-12;
  const energy: EnergyBreakdown = {
    macJ: step.liveMacs * units.macPJ * pj,
    vectorJ: step.vectorFlops * units.vectorOpPJ * pj,
    localBufferJ: step.traffic.localBytes * units.localBufferPJPerByte * pj,
    nocJ: step.traffic.nocBytes * units.nocPJPerByte * pj,
    globalBufferJ: step.traffic.globalBytes * units.globalBufferPJPerByte * pj,
    offChipJ: step.traffic.offChipBytes * units.offChipPJPerByte * pj,
    clockJ: step.clockEnergyJ,
    leakageJ: step.leakageEnergyJ + waitLeakageJ,
  };
  const area = areaBreakdown(design);
  const power = powerBreakdown(design);
  const cycleS = 1 / (design.clockGHz * 1e9);
  const critical = new Set(detail.criticalPath);
  const ops: OpReport[] = w.graph.ops.map((op, i) => {
    const r = detail.op(i);
    return {
      name: op.name, kind: op.kind, phase: op.phase, layer: op.layer, cycles: r.cycles, timeS: r.cycles * cycleS,
      startS: r.startCycles * cycleS, cores: r.cores, pool: r.pool, energyJ: r.energyJ, bound: r.bound, critical: critical.has(i),
    };
  });
  const toTime = (c: Record<Bound, number>) => Object.fromEntries(Object.entries(c).map(([b, x]) => [b, x * cycleS])) as Record<Bound, number>;
  const throughput = g.batch / stepTimeS;
  const reason = infeasibility(design, w.memory);
  return {
    model: g.name,
    batch: g.batch,
    ...(g.seq !== undefined ? { seq: g.seq, tokensPerS: throughput * g.seq } : {}),
    stepTimeS,
    throughput,
    energyJ,
    energy,
    area,
    tdpClass: power.tdpClass,
    tdp: power,
    energyPerSampleJ: energyJ / g.batch,
    avgPowerW: energyJ / stepTimeS,
    tdpW: power.tdpW,
    areaMm2: area.totalMm2,
    peakTflops: peakTflops(design),
    achievedTflops: w.flops / stepTimeS / 1e12,
    utilization: { tensor: step.utilization.tensor * busy, vector: step.utilization.vector * busy },
    boundTimeS: toTime(step.boundCycles),
    criticalPath: { ops: step.criticalPath.ops, timeSByBound: toTime(step.criticalPath.boundCycles) },
    serialTimeS: step.serialCycles * cycleS,
    execution,
    launchOverheadS,
    arrayRateFraction,
    schedulePasses: execution === 'single-stream' ? 0 : schedulePasses,
    ...(inputSamplesPerS !== null ? { inputSamplesPerS } : {}),
    inputWaitS,
    feasible: reason === '',
    reason,
    memoryBytes: w.memory,
    ops,
  };
}

