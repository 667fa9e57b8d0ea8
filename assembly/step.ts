/**
 * Whole-step evaluation for a batch of designs over the loaded graph: each design's ops are costed per unique
 * shape (memoised per core count) and list-scheduled on its tensor and vector cores (./schedule.ts);
 * the step record carries the makespan, energies at the chosen core counts, utilisation, the ASAP critical
 * path and the scheduled critical path's split by bound, plus the serial sum for comparison.
 * Mirrors refEvaluateStep in src/engine/reference-schedule.ts.
 */
import { S_VALID, STEP_STRIDE, DESIGN_STRIDE } from './layout';
import { designValid, wr } from './model';
import { scheduleStep, schedSetGraph } from './schedule';

let gNAllOps: i32 = 0;
let gAcyclic: bool = false;

/**
 * The graph: `nOps` unique op records at `ops` (with counts), room for their results at `slotResults`, and
 * per op (`nAllOps` of them) its slot, phase and dependencies (CSR of op indices). Returns the number of ops
 * in a topological order (< nAllOps: the graph has a cycle and every design is reported invalid).
 */
export function setGraph(ops: usize, nOps: i32, slotResults: usize, opSlot: usize, opPhase: usize, depOffsets: usize, deps: usize, nAllOps: i32): i32 {
  gNAllOps = nAllOps;
  const n = schedSetGraph(ops, nOps, slotResults, opSlot, depOffsets, deps, nAllOps);
  gAcyclic = n == nAllOps;
  return n;
}

export function graphOpCount(): i32 {
  return gNAllOps;
}

export function evaluateSteps(designs: usize, nDesigns: i32, out: usize): void {
  for (let i = 0; i < nDesigns; i++) {
    const d = designs + ((<usize>i * <usize>DESIGN_STRIDE) << 3);
    const so = out + ((<usize>i * <usize>STEP_STRIDE) << 3);
    for (let j = 0; j < STEP_STRIDE; j++) wr(so, j, 0);
    if (!gAcyclic || !designValid(d)) continue;
    scheduleStep(d, so);
    wr(so, S_VALID, 1);
  }
}
