/**
 * WHAM's distributed search (docs/distributed.md): local search per pipeline stage (its tensor-parallel shard) → the
 * top-k designs of each stage → a global search over their union for the best whole-pipeline step with one
 * design on every device; optionally one design per stage (what that gains is reported).
 *
 * Stage kinds: with identical transformer blocks a pipeline has at most three kinds of stage: the first (embedding +
 * blocks), middle (blocks) and last (blocks + head and loss). Each kind's local search runs `wham` on the stage's
 * training graph (one profiled block plus its extra layers) for throughput under the area/TDP budget.
 */
import type { Design } from '../arch/design.js';
import type { DesignSpace } from '../arch/space.js';
import type { Kernel } from '../engine/kernel.js';
import { runSearch } from '../search/run.js';
import { designKey } from '../search/strategy.js';
import type { Constraints } from '../evaluation/objectives.js';
import type { TrainingGraph } from '../workload/ir.js';
import { pipelineStep, type Layout, type StepReport } from './pipeline.js';
import { ProfileCache, type PlacementProblem } from './placement.js';
import { profileGraph, type LayerProfile } from './profile.js';

export interface DistributedSearchOptions {
  problem: PlacementProblem;
  layout: Layout;
  space: DesignSpace;
  limits: Constraints;
  topK: number;
  seed: number;
  threads?: number;
  /** evaluations per stage kind */
  budgetPerStage: number;
  perStageDesigns: boolean;
}

export interface DistributedSearchResult {
  /** the layout the search held fixed */
  layout: Layout;
  design: Design;
  step: StepReport;
  layers: LayerProfile[];
  stageKinds: { kind: string; layers: string[]; topK: Design[] }[];
  candidates: number;
  perStage?: { designs: Design[]; stepTimeS: number; gain: number };
  evaluations: number;
}

/** The training graph of one stage kind: ops of the given layers, dependencies among them. */
function stageGraph(g: TrainingGraph, layers: Set<string>, kind: string): TrainingGraph {
  const ops = g.ops.filter((op) => layers.has(op.layer));
  const ids = new Set(ops.map((op) => op.id));
  return { ...g, name: `${g.name} ${kind} stage`, ops: ops.map((op) => ({ ...op, deps: op.deps.filter((d) => ids.has(d)) })), params: g.params.filter((p) => layers.has(p.layer)) };
}

function stageKinds(g: TrainingGraph, pp: number): { kind: string; layers: Set<string> }[] {
  const order: string[] = [];
  for (const op of g.ops) if (!order.includes(op.layer)) order.push(op.layer);
  const bi = order.indexOf('layers.0');
  if (bi < 0 || pp === 1) return [{ kind: 'whole', layers: new Set(order) }];
  const pre = order.slice(0, bi), post = order.slice(bi + 1);
  const kinds = [{ kind: 'first', layers: new Set([...pre, 'layers.0']) }];
  if (pp > 2) kinds.push({ kind: 'middle', layers: new Set(['layers.0']) });
  kinds.push({ kind: 'last', layers: new Set(['layers.0', ...post]) });
  return kinds;
}

/** The search's result, or null with the evaluations it spent when no design in the budget holds the layout. */
export async function searchDistributedDesign(o: DistributedSearchOptions, kernel: Kernel): Promise<DistributedSearchResult | { design: null; evaluations: number }> {
  const pr = o.problem;
  const { graph } = profileGraph({ model: pr.model, seq: pr.seq, attention: pr.attention, capacityFactor: pr.capacityFactor, microbatch: o.layout.microbatch, tensorParallel: o.layout.tp, recompute: o.layout.recompute === 'full', optimizer: pr.optimizer, precision: pr.precision });
  const kinds = stageKinds(graph, o.layout.pp);
  let evaluations = 0;
  const locals: { kind: string; layers: string[]; topK: Design[] }[] = [];
  for (const k of kinds) {
    const r = await runSearch({ graphs: [stageGraph(graph, k.layers, k.kind)], space: o.space, objective: 'throughput', limits: o.limits, strategy: 'wham', topK: o.topK, seed: o.seed, threads: o.threads, budget: o.budgetPerStage });
    evaluations += r.evaluations;
    locals.push({ kind: k.kind, layers: [...k.layers], topK: r.topK.map((t) => t.design) });
  }
  // global search over the union of the stages' top-k
  const union = new Map<string, Design>();
  for (const l of locals) for (const d of l.topK) union.set(designKey(d), d);
  let best: { design: Design; step: StepReport; layers: LayerProfile[] } | null = null;
  for (const d of union.values()) {
    const layers = new ProfileCache(kernel).get(pr, d, o.layout.tp, o.layout.microbatch, o.layout.recompute === 'full');
    if (layers instanceof Error) continue;
    const step = pipelineStep(layers, o.layout, pr.globalBatch, pr.network, d.offChipBytes);
    if (step.feasible && (!best || step.stepTimeS < best.step.stepTimeS)) best = { design: d, step, layers };
  }
  if (!best) return { design: null, evaluations };
  const result: DistributedSearchResult = { layout: o.layout, ...best, stageKinds: locals, candidates: union.size, evaluations };
  if (o.perStageDesigns && o.layout.pp > 1 && o.layout.interleave === 1) {
    // each stage takes its kind's best local design; the partition of the common design is kept
    // (with interleaving every device holds chunks of all kinds, so there is no per-stage design to take)
    const starts = best.step.stages.map((s) => s.firstLayer);
    const kindOf = (s: number) => (s === 0 ? 'first' : s === o.layout.pp - 1 ? 'last' : 'middle');
    const designs = starts.map((_, s) => locals.find((l) => l.kind === kindOf(s))?.topK[0] ?? best!.design);
    const mixed: LayerProfile[] = [...best.layers];
    let capacity = Infinity;
    starts.forEach((a, s) => {
      const b = s + 1 < starts.length ? starts[s + 1] : mixed.length;
      const prof = new ProfileCache(kernel).get(pr, designs[s], o.layout.tp, o.layout.microbatch, o.layout.recompute === 'full');
      if (prof instanceof Error) return;
      for (let i = a; i < b; i++) mixed[i] = prof[i];
      capacity = Math.min(capacity, designs[s].offChipBytes);
    });
    const step = pipelineStep(mixed, o.layout, pr.globalBatch, pr.network, capacity, starts);
    result.perStage = { designs, stepTimeS: step.stepTimeS, gain: best.step.stepTimeS / step.stepTimeS };
  }
  return result;
}
