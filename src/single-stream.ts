/**
 * Single-stream execution: the ops of a training step run one at a time, each on all cores of its pool, in a
 * topological order of the graph. That is how a framework that launches one kernel after another on one
 * stream runs a step (PyTorch eager on one CUDA stream: each kernel takes the whole GPU, the next starts when
 * it ends), so it is the schedule to compare with such measurements. The per-op costs are the kernel's
 * all-cores costs, the ones the concurrent scheduler starts from; the step time is their sum (the kernel's
 * `serialCycles`).
 */
import type { Design } from './arch/design.js';
import type { FlatGraph } from './engine/flatten.js';
import type { Kernel } from './engine/kernel.js';
import {
  BOUND_NAMES, O_UNIT, OP_STRIDE, R_BOUND, R_CYCLES, R_ENERGY_J, RESULT_STRIDE, U_TENSOR, U_VECTOR, type Bound,
} from './engine/layout.js';
import { successorsAndTopo } from './engine/reference.js';

export interface SingleStreamOp {
  cycles: number;
  startCycles: number;
  energyJ: number;
  bound: Bound;
  /** cores the op holds: all of its pool's, 0 for ops on no core */
  cores: number;
  pool: 'tensor' | 'vector' | 'none';
}

export interface SingleStreamStep {
  stepCycles: number;
  /** dynamic energy of the ops (leakage is the caller's: leakage power × step time) */
  dynamicJ: number;
  ops: SingleStreamOp[];
  /** cycles by what bounds each op */
  boundCycles: Record<Bound, number>;
  /** share of the step each pool is busy (its ops hold all its cores) */
  utilization: { tensor: number; vector: number };
}

export function singleStreamStep(design: Design, rec: Float64Array, g: FlatGraph, kernel: Kernel): SingleStreamStep {
  const slot = new Float64Array(g.nUnique * RESULT_STRIDE);
  kernel.evaluateOpRecords(rec, g.ops, g.nUnique, slot);
  const { topo, nTopo } = successorsAndTopo(g.nOps, g.depOffsets, g.depIndex);
  if (nTopo !== g.nOps) throw new Error('single-stream execution: the graph has a cycle');
  const boundCycles = Object.fromEntries(BOUND_NAMES.map((b) => [b, 0])) as Record<Bound, number>;
  const ops: SingleStreamOp[] = new Array(g.nOps);
  let t = 0, dynamicJ = 0, tensorCycles = 0, vectorCycles = 0;
  for (let j = 0; j < nTopo; j++) {
    const i = topo[j];
    const s = g.opSlot[i];
    const r = s * RESULT_STRIDE;
    const cycles = slot[r + R_CYCLES];
    const unit = g.ops[s * OP_STRIDE + O_UNIT];
    const pool = cycles > 0 && unit === U_TENSOR ? 'tensor' : cycles > 0 && unit === U_VECTOR ? 'vector' : 'none';
    const bound = BOUND_NAMES[slot[r + R_BOUND]] ?? 'none';
    ops[i] = {
      cycles, startCycles: t, energyJ: slot[r + R_ENERGY_J], bound, pool,
      cores: pool === 'tensor' ? design.tensorCores : pool === 'vector' ? design.vectorCores : 0,
    };
    t += cycles;
    dynamicJ += slot[r + R_ENERGY_J];
    boundCycles[bound] += cycles;
    if (pool === 'tensor') tensorCycles += cycles;
    else if (pool === 'vector') vectorCycles += cycles;
  }
  return {
    stepCycles: t, dynamicJ, ops, boundCycles,
    utilization: { tensor: t > 0 ? tensorCycles / t : 0, vector: t > 0 ? vectorCycles / t : 0 },
  };
}
