/**
 * Placement search (PHAZE-style): for one design and a device count, every layout (dp, pp, tp, micro-batch,
 * interleave, sequence parallel, recompute, ZeRO) with tp a power of two dividing the model's heads, pp ≤ layers,
 * dp·pp·tp = devices, micro-batch a power of two dividing the per-replica batch, interleave V ∈ {1, 2, 4} where
 * V divides the blocks per stage, sequence parallelism on and off when tp > 1, recompute none / selective / full
 * (selective only where the attention core is stored: with fused attention it is none), ZeRO 0–3 when dp > 1.
 * Each is costed by the pipeline model with its own stage partition. Profiles are shared between layouts with the
 * same (tp, micro-batch, full recompute or not).
 */
import type { Design } from '../arch/design.js';
import type { Kernel } from '../engine/kernel.js';
import type { OptimizerKind } from '../workload/ir.js';
import type { AttentionImpl } from '../workload/zoo/index.js';
import { expertParallelChoices, interleaveChoices, RECOMPUTE_MODES, ZERO_STAGES, type Layout, type ZeroStage } from './layout.js';
import type { Network } from './network.js';
import { pipelineStep, type StepReport } from './pipeline.js';
import { profileLayers, type LayerProfile } from './profile.js';

export interface PlacementProblem {
  model: string;
  seq?: number;
  attention?: AttentionImpl;
  /** mixture-of-experts capacity factor (default 1) */
  capacityFactor?: number;
  devices: number;
  globalBatch: number;
  network: Network;
  optimizer: OptimizerKind;
  precision: 'bf16' | 'fp32';
  /** the framework's gap before every op with work, s (profile.ts); default 0 */
  launchOverheadS?: number;
  /** op times ÷ this (profile.ts); default 1 */
  computeEfficiency?: number;
  /** the most of each array's peak MAC rate an op sustains (profile.ts); default 1 */
  arrayRateFraction?: number;
  /** fix any of these; the rest are searched */
  fixed?: Partial<Layout>;
}

export interface PlacedStep {
  layout: Layout;
  step: StepReport;
  layers: LayerProfile[];
}

/** Interleave factors the search tries. */
export const SEARCHED_INTERLEAVES: readonly number[] = [1, 2, 4];

export class ProfileCache {
  private readonly cache = new Map<string, LayerProfile[] | Error>();
  constructor(readonly kernel: Kernel) {}
  /** profiles for tensor-parallel width `tp`, micro-batch `microbatch`, and full recompute or not */
  get(pr: PlacementProblem, design: Design, tp: number, microbatch: number, fullRecompute: boolean): LayerProfile[] | Error {
    const key = `${tp}|${microbatch}|${fullRecompute}`;
    let v = this.cache.get(key);
    if (!v) {
      try {
        v = profileLayers({ model: pr.model, seq: pr.seq, attention: pr.attention, capacityFactor: pr.capacityFactor, microbatch, tensorParallel: tp, recompute: fullRecompute, optimizer: pr.optimizer, precision: pr.precision, launchOverheadS: pr.launchOverheadS, computeEfficiency: pr.computeEfficiency, arrayRateFraction: pr.arrayRateFraction }, design, this.kernel);
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

/** Selective recompute differs from none only where the profile stores an attention core. */
const hasAttentionCore = (layers: readonly LayerProfile[]) => layers.some((l) => (l.attentionCore?.activationBytes ?? 0) > 0);

/** The trade-off settings searched for one (dp, pp, tp) on its profiles. */
function tradeOffs(f: Partial<Layout>, layers: readonly LayerProfile[], dp: number, pp: number, tp: number): Pick<Layout, 'interleave' | 'sequenceParallel' | 'zero' | 'ep' | 'overlapGradReduce'>[] {
  const blocks = layers.filter((l) => l.block).length;
  const allowed = interleaveChoices(blocks, pp);
  const vs = (f.interleave !== undefined ? [f.interleave] : SEARCHED_INTERLEAVES).filter((v) => allowed.includes(v));
  const sps = f.sequenceParallel !== undefined ? [f.sequenceParallel] : tp > 1 ? [false, true] : [false];
  const zeros: ZeroStage[] = f.zero !== undefined ? [f.zero] : dp > 1 ? [...ZERO_STAGES] : [0];
  const experts = Math.max(0, ...layers.map((l) => l.experts?.count ?? 0));
  const eps = (f.ep !== undefined ? [f.ep] : expertParallelChoices(experts, dp)).filter((e) => e === 1 || (experts % e === 0 && dp % e === 0));
  // the gradient reduction's overlap is the framework's, not searched (overlapped unless fixed otherwise)
  const overlapGradReduce = f.overlapGradReduce ?? true;
  const out: Pick<Layout, 'interleave' | 'sequenceParallel' | 'zero' | 'ep' | 'overlapGradReduce'>[] = [];
  for (const interleave of vs) for (const sequenceParallel of sps) for (const zero of zeros) for (const ep of eps) out.push({ interleave, sequenceParallel, zero, ep, overlapGradReduce });
  return out;
}

/** Every layout of the problem on `design`, best first (feasible before infeasible). */
export function searchPlacement(pr: PlacementProblem, design: Design, kernel: Kernel): { best: PlacedStep | null; evaluated: number; all: PlacedStep[] } {
  const cache = new ProfileCache(kernel);
  const f = pr.fixed ?? {};
  const all: PlacedStep[] = [];
  const tps = f.tp ? [f.tp] : pow2Divisors(pr.devices, 64);
  for (const tp of tps) {
    const rest = pr.devices / tp;
    if (!Number.isInteger(rest)) continue;
    if (f.sequenceParallel && tp <= 1 && !f.tp) continue;
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
        for (const recompute of f.recompute !== undefined ? [f.recompute] : RECOMPUTE_MODES) {
          const layers = cache.get(pr, design, tp, microbatch, recompute === 'full');
          if (layers instanceof Error) continue;
          if (pp > layers.length && !f.pp) continue;
          if (recompute === 'selective' && f.recompute === undefined && !hasAttentionCore(layers)) continue;
          for (const t of tradeOffs(f, layers, dp, pp, tp)) {
            const layout: Layout = { dp, pp, tp, microbatch, recompute, ...t };
            all.push({ layout, step: pipelineStep(layers, layout, pr.globalBatch, pr.network, design.offChipBytes), layers });
          }
        }
      }
    }
  }
  all.sort((a, b) => (a.step.feasible === b.step.feasible ? a.step.stepTimeS - b.step.stepTimeS : a.step.feasible ? -1 : 1));
  return { best: all[0] ?? null, evaluated: all.length, all };
}
