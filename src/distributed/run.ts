/**
 * `accelmine distributed` as stages: reference design → layout (given, or the placement search) → optionally
 * WHAM's distributed design search for that layout (and, with auto-parallel, the placement search again on
 * the design it found) → the step report: stages, step time, throughput, bubble, communication, TFLOP/s.
 */
import type { Design } from '../arch/design.js';
import type { DesignSpace } from '../arch/space.js';
import { defaultKernel } from '../engine/kernel.js';
import { describe, InputError, MAX_DEVICES, MAX_DIM, MAX_THREADS, MAX_TOP_K, requireFraction, requireLimit, requireNonNegativeInt, requirePositiveInt } from '../errors.js';
import type { Constraints } from '../evaluation/objectives.js';
import type { OptimizerKind } from '../workload/ir.js';
import { findModel, type AttentionImpl } from '../workload/zoo/index.js';
import { searchDistributedDesign, type DistributedSearchResult } from './design-search.js';
import type { Network } from './network.js';
import { layerCost } from './layer-cost.js';
import { expertParallelProblem, interleaveProblem, recomputeMode, sequenceParallelProblem, zeroStage, type Layout, type RecomputeMode, type ZeroStage } from './layout.js';
import { pipelineStep, type StepReport } from './pipeline.js';
import { ProfileCache, searchPlacement, type PlacedStep, type PlacementProblem } from './placement.js';
import { modelBlocks, modelExperts, type LayerProfile } from './profile.js';

/**
 * One `accelmine distributed` run. Of microbatch, recompute, interleave, sequenceParallel and zero (or zero1),
 * what is given is fixed and what is left undefined is searched, with or without autoParallel (which also
 * searches tp, pp and dp).
 */
export interface DistributedRequest {
  model: string;
  devices: number;
  seq?: number;
  globalBatch?: number;
  microbatch?: number;
  tp?: number;
  pp?: number;
  dp?: number;
  /** none | selective (the attention core) | full; true is full and false none, as before */
  recompute?: boolean | RecomputeMode;
  /** model chunks per pipeline device (interleaved 1F1B); 1 is plain 1F1B */
  interleave?: number;
  /** Megatron sequence parallelism (needs tp > 1) */
  sequenceParallel?: boolean;
  /** ZeRO stage 0–3 over the data-parallel replicas */
  zero?: ZeroStage;
  /** the former flag: true is zero 1, false zero 0 (when zero is not given) */
  zero1?: boolean;
  /** expert-parallel width for mixture-of-experts models (searched when not given; 1 for dense models) */
  ep?: number;
  /** ZeRO 0/1: overlap the gradient reduction with the last micro-batch's backward (default true; never searched) */
  overlapGradReduce?: boolean;
  /** the framework's gap before every op with work, s (a GPU's kernel launches; default 0) */
  launchOverheadS?: number;
  /**
   * The share of the kernel's op rate a framework's training step achieves on the device (0–1; default 1): every op's
   * time is divided by it. `MEGATRON_A100_COMPUTE_EFFICIENCY` is the value calibrated on Megatron-LM's SC21 runs.
   */
  computeEfficiency?: number;
  /**
   * The most of each array's peak MAC rate an op sustains (0–1; default 1): a vendor GEMM library's measured rate
   * (presetInfo(name).arrayRateFraction; Kernel.setArrayRate).
   */
  arrayRateFraction?: number;
  autoParallel: boolean;
  design: Design;
  network: Network;
  optimizer: OptimizerKind;
  precision: 'bf16' | 'fp32';
  /** attention of transformer models: fused (default) or unfused */
  attention?: AttentionImpl;
  /** mixture-of-experts capacity factor (default 1) */
  capacityFactor?: number;
  search?: { space: DesignSpace; limits: Constraints; topK: number; seed: number; threads?: number; budgetPerStage: number; perStageDesigns: boolean };
}

export interface DistributedResult {
  model: string;
  devices: number;
  globalBatch: number;
  seq?: number;
  network: string;
  layout: Layout;
  feasible: boolean;
  reason: string;
  stages: { layers: number; firstLayer: string; lastLayer: string; chunks?: { firstLayer: string; lastLayer: string }[]; timeS: number; computeS: number; tpCommS: number; dpCommS: number; memoryBytes: number }[];
  /** 0 when the layout is infeasible before a step could be timed (`feasible: false`, `reason` says why) */
  stepTimeS: number;
  throughput: { samplesPerS: number; tokensPerS?: number };
  bubbleFraction: number;
  bubbleOverhead: number;
  commTimeS: StepReport['commTimeS'];
  commBytes: StepReport['commBytes'];
  perDeviceTflops: number;
  design: Design;
  placement?: { layoutsEvaluated: number; wallTimeS: number; top: { layout: Layout; stepTimeS: number; feasible: boolean }[] };
  search?: { evaluations: number; candidates: number; stageKinds: { kind: string; layers: string[] }[]; perStage?: DistributedSearchResult['perStage']; wallTimeS: number };
  wallTimeS: number;
}

function report(req: DistributedRequest, globalBatch: number, placed: PlacedStep, design: Design): Omit<DistributedResult, 'placement' | 'search' | 'wallTimeS'> {
  const { layout, step, layers } = placed;
  const flops = layers.reduce((s, l) => s + layerCost(l, layout, req.network).flops, 0) * layout.tp * (globalBatch / layout.microbatch);
  const seq = findModel(req.model).family === 'transformer' ? req.seq ?? findModel(req.model).defaultSeq : undefined;
  // a layout with no step (infeasible before it could be timed) reports 0 s, 0 samples/s and 0 TFLOP/s
  const timed = Number.isFinite(step.stepTimeS);
  const stepTimeS = timed ? step.stepTimeS : 0;
  const samplesPerS = timed ? globalBatch / step.stepTimeS : 0;
  return {
    model: req.model, devices: req.devices, globalBatch, ...(seq ? { seq } : {}), network: req.network.name, layout, feasible: step.feasible, reason: step.reason,
    stages: step.stages.map((s) => ({
      layers: s.layers.length, firstLayer: s.layers[0], lastLayer: s.layers[s.layers.length - 1],
      ...(s.chunks ? { chunks: s.chunks.map((c) => ({ firstLayer: layers[c.firstLayer].name, lastLayer: layers[c.lastLayer].name })) } : {}),
      timeS: s.timeS, computeS: s.computeS, tpCommS: s.tpCommS, dpCommS: s.dpCommS, memoryBytes: s.memoryBytes,
    })),
    stepTimeS, throughput: { samplesPerS, ...(seq ? { tokensPerS: samplesPerS * seq } : {}) }, bubbleFraction: step.bubbleFraction, bubbleOverhead: step.bubbleOverhead,
    commTimeS: step.commTimeS, commBytes: step.commBytes, perDeviceTflops: timed ? flops / step.stepTimeS / req.devices / 1e12 : 0, design,
  };
}

/** With --auto-parallel --search: how many of the reference design's best layouts the design search tries, in order. */
const SEARCH_LAYOUT_TRIES = 4;

/**
 * The numbers a library caller gives, checked as the CLI checks its flags (devices at most MAX_DEVICES; tp, pp, dp,
 * micro-batch, global batch, sequence positive integers; a capacity factor a positive number; an array rate from
 * MIN_FRACTION to 1; the search's budget, seed, threads, top-k and budgets), before any layout is placed: devices of
 * 1e12 with autoParallel never ended, a micro-batch of 0 or NaN was taken as "search it", a global batch of 0 returned
 * an infeasible result, devices of 0 said "no layout of these devices fits the model".
 */
function checkDistributedNumbers(req: DistributedRequest): void {
  requirePositiveInt('devices', req.devices, MAX_DEVICES);
  // a width above the devices cannot be a factor of them
  for (const f of ['tp', 'pp', 'dp'] as const) if (req[f] !== undefined) requirePositiveInt(f, req[f], MAX_DEVICES);
  if (req.microbatch !== undefined) requirePositiveInt('microbatch', req.microbatch, MAX_DIM);
  if (req.globalBatch !== undefined) requirePositiveInt('globalBatch', req.globalBatch, Number.MAX_SAFE_INTEGER);
  if (req.seq !== undefined) requirePositiveInt('seq', req.seq, MAX_DIM);
  if (req.capacityFactor !== undefined && !(typeof req.capacityFactor === 'number' && Number.isFinite(req.capacityFactor) && req.capacityFactor > 0)) {
    throw new InputError(`capacityFactor must be a positive number, got ${describe(req.capacityFactor)}`);
  }
  if (req.arrayRateFraction !== undefined) requireFraction('arrayRateFraction', req.arrayRateFraction);
  const s = req.search;
  if (s) {
    requirePositiveInt('search.budgetPerStage', s.budgetPerStage, Number.MAX_SAFE_INTEGER);
    requirePositiveInt('search.topK', s.topK, MAX_TOP_K);
    requireNonNegativeInt('search.seed', s.seed, Number.MAX_SAFE_INTEGER);
    if (s.threads !== undefined) requirePositiveInt('search.threads', s.threads, MAX_THREADS);
    requireLimit('search.limits.areaMm2', s.limits?.areaMm2);
    requireLimit('search.limits.tdpW', s.limits?.tdpW);
  }
}

export async function runDistributed(req: DistributedRequest): Promise<DistributedResult> {
  checkDistributedNumbers(req);
  const t0 = performance.now();
  const secs = () => (performance.now() - t0) / 1000;
  const entry = findModel(req.model);
  const globalBatch = req.globalBatch ?? 2 * req.devices;
  const recompute = recomputeMode(req.recompute);
  const zero = zeroStage(req.zero, req.zero1);
  if (req.interleave !== undefined && (!Number.isInteger(req.interleave) || req.interleave < 1)) throw new InputError(`--interleave must be a positive integer, got ${req.interleave}`);
  if (req.ep !== undefined && (!Number.isInteger(req.ep) || req.ep < 1)) throw new InputError(`--ep must be a positive integer, got ${req.ep}`);
  // from 0.001: below it op times overflowed to Infinity (5e-324 made every layout "not fit" the memory)
  if (req.computeEfficiency !== undefined && !(req.computeEfficiency >= 1e-3 && req.computeEfficiency <= 1)) throw new InputError(`--compute-efficiency must be a number from 0.001 to 1, got ${req.computeEfficiency}`);
  if (req.launchOverheadS !== undefined && !(req.launchOverheadS >= 0 && req.launchOverheadS <= 1)) throw new InputError(`--launch-us must be from 0 to 1e6 µs, got ${req.launchOverheadS * 1e6}`);
  const experts = req.ep !== undefined && req.ep > 1 ? modelExperts(entry.name) : 0;
  if (req.ep !== undefined && req.ep > 1 && experts === 0) throw new InputError(expertParallelProblem(req.ep, 0, 1, entry.name)!);
  // what is given is fixed, the rest searched
  const tradeOffs: Partial<Layout> = {
    microbatch: req.microbatch, recompute, zero, interleave: req.interleave, sequenceParallel: req.sequenceParallel, ep: req.ep, overlapGradReduce: req.overlapGradReduce,
  };
  const problem: PlacementProblem = {
    model: entry.name, seq: req.seq, attention: req.attention, capacityFactor: req.capacityFactor, devices: req.devices, globalBatch, network: req.network, optimizer: req.optimizer, precision: req.precision,
    launchOverheadS: req.launchOverheadS, computeEfficiency: req.computeEfficiency, arrayRateFraction: req.arrayRateFraction,
    fixed: Object.fromEntries(Object.entries({ tp: req.tp, pp: req.pp, dp: req.dp, ...tradeOffs }).filter(([, v]) => v !== undefined)),
  };
  if (req.autoParallel) {
    // the widths given are kept: they must fit the devices (the search then finds the others)
    const given = ([['--tp', req.tp], ['--pp', req.pp], ['--dp', req.dp]] as const).filter(([, v]) => v !== undefined) as [string, number][];
    const product = given.reduce((p, [, v]) => p * v, 1);
    if (req.devices % product !== 0 || (given.length === 3 && product !== req.devices)) {
      const widths = given.map(([f, v]) => `${f} ${v}`).join(' x ') + (given.length > 1 ? ` = ${product}` : '');
      throw new InputError(`${widths} must ${given.length === 3 ? 'equal' : 'divide'} --devices ${req.devices}`);
    }
    const sp = req.tp !== undefined ? sequenceParallelProblem(!!req.sequenceParallel, req.tp) : undefined;
    if (sp) throw new InputError(sp);
  }
  if (!req.autoParallel) {
    if (req.tp === undefined || req.pp === undefined || req.dp === undefined) throw new InputError('give --tp T --pp P --dp D, or --auto-parallel');
    if (req.tp * req.pp * req.dp !== req.devices) throw new InputError(`--tp ${req.tp} x --pp ${req.pp} x --dp ${req.dp} = ${req.tp * req.pp * req.dp} must equal --devices ${req.devices}`);
    if (globalBatch % req.dp !== 0) throw new InputError(`--global-batch ${globalBatch} must be a multiple of --dp ${req.dp}`);
    const sp = sequenceParallelProblem(!!req.sequenceParallel, req.tp);
    if (sp) throw new InputError(sp);
    const il = interleaveProblem(req.interleave ?? 1, modelBlocks(entry.name), req.pp, entry.name);
    if (il) throw new InputError(il);
    const epProblem = expertParallelProblem(req.ep ?? 1, experts, req.dp, entry.name);
    if (epProblem) throw new InputError(epProblem);
  }
  const kernel = defaultKernel();
  const place = (d: Design) => {
    const t = performance.now();
    const r = searchPlacement(problem, d, kernel);
    return { ...r, wallTimeS: (performance.now() - t) / 1000 };
  };
  let design = req.design;
  let placement = place(design);
  if (!placement.best) {
    // nothing could be profiled: say why with the first layout's error
    const err = new ProfileCache(kernel).get(problem, design, req.tp ?? 1, req.microbatch ?? 1, recompute === 'full');
    if (err instanceof Error) throw err instanceof InputError ? err : new InputError(err.message);
    if (req.sequenceParallel) throw new InputError(`--sequence-parallel: no layout of ${req.devices} devices has --tp of at least 2 for ${entry.name}`);
    if (req.interleave && req.interleave > 1) {
      throw new InputError(`--interleave ${req.interleave}: no layout of ${req.devices} devices has blocks per stage divisible by ${req.interleave} (${entry.name} has ${modelBlocks(entry.name)} blocks)`);
    }
    if (req.ep && req.ep > 1) throw new InputError(`--ep ${req.ep}: no layout of ${req.devices} devices has a data-parallel width divisible by ${req.ep}`);
    throw new InputError('no layout of these devices fits the model');
  }
  let searchInfo: DistributedResult['search'];
  if (req.search) {
    const ts = performance.now();
    // the design search keeps a layout fixed; with --auto-parallel, when no design in the budget holds the reference
    // design's best layout (its memory), the next best feasible layouts are tried
    const layouts = req.autoParallel ? placement.all.filter((p) => p.step.feasible).slice(0, SEARCH_LAYOUT_TRIES).map((p) => p.layout) : [placement.best.layout];
    if (layouts.length === 0) layouts.push(placement.best.layout);
    let found: DistributedSearchResult | null = null;
    let evaluations = 0;
    for (const layout of layouts) {
      const r = await searchDistributedDesign({ problem, layout, ...req.search }, kernel);
      evaluations += r.evaluations;
      if (r.design) {
        found = r;
        break;
      }
    }
    if (!found) {
      throw new InputError(`the distributed design search found no design inside the budget on which ${layouts.length > 1 ? `any of the ${layouts.length} best layouts fits` : 'this layout fits'}`);
    }
    const searchedLayout = found.layout;
    design = found.design;
    placement = req.autoParallel ? place(design) : { best: { layout: searchedLayout, step: found.step, layers: found.layers }, evaluated: placement.evaluated, all: placement.all, wallTimeS: placement.wallTimeS };
    searchInfo = { evaluations, candidates: found.candidates, stageKinds: found.stageKinds.map((k) => ({ kind: k.kind, layers: k.layers })), perStage: found.perStage, wallTimeS: (performance.now() - ts) / 1000 };
  }
  const best = placement.best!;
  const out: DistributedResult = {
    ...report(req, globalBatch, best, design),
    ...(req.autoParallel ? { placement: { layoutsEvaluated: placement.evaluated, wallTimeS: placement.wallTimeS, top: placement.all.slice(0, 5).map((p) => ({ layout: p.layout, stepTimeS: Number.isFinite(p.step.stepTimeS) ? p.step.stepTimeS : 0, feasible: p.step.feasible })) } } : {}),
    ...(searchInfo ? { search: searchInfo } : {}),
    wallTimeS: secs(),
  };
  return out;
}

export type { LayerProfile, StepReport, Layout, RecomputeMode, ZeroStage };
export { pipelineStep };
