/** The `graph` command's summary of a training step: parameters, op counts and FLOPs per phase, memory. */
import { PHASES, paramCount, opMacs, type Phase, type TrainingGraph } from './ir.js';
import { memoryFootprint, type MemoryFootprint } from './memory.js';

export type PerPhase = Record<Phase, number> & { total: number };

export interface GraphSummary {
  name: string;
  batch: number;
  seq?: number;
  precision: string;
  optimizer: string;
  recompute: boolean;
  fusion: boolean;
  params: number;
  ops: PerPhase;
  flops: PerPhase;
  macs: PerPhase;
  bytes: PerPhase;
  memoryBytes: MemoryFootprint;
}

function perPhase(g: TrainingGraph, f: (op: TrainingGraph['ops'][number]) => number): PerPhase {
  const r = Object.fromEntries(PHASES.map((p) => [p, 0])) as PerPhase;
  r.total = 0;
  for (const op of g.ops) {
    const v = f(op);
    r[op.phase] += v;
    r.total += v;
  }
  return r;
}

export function summarizeTrainingGraph(g: TrainingGraph): GraphSummary {
  return {
    name: g.name,
    batch: g.batch,
    seq: g.seq,
    precision: g.options.precision,
    optimizer: g.options.optimizer,
    recompute: g.options.recompute,
    fusion: g.options.fusion,
    params: paramCount(g.params),
    ops: perPhase(g, () => 1),
    flops: perPhase(g, (op) => op.flops),
    macs: perPhase(g, opMacs),
    bytes: perPhase(g, (op) => op.bytes),
    memoryBytes: memoryFootprint(g),
  };
}
