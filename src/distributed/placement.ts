/**
 * Placement search (PHAZE-style): for one design and a device count, every (dp, pp, tp, micro-batch, recompute)
 * with tp a power of two dividing the model's heads, pp ≤ layers, dp·pp·tp = devices, micro-batch a power of two
 * dividing the per-replica batch; each costed by the pipeline model with its own stage partition. Profiles are
 * shared between layouts with the same (tp, micro-batch, recompute).
 */
import type { Design } from '../arch/design.js';
import type { Kernel } from '../engine/kernel.js';
import type { OptimizerKind } from '../workload/ir.js';
import type { AttentionImpl } from '../workload/zoo/index.js';
import type { Network } from './network.js';
import { pipelineStep, type Layout, type StepReport } from './pipeline.js';
import { profileLayers, type LayerProfile } from './profile.js';

export interface PlacementProblem {
  model: string;
  seq?: number;
  attention?: AttentionImpl;
  devices: number;
  globalBatch: number;
  network: Network;
  optimizer: OptimizerKind;
  precision: 'bf16' | 'fp32';
  zero1: boolean;
  /** fix any of these; the rest are searched */
  fixed?: Partial<Layout>;
}

export interface PlacedStep {
  layout: Layout;
  step: StepReport;
  layers: LayerProfile[];
}

export class ProfileCache {
  private readonly cache = new Map<string, LayerProfile[] | Error>();
  constructor(readonly kernel: Kernel) {}
  get(pr: PlacementProblem, design: Design, tp: number, microbatch: number, recompute: boolean): LayerProfile[] | Error {
    const key = `${tp}|${microbatch}|${recompute}`;
    let v = this.cache.get(key);
    if (!v) {
      try {
        v = profileLayers({ model: pr.model, seq: pr.seq, attention: pr.attention, microbatch, tensorParallel: tp, recompute, optimizer: pr.optimizer, precision: pr.precision }, design, this.kernel);
      } catch (e) {
        v = e as Error;
      }
      this.cache.set(key, v);
    }
    return v;
  }
}

const pow2Divisors = (n: number, max = n) => {
  const out: number[] = [];
  for (let v = 1; v <= Math.min(n, max); v *= 2) if (n % v === 0) out.push(v);
  return out;
};

/** Every layout of the problem on `design`, best first (feasible before infeasible). */
export function searchPlacement(pr: PlacementProblem, design: Design, kernel: Kernel): { best: PlacedStep | null; evaluated: number; all: PlacedStep[] } {
  const cache = new ProfileCache(kernel);
  const f = pr.fixed ?? {};
  const all: PlacedStep[] = [];
  const tps = f.tp ? [f.tp] : pow2Divisors(pr.devices, 64);
  for (const tp of tps) {
    const rest = pr.devices / tp;
    if (!Number.isInteger(rest)) continue;
    const pps: number[] = [];
    if (f.pp) pps.push(f.pp);
    else for (let p = 1; p <= rest; p++) if (rest % p === 0) pps.push(p);
    for (const pp of pps) {
      const dp = rest / pp;
      if (!Number.isInteger(dp) || (f.dp && f.dp !== dp)) continue;
      const perReplica = pr.globalBatch / dp;
      if (!Number.isInteger(perReplica)) continue;
      const mbs = f.microbatch ? [f.microbatch] : pow2Divisors(perReplica, 16);
      for (const microbatch of mbs) {
        for (const recompute of f.recompute !== undefined ? [f.recompute] : [false, true]) {
          const layers = cache.get(pr, design, tp, microbatch, recompute);
          if (layers instanceof Error) continue;
          if (pp > layers.length && !f.pp) continue;
          const layout: Layout = { dp, pp, tp, microbatch, recompute, zero1: pr.zero1 };
          all.push({ layout, step: pipelineStep(layers, layout, pr.globalBatch, pr.network, design.offChipBytes), layers });
        }
      }
    }
  }
  all.sort((a, b) => (a.step.feasible === b.step.feasible ? a.step.stepTimeS - b.step.stepTimeS : a.step.feasible ? -1 : 1));
  return { best: all[0] ?? null, evaluated: all.length, all };
}
